#pragma once
// The event bus between nodes (bus.hpp) on NATS (`nats-server`, libnats).
//
// Subjects: committed events go out on `argon.ev.<stream>` (one message per operation and
// stream, the records as a JSON array), broadcasts on `argon.bc.<topic>`, requests to one node on
// `argon.rq.<node id>.<topic>`. A node does not hear its own messages back (no-echo): its own
// events and broadcasts are delivered locally at once, through the same ordering delivery as the
// in-process bus (LocalEventBus: each stream's events in seq order, held ≤ a few ms for a missing
// one). NATS core keeps nothing: a node that is disconnected, or slow, misses messages — the
// event log stays the truth, and subscribers repair gaps from it (the hub also polls the log
// while live() is false and checks for missed trailing events every few seconds).
//
// If the server is unreachable at start or later, the bus keeps trying to (re)connect forever in
// the background; publishing meanwhile is buffered by libnats up to its reconnect buffer, then
// dropped (and counted).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "argon/events/bus.hpp"

struct __natsConnection;
struct __natsSubscription;

namespace argon::events {

struct NatsBusOptions {
  std::string url;   // nats://HOST:PORT (a comma-separated list is allowed)
  int node_id = 0;   // this node's id: requests addressed to it arrive here
  std::string name;  // the connection's name, as the NATS server shows it
  std::chrono::milliseconds reconnect_wait{250};
  std::chrono::milliseconds hold{20};  // see LocalEventBus
};

class NatsEventBus final : public EventBus {
 public:
  // Starts connecting (in the background if the server does not answer now). Throws
  // std::runtime_error on an invalid URL.
  explicit NatsEventBus(NatsBusOptions options);
  ~NatsEventBus() override;  // stop()
  NatsEventBus(const NatsEventBus&) = delete;
  NatsEventBus& operator=(const NatsEventBus&) = delete;

  void publish(std::vector<EventRecord> records) override;
  SubscriptionId subscribe(Subscriber subscriber) override;
  void unsubscribe(SubscriptionId id) override;
  bool clustered() const override { return true; }
  bool live() const override { return connected_.load(); }
  void broadcast(const std::string& topic, const std::string& payload) override;
  SubscriptionId on_broadcast(const std::string& topic, BroadcastHandler handler) override;
  void request(int node_id, const std::string& topic, const std::string& payload,
               std::chrono::milliseconds timeout, ReplyHandler done) override;
  void on_request(const std::string& topic, RequestHandler handler) override;

  // Waits until what was published locally has been delivered locally (tests).
  void flush() { local_.flush(); }
  // Closes the connection (pending requests answer nullopt) and stops delivering. Idempotent.
  void stop();

  struct Stats {
    std::uint64_t sent = 0;      // event messages published to NATS
    std::uint64_t received = 0;  // event messages from other nodes
    std::uint64_t send_failures = 0;
    std::uint64_t disconnects = 0;
  };
  Stats stats() const;

  // Callbacks from libnats (public for the C trampolines only).
  void on_event_message(const char* data, int length);
  void on_broadcast_message(const std::string& subject, const char* data, int length);
  void on_request_message(const std::string& subject, const std::string& reply, const char* data,
                          int length);
  void on_connection_change(bool connected);
  void on_callbacks_done();  // a closed or a subscription's completion callback

 private:
  void publish_raw(const std::string& subject, const std::string& data);
  void expect_callbacks_done(int count);
  // Counts the subscription's completion callback, which stop() waits for.
  void watch_completion(__natsSubscription* sub);

  NatsBusOptions options_;
  LocalEventBus local_;
  __natsConnection* connection_ = nullptr;
  std::vector<__natsSubscription*> subscriptions_;
  std::mutex subscriptions_mutex_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> sent_{0}, received_{0}, send_failures_{0}, disconnects_{0};
  std::atomic<int> requests_in_flight_{0};
  // Callbacks that stop() waits for: the connection's closed one, each subscription's completion.
  std::mutex callbacks_mutex_;
  std::condition_variable callbacks_done_cv_;
  int callbacks_pending_ = 0;
};

// Encodes / decodes the records of one event message (JSON). Decoding returns nothing for a
// malformed message.
std::string encode_records(const std::vector<EventRecord>& records);
std::vector<EventRecord> decode_records(std::string_view data);

}  // namespace argon::events
