// The store-backed voice state (voice_rooms.hpp, voice_call_registry.hpp) that several nodes
// share: membership and room ownership, and calls. Runs on SQLite and, with
// ARGON_TEST_STORE=postgres, on PostgreSQL (where concurrent callers really race).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "argon/services/services_test_fixture.hpp"
#include "argon/services/voice_call_registry.hpp"
#include "argon/services/voice_rooms.hpp"
#include "argon/store/nodes_repo.hpp"

namespace argon::services::testing {
namespace {

constexpr std::int64_t kLeaseMs = 30000;

Uuid id(std::uint8_t n) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[15] = n;
  return Uuid::v4_from_bytes(bytes);
}

class VoiceStateTest : public ServicesTest {
 protected:
  // A node row, live now (or `age_ms` old).
  void node(int node_id, const std::string& url, std::int64_t age_ms = 0) {
    const std::int64_t at = clock_.now_unix_ms() - age_ms;
    db_->transact_now([&](store::Connection& c) -> Status {
      store::nodes::claim(c, node_id, "instance-" + std::to_string(node_id), url, at,
                          at - kLeaseMs);
      c.exec("UPDATE nodes SET heartbeat_at = $2, public_url = $3 WHERE node_id = $1",
             {std::int64_t{node_id}, at, url});
      return {};
    });
  }
  // A change that counts how often it ran (committed or not) and can fail.
  VoiceChange counting(std::atomic<int>& runs, bool fail = false) {
    return [&runs, fail](store::Connection&) -> Status {
      ++runs;
      if (fail) return Error::bad_request("nope", "refused");
      return {};
    };
  }
  std::int64_t members_in(const std::string& room) {
    return db_->read_now([&](store::Connection& c) {
      return c.query_one("SELECT COUNT(*) FROM voice_members WHERE room = $1", {room})->i64(0);
    });
  }

  StoreVoiceRooms rooms_{*db_, clock_, kLeaseMs};
  StoreCallRegistry calls_{*db_};
};

TEST_F(VoiceStateTest, JoinAndLeaveChangeOnceAndRunTheirChangeOnlyThen) {
  std::atomic<int> joins{0}, leaves{0};
  auto first = sync_wait(rooms_.join("r", id(1), counting(joins)));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*sync_wait(rooms_.join("r", id(1), counting(joins))));
  EXPECT_EQ(joins.load(), 1);
  EXPECT_TRUE(sync_wait(rooms_.contains("r", id(1))));
  EXPECT_FALSE(sync_wait(rooms_.contains("other", id(1))));
  EXPECT_TRUE(*sync_wait(rooms_.leave("r", id(1), counting(leaves))));
  EXPECT_FALSE(*sync_wait(rooms_.leave("r", id(1), counting(leaves))));
  EXPECT_EQ(leaves.load(), 1);
  EXPECT_FALSE(sync_wait(rooms_.contains("r", id(1))));
  // A change that fails undoes the join.
  std::atomic<int> failing{0};
  auto refused = sync_wait(rooms_.join("r", id(2), counting(failing, true)));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "nope");
  EXPECT_FALSE(sync_wait(rooms_.contains("r", id(2))));
}

TEST_F(VoiceStateTest, ConcurrentJoinsOfOneMemberAreReportedOnce) {
  std::atomic<int> firsts{0}, changes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      auto r = sync_wait(rooms_.join("r", id(7), counting(changes)));
      if (r && *r) ++firsts;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(firsts.load(), 1);
  EXPECT_EQ(changes.load(), 1);
  EXPECT_EQ(members_in("r"), 1);
}

