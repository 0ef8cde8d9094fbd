#pragma once
// People's current app locales (UPSTREAM.md §5): the latest X-Argon-Locale a person sent,
// normalised (to_bcp47), kept in memory until `ttl` after their last request that carried a
// valid one, never persisted. Services read it while composing user JSON inside their store
// transactions (BotUserV1.locale, callIncoming.fromLocale): a short lock, never a wait.
//
// Several nodes: each node keeps its own copy. With share_through(bus) a node that sees a new
// value tells the others (a best-effort bus broadcast; an unchanged value is re-told at most once
// per kShareRefreshMs, so their copies expire at most that much early). A node that misses a
// broadcast (a bus outage) keeps what it had until it expires or the person's next request
// reaches it.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "argon/domain/clock.hpp"
#include "argon/domain/model.hpp"
#include "argon/domain/uuid.hpp"
#include "argon/events/bus.hpp"

namespace argon::services {

struct Context;

class UserLocales {
 public:
  static constexpr std::int64_t kDefaultTtlMs = 30LL * 60 * 1000;  // UPSTREAM.md §5: 30 min
  static constexpr std::int64_t kShareRefreshMs = 60 * 1000;
  // People remembered at most (a flood of accounts cannot grow memory without bound): a new
  // person is not remembered while this many unexpired ones are.
  static constexpr std::size_t kMaxEntries = 1000000;

  explicit UserLocales(const Clock& clock, std::int64_t ttl_ms = kDefaultTtlMs);
  ~UserLocales();
  UserLocales(const UserLocales&) = delete;
  UserLocales& operator=(const UserLocales&) = delete;

  // A request of the person carried `raw`: when it normalises to a locale, that is their current
  // one from now on (until ttl after now). Returns the normalised value; null (blank, invalid)
  // leaves what was kept alone.
  std::optional<std::string> note(const Uuid& user_id, std::string_view raw);
  // Their current locale; null when none was sent or it expired.
  std::optional<std::string> current(const Uuid& user_id) const;
  std::size_t size() const;

  // Several nodes: tells the other nodes of each change, and applies what they tell. Once,
  // before requests arrive; the bus must outlive this object.
  void share_through(events::EventBus& bus);

  static constexpr const char* kTopic = "locale.set";

 private:
  struct Entry {
    std::string locale;
    std::int64_t seen_at_ms = 0;    // the last request that carried it (on any node)
    std::int64_t shared_at_ms = 0;  // when this node last told the others
  };
  // A value another node saw at `seen_at_ms` (the newer of two wins).
  void apply(const Uuid& user_id, std::string locale, std::int64_t seen_at_ms);
  // Under the unique lock: forgets expired entries; true when `user_id` may be added.
  bool make_room_locked(const Uuid& user_id, std::int64_t now_ms);

  const Clock& clock_;
  std::int64_t ttl_ms_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<Uuid, Entry> entries_;
  std::size_t added_since_sweep_ = 0;
  events::EventBus* bus_ = nullptr;
  events::EventBus::SubscriptionId subscription_ = 0;
};

// The user's current locale (ctx.locales; null without one).
std::optional<std::string> locale_of(const Context& ctx, const Uuid& user_id);
boost::json::value locale_json(const Context& ctx, const Uuid& user_id);
// BotUserV1 with `locale` composed now (wire::bot_user_json).
boost::json::object user_json(const Context& ctx, const User& user);
boost::json::object user_json(const Context& ctx, const Member& member);

}  // namespace argon::services
