#pragma once
// Voice: stream tokens (IVoice), people joining voice channels, the relay's sockets, kicks
// (IMembers), per-track egress (IVoiceEgress) and calls (ICalls), DECISIONS.md §10.
//
// Several nodes (docs/architecture.md "Voice across nodes"): a room (a voice channel or a call)
// is served by one node at a time, its owner, recorded in the store. Whatever hands out a room's
// URL (StreamToken, SubscribeTrack, a person's join, Accept, SubscribeCallTrack) claims the room
// for the node it runs on when it has no live owner, else hands out the owner's URL; a socket
// that reaches a node not serving its room is refused before the upgrade (421 wrong_node with
// the owner's URL). Operations on sockets (kick, leave, hang-up) go to the owner over the bus.
// Who is in a room and the calls are store-backed (voice_rooms.hpp, voice_call_registry.hpp),
// so their events go out exactly once whichever node sees the change.
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include <boost/json/array.hpp>

#include "argon/services/bots.hpp"
#include "argon/services/nodes.hpp"
#include "argon/services/voice_call_registry.hpp"
#include "argon/services/voice_rooms.hpp"
#include "argon/voice/relay.hpp"

namespace argon::services {

struct VoiceSettings {
  std::string secret;                     // HS256 key of the voice tokens
  std::int64_t token_ttl_seconds = 7200;  // SPEC.md §11.1: 2 h
  std::int64_t ring_timeout_ms = 30000;   // an unanswered call ends
  std::int64_t join_grace_ms = 30000;     // a person who joined but never connected is left
  // Several nodes.
  int node_id = 0;  // this node: the owner id of the rooms it serves
  std::int64_t node_lease_ms = NodeSettings{}.lease_ms;  // a node silent this long is dead
  std::int64_t sweep_interval_ms = 2000;   // ring time-outs left by dead nodes, idle rooms
  std::int64_t request_timeout_ms = 2000;  // an operation on another node's room
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

// Where a socket may join its room: here (hold `ticket` until the socket joined the relay or
// failed, so the room is not given up meanwhile), or on the node at `elsewhere` (its ws base).
struct RoomEntry {
  std::shared_ptr<void> ticket;
  std::string elsewhere;
};

class VoiceService {
 public:
  // rooms / calls: null = in process on one node, in the store when ctx.bus is clustered.
  VoiceService(Context& ctx, VoiceSettings settings, std::unique_ptr<VoiceRooms> rooms = nullptr,
               std::unique_ptr<CallRegistry> calls = nullptr);
  ~VoiceService();

  voice::Relay& relay() { return relay_; }
  // Who is in which room (interactions read voiceState from it, UPSTREAM.md §4).
  VoiceRooms& rooms() { return *rooms_; }
  // The server's public base (http://host:port); WebSocket URLs derive from it.
  void set_public_base(std::string http_base);
  std::string ws_base() const;
  int node_id() const { return settings_.node_id; }
  // Whether rooms and calls are shared through the store (several nodes).
  bool clustered() const { return clustered_; }

  // Before the server serves: answers other nodes' requests about the rooms this node serves;
  // with several nodes also releases the rooms an earlier process with this node id left behind,
  // cleans up after dead nodes (hooked on `nodes`, when given) and sweeps periodically.
  void start(NodeRegistry* nodes);
  // A clean stop, after the server closed its sockets: waits (bounded) for the changes those
  // closes made, then releases the rooms this node serves (their members get their voiceLeave).
  void shutdown();
  // The rooms of dead nodes: released, their members out (voiceLeave), their calls ended.
  Task<Status> release_dead_nodes(std::vector<int> node_ids);
  // One round of the periodic sweep: calls whose ring time is over end, rooms idle longer than
  // the join grace are given up.
  Task<Status> sweep();
  // Waits until the relay-driven changes queued so far are done (tests, shutdown).
  bool wait_idle(std::chrono::milliseconds timeout);

