#include "argon/services/voice_rooms.hpp"

#include <algorithm>

namespace argon::services {

// ---- LocalVoiceRoomMembers ---------------------------------------------------------------------

bool LocalVoiceRoomMembers::join(const std::string& room, const Uuid& who,
                                 std::int64_t joined_at_ms) {
  std::lock_guard lock(mutex_);
  return rooms_[room].emplace(who, joined_at_ms).second;
}

bool LocalVoiceRoomMembers::leave(const std::string& room, const Uuid& who) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end() || it->second.erase(who) == 0) return false;
  if (it->second.empty()) rooms_.erase(it);
  return true;
}

bool LocalVoiceRoomMembers::contains(const std::string& room, const Uuid& who) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  return it != rooms_.end() && it->second.count(who) > 0;
}

bool LocalVoiceRoomMembers::empty(const std::string& room) const {
  std::lock_guard lock(mutex_);
  return rooms_.find(room) == rooms_.end();
}

std::optional<std::pair<std::string, std::int64_t>> LocalVoiceRoomMembers::latest_with_prefix(
    const std::string& prefix, const Uuid& who) const {
  std::lock_guard lock(mutex_);
  std::optional<std::pair<std::string, std::int64_t>> latest;
  for (auto it = rooms_.lower_bound(prefix); it != rooms_.end() && it->first.starts_with(prefix);
       ++it) {
    auto member = it->second.find(who);
    if (member != it->second.end() && (!latest || member->second > latest->second))
      latest.emplace(it->first, member->second);
  }
  return latest;
}

std::vector<std::tuple<std::string, Uuid, std::int64_t>> LocalVoiceRoomMembers::with_prefix(
    const std::string& prefix) const {
  std::lock_guard lock(mutex_);
  std::vector<std::tuple<std::string, Uuid, std::int64_t>> out;
  for (auto it = rooms_.lower_bound(prefix); it != rooms_.end() && it->first.starts_with(prefix);
       ++it) {
    for (const auto& [who, joined_at] : it->second) out.emplace_back(it->first, who, joined_at);
  }
  return out;
}

namespace {
// "{spaceId}/" + a channel id: the channel of a voice room of that space.
std::optional<VoiceSlot> slot_of(const std::string& prefix, const std::string& room,
                                 std::int64_t joined_at_ms) {
  auto channel = Uuid::parse(std::string_view(room).substr(prefix.size()));
  if (!channel) return std::nullopt;
  return VoiceSlot{*channel, joined_at_ms};
}
}  // namespace

// ---- LocalVoiceRooms ---------------------------------------------------------------------------

Task<Result<bool>> LocalVoiceRooms::join(std::string room, Uuid who, VoiceChange also) {
  if (!members_.join(room, who, clock_.now_unix_ms())) co_return false;
  if (also) {
    auto done = co_await db_.transact([&](store::Connection& c) { return also(c); });
    if (!done) {
      members_.leave(room, who);
      co_return done.error();
    }
  }
  co_return true;
}

Task<Result<bool>> LocalVoiceRooms::leave(std::string room, Uuid who, VoiceChange also) {
  if (!members_.leave(room, who)) co_return false;
  if (also) {
    auto done = co_await db_.transact([&](store::Connection& c) { return also(c); });
    if (!done) {
      members_.join(room, who);
      co_return done.error();
    }
  }
  co_return true;
}

Task<bool> LocalVoiceRooms::contains(std::string room, Uuid who) {
  co_return members_.contains(room, who);
}

Task<Result<RoomOwner>> LocalVoiceRooms::claim(std::string, int, std::int64_t stamp, VoiceLeft) {
  co_return RoomOwner{node_id_, "", stamp};
}

Task<std::optional<RoomOwner>> LocalVoiceRooms::owner(std::string) {
  co_return RoomOwner{node_id_, "", 0};
}

Task<bool> LocalVoiceRooms::release(std::string room, int, std::int64_t) {
  co_return members_.empty(room);
}

Task<Result<std::vector<std::string>>> LocalVoiceRooms::release_node(int, bool, VoiceLeft) {
  co_return std::vector<std::string>{};  // one node: nobody else serves a room
}

