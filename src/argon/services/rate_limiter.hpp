#pragma once
// Bot API rate limiting (SPEC.md §3, DECISIONS.md §8).
//
// Per bot (its app id) and per interface: a sliding window (default 60 s) smoothed over segments
// (default 6 × 10 s), like .NET's SlidingWindowRateLimiter with QueueLimit 0. Segment index =
// floor(now_ms / segment_ms); a request is admitted iff the sum of the counts of the current
// segment and the previous (segments - 1) is below the permit limit, and then counts in the current
// segment. Counts of segment k therefore free at the start of segment k + segments.
//
// Per bot, across interfaces: at most `max_concurrency` in-flight requests, evaluated before the
// window. An admitted request holds a Permit (RAII) until it finishes; an SSE stream holds one for
// its whole life. A rejected request consumes nothing (neither a window permit nor a slot).
//
// RateLimiter is the shared-state seam (shared_state.hpp): LocalRateLimiter keeps the windows and
// slots of one node in memory (thread-safe, sharded by bot so unrelated bots do not contend); a
// cluster implementation keeps them where every node sees them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "argon/domain/clock.hpp"
#include "argon/domain/task.hpp"
#include "argon/domain/uuid.hpp"

namespace argon::services {

struct RateLimitConfig {
  std::int64_t window_ms = 60000;
  int segments = 6;  // window_ms must be a multiple of segments
  int max_concurrency = 10;
};

struct Decision {
  bool allowed = false;
  int limit = 0;      // the interface's permit limit (X-RateLimit-Limit)
  int remaining = 0;  // permits left after this request (X-RateLimit-Remaining); 0 when rejected
  // Seconds until the oldest counted segment leaves the window, i.e. until at least one permit
  // frees (X-RateLimit-Reset-After). 0 when nothing is counted.
  double reset_after_seconds = 0;
  // Only when rejected: seconds until a permit really frees (1.0 for concurrency rejections).
  double retry_after_seconds = 0;
  bool concurrency = false;  // rejected by the per-bot concurrency cap
};

// The `Retry-After` header value: whole seconds, rounded up, at least 1.
int retry_after_header(double retry_after_seconds);

// The sliding-window arithmetic both implementations share. `counts` are the requests counted
// in each segment of the window [current - segments + 1, current] (missing = 0). Fills the
// decision of one request: allowed or not, remaining, reset-after, retry-after.
Decision window_decision(const std::map<std::int64_t, std::int64_t>& counts, std::int64_t now_ms,
                         std::int64_t current, const RateLimitConfig& config,
                         std::int64_t segment_ms, int permit_limit);

// Rejected requests per policy (an interface name, or a client-API budget), for the metrics.
class RejectionStats {
 public:
  void add(std::string_view policy) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(policy);
    if (it == counts_.end()) it = counts_.emplace(std::string(policy), 0).first;
    ++it->second;
  }
  std::map<std::string, std::uint64_t, std::less<>> snapshot() const {
    std::lock_guard lock(mutex_);
    return counts_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> counts_;
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Callers note each rejection here (the limiter decides; the caller knows the policy's name).
  RejectionStats& rejections() { return rejections_; }

  // Holds one of the bot's concurrency slots; releases it on destruction (or release()). Movable;
  // a moved-from Permit releases nothing. Must not outlive its RateLimiter.
  class Permit {
   public:
    Permit(RateLimiter* owner, const Uuid& bot) : owner_(owner), bot_(bot) {}
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }

    void release() noexcept;
    bool held() const { return owner_ != nullptr; }
    // Stops holding without releasing (the caller releases the bot's slot itself).
    std::optional<Uuid> disarm() noexcept {
      if (!owner_) return std::nullopt;
      owner_ = nullptr;
      return bot_;
    }

   private:
    RateLimiter* owner_ = nullptr;
    Uuid bot_;
  };

  struct Outcome {
    Decision decision;
    std::optional<Permit> permit;  // set iff decision.allowed
  };

  // permit_limit: the interface's policy (e.g. 15 for IBotSelf), verified multiplier applied.
  virtual Task<Outcome> acquire(Uuid bot, std::string interface_name, int permit_limit) = 0;
  // True when acquire_here() answers at once on the calling thread (state in this process), so
  // a network thread may use it; false when acquiring needs the store (several nodes).
  virtual bool answers_here() const { return false; }
  virtual Outcome acquire_here(const Uuid& bot, std::string_view interface_name, int permit_limit);
  virtual int in_flight(const Uuid& bot) const = 0;
  virtual const RateLimitConfig& config() const = 0;
  // Gives the permit's slot back and returns once it is free for the bot's next request (the
  // request pipeline awaits it before answering; a dropped Permit releases in the background).
  virtual Task<void> release(Permit permit) {
    permit.release();
    co_return;
  }

 protected:
  friend class Permit;
  RejectionStats rejections_;
  // Gives back one of the bot's concurrency slots (a Permit ending).
  virtual void release_slot(const Uuid& bot) noexcept = 0;
};

class LocalRateLimiter final : public RateLimiter {
 public:
  static constexpr std::size_t kShards = 16;

  // Throws std::invalid_argument on a nonsensical config.
  LocalRateLimiter(const Clock& clock, RateLimitConfig config);
  LocalRateLimiter(const LocalRateLimiter&) = delete;
  LocalRateLimiter& operator=(const LocalRateLimiter&) = delete;

  Task<Outcome> acquire(Uuid bot, std::string interface_name, int permit_limit) override;
  bool answers_here() const override { return true; }
  Outcome acquire_here(const Uuid& bot, std::string_view interface_name, int permit_limit) override;
  int in_flight(const Uuid& bot) const override;
  const RateLimitConfig& config() const override { return config_; }
  // Bots with any state (for tests/metrics); idle entries are dropped lazily.
  std::size_t tracked_bots() const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct Window {
    std::int64_t last_segment = 0;  // newest segment index written to `counts`
    std::vector<int> counts;        // ring buffer, slot = segment mod segments
  };
  struct BotState {
    int in_flight = 0;
    std::unordered_map<std::string, Window, StringHash, std::equal_to<>> windows;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<Uuid, BotState> bots;
    std::int64_t next_sweep_segment = 0;
  };

  void release_slot(const Uuid& bot) noexcept override;
  Shard& shard_for(const Uuid& bot) const;
  std::int64_t segment_of(std::int64_t unix_ms) const;
  void advance(Window& window, std::int64_t segment) const;
  void sweep(Shard& shard, std::int64_t segment) const;

  const Clock& clock_;
  RateLimitConfig config_;
  std::int64_t segment_ms_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace argon::services
