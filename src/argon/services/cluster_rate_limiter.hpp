#pragma once
// Bot API rate limits and concurrency slots shared by every node (rate_limiter.hpp's seam), in
// the store. The algorithm is the one of LocalRateLimiter — a sliding window of `segments`
// segments per (bot, interface), `max_concurrency` in-flight requests per bot — with the counts
// in tables rate_windows (bot, interface, segment → requests) and rate_slots (bot, node → in
// flight). Every acquire is one transaction that first locks the bot's anchor row (rate_slots,
// node -1), so the decisions for one bot are taken one at a time across all nodes: the limits
// hold exactly (no error bound beyond the clocks' skew between nodes, which shifts segment
// boundaries by at most the skew). The price is a store round trip per Bot API request and
// per-bot serialization; a node's slots are freed when it dies (dead-node hook).
#include "argon/services/context.hpp"
#include "argon/services/rate_limiter.hpp"

namespace argon::services {

class StoreRateLimiter final : public RateLimiter {
 public:
  StoreRateLimiter(Context& ctx, int node_id, RateLimitConfig config);

  Task<Outcome> acquire(Uuid bot, std::string interface_name, int permit_limit) override;
  int in_flight(const Uuid& bot) const override;
  const RateLimitConfig& config() const override { return config_; }
  Task<void> release(Permit permit) override;

  // The slots `node_id` held are free (it died, or this node starts or stops).
  Task<Status> release_node(int node_id);

 private:
  void release_slot(const Uuid& bot) noexcept override;
  Task<Status> free_slot(Uuid bot);

  Context& ctx_;
  int node_id_;
  RateLimitConfig config_;
  std::int64_t segment_ms_;
};

}  // namespace argon::services
