#include "argon/app/thread_scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace argon::app {
namespace {

// Waits (bounded) for `flag`; true when it was set in time.
bool wait_for(const std::atomic<bool>& flag, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!flag.load()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST(ThreadSchedulerTest, RunsADueTask) {
  ThreadScheduler scheduler;
  std::atomic<bool> ran{false};
  scheduler.schedule(0, [&] { ran = true; });
  EXPECT_TRUE(wait_for(ran, std::chrono::seconds(5)));
}

// testing.clock = adjustable: advancing runs what falls due within the advance, and nothing else.
TEST(ThreadSchedulerTest, AdvanceRunsWhatFallsDueAndKeepsTheRest) {
  ThreadScheduler scheduler;
  std::atomic<bool> in_a_minute{false}, in_an_hour{false};
  scheduler.schedule(60'000, [&] { in_a_minute = true; });
  scheduler.schedule(3'600'000, [&] { in_an_hour = true; });
  scheduler.advance(60'000);
  EXPECT_TRUE(wait_for(in_a_minute, std::chrono::seconds(5)));
  EXPECT_FALSE(in_an_hour.load());
  // A task scheduled after the advance keeps its own delay from the advanced time.
  std::atomic<bool> later{false};
  scheduler.schedule(30'000, [&] { later = true; });
  scheduler.advance(29'000);
  std::atomic<bool> marker{false};
  scheduler.schedule(0, [&] { marker = true; });  // the timer thread has looked at the queue
  ASSERT_TRUE(wait_for(marker, std::chrono::seconds(5)));
  EXPECT_FALSE(later.load());
  scheduler.advance(1'000);
  EXPECT_TRUE(wait_for(later, std::chrono::seconds(5)));
  EXPECT_FALSE(in_an_hour.load());
}

TEST(ThreadSchedulerTest, CancelledTasksNeverRun) {
  ThreadScheduler scheduler;
  std::atomic<bool> cancelled{false}, marker{false};
  auto id = scheduler.schedule(10'000, [&] { cancelled = true; });
  scheduler.cancel(id);
  scheduler.advance(20'000);
  scheduler.schedule(0, [&] { marker = true; });
  ASSERT_TRUE(wait_for(marker, std::chrono::seconds(5)));
  EXPECT_FALSE(cancelled.load());
}

}  // namespace
}  // namespace argon::app
