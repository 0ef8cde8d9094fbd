// Operator: /api/v1/admin/users — list people and bots, disable / enable, delete, reset a
// password, list and revoke sessions (docs/operations.md "Accounts"). Every change is audited
// in the log by the service.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/json_in.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
constexpr std::int64_t kListDefault = 100, kListMax = 1000;

json::object account_json(const services::AccountInfo& a) {
  return {{"userId", a.user.id.str()},
          {"username", a.user.username},
          {"displayName", a.user.display_name},
          {"isBot", a.user.is_bot()},
          {"status", a.status},
          {"hasPassword", a.has_password},
          {"sessions", a.sessions},
          {"createdAt", format_iso8601_ms(a.user.created_at_ms)}};
}

// The audit line's actor: the operator token's holder, seen from where.
std::string actor_of(const http::Request& req) {
  return "operator@" + (req.client_address.empty() ? std::string("?") : req.client_address);
}
}  // namespace

void add_admin_user_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("GET", "/api/v1/admin/users", Access::Operator,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               wire::QueryReader q(call.request.query);
               CO_TRY(after, q.optional_string("after"));
               CO_TRY(limit, q.optional_int("limit", 1, kListMax));
               const int page = static_cast<int>(limit.value_or(kListDefault));
               CO_TRY(accounts, co_await s.account_admin.list(after, page));
               json::array out;
               for (const auto& a : accounts) out.push_back(account_json(a));
               co_return api::json_response(200, json::object{{"users", std::move(out)}});
             });

  routes.add("GET", "/api/v1/admin/users/{userId}", Access::Operator,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(user_id, call.path_uuid("userId"));
               CO_TRY(account, co_await s.account_admin.get(user_id));
               co_return api::json_response(200, account_json(account));
             });

  for (bool disable : {true, false}) {
    routes.add(
        "POST",
        disable ? "/api/v1/admin/users/{userId}/disable" : "/api/v1/admin/users/{userId}/enable",
        Access::Operator, [&s, disable](ClientCall& call) -> Task<Result<http::Response>> {
          CO_TRY(user_id, call.path_uuid("userId"));
          Result<services::AccountInfo> changed = Error::internal();
          std::string actor = actor_of(call.request);
          if (disable) {
            changed = co_await s.account_admin.disable(user_id, std::move(actor));
          } else {
            changed = co_await s.account_admin.enable(user_id, std::move(actor));
          }
          CO_TRY(account, std::move(changed));
          co_return api::json_response(200, account_json(account));
        });
  }

  routes.add("DELETE", "/api/v1/admin/users/{userId}", Access::Operator,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(user_id, call.path_uuid("userId"));
               std::string actor = actor_of(call.request);
               CO_TRY(account, co_await s.account_admin.remove(user_id, std::move(actor)));
               co_return api::json_response(200, account_json(account));
             });

  routes.add(
      "POST", "/api/v1/admin/users/{userId}/password", Access::Operator,
      [&s](ClientCall& call) -> Task<Result<http::Response>> {
        CO_TRY(user_id, call.path_uuid("userId"));
        CO_TRY(body, call.body());
        wire::ObjectReader in(body);
        CO_TRY(password, in.required_string("password"));
        std::string actor = actor_of(call.request);
        CO_CHECK(co_await s.account_admin.reset_password(user_id, password, std::move(actor)));
        co_return api::no_content();
      });

  routes.add(
      "GET", "/api/v1/admin/users/{userId}/sessions", Access::Operator,
      [&s](ClientCall& call) -> Task<Result<http::Response>> {
        CO_TRY(user_id, call.path_uuid("userId"));
        CO_TRY(sessions, co_await s.account_admin.sessions(user_id));
        json::array out;
        for (const auto& session : sessions)
          out.push_back(json::object{{"sessionId", session.session_id},
                                     {"createdAt", format_iso8601_ms(session.created_at_ms)}});
        co_return api::json_response(200, json::object{{"sessions", std::move(out)}});
      });

  routes.add("DELETE", "/api/v1/admin/users/{userId}/sessions", Access::Operator,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(user_id, call.path_uuid("userId"));
               std::string actor = actor_of(call.request);
               CO_TRY(revoked, co_await s.account_admin.revoke_sessions(user_id, std::nullopt,
                                                                        std::move(actor)));
               co_return api::json_response(200, json::object{{"revoked", revoked}});
             });

  routes.add("DELETE", "/api/v1/admin/users/{userId}/sessions/{sessionId}", Access::Operator,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(user_id, call.path_uuid("userId"));
               // Arguments made in statements of their own: GCC 12 destroys some temporaries of
               // a co_await expression twice (a conditional's, here: a double free).
               const std::string* param = call.request.param("sessionId");
               std::optional<std::string> session_id = param ? *param : std::string();
               std::string actor = actor_of(call.request);
               CO_TRY(revoked, co_await s.account_admin.revoke_sessions(
                                   user_id, std::move(session_id), std::move(actor)));
               co_return api::json_response(200, json::object{{"revoked", revoked}});
             });
}

}  // namespace argon::clientapi
