#pragma once
// Injectable delayed execution (typing expiry, stream catch-up, heartbeats, maintenance). The
// production implementation is a timer thread in app/; tests fire tasks by hand.
#include <cstdint>
#include <functional>

namespace argon {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  using TaskId = std::uint64_t;
  // Runs task after delay_ms (0 = as soon as possible) on a thread that may wait on the store.
  virtual TaskId schedule(std::int64_t delay_ms, std::function<void()> task) = 0;
  virtual void cancel(TaskId id) = 0;
};

}  // namespace argon
