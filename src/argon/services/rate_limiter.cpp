#include "argon/services/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace argon::services {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::size_t slot_of(std::int64_t segment, int segments) {
  auto m = segment % segments;
  if (m < 0) m += segments;
  return static_cast<std::size_t>(m);
}

double seconds_between(std::int64_t from_ms, std::int64_t to_ms) {
  return static_cast<double>(to_ms - from_ms) / 1000.0;
}

}  // namespace

int retry_after_header(double retry_after_seconds) {
  if (!(retry_after_seconds > 1.0)) return 1;  // also NaN
  double up = std::ceil(retry_after_seconds);
  if (up > 2147483647.0) return 2147483647;
  return static_cast<int>(up);
}

Decision window_decision(const std::map<std::int64_t, std::int64_t>& counts, std::int64_t now_ms,
                         std::int64_t current, const RateLimitConfig& config,
                         std::int64_t segment_ms, int permit_limit) {
  const int n = config.segments;
  const std::int64_t oldest = current - (n - 1);
  auto count_at = [&](std::int64_t s) -> std::int64_t {
    auto it = counts.find(s);
    return it == counts.end() ? 0 : it->second;
  };
  long long used = 0;
  for (std::int64_t s = oldest; s <= current; ++s) used += count_at(s);
  Decision d;
  d.limit = permit_limit;
  if (used < permit_limit) {
    d.allowed = true;
    d.remaining = static_cast<int>(permit_limit - used - 1);
    // This request counts in `current`: the oldest non-empty segment, counting it.
    for (std::int64_t s = oldest; s <= current; ++s) {
      if (count_at(s) > 0 || s == current) {
        d.reset_after_seconds = seconds_between(now_ms, (s + n) * segment_ms);
        break;
      }
    }
    return d;
  }
  d.allowed = false;
  d.remaining = 0;
  bool reset_set = false;
  double retry = -1;
  long long left = used;
  for (std::int64_t s = oldest; s <= current; ++s) {
    std::int64_t c = count_at(s);
    if (c == 0) continue;
    double frees_in = seconds_between(now_ms, (s + n) * segment_ms);
    if (!reset_set) {
      d.reset_after_seconds = frees_in;
      reset_set = true;
    }
    left -= c;
    if (left < permit_limit) {
      retry = frees_in;
      break;
    }
  }
  if (retry < 0) retry = static_cast<double>(config.window_ms) / 1000.0;
  d.retry_after_seconds = retry;
  return d;
}

RateLimiter::Outcome RateLimiter::acquire_here(const Uuid&, std::string_view, int) {
  throw std::logic_error("this rate limiter cannot answer on the calling thread");
}

// ---- Permit ----

RateLimiter::Permit::Permit(Permit&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), bot_(other.bot_) {}

RateLimiter::Permit& RateLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    bot_ = other.bot_;
  }
  return *this;
}

void RateLimiter::Permit::release() noexcept {
  if (RateLimiter* owner = std::exchange(owner_, nullptr)) owner->release_slot(bot_);
}

void LocalRateLimiter::release_slot(const Uuid& bot) noexcept {
  Shard& shard = shard_for(bot);
  std::lock_guard lock(shard.mutex);
  auto it = shard.bots.find(bot);
  if (it == shard.bots.end()) return;
  BotState& state = it->second;
  if (state.in_flight > 0) --state.in_flight;
  if (state.in_flight == 0 && state.windows.empty()) shard.bots.erase(it);
}

// ---- LocalRateLimiter ----

LocalRateLimiter::LocalRateLimiter(const Clock& clock, RateLimitConfig config)
    : clock_(clock), config_(config), segment_ms_(0) {
  if (config_.segments < 1) throw std::invalid_argument("rate limit: segments must be >= 1");
  if (config_.window_ms < config_.segments || config_.window_ms % config_.segments != 0) {
    throw std::invalid_argument("rate limit: window_ms must be a positive multiple of segments");
  }
  if (config_.max_concurrency < 1) {
    throw std::invalid_argument("rate limit: max_concurrency must be >= 1");
  }
  segment_ms_ = config_.window_ms / config_.segments;
}

LocalRateLimiter::Shard& LocalRateLimiter::shard_for(const Uuid& bot) const {
  std::size_t h = std::hash<Uuid>{}(bot);
  h ^= h >> 32;
  h ^= h >> 16;
  return shards_[h % kShards];
}

std::int64_t LocalRateLimiter::segment_of(std::int64_t unix_ms) const {
  return floor_div(unix_ms, segment_ms_);
}

// Slides `window` forward to `segment`, zeroing the segments that became current since.
void LocalRateLimiter::advance(Window& window, std::int64_t segment) const {
  if (segment <= window.last_segment) return;
  const int n = config_.segments;
  if (segment - window.last_segment >= n) {
    std::fill(window.counts.begin(), window.counts.end(), 0);
  } else {
    for (std::int64_t s = window.last_segment + 1; s <= segment; ++s) {
      window.counts[slot_of(s, n)] = 0;
    }
  }
  window.last_segment = segment;
}

