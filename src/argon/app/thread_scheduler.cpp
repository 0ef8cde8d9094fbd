#include "argon/app/thread_scheduler.hpp"

#include <spdlog/spdlog.h>

namespace argon::app {

ThreadScheduler::ThreadScheduler() : thread_([this] { run(); }) {}

ThreadScheduler::~ThreadScheduler() {
  stop();
}

Scheduler::TaskId ThreadScheduler::schedule(std::int64_t delay_ms, std::function<void()> task) {
  std::unique_lock lock(mutex_);
  auto when = now() + std::chrono::milliseconds(delay_ms < 0 ? 0 : delay_ms);
  if (stopping_) {
    // Stopped: the task never runs; what it holds goes now, on the caller's thread, while the
    // objects it may reference still exist (not when the scheduler is destroyed, last).
    lock.unlock();
    task = nullptr;
    return 0;
  }
  TaskId id = next_id_++;
  tasks_.emplace(id, std::make_pair(when, std::move(task)));
  due_.emplace(when, id);
  wake_.notify_one();
  return id;
}

void ThreadScheduler::cancel(TaskId id) {
  std::lock_guard lock(mutex_);
  tasks_.erase(id);  // its entry in due_ is skipped when it comes up
}

void ThreadScheduler::advance(std::int64_t ms) {
  if (ms <= 0) return;
  std::lock_guard lock(mutex_);
  skipped_ += std::chrono::milliseconds(ms);
  wake_.notify_all();
}

void ThreadScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  // Drop the pending tasks now, not at destruction: what they hold (streams, sockets) must go
  // while the server that owns those sockets still exists.
  std::unordered_map<TaskId, std::pair<Clock::time_point, std::function<void()>>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(tasks_);
    due_.clear();
  }
}

void ThreadScheduler::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto next = due_.begin();
    if (next->first > now()) {
      wake_.wait_until(lock, next->first - skipped_);
      continue;
    }
    TaskId id = next->second;
    due_.erase(next);
    auto it = tasks_.find(id);
    if (it == tasks_.end()) continue;  // cancelled
    auto task = std::move(it->second.second);
    tasks_.erase(it);
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("scheduler: task failed error=\"{}\"", e.what());
    }
    lock.lock();
  }
}

}  // namespace argon::app
