#include "argon/services/rate_limiter.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace argon::services {
namespace {

Uuid bot_id(std::uint8_t n) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[0] = n;
  bytes[15] = static_cast<std::uint8_t>(n * 7 + 1);
  return Uuid(bytes);
}

// Starts on a segment boundary (the Argon epoch is a multiple of 10 s).
class RateLimiterTest : public ::testing::Test {
 protected:
  ManualClock clock_{kArgonEpochUnixMs};
  LocalRateLimiter limiter_{clock_, RateLimitConfig{}};
  Uuid bot_ = bot_id(1);

  // Acquires and immediately releases; returns the decision.
  Decision hit(const Uuid& bot, std::string_view iface, int limit) {
    return limiter_.acquire_here(bot, iface, limit).decision;
  }
};

TEST_F(RateLimiterTest, FifteenAllowedThenSixteenthRejected) {
  for (int i = 0; i < 15; ++i) {
    auto out = limiter_.acquire_here(bot_, "IBotSelf", 15);
    ASSERT_TRUE(out.decision.allowed) << i;
    EXPECT_TRUE(out.permit.has_value());
    EXPECT_EQ(out.decision.limit, 15);
    EXPECT_EQ(out.decision.remaining, 14 - i);
    EXPECT_FALSE(out.decision.concurrency);
    EXPECT_DOUBLE_EQ(out.decision.reset_after_seconds, 60.0);
  }
  auto out = limiter_.acquire_here(bot_, "IBotSelf", 15);
  EXPECT_FALSE(out.decision.allowed);
  EXPECT_FALSE(out.permit.has_value());
  EXPECT_FALSE(out.decision.concurrency);
  EXPECT_EQ(out.decision.limit, 15);
  EXPECT_EQ(out.decision.remaining, 0);
  EXPECT_DOUBLE_EQ(out.decision.retry_after_seconds, 60.0);
  EXPECT_DOUBLE_EQ(out.decision.reset_after_seconds, 60.0);
  EXPECT_EQ(limiter_.in_flight(bot_), 0);
}

TEST_F(RateLimiterTest, OtherInterfacesAndBotsUnaffected) {
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(hit(bot_, "IBotSelf", 15).allowed);
  EXPECT_FALSE(hit(bot_, "IBotSelf", 15).allowed);

  auto other_iface = hit(bot_, "IMessages", 120);
  EXPECT_TRUE(other_iface.allowed);
  EXPECT_EQ(other_iface.remaining, 119);

  auto other_bot = hit(bot_id(2), "IBotSelf", 15);
  EXPECT_TRUE(other_bot.allowed);
  EXPECT_EQ(other_bot.remaining, 14);
}

TEST_F(RateLimiterTest, WindowSlidesAfterSixtySeconds) {
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(hit(bot_, "IBotSelf", 15).allowed);
  clock_.advance_ms(59999);  // still segment 5 of the window
  auto still = hit(bot_, "IBotSelf", 15);
  EXPECT_FALSE(still.allowed);
  EXPECT_NEAR(still.retry_after_seconds, 0.001, 1e-9);
  EXPECT_EQ(retry_after_header(still.retry_after_seconds), 1);
  clock_.advance_ms(1);  // start of segment 6: segment 0 leaves
  auto again = hit(bot_, "IBotSelf", 15);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 14);
}

TEST_F(RateLimiterTest, SegmentFreesAtStartOfSegmentPlusSix) {
  // 1 request in each segment 0..5 at limit 6, mid-segment.
  clock_.advance_ms(3000);
  for (int k = 0; k < 6; ++k) {
    ASSERT_TRUE(hit(bot_, "I", 6).allowed) << k;
    if (k < 5) clock_.advance_ms(10000);
  }
  // now t = 53 s (segment 5), full.
  auto rejected = hit(bot_, "I", 6);
  EXPECT_FALSE(rejected.allowed);
  EXPECT_DOUBLE_EQ(rejected.retry_after_seconds, 7.0);  // segment 0 leaves at 60 s
  clock_.advance_ms(7000);                              // t = 60 s
  EXPECT_TRUE(hit(bot_, "I", 6).allowed);
  EXPECT_FALSE(hit(bot_, "I", 6).allowed);
  clock_.advance_ms(9999);  // t = 69.999 s: segment 1 still counted
  EXPECT_FALSE(hit(bot_, "I", 6).allowed);
  clock_.advance_ms(1);  // t = 70 s
  EXPECT_TRUE(hit(bot_, "I", 6).allowed);
}

