#pragma once
// The event bus seam (DESIGN.md "Many nodes"): after an operation's transaction committed, its
// events are published here (services register the publication as the transaction's
// after-commit hook, so one node publishes in commit order); hubs subscribe and deliver to their
// streams. The log stays the source of truth: a subscriber that sees a gap in a stream's sequence
// (a message lost or reordered in transit, an event committed by another process) reads the
// missing events from the log, so a bus may drop or reorder without loss.
//
// LocalEventBus is the in-process bus of one node; NatsEventBus (nats_bus.hpp) connects nodes and
// implements the same interface. Besides events, the bus carries small control messages between
// nodes: broadcasts (to every node, this one included) and requests to one node.
#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "argon/domain/task.hpp"
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
  // After this returns the subscriber is not running and will not be called again. Also ends
  // an on_broadcast handler (given its id).
  virtual void unsubscribe(SubscriptionId id) = 0;

  // ---- between nodes ---------------------------------------------------------------------------
  // Whether there are other nodes behind this bus at all (false for the in-process bus).
  virtual bool clustered() const { return false; }
  // Whether events committed by other nodes arrive live right now. While false, subscribers poll
  // the log instead (the hub does).
  virtual bool live() const { return true; }
  // `topic` (a word of [a-z0-9_.]) with a payload, to every node's handlers, this node's
  // included (on the bus's delivery thread). Best effort: a disconnected node misses it, so users
  // keep a bounded fallback (a short cache TTL, a store sweep).
  using BroadcastHandler = std::function<void(const std::string& payload)>;
  virtual void broadcast(const std::string& topic, const std::string& payload) = 0;
  virtual SubscriptionId on_broadcast(const std::string& topic, BroadcastHandler handler) = 0;
  // A request to the node `node_id` answered by its handler for `topic`: done(answer), or
  // done(nullopt) when no node answered within the timeout. Called on a bus thread.
  using RequestHandler = std::function<std::string(const std::string& payload)>;
  using ReplyHandler = std::function<void(std::optional<std::string> answer)>;
  virtual void request(int node_id, const std::string& topic, const std::string& payload,
                       std::chrono::milliseconds timeout, ReplyHandler done) = 0;
  virtual void on_request(const std::string& topic, RequestHandler handler) = 0;
};

// Awaits a request to another node over the bus; resumes on the awaiting executor.
class BusRequest {
 public:
  BusRequest(EventBus& bus, int node_id, std::string topic, std::string payload,
             std::chrono::milliseconds timeout)
      : bus_(bus),
        node_id_(node_id),
        topic_(std::move(topic)),
        payload_(std::move(payload)),
        timeout_(timeout) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    Executor* executor = current_executor();
    // Copies: the answer may come (and this frame resume) before request() returns.
    std::string topic = topic_;
    std::string payload = payload_;
    EventBus& bus = bus_;
    bus.request(node_id_, topic, payload, timeout_,
                [this, h, executor](std::optional<std::string> answer) {
                  answer_ = std::move(answer);
                  resume_on(executor, h);
                });
  }
  std::optional<std::string> await_resume() { return std::move(answer_); }

 private:
  EventBus& bus_;
  int node_id_;
  std::string topic_;
  std::string payload_;
  std::chrono::milliseconds timeout_;
  std::optional<std::string> answer_;
};

// In-process bus. It also puts each stream's events back in seq order: operations that commit
// on different connections (PostgreSQL) may publish a stream's events out of order, and an event
// that does not continue its stream would send every stream following it back to the log. Such
// an event is held (at most hold_ms) until the missing ones arrive; after that it is delivered
// anyway and the subscribers' gap repair reads the log.
class LocalEventBus final : public EventBus {
 public:
  explicit LocalEventBus(std::chrono::milliseconds hold = std::chrono::milliseconds(20));
  ~LocalEventBus() override;  // stop()

  void publish(std::vector<EventRecord> records) override;
  SubscriptionId subscribe(Subscriber subscriber) override;
  void unsubscribe(SubscriptionId id) override;
  // One node: a broadcast reaches this node's handlers; a request is answered by this node's
  // handler whatever node id it names (there is no other node).
  void broadcast(const std::string& topic, const std::string& payload) override;
  SubscriptionId on_broadcast(const std::string& topic, BroadcastHandler handler) override;
  void request(int node_id, const std::string& topic, const std::string& payload,
               std::chrono::milliseconds timeout, ReplyHandler done) override;
  void on_request(const std::string& topic, RequestHandler handler) override;

  // Waits until every event published before the call has been handed to the subscribers (held
  // ones included: a flush releases them), and every broadcast and request so far was handled.
  void flush();
  // Delivers what is queued, then stops the delivery thread; later publishes are dropped.
  void stop();
  std::uint64_t published_batches() const;
  // Events that arrived ahead of their stream's sequence and were delivered in order, and those
  // released after waiting hold_ms for a missing one (for tests and metrics).
  std::uint64_t reordered() const;
  std::uint64_t released_with_gap() const;

 private:
  using SteadyClock = std::chrono::steady_clock;
  struct StreamOrder {
    std::int64_t next = 0;                     // the seq that continues the stream; 0: unknown
    std::map<std::int64_t, EventRecord> held;  // arrived ahead of `next`
    SteadyClock::time_point held_since{};
    SteadyClock::time_point last_seen{};
  };
  void run();
  // Under mutex_: puts a batch in order; what may go now is appended to `ready`.
  void order(std::vector<EventRecord> batch, std::vector<EventRecord>& ready);
  // Under mutex_: releases held events older than the hold (all of them when `all`).
  void release_held(bool all, std::vector<EventRecord>& ready);
  SteadyClock::time_point next_deadline() const;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::vector<EventRecord>> queue_;
  std::deque<std::function<void()>> calls_;  // broadcasts and requests, run on the bus thread
  std::map<SubscriptionId, std::pair<std::string, BroadcastHandler>> broadcast_handlers_;
  std::map<std::string, RequestHandler> request_handlers_;
  std::map<SubscriptionId, Subscriber> subscribers_;
  SubscriptionId next_id_ = 1;
  std::uint64_t published_ = 0;
  std::uint64_t delivered_ = 0;
  std::chrono::milliseconds hold_;
  std::unordered_map<std::string, StreamOrder> streams_;
  std::size_t held_count_ = 0;
  bool release_all_ = false;  // a flush asked for the held events
  bool calling_ = false;      // a broadcast or request handler is running
  std::uint64_t reordered_ = 0;
  std::uint64_t released_with_gap_ = 0;
  SteadyClock::time_point next_sweep_{};
  bool delivering_ = false;  // the delivery thread is inside a subscriber
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace argon::events
