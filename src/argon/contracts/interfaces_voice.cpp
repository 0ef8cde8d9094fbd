// Descriptors: IVoice/v1 and the drafts IVoiceEgress/v20260401, ICalls/v20260401.
#include "argon/contracts/descriptors.hpp"

namespace argon::contracts::detail {
namespace {

using namespace clr;
TypeRef s(std::string_view v) {
  return named(std::string(v));
}
std::string nested(const char* container, const char* name) {
  return std::string(kInterfacesNs) + container + "+" + name;
}

constexpr int kDraftVersion = 20260401;

ErrorDecl not_voice_channel() {
  return {400, "not_voice_channel", "Channel is not a voice channel."};
}
ErrorDecl channel_not_found() {
  return {404, "channel_not_found", "Channel does not exist in this space."};
}
ErrorDecl not_callee() {
  return {403, "not_callee", "This call is not directed at this bot."};
}

void add_voice(Descriptors& d) {
  d.types.push_back(class_type("VoiceStreamTokenRequest",
                               nested("VoiceV1", "VoiceStreamTokenRequest"),
                               {{"SpaceId", s(kGuid)}, {"ChannelId", s(kGuid)}}));
  d.types.push_back(
      class_type("VoiceStreamTokenResponse", nested("VoiceV1", "VoiceStreamTokenResponse"),
                 {{"Token", s(kString)}, {"IngressUrl", s(kString)}, {"RoomName", s(kString)}}));

  InterfaceDecl i;
  i.name = "IVoice";
  i.version = 1;
  i.description =
      "Get voice streaming tokens for audio ingress. Bots stream Opus audio directly to a "
      "WebSocket endpoint — no WebRTC needed.";
  i.declared_hash = "b310f9ba915b4ab2089eabfb5c83c6ea2bb35b096fe0e4df4d782b004370533e";
  i.rate_limit_per_minute = 20;
  i.routes = {
      {.method = "POST",
       .name = "StreamToken",
       .description = "Gets a LiveKit JWT token and WebSocket ingress URL for streaming audio "
                      "into a voice channel. The bot must be a member of the space, and the "
                      "channel must be a voice channel.",
       .permission = RoutePermission::ConnectVoice,
       .request_type = "VoiceStreamTokenRequest",
       .response_type = "VoiceStreamTokenResponse",
       .errors = {not_voice_channel(), not_a_member(), channel_not_found()}},
  };
  d.interfaces.push_back(std::move(i));
}

void add_voice_egress(Descriptors& d) {
  const char* c = "VoiceEgressDraft";
  d.types.push_back(
      class_type("SubscribeTrackRequest", nested(c, "SubscribeTrackRequest"),
                 {{"SpaceId", s(kGuid)}, {"ChannelId", s(kGuid)}, {"UserId", s(kGuid)}}));
  d.types.push_back(class_type("SubscribeTrackResponse", nested(c, "SubscribeTrackResponse"),
                               {{"Token", s(kString)},
                                {"WsUrl", s(kString)},
                                {"RoomName", s(kString)},
                                {"TrackId", s(kString)}}));
  d.types.push_back(class_type("UnsubscribeTrackRequest", nested(c, "UnsubscribeTrackRequest"),
                               {{"TrackId", s(kString)}}));

  InterfaceDecl i;
  i.name = "IVoiceEgress";
  i.version = kDraftVersion;
  i.stable = false;
  i.description = "Subscribe to individual voice tracks for audio egress. Verified bots only.";
  i.rate_limit_per_minute = 10;
  i.routes = {
      {.method = "POST",
       .name = "SubscribeTrack",
       .description = "Subscribes to a user's audio track in a voice channel. Returns a LiveKit "
                      "token and WebSocket URL for receiving the audio stream. The bot must be a "
                      "verified bot and a member of the space.",
       .permission = RoutePermission::ConnectVoice,
       .privileged = true,
       .request_type = "SubscribeTrackRequest",
       .response_type = "SubscribeTrackResponse",
       .errors = {not_voice_channel(), not_a_member(), not_verified(), channel_not_found()}},
      {.method = "DELETE",
       .name = "UnsubscribeTrack",
       .description = "Unsubscribes from a previously subscribed audio track.",
       .permission = RoutePermission::ConnectVoice,
       .privileged = true,
       .request_type = "UnsubscribeTrackRequest",
       .response_type = "DeletedResponse",
       .errors = {not_verified()}},
  };
  d.interfaces.push_back(std::move(i));
}

void add_calls(Descriptors& d) {
  const char* c = "CallsDraft";
  d.types.push_back(
      class_type("AcceptCallRequest", nested(c, "AcceptCallRequest"), {{"CallId", s(kGuid)}}));
  // 1.8.0: Accept answers the four fields SPEC §11.4 already returned.
  d.types.push_back(class_type("AcceptCallResponse", nested(c, "AcceptCallResponse"),
                               {{"Token", s(kString)},
                                {"RoomName", s(kString)},
                                {"CallerId", s(kGuid)},
                                {"AudioBaseUrl", s(kString)}}));
  d.types.push_back(class_type("RejectCallRequest", nested(c, "RejectCallRequest"),
                               {{"CallId", s(kGuid)}, {"Reason", s(kString)}}));
  d.types.push_back(
      class_type("RejectCallResponse", nested(c, "RejectCallResponse"), {{"Rejected", s(kBool)}}));
  d.types.push_back(class_type("RingingCall", nested(c, "RingingCall"),
                               {{"CallId", s(kGuid)}, {"CallerId", s(kGuid)}}));
  d.types.push_back(class_type("RingingCallsResponse", nested(c, "RingingCallsResponse"),
                               {{"Calls", list_of("RingingCall")}}));
  InterfaceDecl i;
  i.name = "ICalls";
  i.version = kDraftVersion;
  i.stable = false;
  i.description = "Receive and manage incoming calls. Verified bots only.";
  // 1.8.0 dropped SubscribeCallTrack from the contract; botapi still answers it outside the
  // contract table (UPSTREAM.md §2.8).
  i.rate_limit_per_minute = 20;
  i.routes = {
      {.method = "POST",
       .name = "Accept",
       .description = "Accepts an incoming call. Returns a LiveKit room token for joining the "
                      "call audio. The bot must be the callee.",
       .permission = RoutePermission::ConnectVoice,
       .privileged = true,
       .request_type = "AcceptCallRequest",
       .response_type = "AcceptCallResponse",
       .errors = {{400, "accept_failed", "Failed to accept call."},
                  {400, "not_ringing", "Call is not in ringing state."},
                  not_callee(),
                  not_verified()}},
      {.method = "POST",
       .name = "Reject",
       .description = "Rejects an incoming call with an optional reason.",
       .permission = RoutePermission::ConnectVoice,
       .privileged = true,
       .request_type = "RejectCallRequest",
       .response_type = "RejectCallResponse",
       .errors = {not_callee(), not_verified()}},
      {.method = "GET",
       .name = "Ringing",
       .description = "Lists all currently ringing calls for the bot.",
       .permission = RoutePermission::ConnectVoice,
       .privileged = true,
       .response_type = "RingingCallsResponse",
       .errors = {not_verified()}},
  };
  d.interfaces.push_back(std::move(i));
}

}  // namespace

void add_voice_interfaces(Descriptors& d) {
  add_voice(d);
  add_voice_egress(d);
  add_calls(d);
}

}  // namespace argon::contracts::detail
