// Browser auth (docs/client-api.md "Browser auth"): POST /api/v1/auth/tickets, single-use tickets
// for what cannot send Authorization (the live feed, the voice socket); DELETE
// /api/v1/auth/session, signing out.
#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void register_ticket_routes(http::Router& router, ClientServices& s) {
  router.add("DELETE", "/api/v1/auth/session",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               std::string session = api::authorization_credentials(req, "Bearer").value_or("");
               CO_API_CHECK(co_await s.accounts.end_session(std::move(session)));
               co_return api::no_content();
             }));
  if (!s.tickets) return;
  router.add("POST", "/api/v1/auth/tickets",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               // authenticate_person found the header: the ticket is bound to its session.
               std::string session = api::authorization_credentials(req, "Bearer").value_or("");
               CO_API_TRY(issued, co_await s.tickets->issue(user.id, std::move(session)));
               json::object body{{"ticket", issued.ticket},
                                 {"expiresAt", format_iso8601_ms(issued.expires_at_ms)}};
               auto response = api::json_response(201, body);
               response.headers.emplace_back("Cache-Control", "no-store");
               co_return response;
             }));
}

Task<Result<User>> authenticate_person_or_ticket(http::Request& request, ClientServices& s) {
  const std::string* given = request.query_param("ticket");
  if (!given || !s.tickets) {
    auto user = co_await authenticate_person(request, s);
    co_return user;
  }
  std::string ticket = *given;
  std::optional<std::string> session = api::authorization_credentials(request, "Bearer");
  auto user = co_await s.tickets->redeem(std::move(ticket), std::move(session));
  if (!user) co_return user;
  request.principal = "user:" + user->id.str();
  Status admitted = co_await admit_person(request, s, *user);
  if (!admitted) co_return admitted.error();
  co_return user;
}

}  // namespace argon::clientapi