TEST_F(VoiceStateTest, TheFirstClaimOwnsTheRoomOthersAreToldWhereItIs) {
  node(1, "http://node-1:1");
  node(2, "http://node-2:2");
  auto a = sync_wait(rooms_.claim("r", 1, 100, nullptr));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->node_id, 1);
  EXPECT_EQ(a->stamp, 100);
  auto b = sync_wait(rooms_.claim("r", 2, 500, nullptr));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->node_id, 1);
  EXPECT_EQ(b->public_url, "http://node-1:1");
  auto owner = sync_wait(rooms_.owner("r"));
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->node_id, 1);
  EXPECT_EQ(owner->public_url, "http://node-1:1");
  EXPECT_FALSE(sync_wait(rooms_.owner("unknown")).has_value());
}

TEST_F(VoiceStateTest, AClaimByTheOwnerRaisesItsStampSoAnEarlierReleaseMisses) {
  node(1, "http://node-1:1");
  EXPECT_EQ(sync_wait(rooms_.claim("r", 1, 100, nullptr))->stamp, 100);
  // Claimed again with a stamp that is not newer (a concurrent claim of the same node): + 1.
  EXPECT_EQ(sync_wait(rooms_.claim("r", 1, 90, nullptr))->stamp, 101);
  EXPECT_EQ(sync_wait(rooms_.claim("r", 1, 200, nullptr))->stamp, 200);
  EXPECT_FALSE(sync_wait(rooms_.release("r", 1, 101)));  // decided before the last claim
  EXPECT_FALSE(sync_wait(rooms_.release("r", 2, 200)));  // not its room
  // Somebody in it: kept.
  ASSERT_TRUE(*sync_wait(rooms_.join("r", id(1), nullptr)));
  EXPECT_FALSE(sync_wait(rooms_.release("r", 1, 200)));
  ASSERT_TRUE(*sync_wait(rooms_.leave("r", id(1), nullptr)));
  EXPECT_TRUE(sync_wait(rooms_.release("r", 1, 200)));
  EXPECT_FALSE(sync_wait(rooms_.owner("r")).has_value());
  // Free again: the next claim may be another node's.
  node(2, "http://node-2:2");
  EXPECT_EQ(sync_wait(rooms_.claim("r", 2, 300, nullptr))->node_id, 2);
}

TEST_F(VoiceStateTest, ADeadOwnersRoomIsTakenOverAndItsMembersLeaveOnce) {
  node(1, "http://node-1:1");
  node(2, "http://node-2:2");
  ASSERT_EQ(sync_wait(rooms_.claim("r", 1, 100, nullptr))->node_id, 1);
  ASSERT_TRUE(*sync_wait(rooms_.join("r", id(1), nullptr)));
  ASSERT_TRUE(*sync_wait(rooms_.join("r", id(2), nullptr)));
  ASSERT_TRUE(*sync_wait(rooms_.join("elsewhere", id(3), nullptr)));
  node(1, "http://node-1:1", kLeaseMs + 1);  // its lease ran out
  EXPECT_FALSE(sync_wait(rooms_.owner("r")).has_value());
  std::vector<std::pair<std::string, Uuid>> left;
  VoiceLeft record = [&left](store::Connection&, const std::string& room, const Uuid& who) {
    left.emplace_back(room, who);
    return Status{};
  };
  auto taken = sync_wait(rooms_.claim("r", 2, 500, record));
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->node_id, 2);
  EXPECT_EQ(left.size(), 2u);
  EXPECT_EQ(members_in("r"), 0);
  EXPECT_EQ(members_in("elsewhere"), 1);  // other rooms are not touched
  EXPECT_EQ(sync_wait(rooms_.owner("r"))->node_id, 2);
}