std::optional<VoiceSlot> LocalVoiceRooms::slot_in_space(store::Connection&, const Uuid& space_id,
                                                        const Uuid& who) {
  const std::string prefix = space_id.str() + "/";
  auto latest = members_.latest_with_prefix(prefix, who);
  if (!latest) return std::nullopt;
  return slot_of(prefix, latest->first, latest->second);
}

namespace {
void by_join_order(std::vector<VoiceMember>& members) {
  std::sort(members.begin(), members.end(), [](const VoiceMember& a, const VoiceMember& b) {
    if (a.joined_at_ms != b.joined_at_ms) return a.joined_at_ms < b.joined_at_ms;
    return a.user_id.str() < b.user_id.str();
  });
}
}  // namespace

std::vector<VoiceMember> LocalVoiceRooms::members_in_space(store::Connection&,
                                                           const Uuid& space_id) {
  const std::string prefix = space_id.str() + "/";
  std::vector<VoiceMember> out;
  for (const auto& [room, who, joined_at] : members_.with_prefix(prefix)) {
    if (auto slot = slot_of(prefix, room, joined_at))
      out.push_back(VoiceMember{slot->channel_id, who, joined_at});
  }
  by_join_order(out);
  return out;
}

// ---- StoreVoiceRooms ---------------------------------------------------------------------------

Task<Result<bool>> StoreVoiceRooms::join(std::string room, Uuid who, VoiceChange also) {
  const std::int64_t now = clock_.now_unix_ms();
  auto out = co_await db_.transact([&](store::Connection& c) -> Result<bool> {
    if (c.exec("INSERT INTO voice_members (room, user_id, joined_at) VALUES ($1, $2, $3)"
               " ON CONFLICT (room, user_id) DO NOTHING",
               {room, who.str(), now}) == 0)
      return false;
    if (also) ARGON_TRY(also(c));
    return true;
  });
  co_return out;
}

Task<Result<bool>> StoreVoiceRooms::leave(std::string room, Uuid who, VoiceChange also) {
  auto out = co_await db_.transact([&](store::Connection& c) -> Result<bool> {
    if (c.exec("DELETE FROM voice_members WHERE room = $1 AND user_id = $2", {room, who.str()}) ==
        0)
      return false;
    if (also) ARGON_TRY(also(c));
    return true;
  });
  co_return out;
}

Task<bool> StoreVoiceRooms::contains(std::string room, Uuid who) {
  auto out = co_await db_.read([&](store::Connection& c) {
    return c
        .query_one("SELECT 1 FROM voice_members WHERE room = $1 AND user_id = $2",
                   {room, who.str()})
        .has_value();
  });
  co_return out;
}

namespace {
// Removes every member of `room`, telling `left` of each.
Status remove_members(store::Connection& c, const std::string& room, const VoiceLeft& left) {
  for (const auto& r :
       c.query("DELETE FROM voice_members WHERE room = $1 RETURNING user_id", {room})) {
    auto who = Uuid::parse(r.text(0));
    if (who && left) ARGON_TRY(left(c, room, *who));
  }
  return {};
}
}  // namespace

Task<Result<RoomOwner>> StoreVoiceRooms::claim(std::string room, int node_id, std::int64_t stamp,
                                               VoiceLeft left) {
  const std::int64_t cutoff = lease_cutoff();
  auto out = co_await db_.transact([&](store::Connection& c) -> Result<RoomOwner> {
    auto row = c.query_one(std::string("SELECT node_id FROM voice_rooms WHERE room = $1") +
                               std::string(c.for_update()),
                           {room});
    if (!row) {
      // Two nodes claiming at once: the second waits for the first, inserts nothing, and runs
      // again to find the first one's claim.
      if (c.exec("INSERT INTO voice_rooms (room, node_id, claimed_at) VALUES ($1, $2, $3)"
                 " ON CONFLICT (room) DO NOTHING",
                 {room, std::int64_t{node_id}, stamp}) == 0)
        throw store::RetryableError("voice room claimed concurrently");
      return RoomOwner{node_id, "", stamp};
    }
    const int owner = static_cast<int>(row->i64(0));
    if (owner == node_id) {
      auto raised = c.query_one(
          "UPDATE voice_rooms SET claimed_at = CASE WHEN claimed_at < $2 THEN $2"
          " ELSE claimed_at + 1 END WHERE room = $1 RETURNING claimed_at",
          {room, stamp});
      return RoomOwner{node_id, "", raised ? raised->i64(0) : stamp};
    }
    auto live =
        c.query_one("SELECT public_url FROM nodes WHERE node_id = $1 AND heartbeat_at >= $2",
                    {std::int64_t{owner}, cutoff});
    if (live) return RoomOwner{owner, live->text(0), 0};
    // Its node is dead: take the room over; whoever was in it there is gone.
    ARGON_TRY(remove_members(c, room, left));
    c.exec("UPDATE voice_rooms SET node_id = $2, claimed_at = $3 WHERE room = $1",
           {room, std::int64_t{node_id}, stamp});
    return RoomOwner{node_id, "", stamp};
  });
  co_return out;
}

