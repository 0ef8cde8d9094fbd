#pragma once
// In-process implementations of the shared-state seams (shared_state.hpp) for one node.
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "argon/domain/scheduler.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/shared_state.hpp"

namespace argon::services {

// Timers on the injected Scheduler; the expiry callback runs on the scheduler's thread.
class LocalTypingTimers final : public TypingTimers {
 public:
  explicit LocalTypingTimers(Scheduler* scheduler) : scheduler_(scheduler) {}
  ~LocalTypingTimers() override;

  void set_on_expire(OnExpire on_expire) override;
  Task<void> arm(Key key, Uuid space_id, std::int64_t expiry_ms) override;
  Task<std::optional<Uuid>> disarm(Key key) override;
  // The same, at once (they never wait).
  void arm_now(const Key& key, const Uuid& space_id, std::int64_t expiry_ms);
  std::optional<Uuid> disarm_now(const Key& key);
  std::size_t active() const override;

 private:
  struct Active {
    Uuid space_id;
    std::uint64_t generation = 0;
    Scheduler::TaskId timer = 0;
  };
  void expire(const Key& key, std::uint64_t generation);

  Scheduler* scheduler_;
  mutable std::mutex mutex_;
  OnExpire on_expire_;
  std::map<Key, Active> active_;
  std::uint64_t next_generation_ = 1;
};

class LocalPresenceCounter final : public PresenceCounter {
 public:
  Task<int> add(Uuid owner, int delta) override;
  int add_now(const Uuid& owner, int delta);
  int count(const Uuid& owner) const override;

 private:
  mutable std::mutex mutex_;
  std::map<Uuid, int> open_;
};

class LocalBotAuthCache final : public BotAuthCache {
 public:
  std::optional<BotIdentity> find(std::string_view token, std::int64_t now_ms) override;
  std::uint64_t generation() override;
  void remember(std::string_view token, const BotIdentity& bot, std::int64_t expires_at_ms,
                std::uint64_t generation) override;
  void invalidate(const Uuid& app_id) override;

  // Most entries kept: a flood of distinct valid tokens cannot grow memory without bound.
  static constexpr std::size_t kMaxEntries = 100000;

 private:
  struct Entry {
    BotIdentity identity;
    std::int64_t expires_at_ms;
  };
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // full token → bot
  std::uint64_t generation_ = 0;
};

}  // namespace argon::services
