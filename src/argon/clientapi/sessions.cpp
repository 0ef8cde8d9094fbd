// A person's own sessions (docs/client-api.md "Sessions"): GET /api/v1/auth/sessions lists them,
// DELETE /api/v1/auth/sessions/{sessionId} ends one (the asking one too), DELETE
// /api/v1/auth/sessions ends every other one ("sign out everywhere else").
#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
// The Person stage found the header: the token is there.
std::string session_token(const ClientCall& call) {
  return api::authorization_credentials(call.request, "Bearer").value_or("");
}
}  // namespace

void add_session_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("GET", "/api/v1/auth/sessions", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               std::string token = session_token(call);
               auto sessions = co_await s.accounts.own_sessions(call.user().id, std::move(token));
               json::array out;
               for (const auto& session : sessions)
                 out.push_back(json::object{{"sessionId", session.session_id},
                                            {"createdAt", format_iso8601_ms(session.created_at_ms)},
                                            {"current", session.current}});
               auto response = api::json_response(200, json::object{{"sessions", std::move(out)}});
               response.headers.emplace_back("Cache-Control", "no-store");
               co_return response;
             });

  routes.add("DELETE", "/api/v1/auth/sessions", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               std::string token = session_token(call);
               CO_TRY(ended, co_await s.accounts.end_own_sessions(call.user().id, std::move(token),
                                                                  std::nullopt));
               co_return api::json_response(200, json::object{{"revoked", ended}});
             });

  routes.add("DELETE", "/api/v1/auth/sessions/{sessionId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               std::string token = session_token(call);
               const std::string* param = call.request.param("sessionId");
               std::optional<std::string> session_id = param ? *param : std::string();
               CO_TRY(ended, co_await s.accounts.end_own_sessions(call.user().id, std::move(token),
                                                                  std::move(session_id)));
               (void)ended;
               co_return api::no_content();
             });
}

}  // namespace argon::clientapi
