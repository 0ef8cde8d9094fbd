#pragma once
// A timer thread for delayed service work (typing expiry, maintenance). Tasks run on this thread,
// never on a network thread, so they may wait on the store.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "argon/domain/scheduler.hpp"

namespace argon::app {

class ThreadScheduler final : public Scheduler {
 public:
  ThreadScheduler();
  ~ThreadScheduler() override;

  TaskId schedule(std::int64_t delay_ms, std::function<void()> task) override;
  void cancel(TaskId id) override;
  // Stops the thread; pending tasks are dropped. Idempotent.
  void stop();
  // Moves the scheduler's time forward (testing.clock = adjustable): what falls due within `ms`
  // runs now, later tasks come `ms` sooner.
  void advance(std::int64_t ms);

 private:
  using Clock = std::chrono::steady_clock;
  void run();
  Clock::time_point now() const { return Clock::now() + skipped_; }  // under mutex_

  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<Clock::time_point, TaskId> due_;
  std::unordered_map<TaskId, std::pair<Clock::time_point, std::function<void()>>> tasks_;
  TaskId next_id_ = 1;
  bool stopping_ = false;
  Clock::duration skipped_{0};  // advance()d so far
  std::thread thread_;
};

}  // namespace argon::app
