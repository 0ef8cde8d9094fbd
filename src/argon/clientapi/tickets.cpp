// Browser auth (docs/client-api.md "Browser auth"): POST /api/v1/auth/tickets, single-use tickets
// for what cannot send Authorization (the live feed, the voice socket); DELETE
// /api/v1/auth/session, signing out. Redeeming a ticket is the Access::PersonOrTicket stage
// (routes.cpp).
#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void add_ticket_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("DELETE", "/api/v1/auth/session", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               std::string session =
                   api::authorization_credentials(call.request, "Bearer").value_or("");
               CO_CHECK(co_await s.accounts.end_session(std::move(session)));
               co_return api::no_content();
             });
  if (!s.tickets) return;
  routes.add("POST", "/api/v1/auth/tickets", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               // The Person stage found the header: the ticket is bound to its session.
               std::string session =
                   api::authorization_credentials(call.request, "Bearer").value_or("");
               CO_TRY(issued, co_await s.tickets->issue(call.user().id, std::move(session)));
               json::object body{{"ticket", issued.ticket},
                                 {"expiresAt", format_iso8601_ms(issued.expires_at_ms)}};
               auto response = api::json_response(201, body);
               response.headers.emplace_back("Cache-Control", "no-store");
               co_return response;
             });
}

}  // namespace argon::clientapi