  // IVoice/StreamToken: 403 not_a_member, 404 channel_not_found, 403 missing_permission
  // (ConnectVoice), 400 not_voice_channel.
  Task<Result<VoiceGrantResult>> bot_stream_token(const BotIdentity& bot, const Uuid& space_id,
                                                  const Uuid& channel_id);
  // People: join returns a token for the person's socket and emits voiceJoin.
  Task<Result<VoiceGrantResult>> person_join(const Uuid& person_id, const Uuid& channel_id);
  Task<Status> person_leave(const Uuid& person_id, const Uuid& channel_id);
  // Who is in the voice channels of a space now (GET /api/v1/spaces/{id}/voice), in join order:
  // [{channelId, user, joinedAt}]. 404 not_found, 403 not_a_member.
  Task<Result<boost::json::array>> space_voice(const Uuid& person_id, const Uuid& space_id);
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
  Task<std::vector<std::pair<Uuid, Uuid>>> ringing(const BotIdentity& bot);  // (callId, callerId)
  Task<Result<VoiceGrantResult>> subscribe_call_track(const BotIdentity& bot, const Uuid& call_id);

  // A WebSocket's token: signature, expiry, room; and whether it may open this kind of socket.
  Task<Result<Admission>> admit(std::string token, voice::PeerMode mode);
  // Whether this node serves the room of an admitted socket (claiming it when it has no live
  // owner), right before the upgrade.
  Task<Result<RoomEntry>> enter(std::string room);

 private:
  struct OwnedRoom {
    std::int64_t stamp = 0;      // the claim's stamp in voice_rooms
    int pending = 0;             // sockets admitted and not joined to the relay yet
    std::int64_t active_ms = 0;  // last claimed or entered
  };
  // Where a room is served: here, on another live node (its ws base), or nowhere (node_id -1).
  struct Placement {
    bool mine = false;
    int node_id = -1;
    std::string ws_base;
  };
  class RoomTicket;

  std::string sign(const Uuid& identity, const std::string& room, std::optional<Uuid> target,
                   bool publish);
  // This node's claim on a room (claim: take it when nobody live serves it; hold: a socket is
  // about to join, see RoomTicket).
  Task<Result<Placement>> place(std::string room, bool claim, bool hold);
  std::int64_t next_stamp();
  void ticket_done(const std::string& room);
  Task<Status> maybe_release(std::string room);
  // `who` enters / leaves a voice room's membership, with voiceJoin / voiceLeave exactly once.
  Task<Result<bool>> presence(bool join, std::string room, Uuid who);
  VoiceLeft leave_events(std::shared_ptr<std::deque<EventBatch>> batches);
  // Sockets of the room's owner (this node or another, over the bus).
  Task<std::optional<bool>> kick_on_owner(std::string room, Uuid who, std::uint16_t code,
                                          std::string reason);
  Task<std::optional<bool>> present_on_owner(std::string room, Uuid who);
  Task<std::optional<std::string>> ask(int node_id, std::string topic, std::string payload);
  Task<Status> release_rooms_of(int node_id, bool only_if_dead);
  void schedule_sweep();

  // Relay callbacks (network threads): queued, and run one after the other in order.
  void on_room_joined(const std::string& room, const Uuid& identity);
  void on_room_left(const std::string& room, const Uuid& identity);
  void enqueue(std::function<Task<Status>()> job);
  Task<Status> drain();
  Task<Status> relay_joined(std::string room, Uuid identity);
  Task<Status> relay_left(std::string room, Uuid identity);
  Task<Status> grace_check(std::string room, Uuid person);

  Task<Status> end_call(Uuid call_id, std::string why, CallStates from = kCallLive);
  void end_call_later(Uuid call_id, std::string why, CallStates from = kCallLive);
  Task<Result<CallRecord>> callee_call(const BotIdentity& bot, const Uuid& call_id);

  Context& ctx_;
  VoiceSettings settings_;
  bool clustered_ = false;
  std::unique_ptr<VoiceRooms> rooms_;
  std::unique_ptr<CallRegistry> calls_;
  voice::Relay relay_;
  mutable std::mutex mutex_;
  std::string http_base_;
  std::map<std::string, OwnedRoom> owned_;  // rooms this node serves
  std::int64_t last_stamp_ = 0;
  bool stopping_ = false;
  Scheduler::TaskId sweep_task_ = 0;

  std::mutex queue_mutex_;
  std::condition_variable queue_idle_;
  std::deque<std::function<Task<Status>()>> jobs_;
  bool draining_ = false;
};

std::string voice_room(const Uuid& space_id, const Uuid& channel_id);
std::string call_room(const Uuid& call_id);
// "{spaceId}/{channelId}" → the two ids; nullopt for other rooms.
std::optional<std::pair<Uuid, Uuid>> parse_voice_room(const std::string& room);
// "call/{callId}" → the call id.
std::optional<Uuid> parse_call_room(const std::string& room);

}  // namespace argon::services