TEST_F(RateLimiterTest, RetryAfterIsExactWithSpreadRequests) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(hit(bot_, "IBotSelf", 15).allowed);
  clock_.advance_ms(25000);
  for (int i = 0; i < 5; ++i) {
    auto d = hit(bot_, "IBotSelf", 15);
    ASSERT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, 4 - i);
    EXPECT_DOUBLE_EQ(d.reset_after_seconds, 35.0);  // segment 0 leaves at 60 s
  }
  clock_.advance_ms(5000);  // t = 30 s
  auto rejected = hit(bot_, "IBotSelf", 15);
  EXPECT_FALSE(rejected.allowed);
  EXPECT_DOUBLE_EQ(rejected.retry_after_seconds, 30.0);
  EXPECT_DOUBLE_EQ(rejected.reset_after_seconds, 30.0);
  EXPECT_EQ(retry_after_header(rejected.retry_after_seconds), 30);

  clock_.advance_ms(4500);  // t = 34.5 s
  EXPECT_DOUBLE_EQ(hit(bot_, "IBotSelf", 15).retry_after_seconds, 25.5);

  clock_.set_ms(kArgonEpochUnixMs + 60000);  // exactly 10 permits back
  for (int i = 0; i < 10; ++i) {
    auto d = hit(bot_, "IBotSelf", 15);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 9 - i);
    EXPECT_DOUBLE_EQ(d.reset_after_seconds, 20.0);  // segment 2 leaves at 80 s
  }
  auto full = hit(bot_, "IBotSelf", 15);
  EXPECT_FALSE(full.allowed);
  EXPECT_DOUBLE_EQ(full.retry_after_seconds, 20.0);
}

TEST_F(RateLimiterTest, RejectedRequestDoesNotConsume) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(hit(bot_, "IEvents", 3).allowed);
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(hit(bot_, "IEvents", 3).allowed);
  clock_.advance_ms(60000);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(hit(bot_, "IEvents", 3).allowed) << i;
  EXPECT_FALSE(hit(bot_, "IEvents", 3).allowed);
}

TEST_F(RateLimiterTest, ConcurrencyCapRejectsEleventh) {
  std::vector<RateLimiter::Permit> held;
  for (int i = 0; i < 10; ++i) {
    auto out = limiter_.acquire_here(bot_, "IMessages", 120);
    ASSERT_TRUE(out.decision.allowed);
    held.push_back(std::move(*out.permit));
  }
  EXPECT_EQ(limiter_.in_flight(bot_), 10);

  auto out = limiter_.acquire_here(bot_, "IBotSelf", 15);
  EXPECT_FALSE(out.decision.allowed);
  EXPECT_TRUE(out.decision.concurrency);
  EXPECT_FALSE(out.permit.has_value());
  EXPECT_DOUBLE_EQ(out.decision.retry_after_seconds, 1.0);
  EXPECT_EQ(out.decision.remaining, 0);
  EXPECT_EQ(limiter_.in_flight(bot_), 10);

  // Another bot is not affected.
  EXPECT_TRUE(hit(bot_id(9), "IBotSelf", 15).allowed);

  held.pop_back();  // releases one slot
  EXPECT_EQ(limiter_.in_flight(bot_), 9);
  auto next = limiter_.acquire_here(bot_, "IBotSelf", 15);
  EXPECT_TRUE(next.decision.allowed);
  // The concurrency rejection consumed no IBotSelf permit.
  EXPECT_EQ(next.decision.remaining, 14);
}

TEST_F(RateLimiterTest, ConcurrencyRejectionConsumesNoWindowPermit) {
  std::vector<RateLimiter::Permit> held;
  for (int i = 0; i < 10; ++i)
    held.push_back(std::move(*limiter_.acquire_here(bot_, "IEvents", 10).permit));
  for (int i = 0; i < 20; ++i) {
    auto d = hit(bot_, "IBotSelf", 2);
    ASSERT_FALSE(d.allowed);
    ASSERT_TRUE(d.concurrency);
  }
  held.clear();
  EXPECT_EQ(limiter_.in_flight(bot_), 0);
  EXPECT_EQ(hit(bot_, "IBotSelf", 2).remaining, 1);
  EXPECT_EQ(hit(bot_, "IBotSelf", 2).remaining, 0);
  // The window rejection is not a concurrency one.
  auto d = hit(bot_, "IEvents", 10);
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.concurrency);
}

TEST_F(RateLimiterTest, MovedPermitsReleaseOnce) {
  {
    auto out = limiter_.acquire_here(bot_, "IEvents", 5);
    ASSERT_TRUE(out.permit.has_value());
    EXPECT_EQ(limiter_.in_flight(bot_), 1);
    RateLimiter::Permit a = std::move(*out.permit);
    EXPECT_FALSE(out.permit->held());
    EXPECT_TRUE(a.held());
    RateLimiter::Permit b = std::move(a);
    EXPECT_EQ(limiter_.in_flight(bot_), 1);
    out.permit.reset();  // moved-from: releases nothing
    EXPECT_EQ(limiter_.in_flight(bot_), 1);

    auto second = limiter_.acquire_here(bot_, "IEvents", 5);
    EXPECT_EQ(limiter_.in_flight(bot_), 2);
    b = std::move(*second.permit);  // releases b's old slot, takes the other
    EXPECT_EQ(limiter_.in_flight(bot_), 1);
    b.release();
    EXPECT_EQ(limiter_.in_flight(bot_), 0);
    b.release();  // idempotent
  }
  EXPECT_EQ(limiter_.in_flight(bot_), 0);
  // The slots are really free: ten more can be held.
  std::vector<RateLimiter::Permit> held;
  for (int i = 0; i < 10; ++i) {
    auto out = limiter_.acquire_here(bot_, "IMessages", 120);
    ASSERT_TRUE(out.decision.allowed) << i;
    held.push_back(std::move(*out.permit));
  }
}

