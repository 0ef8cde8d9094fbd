// VoiceService: which node serves a room (docs/architecture.md "Voice across nodes"), the
// sockets of rooms served elsewhere (requests over the bus), the relay's callbacks (queued, one
// at a time), dead nodes, the periodic sweep, start and shutdown.
#include <spdlog/spdlog.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "argon/services/voice.hpp"

namespace argon::services {
namespace json = boost::json;

namespace {
constexpr const char* kKickTopic = "voice.kick";
constexpr const char* kPresentTopic = "voice.present";

std::string ws_of(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.starts_with("https://")) return "wss://" + base.substr(8);
  if (base.starts_with("http://")) return "ws://" + base.substr(7);
  return base;
}

struct SocketRequest {
  std::string room;
  Uuid user;
  std::uint16_t code = 1000;
  std::string reason;
};

std::string encode(const SocketRequest& r) {
  return json::serialize(json::object{{"room", r.room},
                                      {"user", r.user.str()},
                                      {"code", static_cast<std::int64_t>(r.code)},
                                      {"reason", r.reason}});
}

std::optional<SocketRequest> decode(const std::string& payload) {
  try {
    auto o = json::parse(payload).as_object();
    auto user = Uuid::parse(std::string(o.at("user").as_string()));
    if (!user) return std::nullopt;
    SocketRequest r{std::string(o.at("room").as_string()), *user, 1000, ""};
    if (auto* code = o.if_contains("code"); code && code->is_int64())
      r.code = static_cast<std::uint16_t>(code->as_int64());
    if (auto* reason = o.if_contains("reason"); reason && reason->is_string())
      r.reason = std::string(reason->as_string());
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}
}  // namespace

// Held by an admitted socket until it joined the relay (or its upgrade failed): the room is not
// given up while a socket is on its way in.
class VoiceService::RoomTicket {
 public:
  RoomTicket(VoiceService& voice, std::string room) : voice_(voice), room_(std::move(room)) {}
  ~RoomTicket() { voice_.ticket_done(room_); }
  RoomTicket(const RoomTicket&) = delete;
  RoomTicket& operator=(const RoomTicket&) = delete;

 private:
  VoiceService& voice_;
  std::string room_;
};

std::int64_t VoiceService::next_stamp() {
  std::lock_guard lock(mutex_);
  last_stamp_ = std::max(last_stamp_ + 1, ctx_.now_ms());
  return last_stamp_;
}

Task<Result<VoiceService::Placement>> VoiceService::place(std::string room, bool claim, bool hold) {
  const int me = settings_.node_id;
  // One node serves every room: nothing to claim, record or give up.
  if (!clustered_) co_return Placement{true, me, ws_base()};
  {
    std::lock_guard lock(mutex_);
    auto it = owned_.find(room);
    if (it != owned_.end()) {
      if (claim) it->second.active_ms = ctx_.now_ms();
      if (hold) ++it->second.pending;
      co_return Placement{true, me, ws_of(http_base_)};
    }
  }
  if (!claim) {
    auto owner = co_await rooms_->owner(room);
    if (!owner) co_return Placement{false, -1, ""};
    if (owner->node_id == me) co_return Placement{true, me, ws_base()};
    co_return Placement{false, owner->node_id, ws_of(owner->public_url)};
  }
  const std::int64_t stamp = next_stamp();
  auto batches = std::make_shared<std::deque<EventBatch>>();
  VoiceLeft left = leave_events(batches);
  auto owner = co_await rooms_->claim(room, me, stamp, left);
  if (!owner) co_return owner.error();
  if (owner->node_id != me) {
    std::string base = ws_of(owner->public_url);
    if (base.empty()) base = ws_base();  // it has not recorded its URL yet
    co_return Placement{false, owner->node_id, base};
  }
  std::lock_guard lock(mutex_);
  auto& o = owned_[room];
  o.stamp = std::max(o.stamp, owner->stamp);
  o.active_ms = ctx_.now_ms();
  if (hold) ++o.pending;
  co_return Placement{true, me, ws_of(http_base_)};
}

Task<Result<RoomEntry>> VoiceService::enter(std::string room) {
  auto placed = co_await place(room, true, true);
  if (!placed) co_return placed.error();
  if (!placed->mine) co_return RoomEntry{nullptr, placed->ws_base};
  co_return RoomEntry{std::make_shared<RoomTicket>(*this, room), ""};
}

void VoiceService::ticket_done(const std::string& room) {
  bool idle = false;
  {
    std::lock_guard lock(mutex_);
    auto it = owned_.find(room);
    if (it == owned_.end()) return;
    if (it->second.pending > 0) --it->second.pending;
    it->second.active_ms = ctx_.now_ms();
    idle = it->second.pending == 0 && relay_.room_empty(room) && !stopping_;
  }
  // An upgrade that failed: nobody came.
  if (idle) enqueue([this, room] { return maybe_release(room); });
}

Task<Status> VoiceService::maybe_release(std::string room) {
  std::int64_t stamp = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = owned_.find(room);
    if (it == owned_.end() || it->second.pending > 0 || !relay_.room_empty(room))
      co_return Status{};
    stamp = it->second.stamp;
    // Forgotten first: a socket arriving now claims it again (a newer stamp, which the release
    // below does not remove).
    owned_.erase(it);
  }
  bool released = co_await rooms_->release(room, settings_.node_id, stamp);
  if (!released) {  // people joined and not connected yet, or claimed again meanwhile
    std::lock_guard lock(mutex_);
    auto& o = owned_[room];
    o.stamp = std::max(o.stamp, stamp);
    if (o.active_ms == 0) o.active_ms = ctx_.now_ms();
  }
  co_return Status{};
}

