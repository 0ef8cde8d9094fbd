#include "argon/store/reactions_repo.hpp"

#include "argon/store/accounts_repo.hpp"

namespace argon::store::reactions {
namespace {

// "$1, $2, …" for `n` parameters starting at `first`.
std::string placeholders(std::size_t n, std::size_t first = 1) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    out += "$" + std::to_string(first + i);
  }
  return out;
}

}  // namespace

bool lock_message(Connection& c, std::int64_t message_id) {
  return c
      .query_one("SELECT id FROM messages WHERE id = $1" + std::string(c.for_update()),
                 {message_id})
      .has_value();
}

bool holds(Connection& c, std::int64_t message_id, const std::string& emoji, const Uuid& user) {
  return c
      .query_one(
          "SELECT 1 FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3",
          {message_id, emoji, sql_uuid(user)})
      .has_value();
}

bool emoji_present(Connection& c, std::int64_t message_id, const std::string& emoji) {
  return c
      .query_one("SELECT 1 FROM message_reaction_emoji WHERE message_id = $1 AND emoji = $2",
                 {message_id, emoji})
      .has_value();
}

std::int64_t distinct_emoji(Connection& c, std::int64_t message_id) {
  auto row = c.query_one("SELECT COUNT(*) FROM message_reaction_emoji WHERE message_id = $1",
                         {message_id});
  return row ? row->i64(0) : 0;
}

void add(Connection& c, std::int64_t message_id, const std::string& emoji, const Uuid& user,
         std::int64_t seq, std::int64_t now_ms) {
  c.exec(
      "INSERT INTO message_reactions (message_id, emoji, user_id, added_seq, created_at)"
      " VALUES ($1, $2, $3, $4, $5)",
      {message_id, emoji, sql_uuid(user), seq, now_ms});
  c.exec(
      "INSERT INTO message_reaction_emoji (message_id, emoji, first_seq, users)"
      " VALUES ($1, $2, $3, 1) ON CONFLICT (message_id, emoji)"
      " DO UPDATE SET users = message_reaction_emoji.users + 1",
      {message_id, emoji, seq});
}

bool remove(Connection& c, std::int64_t message_id, const std::string& emoji, const Uuid& user) {
  if (c.exec("DELETE FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3",
             {message_id, emoji, sql_uuid(user)}) == 0)
    return false;
  c.exec("UPDATE message_reaction_emoji SET users = users - 1 WHERE message_id = $1 AND emoji = $2",
         {message_id, emoji});
  c.exec("DELETE FROM message_reaction_emoji WHERE message_id = $1 AND emoji = $2 AND users <= 0",
         {message_id, emoji});
  return true;
}

std::vector<ReactionSummary> list(Connection& c, std::int64_t message_id) {
  auto all = list_many(c, {message_id});
  auto it = all.find(message_id);
  return it == all.end() ? std::vector<ReactionSummary>{} : std::move(it->second);
}

std::map<std::int64_t, std::vector<ReactionSummary>> list_many(
    Connection& c, const std::vector<std::int64_t>& message_ids) {
  std::map<std::int64_t, std::vector<ReactionSummary>> out;
  if (message_ids.empty()) return out;
  std::vector<SqlValue> ids(message_ids.begin(), message_ids.end());
  const std::string in = placeholders(ids.size());
  // (message, emoji) → index in out[message], to attach the preview users below.
  std::map<std::pair<std::int64_t, std::string>, std::size_t> index;
  for (const auto& r : c.query("SELECT message_id, emoji, users FROM message_reaction_emoji"
                               " WHERE message_id IN (" +
                                   in + ") ORDER BY message_id, first_seq",
                               ids)) {
    auto& list = out[r.i64(0)];
    index[{r.i64(0), r.text(1)}] = list.size();
    list.push_back(ReactionSummary{r.text(1), r.i64(2), {}});
  }
  if (out.empty()) return out;
  // The first holders of each emoji (window functions: SQLite ≥ 3.25 and PostgreSQL).
  for (const auto& r :
       c.query("SELECT message_id, emoji, user_id FROM ("
               " SELECT message_id, emoji, user_id, added_seq, ROW_NUMBER() OVER ("
               "  PARTITION BY message_id, emoji ORDER BY added_seq) AS n"
               " FROM message_reactions WHERE message_id IN (" +
                   in +
                   ")) AS ranked"
                   " WHERE n <= " +
                   std::to_string(kPreviewUsers) + " ORDER BY message_id, emoji, added_seq",
               ids)) {
    auto it = index.find({r.i64(0), r.text(1)});
    if (it == index.end()) continue;
    out[r.i64(0)][it->second].first_users.push_back(uuid_cell(r, 2));
  }
  return out;
}

}  // namespace argon::store::reactions
