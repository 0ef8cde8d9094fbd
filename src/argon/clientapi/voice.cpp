// People in voice channels and calls: /api/v1/channels/{id}/voice, /api/v1/calls.
#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void register_voice_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/channels/{channelId}/voice", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(channel_id, api::path_uuid(req, "channelId"));
    API_TRY(grant, s.voice.person_join(user.id, channel_id));
    return api::json_response(
        200,
        json::object{{"token", grant.token}, {"url", grant.url}, {"roomName", grant.room_name}});
  });

  router.add("DELETE", "/api/v1/channels/{channelId}/voice", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(channel_id, api::path_uuid(req, "channelId"));
    API_CHECK(s.voice.person_leave(user.id, channel_id));
    return api::no_content();
  });

  router.add("POST", "/api/v1/calls", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(body, api::body_object(req));
    API_TRY(callee, wire::ObjectReader(body).required_uuid("userId"));
    API_TRY(call_id, s.voice.start_call(user.id, callee));
    return api::json_response(201, json::object{{"callId", call_id.str()}});
  });

  router.add("DELETE", "/api/v1/calls/{callId}", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(call_id, api::path_uuid(req, "callId"));
    API_CHECK(s.voice.hang_up(user.id, call_id));
    return api::no_content();
  });
}

}  // namespace argon::clientapi
