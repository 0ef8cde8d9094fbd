#include "argon/services/reactions.hpp"

#include <boost/json/serialize.hpp>
#include <set>

#include "argon/domain/emoji.hpp"
#include "argon/store/messages_repo.hpp"
#include "argon/store/reactions_repo.hpp"

namespace argon::services {
namespace json = boost::json;

namespace {

Error message_not_found() {
  return Error::not_found("message_not_found", "No such message in this channel.");
}

std::vector<Reaction> from_store(std::vector<store::ReactionSummary> summaries) {
  std::vector<Reaction> out;
  out.reserve(summaries.size());
  for (auto& s : summaries)
    out.push_back(Reaction{std::move(s.emoji), s.count, std::move(s.first_users)});
  return out;
}

// Membership, then a text channel, then the message in that channel: what every route checks.
Result<ChannelAccess> require_message(store::Connection& c, const Caller& caller,
                                      const Uuid& channel_id, std::int64_t message_id) {
  auto access = require_channel_member(c, channel_id, caller.user_id);
  if (!access) return access.error();
  ARGON_TRY(require_text_channel(access->channel));
  auto message = store::messages::find(c, message_id);
  if (!message || message->channel_id != channel_id) return message_not_found();
  return access;
}

std::string reaction_payload(const ChannelAccess& access, const ReactionTarget& t,
                             const Uuid& user) {
  return json::serialize(json::object{{"spaceId", access.channel.space_id.str()},
                                      {"channelId", t.channel_id.str()},
                                      {"messageId", t.message_id},
                                      {"userId", user.str()},
                                      {"emoji", t.emoji}});
}

}  // namespace

Status validate_reaction_emoji(const std::string& emoji) {
  if (is_reaction_emoji(emoji)) return {};
  return Error::validation("emoji: must be exactly one emoji (at most " +
                           std::to_string(kMaxReactionEmojiBytes) + " bytes)");
}

Task<Status> ReactionService::add(const Caller& caller, ReactionTarget t) {
  ARGON_CO_TRY(validate_reaction_emoji(t.emoji));
  // Taken before the transaction: a retried attempt keeps its place in the order.
  const std::int64_t seq = ctx_.snowflake.next();
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto access = require_message(c, caller, t.channel_id, t.message_id);
    if (!access) return access.error();
    if (!access->access.permissions.has(entitlement::kAddReactions))
      return Error::forbidden("insufficient_permissions",
                              "Adding reactions needs the AddReactions permission.");
    if (!store::reactions::lock_message(c, t.message_id)) return message_not_found();
    if (store::reactions::holds(c, t.message_id, t.emoji, caller.user_id))
      return Error::conflict("already_reacted", "You already reacted with this emoji.");
    if (!store::reactions::emoji_present(c, t.message_id, t.emoji) &&
        store::reactions::distinct_emoji(c, t.message_id) >= kMaxReactionEmojiPerMessage)
      return Error{422, "reaction_limit_reached",
                   "A message holds at most " + std::to_string(kMaxReactionEmojiPerMessage) +
                       " different emoji."};
    std::int64_t now = ctx_.now_ms();
    store::reactions::add(c, t.message_id, t.emoji, caller.user_id, seq, now);
    batch.append(c, events::space_stream(access->channel.space_id), "reactionAdd",
                 access->channel.space_id, reaction_payload(*access, t, caller.user_id), now);
    return {};
  });
  co_return result;
}

Task<Status> ReactionService::remove(const Caller& caller, ReactionTarget t) {
  ARGON_CO_TRY(validate_reaction_emoji(t.emoji));
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto access = require_message(c, caller, t.channel_id, t.message_id);
    if (!access) return access.error();
    if (!store::reactions::lock_message(c, t.message_id)) return message_not_found();
    if (!store::reactions::remove(c, t.message_id, t.emoji, caller.user_id))
      return Error::not_found("reaction_not_found", "You have no reaction with this emoji here.");
    std::int64_t now = ctx_.now_ms();
    batch.append(c, events::space_stream(access->channel.space_id), "reactionRemove",
                 access->channel.space_id, reaction_payload(*access, t, caller.user_id), now);
    return {};
  });
  co_return result;
}

Task<Result<std::vector<Reaction>>> ReactionService::list(const Caller& caller, Uuid channel_id,
                                                          std::int64_t message_id) {
  auto result = co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<Reaction>> {
    auto access = require_message(c, caller, channel_id, message_id);
    if (!access) return access.error();
    return from_store(store::reactions::list(c, message_id));
  });
  co_return result;
}

Task<Result<std::vector<MessageReactions>>> ReactionService::batch_get(
    const Caller& caller, Uuid channel_id, std::vector<std::int64_t> message_ids) {
  std::vector<std::int64_t> ids;
  std::set<std::int64_t> seen;
  for (auto id : message_ids) {
    if (ids.size() == kMaxBatchGetMessages) break;
    if (seen.insert(id).second) ids.push_back(id);
  }
  auto result =
      co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<MessageReactions>> {
        auto access = require_channel_member(c, channel_id, caller.user_id);
        if (!access) return access.error();
        ARGON_TRY(require_text_channel(access->channel));
        std::vector<std::int64_t> present;
        for (auto id : ids) {
          auto m = store::messages::find(c, id);
          if (m && m->channel_id == channel_id) present.push_back(id);
        }
        auto all = store::reactions::list_many(c, present);
        std::vector<MessageReactions> out;
        for (auto id : present) {
          auto it = all.find(id);
          out.push_back(MessageReactions{
              id, it == all.end() ? std::vector<Reaction>{} : from_store(std::move(it->second))});
        }
        return out;
      });
  co_return result;
}

void attach_reactions(store::Connection& c, std::vector<Message>& messages) {
  std::vector<std::int64_t> ids;
  ids.reserve(messages.size());
  for (const auto& m : messages) ids.push_back(m.id);
  auto all = store::reactions::list_many(c, ids);
  for (auto& m : messages)
    if (auto it = all.find(m.id); it != all.end()) m.reactions = from_store(std::move(it->second));
}

}  // namespace argon::services
