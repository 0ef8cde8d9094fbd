#include "argon/services/cluster_rate_limiter.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace argon::services {

StoreRateLimiter::StoreRateLimiter(Context& ctx, int node_id, RateLimitConfig config)
    : ctx_(ctx), node_id_(node_id), config_(config) {
  if (config_.segments < 1 || config_.window_ms <= 0 || config_.window_ms % config_.segments != 0)
    throw std::invalid_argument("rate limit: window_ms must be a positive multiple of segments");
  segment_ms_ = config_.window_ms / config_.segments;
}

Task<RateLimiter::Outcome> StoreRateLimiter::acquire(Uuid bot, std::string interface_name,
                                                     int permit_limit) {
  const std::int64_t now = ctx_.now_ms();
  const std::int64_t current = now >= 0 ? now / segment_ms_ : (now - segment_ms_ + 1) / segment_ms_;
  const std::int64_t oldest = current - (config_.segments - 1);
  const std::string bot_id = bot.str();
  auto decided = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Decision> {
    // The bot's anchor row: every decision for this bot, on any node, queues here.
    c.exec(
        "INSERT INTO rate_slots (bot_id, node_id, in_flight) VALUES ($1, -1, 0)"
        " ON CONFLICT (bot_id, node_id) DO NOTHING",
        {bot_id});
    c.query(std::string("SELECT in_flight FROM rate_slots WHERE bot_id = $1 AND node_id = -1") +
                std::string(c.for_update()),
            {bot_id});
    Decision d;
    d.limit = permit_limit;
    auto flying = c.query_one(
        "SELECT COALESCE(SUM(in_flight), 0) FROM rate_slots WHERE bot_id = $1 AND node_id >= 0",
        {bot_id});
    if (flying->i64(0) >= config_.max_concurrency) {
      d.allowed = false;
      d.concurrency = true;
      d.reset_after_seconds = 1.0;
      d.retry_after_seconds = 1.0;
      return d;  // a rejection consumes nothing
    }
    // Segments that left the window are of no use any more.
    c.exec("DELETE FROM rate_windows WHERE bot_id = $1 AND interface = $2 AND segment < $3",
           {bot_id, interface_name, oldest});
    std::map<std::int64_t, std::int64_t> counts;
    for (const auto& r : c.query("SELECT segment, used FROM rate_windows WHERE bot_id = $1"
                                 " AND interface = $2 AND segment >= $3 AND segment <= $4",
                                 {bot_id, interface_name, oldest, current}))
      counts[r.i64(0)] = r.i64(1);
    d = window_decision(counts, now, current, config_, segment_ms_, permit_limit);
    if (!d.allowed) return d;
    c.exec(
        "INSERT INTO rate_windows (bot_id, interface, segment, used) VALUES ($1, $2, $3, 1)"
        " ON CONFLICT (bot_id, interface, segment) DO UPDATE SET used = rate_windows.used + 1",
        {bot_id, interface_name, current});
    c.exec(
        "INSERT INTO rate_slots (bot_id, node_id, in_flight) VALUES ($1, $2, 1)"
        " ON CONFLICT (bot_id, node_id) DO UPDATE SET in_flight = rate_slots.in_flight + 1",
        {bot_id, std::int64_t{node_id_}});
    return d;
  });
  Outcome out;
  if (!decided) {
    // The store is unavailable: no decision can be taken; the request will fail on the same
    // store anyway, so let it through uncounted rather than answer 429.
    out.decision.allowed = true;
    out.decision.limit = permit_limit;
    out.decision.remaining = 0;
    co_return out;
  }
  out.decision = *decided;
  if (out.decision.allowed) out.permit.emplace(this, bot);
  co_return out;
}

Task<Status> StoreRateLimiter::free_slot(Uuid bot) {
  std::string bot_id = bot.str();
  auto done = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    c.exec(
        "UPDATE rate_slots SET in_flight = in_flight - 1"
        " WHERE bot_id = $1 AND node_id = $2 AND in_flight > 0",
        {bot_id, std::int64_t{node_id_}});
    return {};
  });
  co_return done;
}

Task<void> StoreRateLimiter::release(Permit permit) {
  auto bot = permit.disarm();
  if (!bot) co_return;
  auto freed = co_await free_slot(*bot);
  if (!freed) spdlog::warn("ratelimit: releasing a slot failed: {}", freed.error().code);
}

void StoreRateLimiter::release_slot(const Uuid& bot) noexcept {
  try {
    start_background(
        ctx_, [this, bot] { return free_slot(bot); }, "releasing a concurrency slot");
  } catch (const std::exception& e) {
    spdlog::warn("ratelimit: releasing a slot failed: {}", e.what());
  }
}

int StoreRateLimiter::in_flight(const Uuid& bot) const {
  return static_cast<int>(ctx_.db.read_now([&](store::Connection& c) {
    return c
        .query_one(
            "SELECT COALESCE(SUM(in_flight), 0) FROM rate_slots WHERE bot_id = $1 AND node_id >= 0",
            {bot.str()})
        ->i64(0);
  }));
}

Task<Status> StoreRateLimiter::release_node(int node_id) {
  auto done = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    c.exec("DELETE FROM rate_slots WHERE node_id = $1", {std::int64_t{node_id}});
    return {};
  });
  co_return done;
}

}  // namespace argon::services
