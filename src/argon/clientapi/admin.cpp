// Operator: /api/v1/admin/* behind the configured operator token.
#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/crypto/crypto.hpp"
#include "argon/wire/json_in.hpp"

namespace argon::clientapi {
namespace json = boost::json;

std::optional<http::Response> check_operator(const http::Request& req,
                                             const std::string& admin_token) {
  if (admin_token.empty())
    return api::error_response(Error::not_found("not_found", "No such route."));
  auto token = api::authorization_credentials(req, "Bearer");
  if (!token || !crypto::constant_time_equal(*token, admin_token))
    return api::error_response(Error::unauthorized("Missing or invalid operator token."));
  return std::nullopt;
}

void register_admin_routes(http::Router& router, ClientServices& s) {
  for (bool verify : {true, false}) {
    router.add("POST",
               verify ? "/api/v1/admin/bots/{appId}/verify" : "/api/v1/admin/bots/{appId}/unverify",
               api::task_handler([&s, verify](http::Request& req) -> Task<http::Response> {
                 if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
                 CO_API_TRY(app_id, api::path_uuid(req, "appId"));
                 CO_API_TRY(app, co_await s.bots.set_verified(app_id, verify));
                 co_return api::json_response(
                     200, json::object{{"appId", app.id.str()}, {"isVerified", app.is_verified}});
               }));
  }
  // Tests only (testing.clock = adjustable): moves this node's clock forward, e.g. past a
  // rate-limit window, instead of sleeping through it. Absent (404) otherwise.
  router.add(
      "POST", "/api/v1/admin/clock",
      api::task_handler([&s](http::Request& req) -> Task<http::Response> {
        if (!s.test_clock)
          co_return api::error_response(Error::not_found("not_found", "No such route."));
        if (auto denied = check_operator(req, s.admin_token)) co_return *denied;
        CO_API_TRY(body, api::body_object(req));
        wire::ObjectReader in(body);
        CO_API_TRY(advance, in.required_int("advanceMs", 0, std::int64_t{1} << 40));
        s.test_clock->advance_ms(advance);
        co_return api::json_response(200, json::object{{"nowMs", s.test_clock->now_unix_ms()}});
      }));
}

}  // namespace argon::clientapi
