// People in voice channels and calls: /api/v1/channels/{id}/voice, /api/v1/calls.
#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void add_voice_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("POST", "/api/v1/channels/{channelId}/voice", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(channel_id, call.path_uuid("channelId"));
               CO_TRY(grant, co_await s.voice.person_join(call.user().id, channel_id));
               co_return api::json_response(200, json::object{{"token", grant.token},
                                                              {"url", grant.url},
                                                              {"roomName", grant.room_name}});
             });

  routes.add("DELETE", "/api/v1/channels/{channelId}/voice", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(channel_id, call.path_uuid("channelId"));
               CO_CHECK(co_await s.voice.person_leave(call.user().id, channel_id));
               co_return api::no_content();
             });

  routes.add("GET", "/api/v1/spaces/{spaceId}/voice", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(list, co_await s.voice.space_voice(call.user().id, space_id));
               co_return api::json_response(200, json::object{{"participants", std::move(list)}});
             });

  routes.add("POST", "/api/v1/calls", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(body, call.body());
               CO_TRY(callee, wire::ObjectReader(body).required_uuid("userId"));
               CO_TRY(call_id, co_await s.voice.start_call(call.user().id, callee));
               co_return api::json_response(201, json::object{{"callId", call_id.str()}});
             });

  routes.add("DELETE", "/api/v1/calls/{callId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(call_id, call.path_uuid("callId"));
               CO_CHECK(co_await s.voice.hang_up(call.user().id, call_id));
               co_return api::no_content();
             });
}

}  // namespace argon::clientapi
