// Operator: /api/v1/admin/users — list people and bots, disable / enable, delete, reset a
// password, list and revoke sessions (docs/operations.md "Accounts"). Every change is audited
// in the log by the service.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
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

void register_admin_user_routes(http::Router& router, ClientServices& s) {
  router.add("GET", "/api/v1/admin/users",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
               wire::QueryReader q(req.query);
               CO_API_TRY(after, q.optional_string("after"));
               CO_API_TRY(limit, q.optional_int("limit", 1, kListMax));
               const int page = static_cast<int>(limit.value_or(kListDefault));
               CO_API_TRY(accounts, co_await s.account_admin.list(after, page));
               json::array out;
               for (const auto& a : accounts) out.push_back(account_json(a));
               co_return api::json_response(200, json::object{{"users", std::move(out)}});
             }));

  router.add("GET", "/api/v1/admin/users/{userId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
               CO_API_TRY(user_id, api::path_uuid(req, "userId"));
               CO_API_TRY(account, co_await s.account_admin.get(user_id));
               co_return api::json_response(200, account_json(account));
             }));

  for (bool disable : {true, false}) {
    router.add(
        "POST",
        disable ? "/api/v1/admin/users/{userId}/disable" : "/api/v1/admin/users/{userId}/enable",
        api::task_handler([&s, disable](http::Request& req) -> Task<http::Response> {
          if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
          CO_API_TRY(user_id, api::path_uuid(req, "userId"));
          Result<services::AccountInfo> changed = Error::internal();
          std::string actor = actor_of(req);
          if (disable) {
            changed = co_await s.account_admin.disable(user_id, std::move(actor));
          } else {
            changed = co_await s.account_admin.enable(user_id, std::move(actor));
          }
          CO_API_TRY(account, std::move(changed));
          co_return api::json_response(200, account_json(account));
        }));
  }

  router.add("DELETE", "/api/v1/admin/users/{userId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
               CO_API_TRY(user_id, api::path_uuid(req, "userId"));
               std::string actor = actor_of(req);
               CO_API_TRY(account, co_await s.account_admin.remove(user_id, std::move(actor)));
               co_return api::json_response(200, account_json(account));
             }));

  router.add(
      "POST", "/api/v1/admin/users/{userId}/password",
      api::task_handler([&s](http::Request& req) -> Task<http::Response> {
        if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
        CO_API_TRY(user_id, api::path_uuid(req, "userId"));
        CO_API_TRY(body, api::body_object(req));
        wire::ObjectReader in(body);
        CO_API_TRY(password, in.required_string("password"));
        std::string actor = actor_of(req);
        CO_API_CHECK(co_await s.account_admin.reset_password(user_id, password, std::move(actor)));
        co_return api::no_content();
      }));

  router.add(
      "GET", "/api/v1/admin/users/{userId}/sessions",
      api::task_handler([&s](http::Request& req) -> Task<http::Response> {
        if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
        CO_API_TRY(user_id, api::path_uuid(req, "userId"));
        CO_API_TRY(sessions, co_await s.account_admin.sessions(user_id));
        json::array out;
        for (const auto& session : sessions)
          out.push_back(json::object{{"sessionId", session.session_id},
                                     {"createdAt", format_iso8601_ms(session.created_at_ms)}});
        co_return api::json_response(200, json::object{{"sessions", std::move(out)}});
      }));

  router.add("DELETE", "/api/v1/admin/users/{userId}/sessions",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
               CO_API_TRY(user_id, api::path_uuid(req, "userId"));
               std::string actor = actor_of(req);
               CO_API_TRY(revoked, co_await s.account_admin.revoke_sessions(user_id, std::nullopt,
                                                                            std::move(actor)));
               co_return api::json_response(200, json::object{{"revoked", revoked}});
             }));

  router.add("DELETE", "/api/v1/admin/users/{userId}/sessions/{sessionId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
               CO_API_TRY(user_id, api::path_uuid(req, "userId"));
               // Arguments made in statements of their own: GCC 12 destroys some temporaries of
               // a co_await expression twice (a conditional's, here: a double free).
               const std::string* param = req.param("sessionId");
               std::optional<std::string> session_id = param ? *param : std::string();
               std::string actor = actor_of(req);
               CO_API_TRY(revoked, co_await s.account_admin.revoke_sessions(
                                       user_id, std::move(session_id), std::move(actor)));
               co_return api::json_response(200, json::object{{"revoked", revoked}});
             }));
}

}  // namespace argon::clientapi
