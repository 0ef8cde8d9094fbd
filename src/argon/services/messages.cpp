#include "argon/services/messages.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "argon/services/reactions.hpp"
#include "argon/services/user_locales.hpp"
#include "argon/store/accounts_repo.hpp"
#include "argon/store/messages_repo.hpp"
#include "argon/store/spaces_repo.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {
namespace json = boost::json;

namespace {
constexpr int kHistoryDefault = 50, kHistoryMax = 100;

Message message_from(const store::StoredMessage& s) {
  Message m;
  m.id = s.id;
  m.channel_id = s.channel_id;
  m.space_id = s.space_id;
  m.creator_id = s.creator_id;
  m.text = s.text;
  if (auto e = wire::parse_entities_from_storage(s.entities_json)) m.entities = std::move(*e);
  if (s.controls_json)
    if (auto c = wire::parse_controls_from_storage(*s.controls_json)) m.controls = std::move(*c);
  m.reply_to = s.reply_to;
  m.created_at_ms = s.created_at_ms;
  m.edited_at_ms = s.edited_at_ms;
  return m;
}

std::optional<std::string> controls_for_storage(const std::vector<ControlRow>& rows) {
  if (rows.empty()) return std::nullopt;
  return wire::serialize_controls_for_storage(rows);
}

EntityOrigin origin_of(const Caller& caller) {
  return caller.is_bot ? EntityOrigin::kBot : EntityOrigin::kPerson;
}
}  // namespace

Task<Result<SendResult>> MessageService::send(const Caller& caller, SendRequest r) {
  ARGON_CO_TRY(validate_message_content(r.content, origin_of(caller), ctx_.limits.max_text_utf16));
  std::string entities_json = wire::serialize_entities_for_storage(r.content.entities);
  std::optional<std::string> controls_json = controls_for_storage(r.content.controls);
  // Ids are taken before the transaction: a retried attempt keeps the same message id.
  const std::int64_t message_id = ctx_.snowflake.next();
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<SendResult> {
    batch.clear();
    auto access = require_channel_member(c, r.channel_id, caller.user_id);
    if (!access) return access.error();
    ARGON_TRY(require_permission(access->access, entitlement::kSendMessages));
    ARGON_TRY(require_text_channel(access->channel));
    std::int64_t now = ctx_.now_ms();
    if (r.random_id) {
      auto existing = store::messages::dedupe_lookup(c, caller.user_id, r.channel_id, *r.random_id,
                                                     now - ctx_.limits.random_id_retention_ms);
      if (existing) return SendResult{*existing, true};
    }
    if (r.reply_to) {
      auto target = store::messages::find(c, *r.reply_to);
      if (!target || target->channel_id != r.channel_id)
        return Error::validation("replyTo: no such message in this channel");
    }
    auto sender = store::members::find(c, access->channel.space_id, caller.user_id);
    store::StoredMessage stored{message_id,     r.channel_id,   access->channel.space_id,
                                caller.user_id, r.content.text, entities_json,
                                controls_json,  r.reply_to,     now,
                                std::nullopt};
    store::messages::insert(c, stored);
    if (r.random_id)
      store::messages::dedupe_remember(c, caller.user_id, r.channel_id, *r.random_id, stored.id,
                                       now, now - ctx_.limits.random_id_retention_ms);
    Message m;
    m.id = stored.id;
    m.channel_id = r.channel_id;
    m.space_id = stored.space_id;
    m.creator_id = caller.user_id;
    m.text = r.content.text;  // copies: a retried attempt needs the request again
    m.entities = r.content.entities;
    m.controls = r.content.controls;
    m.reply_to = r.reply_to;
    m.created_at_ms = now;
    json::object payload{{"spaceId", m.space_id.str()},
                         {"channelId", m.channel_id.str()},
                         {"message", wire::bot_message_json(m, user_json(ctx_, *sender))}};
    batch.append(c, events::space_stream(m.space_id), "messageCreate", m.space_id,
                 json::serialize(payload), now);
    return SendResult{stored.id, false};
  });
  co_return result;
}

Task<Status> MessageService::edit(const Caller& caller, EditRequest r) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto stored = store::messages::find(c, r.message_id);
    if (!r.channel_id.is_nil()) {
      auto access = require_channel_member(c, r.channel_id, caller.user_id);
      if (!access) return access.error();
    }
    if (!stored || stored->creator_id != caller.user_id ||
        (!r.channel_id.is_nil() && stored->channel_id != r.channel_id))
      return Error::not_found("message_not_found", "Message not found or not yours.");
    if (r.channel_id.is_nil()) {
      auto access = require_channel_member(c, stored->channel_id, caller.user_id);
      if (!access) return access.error();
    }
    Message m = message_from(*stored);
    MessageContent content{r.text.value_or(m.text), r.entities.value_or(m.entities),
                           r.controls.value_or(m.controls)};
    // New text without new entities drops the old spans, which would no longer line up.
    if (r.text && !r.entities) content.entities.clear();
    ARGON_TRY(validate_message_content(content, origin_of(caller), ctx_.limits.max_text_utf16));
    std::int64_t now = ctx_.now_ms();
    store::messages::update_content(c, m.id, content.text,
                                    wire::serialize_entities_for_storage(content.entities),
                                    controls_for_storage(content.controls), now);
    json::object payload{{"spaceId", m.space_id.str()},
                         {"channelId", m.channel_id.str()},
                         {"messageId", m.id},
                         {"text", content.text},
                         {"updatedAt", format_iso8601_ms(now)}};
    batch.append(c, events::space_stream(m.space_id), "messageEdit", m.space_id,
                 json::serialize(payload), now);
    return {};
  });
  co_return result;
}

Task<Result<std::vector<Message>>> MessageService::history(const Caller& caller, HistoryRequest r) {
  int limit =
      static_cast<int>(std::clamp<std::int64_t>(r.limit.value_or(kHistoryDefault), 1, kHistoryMax));
  auto result = co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<Message>> {
    auto access = require_channel_member(c, r.channel_id, caller.user_id);
    if (!access) return access.error();
    ARGON_TRY(require_permission(access->access, entitlement::kReadHistory));
    ARGON_TRY(require_text_channel(access->channel));
    std::vector<Message> out;
    for (const auto& s : store::messages::history(c, r.channel_id, r.from, limit))
      out.push_back(message_from(s));
    attach_reactions(c, out);  // read-your-writes: the reactions as committed (UPSTREAM §2.2)
    return out;
  });
  co_return result;
}

Task<std::int64_t> MessageService::prune_dedupe_keys() {
  std::int64_t cutoff = ctx_.now_ms() - ctx_.limits.random_id_retention_ms;
  auto r = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::int64_t> {
    return store::messages::dedupe_prune(c, cutoff);
  });
  co_return r ? *r : 0;
}

}  // namespace argon::services