TEST_F(VoiceStateTest, ReleasingADeadNodesRoomsHappensOnceAndNeverForALiveNode) {
  node(1, "http://node-1:1");
  node(2, "http://node-2:2");
  ASSERT_EQ(sync_wait(rooms_.claim("a", 1, 100, nullptr))->node_id, 1);
  ASSERT_EQ(sync_wait(rooms_.claim("b", 1, 101, nullptr))->node_id, 1);
  ASSERT_EQ(sync_wait(rooms_.claim("c", 2, 102, nullptr))->node_id, 2);
  ASSERT_TRUE(*sync_wait(rooms_.join("a", id(1), nullptr)));
  ASSERT_TRUE(*sync_wait(rooms_.join("b", id(2), nullptr)));
  ASSERT_TRUE(*sync_wait(rooms_.join("c", id(3), nullptr)));
  std::atomic<int> left{0};
  VoiceLeft count = [&left](store::Connection&, const std::string&, const Uuid&) {
    ++left;
    return Status{};
  };
  // Alive: nothing happens.
  auto none = sync_wait(rooms_.release_node(1, true, count));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  node(1, "http://node-1:1", kLeaseMs + 1);
  // Two survivors clean up at once: each room and member goes once.
  std::atomic<int> rooms{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      auto r = sync_wait(rooms_.release_node(1, true, count));
      if (r) rooms += static_cast<int>(r->size());
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(rooms.load(), 2);
  EXPECT_EQ(left.load(), 2);
  EXPECT_EQ(members_in("c"), 1);
  EXPECT_EQ(sync_wait(rooms_.owner("c"))->node_id, 2);
  // A node's own rooms (a restart under the same id) go whether it is live or not.
  auto own = sync_wait(rooms_.release_node(2, false, count));
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(*own, std::vector<std::string>{"c"});
  EXPECT_EQ(left.load(), 3);
}

TEST_F(VoiceStateTest, NodesClaimingOneRoomAtOnceAgreeOnOneOwner) {
  for (int n = 1; n <= 4; ++n) node(n, "http://node-" + std::to_string(n));
  std::vector<int> owners(4, -1);
  std::vector<std::thread> threads;
  for (int n = 1; n <= 4; ++n)
    threads.emplace_back([&, n] {
      auto r = sync_wait(rooms_.claim("r", n, 100 + n, nullptr));
      if (r) owners[n - 1] = r->node_id;
    });
  for (auto& t : threads) t.join();
  for (int o : owners) EXPECT_EQ(o, owners[0]);
  EXPECT_GE(owners[0], 1);
  EXPECT_EQ(sync_wait(rooms_.owner("r"))->node_id, owners[0]);
}

TEST_F(VoiceStateTest, LocalRoomsAreAlwaysThisNodesAndKeepMembersInMemory) {
  LocalVoiceRooms local(*db_, clock_, 7);
  EXPECT_EQ(sync_wait(local.claim("r", 7, 5, nullptr))->node_id, 7);
  EXPECT_EQ(sync_wait(local.owner("r"))->node_id, 7);
  std::atomic<int> runs{0};
  EXPECT_TRUE(*sync_wait(local.join("r", id(1), counting(runs))));
  EXPECT_FALSE(*sync_wait(local.join("r", id(1), counting(runs))));
  EXPECT_FALSE(sync_wait(local.release("r", 7, 5)));  // somebody in it
  EXPECT_TRUE(*sync_wait(local.leave("r", id(1), counting(runs))));
  EXPECT_EQ(runs.load(), 2);
  EXPECT_TRUE(sync_wait(local.release("r", 7, 5)));
  EXPECT_EQ(members_in("r"), 0);  // nothing in the store
}

// The voice channel of a space a user is in (interactions' voiceState), on both implementations:
// only rooms "{spaceId}/{channelId}" of that space count, the latest join wins, a leave ends it.
TEST_F(VoiceStateTest, SlotInSpaceOnBothImplementations) {
  LocalVoiceRooms local(*db_, clock_, 7);
  for (VoiceRooms* rooms : std::initializer_list<VoiceRooms*>{&rooms_, &local}) {
    SCOPED_TRACE(rooms == &local ? "local" : "store");
    const Uuid space = id(50), other = id(51), a = id(60), b = id(61), who = id(1);
    auto slot = [&](const Uuid& s, const Uuid& u) {
      return db_->read_now([&](store::Connection& c) { return rooms->slot_in_space(c, s, u); });
    };
    auto room = [](const Uuid& s, const Uuid& ch) { return s.str() + "/" + ch.str(); };
    EXPECT_FALSE(slot(space, who));
    ASSERT_TRUE(*sync_wait(rooms->join(room(other, a), who, nullptr)));     // another space
    ASSERT_TRUE(*sync_wait(rooms->join("call/" + a.str(), who, nullptr)));  // a call
    ASSERT_TRUE(*sync_wait(rooms->join(room(space, a), id(2), nullptr)));   // somebody else
    EXPECT_FALSE(slot(space, who));
    clock_.advance_ms(1000);
    const std::int64_t first = clock_.now_unix_ms();
    ASSERT_TRUE(*sync_wait(rooms->join(room(space, a), who, nullptr)));
    auto in_a = slot(space, who);
    ASSERT_TRUE(in_a);
    EXPECT_EQ(in_a->channel_id, a);
    EXPECT_EQ(in_a->joined_at_ms, first);
    clock_.advance_ms(1000);
    ASSERT_TRUE(*sync_wait(rooms->join(room(space, b), who, nullptr)));
    EXPECT_EQ(slot(space, who)->channel_id, b);  // joined last
    EXPECT_EQ(slot(space, who)->joined_at_ms, first + 1000);
    EXPECT_EQ(slot(other, who)->channel_id, a);
    ASSERT_TRUE(*sync_wait(rooms->leave(room(space, b), who, nullptr)));
    EXPECT_EQ(slot(space, who)->channel_id, a);
    EXPECT_EQ(slot(space, who)->joined_at_ms, first);  // a re-read does not move the join
    ASSERT_TRUE(*sync_wait(rooms->leave(room(space, a), who, nullptr)));
    EXPECT_FALSE(slot(space, who));
    for (const auto& r : {room(other, a), "call/" + a.str(), room(space, a)})
      for (const Uuid& u : {who, id(2)}) (void)sync_wait(rooms->leave(r, u, nullptr));
  }
}

// Everyone in a space's voice channels (GET /api/v1/spaces/{id}/voice), on both implementations:
// only that space's rooms, in join order, with the channel and the join time; a leave ends it.
TEST_F(VoiceStateTest, MembersInSpaceOnBothImplementations) {
  LocalVoiceRooms local(*db_, clock_, 7);
  for (VoiceRooms* rooms : std::initializer_list<VoiceRooms*>{&rooms_, &local}) {
    SCOPED_TRACE(rooms == &local ? "local" : "store");
    const Uuid space = id(70), other = id(71), a = id(80), b = id(81);
    auto members = [&](const Uuid& s) {
      return db_->read_now([&](store::Connection& c) { return rooms->members_in_space(c, s); });
    };
    auto room = [](const Uuid& s, const Uuid& ch) { return s.str() + "/" + ch.str(); };
    EXPECT_TRUE(members(space).empty());
    ASSERT_TRUE(*sync_wait(rooms->join(room(other, a), id(1), nullptr)));  // another space
    ASSERT_TRUE(*sync_wait(rooms->join("call/" + a.str(), id(1), nullptr)));
    const std::int64_t first = clock_.now_unix_ms();
    ASSERT_TRUE(*sync_wait(rooms->join(room(space, b), id(3), nullptr)));
    clock_.advance_ms(1000);
    ASSERT_TRUE(*sync_wait(rooms->join(room(space, a), id(2), nullptr)));
    auto in = members(space);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_EQ(in[0].user_id, id(3));
    EXPECT_EQ(in[0].channel_id, b);
    EXPECT_EQ(in[0].joined_at_ms, first);
    EXPECT_EQ(in[1].user_id, id(2));
    EXPECT_EQ(in[1].channel_id, a);
    EXPECT_EQ(in[1].joined_at_ms, first + 1000);
    ASSERT_TRUE(*sync_wait(rooms->leave(room(space, b), id(3), nullptr)));
    in = members(space);
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].user_id, id(2));
    EXPECT_EQ(members(other).size(), 1u);
    for (const auto& [r, u] : std::initializer_list<std::pair<std::string, Uuid>>{
             {room(other, a), id(1)}, {"call/" + a.str(), id(1)}, {room(space, a), id(2)}})
      (void)sync_wait(rooms->leave(r, u, nullptr));
  }
}

