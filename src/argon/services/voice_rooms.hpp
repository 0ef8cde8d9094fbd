#pragma once
// Voice-room state shared by the nodes (shared_state.hpp's seams, for voice): who is in each room
// and which node serves it. One node keeps it in memory (LocalVoiceRooms); several nodes keep it
// in the store (StoreVoiceRooms, tables voice_members and voice_rooms), where statements that
// succeed once (INSERT … ON CONFLICT DO NOTHING, DELETE … RETURNING) make every change happen
// exactly once whichever node asks. docs/architecture.md "Voice across nodes".
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "argon/domain/clock.hpp"
#include "argon/domain/result.hpp"
#include "argon/domain/task.hpp"
#include "argon/domain/uuid.hpp"
#include "argon/store/database.hpp"

namespace argon::services {

// Where a user is in voice in one space (UPSTREAM.md §4, interactions' voiceState).
struct VoiceSlot {
  Uuid channel_id;
  std::int64_t joined_at_ms = 0;  // when they joined that room (Unix ms)
};

// Someone in a voice channel of a space (GET /api/v1/spaces/{id}/voice).
struct VoiceMember {
  Uuid channel_id;
  Uuid user_id;
  std::int64_t joined_at_ms = 0;
};

// The read side of voice membership that event payloads need: which voice channel of a space a
// user is in, right now. Voice channels' rooms are named "{spaceId}/{channelId}" (voice.hpp).
class VoicePresence {
 public:
  virtual ~VoicePresence() = default;
  // The voice channel of `space_id` whose room `who` is in — the one joined last if several —
  // since when. Read inside the caller's transaction `c` (the store's rooms) or from memory (one
  // node's): it never waits for anything else.
  virtual std::optional<VoiceSlot> slot_in_space(store::Connection& c, const Uuid& space_id,
                                                 const Uuid& who) = 0;
  // Everyone in the voice channels of `space_id` now, in the order they joined (then by id).
  virtual std::vector<VoiceMember> members_in_space(store::Connection& c, const Uuid& space_id) = 0;
};

// An in-memory set of identities per room, with when each joined (the building block of
// LocalVoiceRooms).
class LocalVoiceRoomMembers final {
 public:
  // true when `who` was not in the room yet (then `joined_at_ms` is recorded).
  bool join(const std::string& room, const Uuid& who, std::int64_t joined_at_ms = 0);
  // true when `who` was in the room (exactly one caller sees true: one voiceLeave).
  bool leave(const std::string& room, const Uuid& who);
  bool contains(const std::string& room, const Uuid& who) const;
  bool empty(const std::string& room) const;
  // Among the rooms whose name starts with `prefix`, the one `who` joined last: (room, joined at).
  std::optional<std::pair<std::string, std::int64_t>> latest_with_prefix(const std::string& prefix,
                                                                         const Uuid& who) const;
  // Every (room, who, joined at) of the rooms whose name starts with `prefix`.
  std::vector<std::tuple<std::string, Uuid, std::int64_t>> with_prefix(
      const std::string& prefix) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<Uuid, std::int64_t>> rooms_;  // room → who → joined at
};

// What goes with a membership change: the voice event(s) it appends. It runs inside the change's
// own transaction (store) or in a transaction right after it (in process), only for the one
// caller that made the change; an error from it undoes the change. It may run more than once
// (a retried transaction): clear what it fills first.
using VoiceChange = std::function<Status(store::Connection&)>;
// The same, for each member a room loses when it is released with them still in it.
using VoiceLeft =
    std::function<Status(store::Connection&, const std::string& room, const Uuid& who)>;

struct RoomOwner {
  int node_id = -1;
  std::string public_url;  // the node's http(s) base as it recorded it (nodes.public_url)
  std::int64_t stamp = 0;  // claim: the owner's claim stamp now in force (see release)
};

class VoiceRooms : public VoicePresence {
 public:
  // ---- who is in a room: the people who joined it through the client API (connected yet or
  // not), and every identity with a socket on the room's relay.
  // Adds `who`: true when they were not in yet (then `also` ran with the change).
  virtual Task<Result<bool>> join(std::string room, Uuid who, VoiceChange also) = 0;
  // Removes `who`: true when they were in (then `also` ran with the change).
  virtual Task<Result<bool>> leave(std::string room, Uuid who, VoiceChange also) = 0;
  virtual Task<bool> contains(std::string room, Uuid who) = 0;

