// IVoice/v1, IMembers/v1, IVoiceEgress/v20260401 and ICalls/v20260401.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"

namespace argon::botapi {
namespace json = boost::json;

void add_voice_handlers(HandlerTable& table, BotServices& s) {
  table["IVoice.StreamToken"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(space_id, in.required_uuid("spaceId"));
    CO_TRY(channel_id, in.required_uuid("channelId"));
    CO_TRY(grant, co_await s.voice.bot_stream_token(call.bot, space_id, channel_id));
    co_return api::json_response(
        200, json::object{
                 {"token", grant.token}, {"ingressUrl", grant.url}, {"roomName", grant.room_name}});
  };

  // POST without a body: every input is in the query (SPEC.md §1.3).
  table["IMembers.Kick"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(channel_id, q.required_uuid("channelId"));
    CO_TRY(user_id, q.required_uuid("userId"));
    CO_CHECK(co_await s.voice.kick(call.bot, space_id, channel_id, user_id));
    co_return api::json_response(200, json::object{{"kicked", true}});
  };

  table["IVoiceEgress.SubscribeTrack"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(space_id, in.required_uuid("spaceId"));
    CO_TRY(channel_id, in.required_uuid("channelId"));
    CO_TRY(user_id, in.required_uuid("userId"));
    CO_TRY(grant, co_await s.voice.subscribe_track(call.bot, space_id, channel_id, user_id));
    co_return api::json_response(200, json::object{{"token", grant.token},
                                                   {"wsUrl", grant.url},
                                                   {"roomName", grant.room_name},
                                                   {"trackId", grant.track_id}});
  };

  // A logical acknowledgement: the subscription ends when its socket closes.
  table["IVoiceEgress.UnsubscribeTrack"] = [](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    CO_TRY(track_id, wire::ObjectReader(body).required_string("trackId"));
    if (track_id.empty() || track_id.size() > 200)
      co_return Error::validation("trackId: must be 1..200 characters");
    co_return api::json_response(200, json::object{{"deleted", true}});
  };

  table["ICalls.Ringing"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    auto ringing = co_await s.voice.ringing(call.bot);
    json::array calls;
    for (const auto& [id, caller] : ringing)
      calls.push_back(json::object{{"callId", id.str()}, {"callerId", caller.str()}});
    co_return api::json_response(200, json::object{{"calls", std::move(calls)}});
  };

  table["ICalls.Accept"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    CO_TRY(call_id, wire::ObjectReader(body).required_uuid("callId"));
    CO_TRY(grant, co_await s.voice.accept_call(call.bot, call_id));
    co_return api::json_response(200, json::object{{"token", grant.token},
                                                   {"roomName", grant.room_name},
                                                   {"callerId", grant.caller_id->str()},
                                                   {"audioBaseUrl", grant.url}});
  };

  table["ICalls.Reject"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(call_id, in.required_uuid("callId"));
    CO_TRY(reason, in.optional_string("reason"));
    CO_TRY(rejected, co_await s.voice.reject_call(call.bot, call_id, reason.value_or("rejected")));
    co_return api::json_response(200, json::object{{"rejected", rejected}});
  };

  table["ICalls.SubscribeCallTrack"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    CO_TRY(call_id, wire::ObjectReader(body).required_uuid("callId"));
    CO_TRY(grant, co_await s.voice.subscribe_call_track(call.bot, call_id));
    co_return api::json_response(200, json::object{{"token", grant.token},
                                                   {"wsUrl", grant.url},
                                                   {"roomName", grant.room_name},
                                                   {"callerId", grant.caller_id->str()}});
  };
}

}  // namespace argon::botapi