// ---- calls -------------------------------------------------------------------------------------

CallRecord ringing_call(std::uint8_t n, std::int64_t now, std::int64_t ring_ms = 30000) {
  return CallRecord{id(n), id(100), id(200), CallState::Ringing, now, now + ring_ms};
}

TEST_F(VoiceStateTest, CallsAreCreatedWithTheirChangeOrNotAtAll) {
  const std::int64_t now = clock_.now_unix_ms();
  std::vector<Uuid> seen;
  CallChange record = [&seen](store::Connection&, const CallRecord& call) {
    seen.push_back(call.id);
    return Status{};
  };
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(1, now), record)).ok());
  auto found = sync_wait(calls_.find(id(1)));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->caller, id(100));
  EXPECT_EQ(found->callee, id(200));
  EXPECT_EQ(found->state, CallState::Ringing);
  EXPECT_EQ(found->ring_expires_at_ms, now + 30000);
  CallChange refuse = [](store::Connection&, const CallRecord&) {
    return Status(Error::not_found("not_found", "No bot with that user id."));
  };
  auto refused = sync_wait(calls_.create(ringing_call(2, now), refuse));
  ASSERT_FALSE(refused.ok());
  EXPECT_FALSE(sync_wait(calls_.find(id(2))).has_value());
  EXPECT_FALSE(sync_wait(calls_.find(id(3))).has_value());
}

