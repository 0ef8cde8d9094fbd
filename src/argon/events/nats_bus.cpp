#include "argon/events/nats_bus.hpp"

#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace argon::events {
namespace json = boost::json;

namespace {
constexpr const char* kEventPrefix = "argon.ev.";
constexpr const char* kBroadcastPrefix = "argon.bc.";
constexpr const char* kRequestPrefix = "argon.rq.";

void on_event(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  static_cast<NatsEventBus*>(closure)->on_event_message(natsMsg_GetData(msg),
                                                        natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}
void on_broadcast_msg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  static_cast<NatsEventBus*>(closure)->on_broadcast_message(
      natsMsg_GetSubject(msg), natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}
void on_request_msg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  const char* reply = natsMsg_GetReply(msg);
  static_cast<NatsEventBus*>(closure)->on_request_message(natsMsg_GetSubject(msg),
                                                          reply ? reply : "", natsMsg_GetData(msg),
                                                          natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}
void on_disconnected(natsConnection*, void* closure) {
  static_cast<NatsEventBus*>(closure)->on_connection_change(false);
}
void on_connected(natsConnection*, void* closure) {
  static_cast<NatsEventBus*>(closure)->on_connection_change(true);
}
// The last calls libnats makes with the bus as closure: the connection's closed callback (after
// its disconnected one, on the same thread) and each subscription's completion.
void on_closed(natsConnection*, void* closure) {
  static_cast<NatsEventBus*>(closure)->on_callbacks_done();
}
void on_subscription_complete(void* closure) {
  static_cast<NatsEventBus*>(closure)->on_callbacks_done();
}
void on_async_error(natsConnection*, natsSubscription*, natsStatus err, void*) {
  // e.g. a slow consumer dropping messages: the subscribers' gap repair reads the log.
  spdlog::warn("bus: nats: {}", natsStatus_GetText(err));
}

void check(natsStatus s, const char* what) {
  if (s != NATS_OK)
    throw std::runtime_error(std::string("bus: ") + what + ": " + natsStatus_GetText(s));
}
}  // namespace

std::string encode_records(const std::vector<EventRecord>& records) {
  json::array out;
  out.reserve(records.size());
  for (const auto& r : records) {
    json::object o{{"s", r.stream}, {"q", r.seq},     {"g", r.gseq},
                   {"t", r.type},   {"p", r.payload}, {"c", r.created_at_ms}};
    if (r.space_id) o["sp"] = r.space_id->str();
    out.push_back(std::move(o));
  }
  return json::serialize(out);
}

std::vector<EventRecord> decode_records(std::string_view data) {
  std::vector<EventRecord> out;
  boost::system::error_code ec;
  auto value = json::parse(data, ec);
  if (ec || !value.is_array()) return {};
  for (const auto& item : value.as_array()) {
    const auto* o = item.if_object();
    if (!o) return {};
    const auto *s = o->if_contains("s"), *q = o->if_contains("q"), *g = o->if_contains("g"),
               *t = o->if_contains("t"), *p = o->if_contains("p"), *c = o->if_contains("c");
    if (!s || !s->is_string() || !q || !q->is_int64() || !g || !g->is_int64() || !t ||
        !t->is_string() || !p || !p->is_string() || !c || !c->is_int64())
      return {};
    EventRecord r;
    r.stream = std::string(s->get_string());
    r.seq = q->get_int64();
    r.gseq = g->get_int64();
    r.type = std::string(t->get_string());
    r.payload = std::string(p->get_string());
    r.created_at_ms = c->get_int64();
    if (const auto* sp = o->if_contains("sp"); sp && sp->is_string()) {
      r.space_id = Uuid::parse(sp->get_string());
      if (!r.space_id) return {};
    }
    out.push_back(std::move(r));
  }
  return out;
}

NatsEventBus::NatsEventBus(NatsBusOptions options)
    : options_(std::move(options)), local_(options_.hold) {
  natsOptions* opts = nullptr;
  check(natsOptions_Create(&opts), "options");
  struct Free {
    natsOptions* o;
    ~Free() { natsOptions_Destroy(o); }
  } free_opts{opts};
  check(natsOptions_SetServers(opts, nullptr, 0), "servers");
  check(natsOptions_SetURL(opts, options_.url.c_str()), "invalid bus URL");
  if (!options_.name.empty()) natsOptions_SetName(opts, options_.name.c_str());
  natsOptions_SetNoEcho(opts, true);  // our own messages are delivered locally already
  natsOptions_SetMaxReconnect(opts, -1);
  natsOptions_SetReconnectWait(opts, options_.reconnect_wait.count());
  natsOptions_SetReconnectBufSize(opts, 32 * 1024 * 1024);
  natsOptions_SetTimeout(opts, 2000);
  natsOptions_SetPingInterval(opts, 2000);
  natsOptions_SetMaxPingsOut(opts, 2);
  natsOptions_SetDisconnectedCB(opts, on_disconnected, this);
  natsOptions_SetReconnectedCB(opts, on_connected, this);
  natsOptions_SetErrorHandler(opts, on_async_error, this);
  natsOptions_SetClosedCB(opts, on_closed, this);
  // Not reachable now: keep trying in the background; the node serves meanwhile.
  natsOptions_SetRetryOnFailedConnect(opts, true, on_connected, this);
  natsStatus s = natsConnection_Connect(&connection_, opts);
  if (connection_) expect_callbacks_done(1);  // its closed callback
  if (s == NATS_OK) {
    connected_ = true;
  } else if (s == NATS_NOT_YET_CONNECTED) {
    spdlog::warn("bus: nats {} is not reachable yet; retrying in the background", options_.url);
  } else {
    throw std::runtime_error(std::string("bus: cannot use ") + options_.url + ": " +
                             natsStatus_GetText(s));
  }
  auto subscribe_to = [&](const std::string& subject, natsMsgHandler handler) {
    natsSubscription* sub = nullptr;
    check(natsConnection_Subscribe(&sub, connection_, subject.c_str(), handler, this), "subscribe");
    watch_completion(sub);
    // Generous limits: a burst is better buffered than dropped (a drop costs a log read).
    natsSubscription_SetPendingLimits(sub, 1'000'000, 512 * 1024 * 1024);
    std::lock_guard lock(subscriptions_mutex_);
    subscriptions_.push_back(sub);
  };
  subscribe_to(std::string(kEventPrefix) + ">", on_event);
  subscribe_to(std::string(kBroadcastPrefix) + ">", on_broadcast_msg);
  spdlog::info("bus: nats url={} node_id={} connected={}", options_.url, options_.node_id,
               connected_.load());
}

NatsEventBus::~NatsEventBus() {
  stop();
}

void NatsEventBus::stop() {
  if (stopped_.exchange(true)) return;
  // Requests in flight hold the connection: let them finish (each is bounded by its timeout).
  while (requests_in_flight_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    std::lock_guard lock(subscriptions_mutex_);
    for (auto* sub : subscriptions_) natsSubscription_Destroy(sub);
    subscriptions_.clear();
  }
  if (connection_) natsConnection_Close(connection_);
  // libnats calls back from its own threads even after the calls above return (the disconnected
  // callback, a message handler still running): wait for the last of those calls.
  {
    std::unique_lock lock(callbacks_mutex_);
    if (!callbacks_done_cv_.wait_for(lock, std::chrono::seconds(10),
                                     [&] { return callbacks_pending_ == 0; }))
      spdlog::warn("bus: nats {}: {} callbacks still pending at stop", options_.url,
                   callbacks_pending_);
  }
  if (connection_) {
    natsConnection_Destroy(connection_);
    connection_ = nullptr;
  }
  connected_ = false;
  local_.stop();
}

void NatsEventBus::expect_callbacks_done(int count) {
  std::lock_guard lock(callbacks_mutex_);
  callbacks_pending_ += count;
}

void NatsEventBus::on_callbacks_done() {
  std::lock_guard lock(callbacks_mutex_);
  --callbacks_pending_;
  callbacks_done_cv_.notify_all();
}

void NatsEventBus::watch_completion(__natsSubscription* sub) {
  expect_callbacks_done(1);
  if (natsSubscription_SetOnCompleteCB(sub, on_subscription_complete, this) != NATS_OK)
    expect_callbacks_done(-1);  // already closed: its handler is not called any more
}

void NatsEventBus::publish_raw(const std::string& subject, const std::string& data) {
  if (stopped_ || !connection_) return;
  natsStatus s = natsConnection_Publish(connection_, subject.c_str(), data.data(),
                                        static_cast<int>(data.size()));
  if (s != NATS_OK) {
    // Disconnected beyond the reconnect buffer, say: the other nodes' gap repair reads the log.
    if (send_failures_.fetch_add(1) % 1000 == 0)
      spdlog::warn("bus: publishing on {} failed: {}", subject, natsStatus_GetText(s));
  }
}

void NatsEventBus::publish(std::vector<EventRecord> records) {
  if (records.empty()) return;
  // One message per stream (subjects are per stream), in the operation's order.
  std::vector<std::pair<std::string, std::vector<EventRecord>>> by_stream;
  for (const auto& r : records) {
    auto it = std::find_if(by_stream.begin(), by_stream.end(),
                           [&](const auto& p) { return p.first == r.stream; });
    if (it == by_stream.end()) {
      by_stream.emplace_back(r.stream, std::vector<EventRecord>{r});
    } else {
      it->second.push_back(r);
    }
  }
  for (const auto& [stream, part] : by_stream) {
    publish_raw(kEventPrefix + stream, encode_records(part));
    sent_.fetch_add(1);
  }
  local_.publish(std::move(records));
}

EventBus::SubscriptionId NatsEventBus::subscribe(Subscriber subscriber) {
  return local_.subscribe(std::move(subscriber));
}

void NatsEventBus::unsubscribe(SubscriptionId id) {
  local_.unsubscribe(id);
}

void NatsEventBus::broadcast(const std::string& topic, const std::string& payload) {
  publish_raw(kBroadcastPrefix + topic, payload);
  local_.broadcast(topic, payload);  // this node's handlers (no echo from NATS)
}

EventBus::SubscriptionId NatsEventBus::on_broadcast(const std::string& topic,
                                                    BroadcastHandler handler) {
  return local_.on_broadcast(topic, std::move(handler));
}

void NatsEventBus::request(int node_id, const std::string& topic, const std::string& payload,
                           std::chrono::milliseconds timeout, ReplyHandler done) {
  if (node_id == options_.node_id) {
    local_.request(node_id, topic, payload, timeout, std::move(done));
    return;
  }
  // Counted before stopped_ is checked: stop() either sees this request and waits for it, or
  // this request sees stopped_ and never touches the connection.
  ++requests_in_flight_;
  if (stopped_ || !connection_) {
    --requests_in_flight_;
    done(std::nullopt);
    return;
  }
  // Requests are rare (voice kicks, hang-ups): a short-lived thread waits for each answer.
  std::string subject = std::string(kRequestPrefix) + std::to_string(node_id) + "." + topic;
  std::thread([this, subject, payload, timeout, done = std::move(done)] {
    natsMsg* reply = nullptr;
    natsStatus s = natsConnection_Request(&reply, connection_, subject.c_str(), payload.data(),
                                          static_cast<int>(payload.size()), timeout.count());
    std::optional<std::string> answer;
    if (s == NATS_OK && reply)
      answer.emplace(natsMsg_GetData(reply),
                     static_cast<std::size_t>(natsMsg_GetDataLength(reply)));
    if (reply) natsMsg_Destroy(reply);
    --requests_in_flight_;
    done(std::move(answer));
  }).detach();
}

void NatsEventBus::on_request(const std::string& topic, RequestHandler handler) {
  local_.on_request(topic, handler);
  natsSubscription* sub = nullptr;
  std::string subject =
      std::string(kRequestPrefix) + std::to_string(options_.node_id) + "." + topic;
  check(natsConnection_Subscribe(&sub, connection_, subject.c_str(), on_request_msg, this),
        "subscribe to requests");
  watch_completion(sub);
  std::lock_guard lock(subscriptions_mutex_);
  subscriptions_.push_back(sub);
}

void NatsEventBus::on_event_message(const char* data, int length) {
  auto records = decode_records(std::string_view(data, static_cast<std::size_t>(length)));
  if (records.empty()) {
    spdlog::warn("bus: an event message that does not decode was dropped");
    return;
  }
  received_.fetch_add(1);
  local_.publish(std::move(records));
}

void NatsEventBus::on_broadcast_message(const std::string& subject, const char* data, int length) {
  std::string topic = subject.substr(std::char_traits<char>::length(kBroadcastPrefix));
  // Delivered to this node's handlers only (never published again).
  local_.broadcast(topic, std::string(data, static_cast<std::size_t>(length)));
}

void NatsEventBus::on_request_message(const std::string& subject, const std::string& reply,
                                      const char* data, int length) {
  std::string prefix = std::string(kRequestPrefix) + std::to_string(options_.node_id) + ".";
  if (reply.empty() || subject.rfind(prefix, 0) != 0) return;
  std::string topic = subject.substr(prefix.size());
  local_.request(options_.node_id, topic, std::string(data, static_cast<std::size_t>(length)),
                 std::chrono::milliseconds(0), [this, reply](std::optional<std::string> answer) {
                   publish_raw(reply, answer.value_or(""));
                 });
}

void NatsEventBus::on_connection_change(bool connected) {
  bool before = connected_.exchange(connected);
  if (before == connected) return;
  if (stopped_) {
    // Our own close at shutdown: not an outage.
    spdlog::info("bus: nats {} closed", options_.url);
    return;
  }
  if (!connected) disconnects_.fetch_add(1);
  spdlog::log(connected ? spdlog::level::info : spdlog::level::warn, "bus: nats {} {}",
              options_.url, connected ? "connected" : "disconnected");
}

NatsEventBus::Stats NatsEventBus::stats() const {
  return {sent_.load(), received_.load(), send_failures_.load(), disconnects_.load()};
}

}  // namespace argon::events
