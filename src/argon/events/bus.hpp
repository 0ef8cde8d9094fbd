#pragma once
// The event bus seam (DESIGN.md "Many nodes"): after an operation's transaction committed, its
// events are published here (services register the publication as the transaction's
// after-commit hook, so one node publishes in commit order); hubs subscribe and deliver to their
// streams. The log stays the source of truth: a subscriber that sees a gap in a stream's sequence
// (a message lost or reordered in transit, an event committed by another process) reads the
// missing events from the log, so a bus may drop or reorder without loss.
//
// LocalEventBus is the in-process bus of one node; a cluster bus (NATS) implements the same
// interface.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "argon/events/event_log.hpp"

namespace argon::events {

class EventBus {
 public:
  using Subscriber = std::function<void(const std::vector<EventRecord>&)>;
  using SubscriptionId = std::uint64_t;

  virtual ~EventBus() = default;
  // One committed operation's events, in the order it appended them. Cheap and non-blocking:
  // it is called on the store's commit path.
  virtual void publish(std::vector<EventRecord> records) = 0;
  // Every batch published from now on, in publish order, on the bus's delivery thread (never on
  // the publisher's). A subscriber must not block for long; it may not unsubscribe itself.
  virtual SubscriptionId subscribe(Subscriber subscriber) = 0;
  // After this returns the subscriber is not running and will not be called again.
  virtual void unsubscribe(SubscriptionId id) = 0;
};

class LocalEventBus final : public EventBus {
 public:
  LocalEventBus();
  ~LocalEventBus() override;  // stop()

  void publish(std::vector<EventRecord> records) override;
  SubscriptionId subscribe(Subscriber subscriber) override;
  void unsubscribe(SubscriptionId id) override;

  // Waits until every batch published before the call has been handed to the subscribers.
  void flush();
  // Delivers what is queued, then stops the delivery thread; later publishes are dropped.
  void stop();
  std::uint64_t published_batches() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::vector<EventRecord>> queue_;
  std::map<SubscriptionId, Subscriber> subscribers_;
  SubscriptionId next_id_ = 1;
  std::uint64_t published_ = 0;
  std::uint64_t delivered_ = 0;
  bool delivering_ = false;  // the delivery thread is inside a subscriber
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace argon::events
