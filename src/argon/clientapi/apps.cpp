// Developer console: /api/v1/apps and installing bots into spaces
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void add_app_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("POST", "/api/v1/apps", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(name, in.required_string("name"));
               CO_TRY(bot_username, in.required_string("botUsername"));
               CO_TRY(display_name, in.optional_string("displayName"));
               services::CreateAppRequest request{name, bot_username, display_name};
               CO_TRY(created, co_await s.bots.create_app(call.user().id, std::move(request)));
               co_return api::json_response(
                   201, json::object{{"appId", created.app.id.str()},
                                     {"botUserId", created.app.bot_user_id.str()},
                                     {"botUsername", created.app.bot_username},
                                     {"token", created.token}});
             });

  routes.add("GET", "/api/v1/apps", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               json::array apps;
               auto owned = co_await s.bots.list_apps(call.user().id);
               for (const auto& a : owned)
                 apps.push_back(json::object{{"appId", a.id.str()},
                                             {"name", a.name},
                                             {"botUserId", a.bot_user_id.str()},
                                             {"botUsername", a.bot_username},
                                             {"isVerified", a.is_verified}});
               co_return api::json_response(200, json::object{{"apps", std::move(apps)}});
             });

  routes.add("POST", "/api/v1/apps/{appId}/token", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(app_id, call.path_uuid("appId"));
               CO_TRY(token, co_await s.bots.rotate_token(call.user().id, app_id));
               co_return api::json_response(200, json::object{{"token", token}});
             });

  routes.add("POST", "/api/v1/spaces/{spaceId}/bots", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(app_id, in.required_uuid("appId"));
               CO_TRY(app, co_await s.bots.install(call.user().id, space_id, app_id));
               co_return api::json_response(201,
                                            json::object{{"spaceId", space_id.str()},
                                                         {"appId", app.id.str()},
                                                         {"botUserId", app.bot_user_id.str()}});
             });

  routes.add("DELETE", "/api/v1/spaces/{spaceId}/bots/{appId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(app_id, call.path_uuid("appId"));
               CO_CHECK(co_await s.bots.uninstall(call.user().id, space_id, app_id));
               co_return api::no_content();
             });
}

}  // namespace argon::clientapi
