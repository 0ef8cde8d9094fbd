#include "argon/services/local_state.hpp"

namespace argon::services {

LocalTypingTimers::~LocalTypingTimers() {
  std::lock_guard lock(mutex_);
  if (scheduler_)
    for (auto& [key, a] : active_) scheduler_->cancel(a.timer);
  active_.clear();
}

void LocalTypingTimers::set_on_expire(OnExpire on_expire) {
  std::lock_guard lock(mutex_);
  on_expire_ = std::move(on_expire);
}

Task<void> LocalTypingTimers::arm(Key key, Uuid space_id, std::int64_t expiry_ms) {
  arm_now(key, space_id, expiry_ms);
  co_return;
}

Task<std::optional<Uuid>> LocalTypingTimers::disarm(Key key) {
  co_return disarm_now(key);
}

void LocalTypingTimers::arm_now(const Key& key, const Uuid& space_id, std::int64_t expiry_ms) {
  std::lock_guard lock(mutex_);
  auto& a = active_[key];
  if (a.timer && scheduler_) scheduler_->cancel(a.timer);
  a.space_id = space_id;
  a.generation = next_generation_++;
  if (scheduler_) {
    std::uint64_t generation = a.generation;
    a.timer = scheduler_->schedule(expiry_ms, [this, key, generation] { expire(key, generation); });
  }
}

std::optional<Uuid> LocalTypingTimers::disarm_now(const Key& key) {
  std::lock_guard lock(mutex_);
  auto it = active_.find(key);
  if (it == active_.end()) return std::nullopt;
  if (scheduler_) scheduler_->cancel(it->second.timer);
  Uuid space_id = it->second.space_id;
  active_.erase(it);
  return space_id;
}

void LocalTypingTimers::expire(const Key& key, std::uint64_t generation) {
  Uuid space_id;
  OnExpire on_expire;
  {
    std::lock_guard lock(mutex_);
    auto it = active_.find(key);
    // Superseded by a newer Start, or stopped meanwhile: this timer has nothing to end.
    if (it == active_.end() || it->second.generation != generation) return;
    space_id = it->second.space_id;
    active_.erase(it);
    on_expire = on_expire_;
  }
  if (on_expire) on_expire(key, space_id);
}

std::size_t LocalTypingTimers::active() const {
  std::lock_guard lock(mutex_);
  return active_.size();
}

Task<int> LocalPresenceCounter::add(Uuid owner, int delta) {
  co_return add_now(owner, delta);
}

int LocalPresenceCounter::add_now(const Uuid& owner, int delta) {
  std::lock_guard lock(mutex_);
  int& n = open_[owner];
  n += delta;
  int after = n;
  if (n <= 0) open_.erase(owner);
  return after;
}

int LocalPresenceCounter::count(const Uuid& owner) const {
  std::lock_guard lock(mutex_);
  auto it = open_.find(owner);
  return it == open_.end() ? 0 : it->second;
}

std::optional<BotIdentity> LocalBotAuthCache::find(std::string_view token, std::int64_t now_ms) {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(std::string(token));
  if (it == entries_.end() || it->second.expires_at_ms <= now_ms) return std::nullopt;
  return it->second.identity;
}

std::uint64_t LocalBotAuthCache::generation() {
  std::shared_lock lock(mutex_);
  return generation_;
}

void LocalBotAuthCache::remember(std::string_view token, const BotIdentity& bot,
                                 std::int64_t expires_at_ms, std::uint64_t generation) {
  std::unique_lock lock(mutex_);
  if (generation != generation_) return;  // an invalidation raced with the lookup
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[std::string(token)] = Entry{bot, expires_at_ms};
}

void LocalBotAuthCache::invalidate(const Uuid& app_id) {
  std::unique_lock lock(mutex_);
  ++generation_;
  std::erase_if(entries_,
                [&](const auto& entry) { return entry.second.identity.app.id == app_id; });
}

}  // namespace argon::services
