#include "argon/services/user_locales.hpp"

#include <charconv>
#include <mutex>

#include "argon/domain/locale.hpp"
#include "argon/services/context.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {

UserLocales::UserLocales(const Clock& clock, std::int64_t ttl_ms)
    : clock_(clock), ttl_ms_(ttl_ms > 0 ? ttl_ms : kDefaultTtlMs) {}

UserLocales::~UserLocales() {
  if (bus_ && subscription_) bus_->unsubscribe(subscription_);
}

bool UserLocales::make_room_locked(const Uuid& user_id, std::int64_t now_ms) {
  if (entries_.count(user_id)) return true;
  if (++added_since_sweep_ >= 4096 || entries_.size() >= kMaxEntries) {
    added_since_sweep_ = 0;
    std::erase_if(entries_,
                  [&](const auto& item) { return item.second.seen_at_ms + ttl_ms_ <= now_ms; });
  }
  return entries_.size() < kMaxEntries;
}

std::optional<std::string> UserLocales::note(const Uuid& user_id, std::string_view raw) {
  auto locale = to_bcp47(raw);
  if (!locale) return std::nullopt;
  const std::int64_t now = clock_.now_unix_ms();
  bool tell = false;
  {
    std::unique_lock lock(mutex_);
    if (!make_room_locked(user_id, now)) return locale;
    Entry& e = entries_[user_id];
    const bool changed = e.locale != *locale || e.seen_at_ms + ttl_ms_ <= now;
    e.locale = *locale;
    e.seen_at_ms = std::max(e.seen_at_ms, now);
    if (bus_ && (changed || now - e.shared_at_ms >= kShareRefreshMs)) {
      e.shared_at_ms = now;
      tell = true;
    }
  }
  if (tell) bus_->broadcast(kTopic, user_id.str() + " " + *locale + " " + std::to_string(now));
  return locale;
}

void UserLocales::apply(const Uuid& user_id, std::string locale, std::int64_t seen_at_ms) {
  const std::int64_t now = clock_.now_unix_ms();
  if (seen_at_ms + ttl_ms_ <= now) return;
  std::unique_lock lock(mutex_);
  auto it = entries_.find(user_id);
  if (it != entries_.end() && it->second.seen_at_ms > seen_at_ms) return;  // a newer one
  if (it == entries_.end() && !make_room_locked(user_id, now)) return;
  Entry& e = entries_[user_id];
  e.locale = std::move(locale);
  e.seen_at_ms = seen_at_ms;
}

std::optional<std::string> UserLocales::current(const Uuid& user_id) const {
  const std::int64_t now = clock_.now_unix_ms();
  std::shared_lock lock(mutex_);
  auto it = entries_.find(user_id);
  if (it == entries_.end() || it->second.seen_at_ms + ttl_ms_ <= now) return std::nullopt;
  return it->second.locale;
}

std::size_t UserLocales::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

void UserLocales::share_through(events::EventBus& bus) {
  bus_ = &bus;
  subscription_ = bus.on_broadcast(kTopic, [this](const std::string& payload) {
    // "{userId} {locale} {seenAtMs}"; this node's own broadcasts come back too (no change).
    auto first = payload.find(' ');
    auto second = first == std::string::npos ? first : payload.find(' ', first + 1);
    if (second == std::string::npos) return;
    auto user = Uuid::parse(std::string_view(payload).substr(0, first));
    auto locale = to_bcp47(std::string_view(payload).substr(first + 1, second - first - 1));
    std::int64_t seen_at = 0;
    const char* begin = payload.data() + second + 1;
    const char* end = payload.data() + payload.size();
    auto [p, ec] = std::from_chars(begin, end, seen_at);
    if (!user || !locale || ec != std::errc() || p != end) return;
    apply(*user, std::move(*locale), seen_at);
  });
}

std::optional<std::string> locale_of(const Context& ctx, const Uuid& user_id) {
  if (!ctx.locales) return std::nullopt;
  return ctx.locales->current(user_id);
}

boost::json::value locale_json(const Context& ctx, const Uuid& user_id) {
  return wire::string_or_null(locale_of(ctx, user_id));
}

boost::json::object user_json(const Context& ctx, const User& user) {
  return wire::bot_user_json(user, locale_of(ctx, user.id));
}

boost::json::object user_json(const Context& ctx, const Member& member) {
  return wire::bot_user_json(member, locale_of(ctx, member.user_id));
}

}  // namespace argon::services