// ---- sockets on the node serving a room --------------------------------------------------------

Task<std::optional<std::string>> VoiceService::ask(int node_id, std::string topic,
                                                   std::string payload) {
  if (!ctx_.bus) co_return std::nullopt;
  events::BusRequest request(*ctx_.bus, node_id, std::move(topic), std::move(payload),
                             std::chrono::milliseconds(settings_.request_timeout_ms));
  auto answer = co_await request;
  co_return answer;
}

Task<std::optional<bool>> VoiceService::kick_on_owner(std::string room, Uuid who,
                                                      std::uint16_t code, std::string reason) {
  auto placed = co_await place(room, false, false);
  if (!placed) co_return std::nullopt;
  if (placed->mine || placed->node_id < 0) co_return relay_.kick(room, who, code, reason);
  SocketRequest request{room, who, code, reason};
  std::string payload = encode(request);
  auto answer = co_await ask(placed->node_id, kKickTopic, payload);
  if (!answer) {
    spdlog::warn("voice: node {} did not answer a kick in {}", placed->node_id, room);
    co_return std::nullopt;
  }
  co_return *answer == "1";
}

Task<std::optional<bool>> VoiceService::present_on_owner(std::string room, Uuid who) {
  auto placed = co_await place(room, false, false);
  if (!placed) co_return std::nullopt;
  if (placed->mine || placed->node_id < 0) co_return relay_.in_room(room, who);
  SocketRequest request{room, who, 1000, ""};
  std::string payload = encode(request);
  auto answer = co_await ask(placed->node_id, kPresentTopic, payload);
  if (!answer) co_return std::nullopt;
  co_return *answer == "1";
}

// ---- the relay's callbacks ---------------------------------------------------------------------

void VoiceService::on_room_joined(const std::string& room, const Uuid& identity) {
  if (!parse_voice_room(room)) return;  // calls have no voiceJoin
  enqueue([this, room, identity] { return relay_joined(room, identity); });
}

Task<Status> VoiceService::relay_joined(std::string room, Uuid identity) {
  auto joined = co_await presence(true, room, identity);  // announced unless joined already
  if (!joined) co_return joined.error();
  co_return Status{};
}

