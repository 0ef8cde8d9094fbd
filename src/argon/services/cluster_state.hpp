#pragma once
// The shared-state seams (shared_state.hpp, bots.hpp) for several nodes on one PostgreSQL
// database and a bus: the state lives in the store, where every node sees it, and statements
// that succeed once (DELETE … RETURNING, conditional UPDATEs, per-owner counter rows locked by
// the transaction) make every transition happen exactly once whichever node sees it.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "argon/services/bots.hpp"
#include "argon/services/context.hpp"
#include "argon/services/local_state.hpp"
#include "argon/services/shared_state.hpp"

namespace argon::services {

// typing_sessions rows: (channel, user) → space, generation, expires_at. The node that armed a
// session keeps a timer; at expiry it deletes the row only if the generation is still its own,
// so a re-arm or a Stop on any node wins. Sessions whose node died are ended by any node's sweep
// (overdue by more than `grace_ms`).
class StoreTypingTimers final : public TypingTimers {
 public:
  StoreTypingTimers(Context& ctx, std::int64_t sweep_interval_ms = 2000,
                    std::int64_t grace_ms = 2000);
  ~StoreTypingTimers() override;

  void set_on_expire(OnExpire on_expire) override;
  Task<void> arm(Key key, Uuid space_id, std::int64_t expiry_ms) override;
  Task<std::optional<Uuid>> disarm(Key key) override;
  std::size_t active() const override;

  // Ends the sessions overdue by more than the grace (their timer's node is gone). Returns how
  // many it ended.
  std::size_t sweep_overdue();

 private:
  Task<Status> expire(Key key, std::int64_t generation);
  void schedule_sweep();
  void ended(const Key& key, const Uuid& space_id);

  Context& ctx_;
  std::int64_t sweep_interval_ms_;
  std::int64_t grace_ms_;
  std::mutex mutex_;
  OnExpire on_expire_;
  bool stopping_ = false;
  Scheduler::TaskId sweep_task_ = 0;
};

// presence_owners (owner → open streams on every node) and presence_streams (owner, node →
// this node's share, so a dead node's streams can be counted out).
class StorePresenceCounter final : public PresenceCounter {
 public:
  StorePresenceCounter(Context& ctx, int node_id);

  Task<int> add(Uuid owner, int delta) override;
  int count(const Uuid& owner) const override;

  // The streams `node_id` held are gone (it died; or this node starts, or stops): counts them
  // out of every owner's total, exactly once across nodes; `gone` is called for each owner left
  // with no stream anywhere. Returns how many owners that was.
  Task<std::size_t> count_out_node(int node_id, std::function<Task<Status>(Uuid)> gone);

 private:
  Context& ctx_;
  int node_id_;
};

// Every node keeps its own cache of verified tokens (LocalBotAuthCache); an invalidation is
// applied here at once, then every other live node is asked to drop the app's tokens (a bus
// request, answered once done) and the operation answers only after they did or the time ran
// out (a broadcast goes too, for a node that is not registered yet). A node that misses both
// (disconnected) still drops the entry when it expires: the runtime caps auth.bot_cache_ms at
// 1 s with a bus.
class BroadcastBotAuthCache final : public BotAuthCache {
 public:
  // live_nodes: the ids of the other nodes to ask on an invalidation (NodeRegistry).
  BroadcastBotAuthCache(events::EventBus& bus, std::function<Task<std::vector<int>>()> live_nodes,
                        int node_id,
                        std::chrono::milliseconds ack_timeout = std::chrono::milliseconds(500));
  ~BroadcastBotAuthCache() override;

  std::optional<BotIdentity> find(std::string_view token, std::int64_t now_ms) override;
  std::uint64_t generation() override;
  void remember(std::string_view token, const BotIdentity& bot, std::int64_t expires_at_ms,
                std::uint64_t generation) override;
  void invalidate(const Uuid& app_id) override;
  Task<void> invalidate_everywhere(Uuid app_id) override;

 private:
  events::EventBus& bus_;
  std::function<Task<std::vector<int>>()> live_nodes_;
  int node_id_;
  std::chrono::milliseconds ack_timeout_;
  LocalBotAuthCache local_;
  events::EventBus::SubscriptionId subscription_ = 0;
};

}  // namespace argon::services
