// /api/v1/auth/*, /api/v1/me
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
constexpr std::string_view kStatusNames[] = {"offline", "online",     "away",        "inGame",
                                             "listen",  "touchGrass", "doNotDisturb"};
constexpr std::string_view kActivityNames[] = {"game", "software", "streaming", "listen"};
}  // namespace

void add_account_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("POST", "/api/v1/auth/register", Access::Anyone,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(username, in.required_string("username"));
               CO_TRY(password, in.required_string("password"));
               CO_TRY(display_name, in.optional_string("displayName"));
               CO_TRY(invite_code, in.optional_string("inviteCode"));
               services::RegisterRequest request{username, password, display_name, invite_code};
               CO_TRY(grant, co_await s.accounts.register_person(std::move(request)));
               co_return api::json_response(201,
                                            json::object{{"userId", grant.user.id.str()},
                                                         {"username", grant.user.username},
                                                         {"displayName", grant.user.display_name},
                                                         {"token", grant.token}});
             });

  routes.add("POST", "/api/v1/auth/login", Access::Anyone,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(username, in.required_string("username"));
               CO_TRY(password, in.required_string("password"));
               CO_TRY(grant,
                      co_await s.accounts.login(username, password, call.request.client_address));
               co_return api::json_response(
                   200, json::object{{"userId", grant.user.id.str()}, {"token", grant.token}});
             });

  routes.add(
      "GET", "/api/v1/me", Access::Person, [&s](ClientCall& call) -> Task<Result<http::Response>> {
        co_return api::json_response(
            200, json::object{
                     {"userId", call.user().id.str()},
                     {"username", call.user().username},
                     {"displayName", call.user().display_name},
                     {"flags", call.user().flags},
                     {"locale", wire::string_or_null(s.accounts.current_locale(call.user().id))}});
      });

  routes.add("PUT", "/api/v1/me/presence", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(status, in.required_enum("status", kStatusNames));
               Presence presence;
               presence.status = static_cast<PresenceStatus>(status);
               CO_TRY(activity_obj, in.optional_object("activity"));
               if (activity_obj) {
                 wire::ObjectReader act(*activity_obj, "activity");
                 CO_TRY(kind, act.required_enum("kind", kActivityNames));
                 CO_TRY(title, act.required_string("titleName"));
                 if (title.empty() || title.size() > 128)
                   co_return api::error_response(
                       Error::validation("activity.titleName: must be 1..128 characters"));
                 presence.activity = Activity{static_cast<ActivityKind>(kind), title,
                                              static_cast<std::uint32_t>(0)};
               }
               CO_CHECK(co_await s.accounts.set_presence(call.user().id, presence));
               co_return api::no_content();
             });
}

}  // namespace argon::clientapi
