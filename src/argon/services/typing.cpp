#include <boost/json/serialize.hpp>

#include "argon/domain/text.hpp"
#include "argon/services/local_state.hpp"
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

TypingService::TypingService(Context& ctx, TypingTimers* timers)
    : ctx_(ctx),
      owned_timers_(timers ? nullptr : std::make_unique<LocalTypingTimers>(ctx.scheduler)),
      timers_(timers ? *timers : *owned_timers_) {
  timers_.set_on_expire([this](const Key& key, const Uuid& space_id) {
    start_background(
        ctx_, [this, key, space_id] { return emit_stop(key, space_id); }, "typing expiry");
  });
}

TypingService::~TypingService() {
  timers_.set_on_expire(nullptr);
}

Task<Status> TypingService::start(Caller caller, Uuid channel_id, std::optional<TypingKind> kind) {
  EventBatch batch{ctx_};
  Uuid space_id;
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
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
  if (!result) co_return result;
  // (Re)arm the expiry: a newer Start supersedes the timer of an older one.
  Key key{channel_id, caller.user_id};
  co_await timers_.arm(key, space_id, ctx_.limits.typing_expiry_ms);
  co_return Status{};
}

Task<Status> TypingService::stop(Caller caller, Uuid channel_id) {
  auto access = co_await ctx_.db.read(
      [&](store::Connection& c) { return require_channel_member(c, channel_id, caller.user_id); });
  if (!access) co_return access.error();
  Key key{channel_id, caller.user_id};
  // Not typing (never started, already stopped or expired): nothing to stop, never two stops.
  auto ended = co_await timers_.disarm(key);
  if (!ended) co_return Status{};
  auto stopped = co_await emit_stop(key, access->channel.space_id);
  co_return stopped;
}

Task<Status> TypingService::emit_stop(Key key, Uuid space_id) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    json::object payload{{"spaceId", space_id.str()},
                         {"channelId", key.channel_id.str()},
                         {"userId", key.user_id.str()}};
    batch.append(c, events::space_stream(space_id), "typingStop", space_id,
                 json::serialize(payload), ctx_.now_ms());
    return {};
  });
  co_return result;
}

std::size_t TypingService::active_count() const {
  return timers_.active();
}

}  // namespace argon::services
