#pragma once
// Reactions (Bot API 1.8 IReactions/v1, UPSTREAM.md §2; people: CLIENT-API additions §7), one
// operation for people and bots alike. Check order: 400 validation → 404 channel_not_found →
// 403 not_a_member → 400 not_text_channel → 404 message_not_found → 403 insufficient_permissions
// (add) → 409 already_reacted / 422 reaction_limit_reached (add), 404 reaction_not_found (remove).
#include <cstdint>
#include <string>
#include <vector>

#include "argon/domain/model.hpp"
#include "argon/services/access.hpp"
#include "argon/services/context.hpp"

namespace argon::services {

inline constexpr std::int64_t kMaxReactionEmojiPerMessage = 20;
inline constexpr std::size_t kMaxBatchGetMessages = 50;

struct ReactionTarget {
  Uuid channel_id;
  std::int64_t message_id = 0;
  std::string emoji;  // exactly as received
};

struct MessageReactions {
  std::int64_t message_id = 0;
  std::vector<Reaction> reactions;
};

// 400 validation_error unless `emoji` is exactly one emoji (domain/emoji.hpp).
Status validate_reaction_emoji(const std::string& emoji);

class ReactionService {
 public:
  explicit ReactionService(Context& ctx) : ctx_(ctx) {}

  // Needs AddReactions. Emits reactionAdd.
  Task<Status> add(const Caller& caller, ReactionTarget target);
  // The caller's own reaction only. Emits reactionRemove.
  Task<Status> remove(const Caller& caller, ReactionTarget target);
  // The message's reactions (no permission beyond membership).
  Task<Result<std::vector<Reaction>>> list(const Caller& caller, Uuid channel_id,
                                           std::int64_t message_id);
  // The first 50 ids in request order, duplicates collapsed, unknown ids left out.
  Task<Result<std::vector<MessageReactions>>> batch_get(const Caller& caller, Uuid channel_id,
                                                        std::vector<std::int64_t> message_ids);

 private:
  Context& ctx_;
};

// Fills each message's `reactions` (History, the people's message list).
void attach_reactions(store::Connection& c, std::vector<Message>& messages);

}  // namespace argon::services