Task<std::optional<RoomOwner>> StoreVoiceRooms::owner(std::string room) {
  const std::int64_t cutoff = lease_cutoff();
  auto out = co_await db_.read([&](store::Connection& c) -> std::optional<RoomOwner> {
    auto row = c.query_one(
        "SELECT r.node_id, n.public_url FROM voice_rooms r JOIN nodes n ON n.node_id = r.node_id"
        " WHERE r.room = $1 AND n.heartbeat_at >= $2",
        {room, cutoff});
    if (!row) return std::nullopt;
    return RoomOwner{static_cast<int>(row->i64(0)), row->text(1), 0};
  });
  co_return out;
}

Task<bool> StoreVoiceRooms::release(std::string room, int node_id, std::int64_t stamp) {
  auto released = co_await db_.transact([&](store::Connection& c) -> Result<bool> {
    return c.exec(
               "DELETE FROM voice_rooms WHERE room = $1 AND node_id = $2 AND claimed_at = $3"
               " AND NOT EXISTS (SELECT 1 FROM voice_members m WHERE m.room = $1)",
               {room, std::int64_t{node_id}, stamp}) > 0;
  });
  co_return released&&* released;
}

Task<Result<std::vector<std::string>>> StoreVoiceRooms::release_node(int node_id, bool only_if_dead,
                                                                     VoiceLeft left) {
  const std::int64_t cutoff = lease_cutoff();
  auto out = co_await db_.transact([&](store::Connection& c) -> Result<std::vector<std::string>> {
    std::vector<store::Row> rows =
        only_if_dead
            ? c.query(
                  "DELETE FROM voice_rooms WHERE node_id = $1 AND NOT EXISTS (SELECT 1 FROM"
                  " nodes WHERE nodes.node_id = $1 AND nodes.heartbeat_at >= $2)"
                  " RETURNING room",
                  {std::int64_t{node_id}, cutoff})
            : c.query("DELETE FROM voice_rooms WHERE node_id = $1 RETURNING room",
                      {std::int64_t{node_id}});
    std::vector<std::string> rooms;
    for (const auto& r : rows) {
      rooms.push_back(r.text(0));
      ARGON_TRY(remove_members(c, rooms.back(), left));
    }
    return rooms;
  });
  co_return out;
}

std::optional<VoiceSlot> StoreVoiceRooms::slot_in_space(store::Connection& c, const Uuid& space_id,
                                                        const Uuid& who) {
  const std::string prefix = space_id.str() + "/";
  // Ids are lowercase hex and dashes: the prefix holds no LIKE wildcard.
  auto row = c.query_one(
      "SELECT room, joined_at FROM voice_members WHERE user_id = $1 AND room LIKE $2"
      " ORDER BY joined_at DESC, room LIMIT 1",
      {who.str(), prefix + "%"});
  if (!row) return std::nullopt;
  return slot_of(prefix, row->text(0), row->i64(1));
}

std::vector<VoiceMember> StoreVoiceRooms::members_in_space(store::Connection& c,
                                                           const Uuid& space_id) {
  const std::string prefix = space_id.str() + "/";
  std::vector<VoiceMember> out;
  for (const auto& row : c.query("SELECT room, user_id, joined_at FROM voice_members"
                                 " WHERE room LIKE $1",
                                 {prefix + "%"})) {
    auto who = Uuid::parse(row.text(1));
    auto slot = slot_of(prefix, row.text(0), row.i64(2));
    if (who && slot) out.push_back(VoiceMember{slot->channel_id, *who, slot->joined_at_ms});
  }
  by_join_order(out);
  return out;
}

}  // namespace argon::services
