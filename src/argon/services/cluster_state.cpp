#include "argon/services/cluster_state.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>

namespace argon::services {

// ---- typing ------------------------------------------------------------------------------------

StoreTypingTimers::StoreTypingTimers(Context& ctx, std::int64_t sweep_interval_ms,
                                     std::int64_t grace_ms)
    : ctx_(ctx), sweep_interval_ms_(sweep_interval_ms), grace_ms_(grace_ms) {
  schedule_sweep();
}

StoreTypingTimers::~StoreTypingTimers() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  if (ctx_.scheduler && sweep_task_) ctx_.scheduler->cancel(sweep_task_);
}

void StoreTypingTimers::set_on_expire(OnExpire on_expire) {
  std::lock_guard lock(mutex_);
  on_expire_ = std::move(on_expire);
}

void StoreTypingTimers::ended(const Key& key, const Uuid& space_id) {
  OnExpire on_expire;
  {
    std::lock_guard lock(mutex_);
    on_expire = on_expire_;
  }
  if (on_expire) on_expire(key, space_id);
}

Task<void> StoreTypingTimers::arm(Key key, Uuid space_id, std::int64_t expiry_ms) {
  const std::int64_t expires_at = ctx_.now_ms() + expiry_ms;
  auto generation = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::int64_t> {
    auto row = c.query_one(
        "INSERT INTO typing_sessions (channel_id, user_id, space_id, generation, expires_at)"
        " VALUES ($1, $2, $3, 1, $4) ON CONFLICT (channel_id, user_id) DO UPDATE SET"
        " space_id = excluded.space_id, generation = typing_sessions.generation + 1,"
        " expires_at = excluded.expires_at RETURNING generation",
        {key.channel_id.str(), key.user_id.str(), space_id.str(), expires_at});
    return row->i64(0);
  });
  if (!generation) {
    spdlog::warn("typing: arming a session failed: {}", generation.error().code);
    co_return;
  }
  if (!ctx_.scheduler) co_return;
  std::int64_t g = *generation;
  ctx_.scheduler->schedule(expiry_ms, [this, key, g] {
    start_background(
        ctx_, [this, key, g] { return expire(key, g); }, "typing expiry");
  });
}

Task<Status> StoreTypingTimers::expire(Key key, std::int64_t generation) {
  // Only the generation this timer armed: a newer Start (on any node) re-armed it.
  auto space = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::optional<Uuid>> {
    auto row = c.query_one(
        "DELETE FROM typing_sessions WHERE channel_id = $1 AND user_id = $2 AND generation = $3"
        " RETURNING space_id",
        {key.channel_id.str(), key.user_id.str(), generation});
    if (!row) return std::optional<Uuid>();
    return Uuid::parse(row->text(0));
  });
  if (!space) co_return space.error();
  if (*space) ended(key, **space);
  co_return Status{};
}

Task<std::optional<Uuid>> StoreTypingTimers::disarm(Key key) {
  auto space = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::optional<Uuid>> {
    auto row = c.query_one(
        "DELETE FROM typing_sessions WHERE channel_id = $1 AND user_id = $2 RETURNING space_id",
        {key.channel_id.str(), key.user_id.str()});
    if (!row) return std::optional<Uuid>();
    return Uuid::parse(row->text(0));
  });
  if (!space) co_return std::nullopt;  // the store is unavailable: no stop now
  co_return *space;
}

std::size_t StoreTypingTimers::active() const {
  return static_cast<std::size_t>(ctx_.db.read_now([](store::Connection& c) {
    return c.query_one("SELECT COUNT(*) FROM typing_sessions")->i64(0);
  }));
}

std::size_t StoreTypingTimers::sweep_overdue() {
  const std::int64_t cutoff = ctx_.now_ms() - grace_ms_;
  std::vector<std::pair<Key, Uuid>> overdue;
  auto done = ctx_.db.transact_now([&](store::Connection& c) -> Status {
    overdue.clear();
    for (const auto& r : c.query("DELETE FROM typing_sessions WHERE expires_at < $1"
                                 " RETURNING channel_id, user_id, space_id",
                                 {cutoff})) {
      auto channel = Uuid::parse(r.text(0));
      auto user = Uuid::parse(r.text(1));
      auto space = Uuid::parse(r.text(2));
      if (channel && user && space) overdue.push_back({Key{*channel, *user}, *space});
    }
    return {};
  });
  if (!done) return 0;
  for (const auto& [key, space] : overdue) ended(key, space);
  return overdue.size();
}

void StoreTypingTimers::schedule_sweep() {
  if (!ctx_.scheduler) return;
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  sweep_task_ = ctx_.scheduler->schedule(sweep_interval_ms_, [this] {
    try {
      sweep_overdue();
    } catch (const std::exception& e) {
      spdlog::warn("typing: sweeping overdue sessions failed: {}", e.what());
    }
    schedule_sweep();
  });
}

// ---- presence ----------------------------------------------------------------------------------

StorePresenceCounter::StorePresenceCounter(Context& ctx, int node_id)
    : ctx_(ctx), node_id_(node_id) {}

