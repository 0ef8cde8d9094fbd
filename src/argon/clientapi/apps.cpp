// Developer console: /api/v1/apps and installing bots into spaces
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void register_app_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/apps", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(body, api::body_object(req));
    wire::ObjectReader in(body);
    API_TRY(name, in.required_string("name"));
    API_TRY(bot_username, in.required_string("botUsername"));
    API_TRY(display_name, in.optional_string("displayName"));
    API_TRY(created, s.bots.create_app(user.id, {name, bot_username, display_name}));
    return api::json_response(201, json::object{{"appId", created.app.id.str()},
                                                {"botUserId", created.app.bot_user_id.str()},
                                                {"botUsername", created.app.bot_username},
                                                {"token", created.token}});
  });

  router.add("GET", "/api/v1/apps", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    json::array apps;
    for (const auto& a : s.bots.list_apps(user.id))
      apps.push_back(json::object{{"appId", a.id.str()},
                                  {"name", a.name},
                                  {"botUserId", a.bot_user_id.str()},
                                  {"botUsername", a.bot_username},
                                  {"isVerified", a.is_verified}});
    return api::json_response(200, json::object{{"apps", std::move(apps)}});
  });

  router.add("POST", "/api/v1/apps/{appId}/token", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(app_id, api::path_uuid(req, "appId"));
    API_TRY(token, s.bots.rotate_token(user.id, app_id));
    return api::json_response(200, json::object{{"token", token}});
  });

  router.add("POST", "/api/v1/spaces/{spaceId}/bots", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(body, api::body_object(req));
    wire::ObjectReader in(body);
    API_TRY(app_id, in.required_uuid("appId"));
    API_TRY(app, s.bots.install(user.id, space_id, app_id));
    return api::json_response(201, json::object{{"spaceId", space_id.str()},
                                                {"appId", app.id.str()},
                                                {"botUserId", app.bot_user_id.str()}});
  });

  router.add("DELETE", "/api/v1/spaces/{spaceId}/bots/{appId}", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(app_id, api::path_uuid(req, "appId"));
    API_CHECK(s.bots.uninstall(user.id, space_id, app_id));
    return api::no_content();
  });
}

}  // namespace argon::clientapi
