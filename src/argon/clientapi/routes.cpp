#include "argon/clientapi/routes.hpp"

#include "argon/api/respond.hpp"

namespace argon::clientapi {

void register_routes(http::Router& router, ClientServices& s) {
  register_account_routes(router, s);
  register_space_routes(router, s);
  register_archetype_routes(router, s);
  register_channel_routes(router, s);
  register_message_routes(router, s);
  register_reaction_routes(router, s);
  register_app_routes(router, s);
  register_admin_routes(router, s);
  register_admin_user_routes(router, s);
  register_event_routes(router, s);
  register_interaction_routes(router, s);
  register_voice_routes(router, s);
}

Task<Result<User>> authenticate_person(const http::Request& request,
                                       services::AccountService& accounts) {
  auto token = api::authorization_credentials(request, "Bearer");
  if (!token) co_return Error::unauthorized("Missing or invalid session token.");
  auto user = co_await accounts.authenticate(*token);
  // Any authenticated request may carry the app's locale (UPSTREAM.md §5).
  if (user)
    if (const auto* locale = request.header("x-argon-locale"))
      accounts.note_locale(user->id, *locale);
  co_return user;
}

services::Caller person_caller(const User& user) {
  return services::Caller{user.id, false, {}, false};
}

}  // namespace argon::clientapi
