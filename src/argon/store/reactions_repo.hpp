#pragma once
// Reactions on messages (UPSTREAM.md §2): who holds which emoji, in the order they were added,
// and each emoji's place in the message's list (its first appearance; it leaves the list when
// its last holder does, and a later add puts it at the end).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "argon/domain/uuid.hpp"
#include "argon/store/sql.hpp"

namespace argon::store {

struct ReactionSummary {
  std::string emoji;
  std::int64_t count = 0;
  std::vector<Uuid> first_users;  // the first holders in reaction order, at most the preview
};

namespace reactions {
inline constexpr int kPreviewUsers = 3;

// Takes the message's row lock (PostgreSQL) so that the reactions of one message change one
// operation at a time; false when the message does not exist.
bool lock_message(Connection& c, std::int64_t message_id);
bool holds(Connection& c, std::int64_t message_id, const std::string& emoji, const Uuid& user);
bool emoji_present(Connection& c, std::int64_t message_id, const std::string& emoji);
std::int64_t distinct_emoji(Connection& c, std::int64_t message_id);
// `seq`: increasing over time (a snowflake): orders holders and places a new emoji last.
void add(Connection& c, std::int64_t message_id, const std::string& emoji, const Uuid& user,
         std::int64_t seq, std::int64_t now_ms);
// false when `user` did not hold `emoji` on the message.
bool remove(Connection& c, std::int64_t message_id, const std::string& emoji, const Uuid& user);
// The message's reactions in list order.
std::vector<ReactionSummary> list(Connection& c, std::int64_t message_id);
// The reactions of several messages (absent key: none).
std::map<std::int64_t, std::vector<ReactionSummary>> list_many(
    Connection& c, const std::vector<std::int64_t>& message_ids);
}  // namespace reactions

}  // namespace argon::store