TEST_F(VoiceStateTest, ACallMovesOnceFromTheStatesGiven) {
  const std::int64_t now = clock_.now_unix_ms();
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(1, now), nullptr)).ok());
  auto not_accepted = sync_wait(
      calls_.transition(id(1), call_states(CallState::Accepted), CallState::Ended, nullptr));
  ASSERT_TRUE(not_accepted.ok());
  EXPECT_FALSE(not_accepted->has_value());
  // Accept and hang up racing: whichever comes first, the second finds the first's state.
  std::atomic<int> moved{0}, changes{0};
  CallChange count = [&changes](store::Connection&, const CallRecord&) {
    ++changes;
    return Status{};
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      auto r = sync_wait(
          calls_.transition(id(1), call_states(CallState::Ringing), CallState::Accepted, count));
      if (r && *r) ++moved;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(moved.load(), 1);
  EXPECT_EQ(changes.load(), 1);
  auto ended = sync_wait(calls_.transition(id(1), kCallLive, CallState::Ended, count));
  ASSERT_TRUE(ended.ok() && ended->has_value());
  EXPECT_EQ((*ended)->state, CallState::Accepted);  // as it was
  EXPECT_FALSE(
      sync_wait(calls_.transition(id(1), kCallLive, CallState::Ended, count))->has_value());
  EXPECT_EQ(sync_wait(calls_.find(id(1)))->state, CallState::Ended);
  // A change that fails leaves the call as it was.
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(2, now), nullptr)).ok());
  CallChange refuse = [](store::Connection&, const CallRecord&) {
    return Status(Error::bad_request("accept_failed", "no"));
  };
  EXPECT_FALSE(sync_wait(calls_.transition(id(2), call_states(CallState::Ringing),
                                           CallState::Accepted, refuse))
                   .ok());
  EXPECT_EQ(sync_wait(calls_.find(id(2)))->state, CallState::Ringing);
}