void VoiceService::on_room_left(const std::string& room, const Uuid& identity) {
  enqueue([this, room, identity] { return relay_left(room, identity); });
}

Task<Status> VoiceService::relay_left(std::string room, Uuid identity) {
  if (parse_voice_room(room)) {
    // A person's socket dropping ends their presence too.
    auto left = co_await presence(false, room, identity);
    if (!left) spdlog::warn("voice: leaving {} failed: {}", room, left.error().code);
  } else if (auto call_id = parse_call_room(room)) {
    // In a call, leaving (closing the last socket) is hanging up.
    (void)co_await end_call(*call_id, "hung_up", call_states(CallState::Accepted));
  }
  (void)co_await maybe_release(room);
  co_return Status{};
}

void VoiceService::enqueue(std::function<Task<Status>()> job) {
  {
    std::lock_guard lock(queue_mutex_);
    jobs_.push_back(std::move(job));
    if (draining_) return;
    draining_ = true;
  }
  // Relay callbacks run on network threads: the work happens elsewhere, in order.
  start_background(
      ctx_, [this] { return drain(); }, "voice room change");
}

Task<Status> VoiceService::drain() {
  for (;;) {
    std::function<Task<Status>()> job;
    {
      std::lock_guard lock(queue_mutex_);
      if (jobs_.empty()) {
        draining_ = false;
        queue_idle_.notify_all();
        co_return Status{};
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      Status done = co_await job();
      if (!done) spdlog::warn("voice: a room change failed: {}", done.error().code);
    } catch (const std::exception& e) {
      spdlog::warn("voice: a room change failed: {}", e.what());
    }
  }
}

bool VoiceService::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(queue_mutex_);
  return queue_idle_.wait_for(lock, timeout, [this] { return !draining_ && jobs_.empty(); });
}

// ---- several nodes -----------------------------------------------------------------------------

void VoiceService::start(NodeRegistry* nodes) {
  if (!clustered_) return;  // one node: every room is served here
  try {
    // Another node asks about a room this node serves: answered on the bus's thread, at once.
    ctx_.bus->on_request(kKickTopic, [this](const std::string& payload) -> std::string {
      auto r = decode(payload);
      if (!r) return "0";
      return relay_.kick(r->room, r->user, r->code, r->reason) ? "1" : "0";
    });
    ctx_.bus->on_request(kPresentTopic, [this](const std::string& payload) -> std::string {
      auto r = decode(payload);
      return r && relay_.in_room(r->room, r->user) ? "1" : "0";
    });
  } catch (const std::exception& e) {
    spdlog::error("voice: cannot answer other nodes' requests: {}", e.what());
  }
  // An earlier process with this node id served these rooms: nobody is connected to them now.
  try {
    Status released = sync_wait(release_rooms_of(settings_.node_id, false));
    if (!released) spdlog::warn("voice: releasing earlier rooms failed: {}", released.error().code);
  } catch (const std::exception& e) {
    spdlog::warn("voice: releasing earlier rooms failed: {}", e.what());
  }
  if (nodes)
    nodes->on_dead_nodes([this](const std::vector<int>& dead) {
      Status done = sync_wait(release_dead_nodes(dead));
      if (!done) spdlog::warn("voice: cleaning up after dead nodes failed: {}", done.error().code);
    });
  schedule_sweep();
}

Task<Status> VoiceService::release_rooms_of(int node_id, bool only_if_dead) {
  auto batches = std::make_shared<std::deque<EventBatch>>();
  VoiceLeft left = leave_events(batches);
  auto rooms = co_await rooms_->release_node(node_id, only_if_dead, left);
  if (!rooms) co_return rooms.error();
  std::vector<std::string> released = *rooms;
  if (!released.empty())
    spdlog::info("voice: released {} room(s) of node {}", released.size(), node_id);
  for (const auto& room : released) {
    if (node_id == settings_.node_id) {
      std::lock_guard lock(mutex_);
      owned_.erase(room);
    }
    // A call whose room is gone with its node is over.
    if (auto call_id = parse_call_room(room))
      (void)co_await end_call(*call_id, "ended", call_states(CallState::Accepted));
  }
  co_return Status{};
}