TEST_F(RateLimiterTest, IdleEntriesAreDroppedLazily) {
  for (int i = 0; i < 5; ++i) hit(bot_id(static_cast<std::uint8_t>(i + 1)), "IBotSelf", 15);
  EXPECT_EQ(limiter_.tracked_bots(), 5u);
  clock_.advance_ms(120000);
  // Sweeps happen per shard; touch every bot once more after the window.
  auto permit = limiter_.acquire_here(bot_id(100), "IBotSelf", 15).permit;
  for (int i = 0; i < 5; ++i) {
    auto d = hit(bot_id(static_cast<std::uint8_t>(i + 1)), "IBotSelf", 15);
    EXPECT_EQ(d.remaining, 14);  // the old counts are gone either way
  }
  EXPECT_LE(limiter_.tracked_bots(), 6u);
}

TEST(RateLimiterConfigTest, ShortenedWindow) {
  ManualClock clock(1000000);
  LocalRateLimiter limiter(clock,
                           RateLimitConfig{.window_ms = 3000, .segments = 3, .max_concurrency = 2});
  Uuid bot = bot_id(3);
  EXPECT_TRUE(limiter.acquire_here(bot, "I", 2).decision.allowed);  // segment 1000
  clock.advance_ms(1500);
  EXPECT_TRUE(limiter.acquire_here(bot, "I", 2).decision.allowed);  // segment 1001
  auto d = limiter.acquire_here(bot, "I", 2).decision;
  EXPECT_FALSE(d.allowed);
  EXPECT_DOUBLE_EQ(d.retry_after_seconds, 1.5);  // segment 1000 leaves at 1003000 ms
  clock.advance_ms(1499);
  EXPECT_FALSE(limiter.acquire_here(bot, "I", 2).decision.allowed);
  clock.advance_ms(1);
  EXPECT_TRUE(limiter.acquire_here(bot, "I", 2).decision.allowed);

  auto a = limiter.acquire_here(bot, "J", 100);
  auto b = limiter.acquire_here(bot, "J", 100);
  auto c = limiter.acquire_here(bot, "J", 100);
  EXPECT_TRUE(a.decision.allowed);
  EXPECT_TRUE(b.decision.allowed);
  EXPECT_TRUE(c.decision.concurrency);

  EXPECT_THROW(LocalRateLimiter(clock, RateLimitConfig{.window_ms = 1000, .segments = 0}),
               std::invalid_argument);
  EXPECT_THROW(LocalRateLimiter(clock, RateLimitConfig{.window_ms = 1000, .segments = 3}),
               std::invalid_argument);
}

TEST(RateLimiterHeaderTest, RetryAfterHeaderRounding) {
  EXPECT_EQ(retry_after_header(0.2), 1);
  EXPECT_EQ(retry_after_header(1.0), 1);
  EXPECT_EQ(retry_after_header(1.2), 2);
  EXPECT_EQ(retry_after_header(0.0), 1);
  EXPECT_EQ(retry_after_header(-3.0), 1);
  EXPECT_EQ(retry_after_header(30.0), 30);
  EXPECT_EQ(retry_after_header(59.999), 60);
}

TEST(RateLimiterThreadTest, ConcurrentAcquiresAdmitExactlyTheLimit) {
  ManualClock clock(kArgonEpochUnixMs + 5000);  // frozen
  LocalRateLimiter limiter(clock, RateLimitConfig{});
  Uuid bot = bot_id(42);
  std::atomic<int> admitted{0};
  std::atomic<int> rejected{0};
  std::atomic<int> concurrency_rejections{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        auto out = limiter.acquire_here(bot, "IMessages", 5000);
        if (out.decision.allowed) {
          ++admitted;
        } else {
          ++rejected;
          if (out.decision.concurrency) ++concurrency_rejections;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 5000);
  EXPECT_EQ(rejected.load(), 3000);
  EXPECT_EQ(concurrency_rejections.load(), 0);  // 8 threads never exceed 10 in flight
  EXPECT_EQ(limiter.in_flight(bot), 0);
}

TEST(RateLimiterThreadTest, ManyBotsInParallel) {
  ManualClock clock(kArgonEpochUnixMs);
  LocalRateLimiter limiter(clock, RateLimitConfig{});
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int b = 0; b < 32; ++b) {
        for (int i = 0; i < 20; ++i) {
          if (limiter.acquire_here(bot_id(static_cast<std::uint8_t>(b)), "IBotSelf", 15)
                  .decision.allowed)
            ++admitted;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 32 * 15);
}

}  // namespace
}  // namespace argon::services
