#pragma once
// Voice: stream tokens (IVoice), people joining voice channels, the relay's sockets, kicks
// (IMembers), per-track egress (IVoiceEgress) and calls (ICalls), DECISIONS.md §10.
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "argon/services/bots.hpp"
#include "argon/services/shared_state.hpp"
#include "argon/services/voice_rooms.hpp"
#include "argon/voice/relay.hpp"

namespace argon::services {

struct VoiceSettings {
  std::string secret;                     // HS256 key of the voice tokens
  std::int64_t token_ttl_seconds = 7200;  // SPEC.md §11.1: 2 h
  std::int64_t ring_timeout_ms = 30000;   // an unanswered call ends
  std::int64_t join_grace_ms = 30000;     // a person who joined but never connected is left
};

struct VoiceGrantResult {
  std::string token;
  std::string url;  // ingressUrl / wsUrl / the person's socket URL
  std::string room_name;
  std::optional<Uuid> caller_id;
  std::string track_id;
};

// A socket that presented a valid token (the adapter then joins it to the relay).
struct Admission {
  std::string room;
  Uuid identity;
  std::optional<Uuid> target;  // fixed by the token (egress, calls), else the query's
};

enum class CallState { Ringing, Accepted, Ended };

class VoiceService {
 public:
  // members: null = an in-process LocalVoiceRoomMembers.
  VoiceService(Context& ctx, VoiceSettings settings, VoiceRoomMembers* members = nullptr);
  ~VoiceService();

  voice::Relay& relay() { return relay_; }
  // The server's public base (http://host:port); WebSocket URLs derive from it.
  void set_public_base(std::string http_base);
  std::string ws_base() const;

  // IVoice/StreamToken: 403 not_a_member, 404 channel_not_found, 403 missing_permission
  // (ConnectVoice), 400 not_voice_channel.
  Task<Result<VoiceGrantResult>> bot_stream_token(const BotIdentity& bot, const Uuid& space_id,
                                                  const Uuid& channel_id);
  // People: join returns a token for the person's socket and emits voiceJoin.
  Task<Result<VoiceGrantResult>> person_join(const Uuid& person_id, const Uuid& channel_id);
  Task<Status> person_leave(const Uuid& person_id, const Uuid& channel_id);
  // IMembers/Kick: 400 kick_failed when the user is not in that voice channel.
  Task<Status> kick(const BotIdentity& bot, const Uuid& space_id, const Uuid& channel_id,
                    const Uuid& user_id);
  // IVoiceEgress/SubscribeTrack.
  Task<Result<VoiceGrantResult>> subscribe_track(const BotIdentity& bot, const Uuid& space_id,
                                                 const Uuid& channel_id, const Uuid& user_id);

  // Calls: a person calls a bot user.
  Task<Result<Uuid>> start_call(const Uuid& caller_id, const Uuid& callee_id);
  Task<Status> hang_up(const Uuid& person_id, const Uuid& call_id);
  Task<Result<VoiceGrantResult>> accept_call(const BotIdentity& bot, const Uuid& call_id);
  Task<Result<bool>> reject_call(const BotIdentity& bot, const Uuid& call_id,
                                 const std::string& reason);
  std::vector<std::pair<Uuid, Uuid>> ringing(const BotIdentity& bot);  // (callId, callerId)
  Result<VoiceGrantResult> subscribe_call_track(const BotIdentity& bot, const Uuid& call_id);

  // A WebSocket's token: signature, expiry, room; and whether it may open this kind of socket.
  Task<Result<Admission>> admit(std::string token, voice::PeerMode mode);

 private:
  struct Call {
    Uuid id;
    Uuid caller;
    Uuid callee;  // the bot user
    CallState state = CallState::Ringing;
    std::int64_t started_at_ms = 0;
  };
  std::string sign(const Uuid& identity, const std::string& room, std::optional<Uuid> target,
                   bool publish);
  void on_room_joined(const std::string& room, const Uuid& identity);
  void on_room_left(const std::string& room, const Uuid& identity);
  Task<Status> emit_voice_event(std::string type, Uuid space_id, Uuid channel_id, Uuid user_id);
  // From timers and relay callbacks: emits without waiting for it.
  void emit_voice_event_later(std::string type, Uuid space_id, Uuid channel_id, Uuid user_id);
  Task<Status> end_call(Uuid call_id, std::string why);
  void end_call_later(Uuid call_id, std::string why);
  Result<Call> callee_call(const BotIdentity& bot, const Uuid& call_id);

  Context& ctx_;
  VoiceSettings settings_;
  std::unique_ptr<VoiceRoomMembers> owned_members_;
  VoiceRoomMembers& members_;  // people who joined through the client API
  voice::Relay relay_;
  mutable std::mutex mutex_;
  std::string http_base_;
  std::map<Uuid, Call> calls_;
};

std::string voice_room(const Uuid& space_id, const Uuid& channel_id);
std::string call_room(const Uuid& call_id);

}  // namespace argon::services
