#include <spdlog/spdlog.h>

#include "argon/events/bus.hpp"

namespace argon::events {

LocalEventBus::LocalEventBus() : thread_([this] { run(); }) {}

LocalEventBus::~LocalEventBus() {
  stop();
}

void LocalEventBus::publish(std::vector<EventRecord> records) {
  if (records.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(records));
    ++published_;
  }
  wake_.notify_one();
}

EventBus::SubscriptionId LocalEventBus::subscribe(Subscriber subscriber) {
  std::lock_guard lock(mutex_);
  SubscriptionId id = next_id_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void LocalEventBus::unsubscribe(SubscriptionId id) {
  std::unique_lock lock(mutex_);
  // Not while the delivery thread is inside a subscriber: afterwards it is never called again.
  if (std::this_thread::get_id() != thread_.get_id())
    idle_.wait(lock, [&] { return !delivering_; });
  subscribers_.erase(id);
}

void LocalEventBus::flush() {
  std::unique_lock lock(mutex_);
  std::uint64_t target = published_;
  idle_.wait(lock, [&] { return delivered_ >= target || stopped_; });
}

std::uint64_t LocalEventBus::published_batches() const {
  std::lock_guard lock(mutex_);
  return published_;
}

void LocalEventBus::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  idle_.notify_all();
}

void LocalEventBus::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued was delivered
    auto records = std::move(queue_.front());
    queue_.pop_front();
    delivering_ = true;
    // Subscribers are called outside the lock (they may publish); the map is only changed while
    // no delivery runs (unsubscribe waits), so iterating a copy of the ids is enough.
    std::vector<Subscriber*> targets;
    for (auto& [id, s] : subscribers_) targets.push_back(&s);
    lock.unlock();
    for (auto* s : targets) {
      try {
        (*s)(records);
      } catch (const std::exception& e) {
        spdlog::error("events: a bus subscriber threw: {}", e.what());
      }
    }
    lock.lock();
    delivering_ = false;
    ++delivered_;
    idle_.notify_all();
  }
}

}  // namespace argon::events