// Drops windows whose every count has left the window, and bots with nothing left.
void LocalRateLimiter::sweep(Shard& shard, std::int64_t segment) const {
  const int n = config_.segments;
  for (auto bot_it = shard.bots.begin(); bot_it != shard.bots.end();) {
    auto& windows = bot_it->second.windows;
    std::erase_if(windows,
                  [&](const auto& entry) { return entry.second.last_segment + n <= segment; });
    if (windows.empty() && bot_it->second.in_flight == 0) {
      bot_it = shard.bots.erase(bot_it);
    } else {
      ++bot_it;
    }
  }
  shard.next_sweep_segment = segment + n;
}

Task<RateLimiter::Outcome> LocalRateLimiter::acquire(Uuid bot, std::string interface_name,
                                                     int permit_limit) {
  co_return acquire_here(bot, interface_name, permit_limit);
}

RateLimiter::Outcome LocalRateLimiter::acquire_here(const Uuid& bot,
                                                    std::string_view interface_name,
                                                    int permit_limit) {
  const std::int64_t now = clock_.now_unix_ms();
  const std::int64_t now_segment = segment_of(now);
  const int n = config_.segments;

  Outcome out;
  out.decision.limit = permit_limit;

  Shard& shard = shard_for(bot);
  std::lock_guard lock(shard.mutex);
  if (now_segment >= shard.next_sweep_segment) sweep(shard, now_segment);

  BotState& state = shard.bots[bot];

  // 1. Concurrency, before the per-interface window; a rejection consumes nothing.
  if (state.in_flight >= config_.max_concurrency) {
    out.decision.allowed = false;
    out.decision.concurrency = true;
    out.decision.remaining = 0;
    out.decision.reset_after_seconds = 1.0;
    out.decision.retry_after_seconds = 1.0;
    return out;
  }

  // 2. The per-interface sliding window.
  auto it = state.windows.find(interface_name);
  if (it == state.windows.end()) {
    Window fresh;
    fresh.last_segment = now_segment;
    fresh.counts.assign(static_cast<std::size_t>(n), 0);
    it = state.windows.emplace(std::string(interface_name), std::move(fresh)).first;
  }
  Window& window = it->second;
  // A clock that stepped backwards never rewinds the ring buffer.
  const std::int64_t current = std::max(now_segment, window.last_segment);
  advance(window, current);
  const std::int64_t oldest = current - (n - 1);

  long long used = 0;
  for (int c : window.counts) used += c;

  if (used < permit_limit) {
    window.counts[slot_of(current, n)] += 1;
    ++used;
    ++state.in_flight;
    out.decision.allowed = true;
    out.decision.remaining = static_cast<int>(permit_limit - used);
    for (std::int64_t s = oldest; s <= current; ++s) {
      if (window.counts[slot_of(s, n)] > 0) {
        out.decision.reset_after_seconds = seconds_between(now, (s + n) * segment_ms_);
        break;
      }
    }
    out.permit.emplace(this, bot);
    return out;
  }

  // Rejected: find when enough segments have slid out for one permit to be free. Normally that is
  // the oldest non-empty segment; walking on covers a limit lowered below the counted requests.
  out.decision.allowed = false;
  out.decision.remaining = 0;
  bool reset_set = false;
  double retry = -1;
  long long left = used;
  for (std::int64_t s = oldest; s <= current; ++s) {
    int c = window.counts[slot_of(s, n)];
    if (c == 0) continue;
    double frees_in = seconds_between(now, (s + n) * segment_ms_);
    if (!reset_set) {
      out.decision.reset_after_seconds = frees_in;
      reset_set = true;
    }
    left -= c;
    if (left < permit_limit) {
      retry = frees_in;
      break;
    }
  }
  // permit_limit <= 0: nothing ever frees; ask the client to come back after a whole window.
  if (retry < 0) retry = static_cast<double>(config_.window_ms) / 1000.0;
  out.decision.retry_after_seconds = retry;
  if (state.windows.size() == 1 && used == 0 && state.in_flight == 0) {
    // Do not keep an entry created only to reject (permit_limit <= 0).
    shard.bots.erase(bot);
  }
  return out;
}

int LocalRateLimiter::in_flight(const Uuid& bot) const {
  Shard& shard = shard_for(bot);
  std::lock_guard lock(shard.mutex);
  auto it = shard.bots.find(bot);
  return it == shard.bots.end() ? 0 : it->second.in_flight;
}

std::size_t LocalRateLimiter::tracked_bots() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.bots.size();
  }
  return total;
}

}  // namespace argon::services
