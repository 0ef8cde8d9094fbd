// The in-process implementations of the shared-state seams (shared_state.hpp).
#include "argon/services/local_state.hpp"
#include "argon/services/voice_rooms.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "argon/services/services_test_fixture.hpp"

namespace argon::services::testing {
namespace {

Uuid id(std::uint8_t n) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[15] = n;
  return Uuid::v4_from_bytes(bytes);
}

TEST(LocalTypingTimersTest, ExpiryEndsASessionOnceAndARearmSupersedesTheOldTimer) {
  FakeScheduler scheduler;
  LocalTypingTimers timers(&scheduler);
  std::vector<TypingTimers::Key> expired;
  timers.set_on_expire([&](const TypingTimers::Key& key, const Uuid&) { expired.push_back(key); });
  TypingTimers::Key key{id(1), id(2)};
  timers.arm_now(key, id(9), 8000);
  auto first = scheduler.pending();
  timers.arm_now(key, id(9), 8000);  // re-armed: the first timer is cancelled
  ASSERT_EQ(scheduler.pending().size(), 1u);
  EXPECT_FALSE(scheduler.fire(first.front()));
  EXPECT_EQ(timers.active(), 1u);
  EXPECT_TRUE(scheduler.fire(scheduler.pending().front()));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(timers.active(), 0u);
  EXPECT_FALSE(timers.disarm_now(key));  // already ended: no second stop
}

TEST(LocalTypingTimersTest, DisarmReturnsTheSpaceOnceAndCancelsTheTimer) {
  FakeScheduler scheduler;
  LocalTypingTimers timers(&scheduler);
  int expired = 0;
  timers.set_on_expire([&](const TypingTimers::Key&, const Uuid&) { ++expired; });
  TypingTimers::Key key{id(1), id(2)};
  timers.arm_now(key, id(9), 8000);
  auto timer = scheduler.pending().front();
  EXPECT_EQ(timers.disarm_now(key), id(9));
  EXPECT_FALSE(timers.disarm_now(key).has_value());
  scheduler.fire(timer, true);  // a timer that fires anyway (it raced the cancel) ends nothing
  EXPECT_EQ(expired, 0);
}

TEST(LocalPresenceCounterTest, CountsOpenStreamsPerOwnerFromManyThreads) {
  LocalPresenceCounter presence;
  std::atomic<int> firsts{0}, lasts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (presence.add_now(id(1), +1) == 1) ++firsts;
        if (presence.add_now(id(1), -1) == 0) ++lasts;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(presence.count(id(1)), 0);
  EXPECT_EQ(firsts.load(), lasts.load());  // every Online has its Offline
  EXPECT_GE(firsts.load(), 1);
}

TEST(LocalVoiceRoomMembersTest, JoinAndLeaveAreReportedOnce) {
  LocalVoiceRoomMembers rooms;
  EXPECT_TRUE(rooms.join("r", id(1)));
  EXPECT_FALSE(rooms.join("r", id(1)));
  EXPECT_TRUE(rooms.contains("r", id(1)));
  EXPECT_FALSE(rooms.contains("other", id(1)));
  EXPECT_TRUE(rooms.leave("r", id(1)));
  EXPECT_FALSE(rooms.leave("r", id(1)));
  EXPECT_FALSE(rooms.contains("r", id(1)));
}

TEST(LocalBotAuthCacheTest, ExpiresInvalidatesAndIgnoresAStaleLookup) {
  LocalBotAuthCache cache;
  BotIdentity bot;
  bot.app.id = id(1);
  bot.user.id = id(2);
  cache.remember("t1", bot, 1000, cache.generation());
  EXPECT_TRUE(cache.find("t1", 999).has_value());
  EXPECT_FALSE(cache.find("t1", 1000).has_value());  // expired
  EXPECT_FALSE(cache.find("t2", 0).has_value());
  auto before = cache.generation();
  cache.invalidate(id(1));  // e.g. a rotation while a lookup was in flight
  cache.remember("t1", bot, 5000, before);
  EXPECT_FALSE(cache.find("t1", 0).has_value());
  cache.remember("t1", bot, 5000, cache.generation());
  EXPECT_TRUE(cache.find("t1", 0).has_value());
  cache.invalidate(id(1));
  EXPECT_FALSE(cache.find("t1", 0).has_value());
}

}  // namespace
}  // namespace argon::services::testing
