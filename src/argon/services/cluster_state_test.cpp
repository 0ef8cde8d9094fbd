// The shared-state seams' store implementations (cluster_state.hpp, cluster_rate_limiter.hpp),
// with two "nodes" on one database: two instances of each. On SQLite and, with
// ARGON_TEST_STORE=postgres, on PostgreSQL (test_database.hpp).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "argon/services/cluster_rate_limiter.hpp"
#include "argon/services/cluster_state.hpp"
#include "argon/services/services_test_fixture.hpp"

namespace argon::services::testing {
namespace {

using ClusterStateTest = ServicesTest;

Uuid uid(std::uint8_t n, std::uint8_t tag = 0) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[0] = tag;
  bytes[15] = n;
  return Uuid::v4_from_bytes(bytes);
}

TEST_F(ClusterStateTest, TypingSessionsEndOnceWhicheverNodeStopsOrExpiresThem) {
  StoreTypingTimers a(ctx_, 1'000'000), b(ctx_, 1'000'000);  // sweeps only when called
  std::vector<std::string> ended;
  auto record = [&](const TypingTimers::Key& k, const Uuid&) { ended.push_back(k.user_id.str()); };
  a.set_on_expire(record);
  b.set_on_expire(record);
  TypingTimers::Key key{uid(1), uid(2)};
  sync_wait(a.arm(key, uid(9), 8000));
  EXPECT_EQ(a.active(), 1u);
  // Stopped on the other node: exactly one stop, and the first node's timer finds nothing.
  EXPECT_EQ(sync_wait(b.disarm(key)), uid(9));
  EXPECT_FALSE(sync_wait(a.disarm(key)).has_value());
  for (auto id : scheduler_.pending()) scheduler_.fire(id);
  EXPECT_TRUE(ended.empty());

  // Re-armed on B after a start on A: only the newest timer may end it, once.
  sync_wait(a.arm(key, uid(9), 8000));
  auto first_timer = scheduler_.pending();
  sync_wait(b.arm(key, uid(9), 8000));
  for (auto id : first_timer) scheduler_.fire(id);
  EXPECT_TRUE(ended.empty());
  for (auto id : scheduler_.pending()) scheduler_.fire(id);
  EXPECT_EQ(ended.size(), 1u);
  EXPECT_EQ(a.active(), 0u);
}

TEST_F(ClusterStateTest, AnOverdueSessionOfADeadNodeIsEndedOnceBySomeSweep) {
  StoreTypingTimers a(ctx_, 1'000'000, 2000), b(ctx_, 1'000'000, 2000);
  int ended = 0;
  a.set_on_expire([&](const TypingTimers::Key&, const Uuid&) { ++ended; });
  b.set_on_expire([&](const TypingTimers::Key&, const Uuid&) { ++ended; });
  sync_wait(a.arm({uid(1), uid(3)}, uid(9), 8000));  // A's timer never fires: A "died"
  clock_.advance_ms(9000);
  EXPECT_EQ(b.sweep_overdue(), 0u);  // expired, but within the grace: its own node may still act
  clock_.advance_ms(2000);
  EXPECT_EQ(b.sweep_overdue(), 1u);
  EXPECT_EQ(a.sweep_overdue(), 0u);
  EXPECT_EQ(ended, 1);
}

TEST_F(ClusterStateTest, PresenceCountsStreamsOfEveryNodeAndCountsOutADeadOne) {
  StorePresenceCounter a(ctx_, 0), b(ctx_, 1);
  const Uuid bot = uid(7);
  EXPECT_EQ(sync_wait(a.add(bot, +1)), 1);  // 0 → 1: Online
  EXPECT_EQ(sync_wait(b.add(bot, +1)), 2);
  EXPECT_EQ(sync_wait(a.add(bot, -1)), 1);
  EXPECT_EQ(a.count(bot), 1);
  // Node 1 dies with the bot's last stream: counted out once, the bot goes Offline once.
  std::vector<Uuid> offline;
  auto gone = [&](Uuid owner) -> Task<Status> {
    offline.push_back(owner);
    co_return Status{};
  };
  EXPECT_EQ(sync_wait(a.count_out_node(1, gone)), 1u);
  EXPECT_EQ(sync_wait(a.count_out_node(1, gone)), 0u);
  EXPECT_EQ(offline, (std::vector<Uuid>{bot}));
  EXPECT_EQ(b.count(bot), 0);
  EXPECT_EQ(sync_wait(a.add(bot, +1)), 1);  // a new stream: Online again
}

TEST_F(ClusterStateTest, ConcurrentOpensAndClosesOnTwoNodesAnnounceEachTransitionOnce) {
  StorePresenceCounter a(ctx_, 0), b(ctx_, 1);
  const Uuid bot = uid(8);
  std::atomic<int> online{0}, offline{0};
  auto churn = [&](StorePresenceCounter& node) {
    for (int i = 0; i < 20; ++i) {
      if (sync_wait(node.add(bot, +1)) == 1) ++online;
      if (sync_wait(node.add(bot, -1)) == 0) ++offline;
    }
  };
  std::thread t1([&] { churn(a); }), t2([&] { churn(b); });
  t1.join();
  t2.join();
  EXPECT_EQ(a.count(bot), 0);
  EXPECT_EQ(online.load(), offline.load());
  EXPECT_GE(online.load(), 1);
}

// A clean stop: the node's streams close (add -1) while the node counts itself out, over several
// owners, and another node counts the same node out at once. Both lock the owner's row first, so
// none of them deadlocks or gives up (found by the cluster benchmark: 1,000 streams closing).
TEST_F(ClusterStateTest, CountingOutANodeWhileItsStreamsCloseNeitherDeadlocksNorMiscounts) {
  StorePresenceCounter a(ctx_, 0), b(ctx_, 1);
  constexpr int kOwners = 6, kStreams = 8;
  for (int o = 0; o < kOwners; ++o) {
    ASSERT_EQ(sync_wait(b.add(uid(static_cast<std::uint8_t>(o), 3), +1)), 1);  // stays on b
    for (int i = 0; i < kStreams; ++i) sync_wait(a.add(uid(static_cast<std::uint8_t>(o), 3), +1));
  }
  std::atomic<int> failures{0};
  auto none = [](Uuid) -> Task<Status> { co_return Status{}; };
  std::vector<std::thread> closers;
  for (int t = 0; t < 3; ++t)
    closers.emplace_back([&, t] {
      // Owners in opposite orders on different threads: add() locks one owner per transaction.
      for (int k = 0; k < kOwners; ++k) {
        int o = (t % 2 == 0) ? k : kOwners - 1 - k;
        if (sync_wait(a.add(uid(static_cast<std::uint8_t>(o), 3), -1)) < 0) ++failures;
      }
    });
  std::thread out_a([&] { sync_wait(a.count_out_node(0, none)); });
  std::thread out_b([&] { sync_wait(b.count_out_node(0, none)); });
  for (auto& t : closers) t.join();
  out_a.join();
  out_b.join();
  EXPECT_EQ(failures.load(), 0);
  // Totals are not compared: a close that runs after the count-out subtracts twice, which is
  // why a stopping node waits for its closes before counting itself out (serve.cpp).
  EXPECT_EQ(sync_wait(a.count_out_node(0, none)), 0u);
}

TEST_F(ClusterStateTest, AnInvalidationOnOneNodeDropsTheTokenOnEveryNode) {
  // Two caches on one in-process bus: asking "the other node" reaches b's handler.
  BroadcastBotAuthCache a(bus_, nullptr, 0), b(bus_, nullptr, 1);
  BotIdentity bot;
  bot.app.id = uid(1);
  bot.user.id = uid(2);
  a.remember("tok", bot, kStartMs + 60000, a.generation());
  b.remember("tok", bot, kStartMs + 60000, b.generation());
  ASSERT_TRUE(b.find("tok", kStartMs).has_value());
  a.invalidate(bot.app.id);
  EXPECT_FALSE(a.find("tok", kStartMs).has_value());  // at once on the node that changed it
  bus_.flush();
  EXPECT_FALSE(b.find("tok", kStartMs).has_value());  // and on the other once broadcast
  // invalidate_everywhere returns only once the other live nodes confirmed.
  BroadcastBotAuthCache c(
      bus_,
      []() -> Task<std::vector<int>> {
        co_return std::vector<int>{0, 1};
      },
      0);
  b.remember("tok", bot, kStartMs + 60000, b.generation());
  sync_wait(c.invalidate_everywhere(bot.app.id));
  EXPECT_FALSE(b.find("tok", kStartMs).has_value());
}

RateLimitConfig limits() {
  RateLimitConfig c;
  c.window_ms = 60000;
  c.segments = 6;
  c.max_concurrency = 10;
  return c;
}

TEST_F(ClusterStateTest, RateLimitsHoldAcrossNodesExactly) {
  StoreRateLimiter a(ctx_, 0, limits()), b(ctx_, 1, limits());
  const Uuid bot = uid(5);
  int allowed = 0;
  for (int i = 0; i < 40; ++i) {
    auto out = sync_wait((i % 2 ? a : b).acquire(bot, "IBotSelf", 15));
    if (out.decision.allowed) {
      ++allowed;
      EXPECT_EQ(out.decision.remaining, 15 - allowed);
    } else {
      EXPECT_GT(out.decision.retry_after_seconds, 0.0);
      EXPECT_FALSE(out.decision.concurrency);
    }
  }
  EXPECT_EQ(allowed, 15);
  // Another interface has its own window; a minute later the window has slid.
  EXPECT_TRUE(sync_wait(a.acquire(bot, "IMessages", 15)).decision.allowed);
  clock_.advance_ms(60000);
  EXPECT_TRUE(sync_wait(b.acquire(bot, "IBotSelf", 15)).decision.allowed);
}

TEST_F(ClusterStateTest, ConcurrencySlotsAreSharedAndADeadNodesSlotsAreFreed) {
  StoreRateLimiter a(ctx_, 0, limits()), b(ctx_, 1, limits());
  const Uuid bot = uid(6);
  std::vector<RateLimiter::Permit> held;
  for (int i = 0; i < 10; ++i) {
    auto out = sync_wait((i % 2 ? a : b).acquire(bot, "IEvents", 1000));
    ASSERT_TRUE(out.decision.allowed);
    held.push_back(std::move(*out.permit));
  }
  auto eleventh = sync_wait(a.acquire(bot, "IEvents", 1000));
  EXPECT_FALSE(eleventh.decision.allowed);
  EXPECT_TRUE(eleventh.decision.concurrency);
  EXPECT_EQ(a.in_flight(bot), 10);
  held.pop_back();  // a permit released (synchronously here: no background executor)
  EXPECT_EQ(b.in_flight(bot), 9);
  auto again = sync_wait(a.acquire(bot, "IEvents", 1000));
  ASSERT_TRUE(again.decision.allowed);
  held.push_back(std::move(*again.permit));
  // Node 1 dies holding its 5 permits: freed by a survivor.
  ASSERT_TRUE(sync_wait(a.release_node(1)).ok());
  EXPECT_EQ(a.in_flight(bot), 5);
  for (auto& p : held) p.release();
}

TEST_F(ClusterStateTest, TheStoreLimiterDecidesLikeTheLocalOne) {
  StoreRateLimiter shared(ctx_, 0, limits());
  LocalRateLimiter local(clock_, limits());
  const Uuid bot = uid(4);
  for (int i = 0; i < 30; ++i) {
    auto s = sync_wait(shared.acquire(bot, "ISpaces", 12));
    auto l = local.acquire_here(bot, "ISpaces", 12);
    ASSERT_EQ(s.decision.allowed, l.decision.allowed) << i;
    EXPECT_EQ(s.decision.remaining, l.decision.remaining) << i;
    EXPECT_DOUBLE_EQ(s.decision.reset_after_seconds, l.decision.reset_after_seconds) << i;
    EXPECT_DOUBLE_EQ(s.decision.retry_after_seconds, l.decision.retry_after_seconds) << i;
    clock_.advance_ms(3700);  // crosses segment boundaries now and then
  }
}

}  // namespace
}  // namespace argon::services::testing
