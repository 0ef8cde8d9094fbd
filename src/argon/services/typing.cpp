#include <boost/json/serialize.hpp>

#include "argon/domain/text.hpp"
#include "argon/services/messages.hpp"

namespace argon::services {
namespace json = boost::json;

std::optional<TypingKind> parse_typing_kind(std::string_view name) {
  static constexpr std::pair<std::string_view, TypingKind> kKinds[] = {
      {"typing", TypingKind::Typing},
      {"thinking", TypingKind::Thinking},
      {"uploading", TypingKind::Uploading},
      {"searching", TypingKind::Searching}};
  for (const auto& [n, k] : kKinds)
    if (equals_ignore_case(n, name)) return k;
  return std::nullopt;
}

std::string_view typing_kind_wire(TypingKind kind) {
  switch (kind) {
    case TypingKind::Typing:
      return "TYPING";
    case TypingKind::Thinking:
      return "THINKING";
    case TypingKind::Uploading:
      return "UPLOADING";
    case TypingKind::Searching:
      return "SEARCHING";
  }
  return "TYPING";
}

TypingService::~TypingService() {
  std::lock_guard lock(mutex_);
  if (ctx_.scheduler)
    for (auto& [key, a] : active_) ctx_.scheduler->cancel(a.timer);
  active_.clear();
}

Status TypingService::start(const Caller& caller, const Uuid& channel_id,
                            std::optional<TypingKind> kind) {
  EventBatch batch;
  Uuid space_id;
  auto result = ctx_.db.write([&](store::Connection& c) -> Status {
    batch.clear();
    auto access = require_channel_member(c, channel_id, caller.user_id);
    if (!access) return access.error();
    ARGON_TRY(require_permission(access->access, entitlement::kSendMessages));
    ARGON_TRY(require_text_channel(access->channel));
    space_id = access->channel.space_id;
    json::value kind_json = nullptr;
    if (kind) kind_json = json::string(typing_kind_wire(*kind));
    json::object payload{{"spaceId", space_id.str()},
                         {"channelId", channel_id.str()},
                         {"userId", caller.user_id.str()},
                         {"kind", kind_json}};
    batch.append(c, events::space_stream(space_id), "typingStart", space_id,
                 json::serialize(payload), ctx_.now_ms());
    return {};
  });
  if (!result) return result;
  batch.publish(ctx_);

  // (Re)arm the expiry: a newer Start supersedes the timer of an older one.
  Key key{channel_id, caller.user_id};
  std::lock_guard lock(mutex_);
  auto& a = active_[key];
  if (a.timer && ctx_.scheduler) ctx_.scheduler->cancel(a.timer);
  a.space_id = space_id;
  a.generation = next_generation_++;
  if (ctx_.scheduler) {
    std::uint64_t generation = a.generation;
    a.timer = ctx_.scheduler->schedule(ctx_.limits.typing_expiry_ms,
                                       [this, key, generation] { expire(key, generation); });
  }
  return {};
}

Status TypingService::stop(const Caller& caller, const Uuid& channel_id) {
  auto access = ctx_.db.read(
      [&](store::Connection& c) { return require_channel_member(c, channel_id, caller.user_id); });
  if (!access) return access.error();
  Key key{channel_id, caller.user_id};
  {
    std::lock_guard lock(mutex_);
    auto it = active_.find(key);
    // Not typing (never started, already stopped or expired): nothing to stop, never two stops.
    if (it == active_.end()) return {};
    if (ctx_.scheduler) ctx_.scheduler->cancel(it->second.timer);
    active_.erase(it);
  }
  return emit_stop(key, access->channel.space_id);
}

void TypingService::expire(const Key& key, std::uint64_t generation) {
  Uuid space_id;
  {
    std::lock_guard lock(mutex_);
    auto it = active_.find(key);
    if (it == active_.end() || it->second.generation != generation) return;
    space_id = it->second.space_id;
    active_.erase(it);
  }
  (void)emit_stop(key, space_id);
}

Status TypingService::emit_stop(const Key& key, const Uuid& space_id) {
  EventBatch batch;
  auto result = ctx_.db.write([&](store::Connection& c) -> Status {
    batch.clear();
    json::object payload{{"spaceId", space_id.str()},
                         {"channelId", key.channel_id.str()},
                         {"userId", key.user_id.str()}};
    batch.append(c, events::space_stream(space_id), "typingStop", space_id,
                 json::serialize(payload), ctx_.now_ms());
    return {};
  });
  if (result) batch.publish(ctx_);
  return result;
}

std::size_t TypingService::active_count() const {
  std::lock_guard lock(mutex_);
  return active_.size();
}

}  // namespace argon::services
