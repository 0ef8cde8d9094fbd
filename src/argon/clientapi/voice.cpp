// People in voice channels and calls: /api/v1/channels/{id}/voice, /api/v1/calls.
#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void register_voice_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/channels/{channelId}/voice",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               CO_API_TRY(grant, co_await s.voice.person_join(user.id, channel_id));
               co_return api::json_response(200, json::object{{"token", grant.token},
                                                              {"url", grant.url},
                                                              {"roomName", grant.room_name}});
             }));

  router.add("DELETE", "/api/v1/channels/{channelId}/voice",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               CO_API_CHECK(co_await s.voice.person_leave(user.id, channel_id));
               co_return api::no_content();
             }));

  router.add("POST", "/api/v1/calls",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(body, api::body_object(req));
               CO_API_TRY(callee, wire::ObjectReader(body).required_uuid("userId"));
               CO_API_TRY(call_id, co_await s.voice.start_call(user.id, callee));
               co_return api::json_response(201, json::object{{"callId", call_id.str()}});
             }));

  router.add("DELETE", "/api/v1/calls/{callId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(call_id, api::path_uuid(req, "callId"));
               CO_API_CHECK(co_await s.voice.hang_up(user.id, call_id));
               co_return api::no_content();
             }));
}

}  // namespace argon::clientapi
