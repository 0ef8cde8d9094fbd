// Developer console: /api/v1/apps and installing bots into spaces
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void register_app_routes(http::Router& router, ClientServices& s) {
  router.add(
      "POST", "/api/v1/apps", api::task_handler([&s](http::Request& req) -> Task<http::Response> {
        CO_API_TRY(user, co_await authenticate_person(req, s));
        CO_API_TRY(body, api::body_object(req));
        wire::ObjectReader in(body);
        CO_API_TRY(name, in.required_string("name"));
        CO_API_TRY(bot_username, in.required_string("botUsername"));
        CO_API_TRY(display_name, in.optional_string("displayName"));
        services::CreateAppRequest request{name, bot_username, display_name};
        CO_API_TRY(created, co_await s.bots.create_app(user.id, std::move(request)));
        co_return api::json_response(201, json::object{{"appId", created.app.id.str()},
                                                       {"botUserId", created.app.bot_user_id.str()},
                                                       {"botUsername", created.app.bot_username},
                                                       {"token", created.token}});
      }));

  router.add("GET", "/api/v1/apps",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               json::array apps;
               auto owned = co_await s.bots.list_apps(user.id);
               for (const auto& a : owned)
                 apps.push_back(json::object{{"appId", a.id.str()},
                                             {"name", a.name},
                                             {"botUserId", a.bot_user_id.str()},
                                             {"botUsername", a.bot_username},
                                             {"isVerified", a.is_verified}});
               co_return api::json_response(200, json::object{{"apps", std::move(apps)}});
             }));

  router.add("POST", "/api/v1/apps/{appId}/token",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(app_id, api::path_uuid(req, "appId"));
               CO_API_TRY(token, co_await s.bots.rotate_token(user.id, app_id));
               co_return api::json_response(200, json::object{{"token", token}});
             }));

  router.add("POST", "/api/v1/spaces/{spaceId}/bots",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(app_id, in.required_uuid("appId"));
               CO_API_TRY(app, co_await s.bots.install(user.id, space_id, app_id));
               co_return api::json_response(201,
                                            json::object{{"spaceId", space_id.str()},
                                                         {"appId", app.id.str()},
                                                         {"botUserId", app.bot_user_id.str()}});
             }));

  router.add("DELETE", "/api/v1/spaces/{spaceId}/bots/{appId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(app_id, api::path_uuid(req, "appId"));
               CO_API_CHECK(co_await s.bots.uninstall(user.id, space_id, app_id));
               co_return api::no_content();
             }));
}

}  // namespace argon::clientapi
