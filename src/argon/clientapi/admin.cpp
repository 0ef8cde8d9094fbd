// Operator: /api/v1/admin/* behind the configured operator token (Access::Operator).
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/json_in.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void add_admin_routes(ClientRoutes& routes, ClientServices& s) {
  // Every bot application of the server (the operator's page verifies them from this list).
  routes.add("GET", "/api/v1/admin/apps", Access::Operator,
             [&s](ClientCall&) -> Task<Result<http::Response>> {
               json::array apps;
               auto all = co_await s.bots.list_all();
               for (const auto& a : all)
                 apps.push_back(json::object{{"appId", a.id.str()},
                                             {"name", a.name},
                                             {"ownerId", a.owner_id.str()},
                                             {"botUserId", a.bot_user_id.str()},
                                             {"botUsername", a.bot_username},
                                             {"isVerified", a.is_verified}});
               co_return api::json_response(200, json::object{{"apps", std::move(apps)}});
             });
  for (bool verify : {true, false}) {
    routes.add("POST",
               verify ? "/api/v1/admin/bots/{appId}/verify" : "/api/v1/admin/bots/{appId}/unverify",
               Access::Operator, [&s, verify](ClientCall& call) -> Task<Result<http::Response>> {
                 CO_TRY(app_id, call.path_uuid("appId"));
                 CO_TRY(app, co_await s.bots.set_verified(app_id, verify));
                 co_return api::json_response(
                     200, json::object{{"appId", app.id.str()}, {"isVerified", app.is_verified}});
               });
  }
  // Tests only (testing.clock = adjustable): moves this node's clock forward, e.g. past a
  // rate-limit window, instead of sleeping through it. The route does not exist otherwise.
  if (s.test_clock) {
    routes.add(
        "POST", "/api/v1/admin/clock", Access::Operator,
        [&s](ClientCall& call) -> Task<Result<http::Response>> {
          CO_TRY(body, call.body());
          wire::ObjectReader in(body);
          CO_TRY(advance, in.required_int("advanceMs", 0, std::int64_t{1} << 40));
          s.test_clock->advance_ms(advance);
          co_return api::json_response(200, json::object{{"nowMs", s.test_clock->now_unix_ms()}});
        });
  }
}

}  // namespace argon::clientapi