Task<Status> VoiceService::release_dead_nodes(std::vector<int> node_ids) {
  Status result;
  for (int id : node_ids) {
    if (id == settings_.node_id) continue;
    Status done = co_await release_rooms_of(id, true);
    if (!done) result = done;
  }
  co_return result;
}

void VoiceService::schedule_sweep() {
  std::lock_guard lock(mutex_);
  if (stopping_ || !ctx_.scheduler) return;
  sweep_task_ = ctx_.scheduler->schedule(settings_.sweep_interval_ms, [this] {
    schedule_sweep();
    start_background(
        ctx_, [this] { return sweep(); }, "voice sweep");
  });
}

Task<Status> VoiceService::sweep() {
  // Ringing calls whose time is over (their node's timer normally ends them first; this is for
  // calls whose node is gone). Exactly once across nodes: one UPDATE … RETURNING decides.
  const std::int64_t now = ctx_.now_ms();
  // Several calls in one transaction: a batch each (a rolled-back attempt's never publish).
  auto batches = std::make_shared<std::deque<EventBatch>>();
  CallChange also = [this, batches, now](store::Connection& c, const CallRecord& call) -> Status {
    batches->emplace_back(ctx_);
    EventBatch& batch = batches->back();
    json::object payload{{"callId", call.id.str()}};
    batch.append(c, events::bot_stream(call.callee), "callEnded", std::nullopt,
                 json::serialize(payload), now);
    payload["reason"] = "timeout";
    batch.append(c, events::user_stream(call.caller), "callEnded", std::nullopt,
                 json::serialize(payload), now);
    return {};
  };
  auto expired = co_await calls_->expire(now, also);
  if (!expired) spdlog::warn("voice: ending calls that rang out failed: {}", expired.error().code);

  // People who joined a room served here and never connected, whose join's node did not leave
  // them after the grace (it died meanwhile).
  bool serving = false;
  {
    std::lock_guard lock(mutex_);
    serving = !owned_.empty();
  }
  if (serving) {
    const std::int64_t joined_before = now - settings_.join_grace_ms;
    const int me = settings_.node_id;
    auto stale = co_await ctx_.db.read([&](store::Connection& c) {
      std::vector<std::pair<std::string, Uuid>> out;
      for (const auto& r :
           c.query("SELECT m.room, m.user_id FROM voice_members m JOIN voice_rooms r"
                   " ON r.room = m.room WHERE r.node_id = $1 AND m.joined_at < $2",
                   {std::int64_t{me}, joined_before}))
        if (auto who = Uuid::parse(r.text(1))) out.emplace_back(r.text(0), *who);
      return out;
    });
    for (const auto& [room, who] : stale)
      if (!relay_.in_room(room, who)) (void)co_await presence(false, room, who);
  }

  // Rooms claimed (a token handed out) that nobody used within the join grace.
  std::vector<std::string> idle;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [room, o] : owned_)
      if (o.pending == 0 && now - o.active_ms >= settings_.join_grace_ms && relay_.room_empty(room))
        idle.push_back(room);
  }
  for (const auto& room : idle) (void)co_await maybe_release(room);
  co_return Status{};
}

void VoiceService::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (ctx_.scheduler && sweep_task_) ctx_.scheduler->cancel(sweep_task_);
  }
  // The sockets the server just closed queued their leaves.
  if (!wait_idle(std::chrono::seconds(5)))
    spdlog::warn("voice: room changes still queued at shutdown");
  if (!clustered_) return;
  try {
    Status released = sync_wait(release_rooms_of(settings_.node_id, false));
    if (!released) spdlog::warn("voice: releasing rooms failed: {}", released.error().code);
  } catch (const std::exception& e) {
    spdlog::warn("voice: releasing rooms failed: {}", e.what());
  }
}

}  // namespace argon::services