  // ---- which node serves a room (its relay): one at a time.
  // The room's live owner, after making `node_id` its owner if it had none or a dead one (the
  // dead one's members are then removed, `left` running for each in the same transaction).
  // `stamp`: a value above every earlier stamp of this node; a node's claim of a room it owns
  // already raises the recorded stamp (to `stamp`, or by one), which returns as RoomOwner::stamp,
  // so that a release decided before the claim no longer matches (see release).
  virtual Task<Result<RoomOwner>> claim(std::string room, int node_id, std::int64_t stamp,
                                        VoiceLeft left) = 0;
  // The room's live owner, if it has one.
  virtual Task<std::optional<RoomOwner>> owner(std::string room) = 0;
  // Gives the room up if `node_id` still owns it by the claim stamped `stamp` (a later claim of
  // the same node keeps it) and nobody is in it. True when released.
  virtual Task<bool> release(std::string room, int node_id, std::int64_t stamp) = 0;
  // Releases every room `node_id` owns — when `only_if_dead`, only while that node is dead — and
  // removes their members, `left` running for each in the same transaction. → the rooms released
  // (exactly one caller gets each, whichever node asks).
  virtual Task<Result<std::vector<std::string>>> release_node(int node_id, bool only_if_dead,
                                                              VoiceLeft left) = 0;
};

// One node: membership in memory; this node serves every room (claim and owner always answer
// `node_id`, nothing is recorded).
class LocalVoiceRooms final : public VoiceRooms {
 public:
  LocalVoiceRooms(store::Database& db, const Clock& clock, int node_id)
      : db_(db), clock_(clock), node_id_(node_id) {}

  Task<Result<bool>> join(std::string room, Uuid who, VoiceChange also) override;
  Task<Result<bool>> leave(std::string room, Uuid who, VoiceChange also) override;
  Task<bool> contains(std::string room, Uuid who) override;
  Task<Result<RoomOwner>> claim(std::string room, int node_id, std::int64_t stamp,
                                VoiceLeft left) override;
  Task<std::optional<RoomOwner>> owner(std::string room) override;
  Task<bool> release(std::string room, int node_id, std::int64_t stamp) override;
  Task<Result<std::vector<std::string>>> release_node(int node_id, bool only_if_dead,
                                                      VoiceLeft left) override;
  std::optional<VoiceSlot> slot_in_space(store::Connection& c, const Uuid& space_id,
                                         const Uuid& who) override;
  std::vector<VoiceMember> members_in_space(store::Connection& c, const Uuid& space_id) override;

  LocalVoiceRoomMembers& members() { return members_; }

 private:
  store::Database& db_;
  const Clock& clock_;
  int node_id_;
  LocalVoiceRoomMembers members_;
};

// Several nodes: voice_members (room, user) and voice_rooms (room → node_id, claimed_at = the
// claim's stamp). A node is live while its lease in `nodes` is (heartbeat within lease_ms).
class StoreVoiceRooms final : public VoiceRooms {
 public:
  StoreVoiceRooms(store::Database& db, const Clock& clock, std::int64_t lease_ms)
      : db_(db), clock_(clock), lease_ms_(lease_ms) {}

  Task<Result<bool>> join(std::string room, Uuid who, VoiceChange also) override;
  Task<Result<bool>> leave(std::string room, Uuid who, VoiceChange also) override;
  Task<bool> contains(std::string room, Uuid who) override;
  Task<Result<RoomOwner>> claim(std::string room, int node_id, std::int64_t stamp,
                                VoiceLeft left) override;
  Task<std::optional<RoomOwner>> owner(std::string room) override;
  Task<bool> release(std::string room, int node_id, std::int64_t stamp) override;
  Task<Result<std::vector<std::string>>> release_node(int node_id, bool only_if_dead,
                                                      VoiceLeft left) override;
  // voice_members (room, user_id, joined_at), on the caller's connection.
  std::optional<VoiceSlot> slot_in_space(store::Connection& c, const Uuid& space_id,
                                         const Uuid& who) override;
  std::vector<VoiceMember> members_in_space(store::Connection& c, const Uuid& space_id) override;

 private:
  std::int64_t lease_cutoff() const { return clock_.now_unix_ms() - lease_ms_; }

  store::Database& db_;
  const Clock& clock_;
  std::int64_t lease_ms_;
};

}  // namespace argon::services