Task<int> StorePresenceCounter::add(Uuid owner, int delta) {
  auto total = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::int64_t> {
    // The owner's total row is the lock: concurrent opens and closes on any node queue on it,
    // so exactly one of them sees 0 → 1 and one sees 1 → 0.
    auto row = c.query_one(
        "INSERT INTO presence_owners (owner_id, streams) VALUES ($1, $2)"
        " ON CONFLICT (owner_id) DO UPDATE SET streams = presence_owners.streams + $2"
        " RETURNING streams",
        {owner.str(), std::int64_t{delta}});
    c.exec(
        "INSERT INTO presence_streams (owner_id, node_id, streams) VALUES ($1, $2, $3)"
        " ON CONFLICT (owner_id, node_id) DO UPDATE SET"
        " streams = presence_streams.streams + $3",
        {owner.str(), std::int64_t{node_id_}, std::int64_t{delta}});
    std::int64_t now = row->i64(0);
    if (now <= 0) {
      c.exec("DELETE FROM presence_owners WHERE owner_id = $1", {owner.str()});
      c.exec("DELETE FROM presence_streams WHERE owner_id = $1 AND streams <= 0", {owner.str()});
    }
    // Below zero: a close counted after its node was counted out; the row is gone, count 0.
    return std::max<std::int64_t>(now, 0);
  });
  if (!total) {
    spdlog::warn("presence: counting a stream failed: {}", total.error().code);
    co_return -1;  // neither 0 nor 1: no presence change is announced on a failure
  }
  co_return static_cast<int>(*total);
}

int StorePresenceCounter::count(const Uuid& owner) const {
  return static_cast<int>(ctx_.db.read_now([&](store::Connection& c) -> std::int64_t {
    auto row =
        c.query_one("SELECT streams FROM presence_owners WHERE owner_id = $1", {owner.str()});
    return row ? row->i64(0) : 0;
  }));
}

Task<std::size_t> StorePresenceCounter::count_out_node(int node_id,
                                                       std::function<Task<Status>(Uuid)> gone) {
  std::vector<Uuid> offline;
  auto done = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    offline.clear();
    // Locks in the order add() takes them, the owner's total row first, then the node's row:
    // a stream of that node closing meanwhile (at a clean stop) queues instead of deadlocking.
    // Owners in id order, so two nodes counting out the same dead node queue too.
    std::vector<std::string> owners;
    for (const auto& r : c.query("SELECT DISTINCT owner_id FROM presence_streams WHERE node_id = $1"
                                 " ORDER BY owner_id",
                                 {std::int64_t{node_id}}))
      owners.push_back(r.text(0));
    for (const auto& owner : owners) {
      c.exec("UPDATE presence_owners SET streams = streams WHERE owner_id = $1", {owner});
      // Whoever deletes a node's row counts it out; a second node finds nothing to delete.
      auto gone = c.query_one(
          "DELETE FROM presence_streams WHERE owner_id = $1 AND node_id = $2 RETURNING streams",
          {owner, std::int64_t{node_id}});
      if (!gone) continue;
      auto row = c.query_one(
          "UPDATE presence_owners SET streams = streams - $2 WHERE owner_id = $1"
          " RETURNING streams",
          {owner, gone->i64(0)});
      if (row && row->i64(0) <= 0) {
        c.exec("DELETE FROM presence_owners WHERE owner_id = $1", {owner});
        if (auto id = Uuid::parse(owner)) offline.push_back(*id);
      }
    }
    return {};
  });
  if (!done) co_return 0;
  for (const auto& owner : offline) {
    auto status = co_await gone(owner);
    if (!status) spdlog::warn("presence: {} could not be set offline", owner.str());
  }
  co_return offline.size();
}

// ---- bot auth cache ----------------------------------------------------------------------------

BroadcastBotAuthCache::BroadcastBotAuthCache(events::EventBus& bus,
                                             std::function<Task<std::vector<int>>()> live_nodes,
                                             int node_id, std::chrono::milliseconds ack_timeout)
    : bus_(bus), live_nodes_(std::move(live_nodes)), node_id_(node_id), ack_timeout_(ack_timeout) {
  subscription_ = bus_.on_broadcast("auth.invalidate", [this](const std::string& payload) {
    if (auto app = Uuid::parse(payload)) local_.invalidate(*app);
  });
  bus_.on_request("auth.invalidate", [this](const std::string& payload) -> std::string {
    if (auto app = Uuid::parse(payload)) local_.invalidate(*app);
    return "ok";
  });
}

BroadcastBotAuthCache::~BroadcastBotAuthCache() {
  bus_.unsubscribe(subscription_);
}

std::optional<BotIdentity> BroadcastBotAuthCache::find(std::string_view token,
                                                       std::int64_t now_ms) {
  return local_.find(token, now_ms);
}

std::uint64_t BroadcastBotAuthCache::generation() {
  return local_.generation();
}

void BroadcastBotAuthCache::remember(std::string_view token, const BotIdentity& bot,
                                     std::int64_t expires_at_ms, std::uint64_t generation) {
  local_.remember(token, bot, expires_at_ms, generation);
}

Task<void> BroadcastBotAuthCache::invalidate_everywhere(Uuid app_id) {
  invalidate(app_id);  // here at once, and a broadcast to everyone
  std::vector<int> nodes;
  try {
    if (live_nodes_) nodes = co_await live_nodes_();
  } catch (const std::exception& e) {
    spdlog::warn("auth: listing the nodes to invalidate on failed: {}", e.what());
  }
  for (int node : nodes) {
    if (node == node_id_) continue;
    events::BusRequest ask(bus_, node, "auth.invalidate", app_id.str(), ack_timeout_);
    auto answer = co_await ask;
    if (!answer)
      spdlog::warn(
          "auth: node {} did not confirm dropping the tokens of app {} (its cache "
          "expires them within a second)",
          node, app_id.str());
  }
}

void BroadcastBotAuthCache::invalidate(const Uuid& app_id) {
  local_.invalidate(app_id);                        // this node: at once
  bus_.broadcast("auth.invalidate", app_id.str());  // every node (this one again: harmless)
}

}  // namespace argon::services