TEST_F(VoiceStateTest, RingingListsTheCalleesRingingCallsOldestFirst) {
  const std::int64_t now = clock_.now_unix_ms();
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(2, now + 5), nullptr)).ok());
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(1, now), nullptr)).ok());
  CallRecord other = ringing_call(3, now);
  other.callee = id(201);
  ASSERT_TRUE(sync_wait(calls_.create(other, nullptr)).ok());
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(4, now + 1), nullptr)).ok());
  ASSERT_TRUE(
      sync_wait(calls_.transition(id(4), kCallLive, CallState::Ended, nullptr))->has_value());
  auto ringing = sync_wait(calls_.ringing_for(id(200)));
  ASSERT_EQ(ringing.size(), 2u);
  EXPECT_EQ(ringing[0].id, id(1));
  EXPECT_EQ(ringing[1].id, id(2));
}

TEST_F(VoiceStateTest, RingTimeoutsEndEachCallOnceWhicheverNodeSweeps) {
  const std::int64_t now = clock_.now_unix_ms();
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(1, now, 1000), nullptr)).ok());
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(2, now, 2000), nullptr)).ok());
  ASSERT_TRUE(sync_wait(calls_.create(ringing_call(3, now, 1000), nullptr)).ok());
  ASSERT_TRUE(sync_wait(calls_.transition(id(3), call_states(CallState::Ringing),
                                          CallState::Accepted, nullptr))
                  ->has_value());
  std::atomic<int> ended{0};
  CallChange count = [&ended](store::Connection&, const CallRecord& call) {
    EXPECT_EQ(call.state, CallState::Ringing);
    ++ended;
    return Status{};
  };
  EXPECT_TRUE(sync_wait(calls_.expire(now + 999, count))->empty());
  // Two nodes sweep at once, then again.
  std::atomic<int> returned{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      auto r = sync_wait(calls_.expire(now + 1000, count));
      if (r) returned += static_cast<int>(r->size());
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(returned.load(), 1);
  EXPECT_EQ(ended.load(), 1);
  EXPECT_EQ(sync_wait(calls_.find(id(1)))->state, CallState::Ended);
  EXPECT_EQ(sync_wait(calls_.find(id(2)))->state, CallState::Ringing);
  EXPECT_EQ(sync_wait(calls_.find(id(3)))->state, CallState::Accepted);  // not ringing: stays
  auto later = sync_wait(calls_.expire(now + 2000, count));
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].id, id(2));
  // Ended calls are forgotten after a while.
  auto much_later = sync_wait(calls_.expire(now + 3600 * 1000 + 1, count));
  EXPECT_TRUE(much_later->empty());
  EXPECT_FALSE(sync_wait(calls_.find(id(1))).has_value());
  EXPECT_TRUE(sync_wait(calls_.find(id(3))).has_value());  // still in progress
}

TEST_F(VoiceStateTest, TheLocalCallRegistryBehavesTheSame) {
  LocalCallRegistry local(*db_);
  const std::int64_t now = clock_.now_unix_ms();
  ASSERT_TRUE(sync_wait(local.create(ringing_call(1, now, 1000), nullptr)).ok());
  ASSERT_TRUE(sync_wait(local.create(ringing_call(2, now, 5000), nullptr)).ok());
  CallChange refuse = [](store::Connection&, const CallRecord&) {
    return Status(Error::bad_request("no", "no"));
  };
  EXPECT_FALSE(sync_wait(local.create(ringing_call(3, now), refuse)).ok());
  EXPECT_FALSE(sync_wait(local.find(id(3))).has_value());
  EXPECT_EQ(sync_wait(local.ringing_for(id(200))).size(), 2u);
  auto accepted = sync_wait(
      local.transition(id(2), call_states(CallState::Ringing), CallState::Accepted, nullptr));
  ASSERT_TRUE(accepted.ok() && accepted->has_value());
  EXPECT_FALSE(sync_wait(local.transition(id(2), call_states(CallState::Ringing),
                                          CallState::Accepted, nullptr))
                   ->has_value());
  auto expired = sync_wait(local.expire(now + 5000, nullptr));
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].id, id(1));
  EXPECT_EQ(sync_wait(local.find(id(2)))->state, CallState::Accepted);
}

}  // namespace
}  // namespace argon::services::testing
