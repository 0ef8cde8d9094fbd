#include "argon/store/messages_repo.hpp"

#include "argon/store/accounts_repo.hpp"

namespace argon::store::messages {
namespace {
constexpr const char* kSelect =
    "SELECT id, channel_id, space_id, creator_id, text, entities, controls, reply_to, created_at,"
    " edited_at FROM messages";
StoredMessage message_from(const Row& r) {
  return StoredMessage{r.i64(0),  uuid_cell(r, 1), uuid_cell(r, 2), uuid_cell(r, 3), r.text(4),
                       r.text(5), r.opt_text(6),   r.opt_i64(7),    r.i64(8),        r.opt_i64(9)};
}
}  // namespace

void insert(Connection& c, const StoredMessage& m) {
  c.exec(
      "INSERT INTO messages (id, channel_id, space_id, creator_id, text, entities, controls,"
      " reply_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {m.id, sql_uuid(m.channel_id), sql_uuid(m.space_id), sql_uuid(m.creator_id), m.text,
       m.entities_json, sql_opt(m.controls_json), sql_opt(m.reply_to), m.created_at_ms});
}

std::optional<StoredMessage> find(Connection& c, std::int64_t id) {
  auto row = c.query_one(std::string(kSelect) + " WHERE id = $1", {id});
  if (!row) return std::nullopt;
  return message_from(*row);
}

std::vector<StoredMessage> history(Connection& c, const Uuid& channel_id,
                                   std::optional<std::int64_t> before, int limit) {
  std::vector<Row> rows =
      before ? c.query(std::string(kSelect) +
                           " WHERE channel_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                       {sql_uuid(channel_id), *before, std::int64_t{limit}})
             : c.query(std::string(kSelect) + " WHERE channel_id = $1 ORDER BY id DESC LIMIT $2",
                       {sql_uuid(channel_id), std::int64_t{limit}});
  std::vector<StoredMessage> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(message_from(r));
  return out;
}

void update_content(Connection& c, std::int64_t id, const std::string& text,
                    const std::string& entities_json,
                    const std::optional<std::string>& controls_json, std::int64_t edited_at_ms) {
  c.exec(
      "UPDATE messages SET text = $2, entities = $3, controls = $4, edited_at = $5 WHERE id = $1",
      {id, text, entities_json, sql_opt(controls_json), edited_at_ms});
}

std::int64_t max_id(Connection& c) {
  auto row = c.query_one("SELECT MAX(id) FROM messages");
  return row && !row->is_null(0) ? row->i64(0) : 0;
}

std::optional<std::int64_t> dedupe_lookup(Connection& c, const Uuid& sender, const Uuid& channel,
                                          std::int64_t random_id, std::int64_t not_before_ms) {
  auto row = c.query_one(
      "SELECT message_id FROM message_dedupe WHERE sender_id = $1 AND channel_id = $2"
      " AND random_id = $3 AND created_at >= $4",
      {sql_uuid(sender), sql_uuid(channel), random_id, not_before_ms});
  if (!row) return std::nullopt;
  return row->i64(0);
}

void dedupe_remember(Connection& c, const Uuid& sender, const Uuid& channel, std::int64_t random_id,
                     std::int64_t message_id, std::int64_t now_ms, std::int64_t not_before_ms) {
  // A stale key (older than the retention) may still be there until pruned: replace it. A fresh
  // one can only be there if a concurrent send with the same key committed after our lookup
  // (PostgreSQL): this attempt lost the race, and its retry will find that message.
  auto changed = c.exec(
      "INSERT INTO message_dedupe (sender_id, channel_id, random_id, message_id, created_at)"
      " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sender_id, channel_id, random_id)"
      " DO UPDATE SET message_id = excluded.message_id, created_at = excluded.created_at"
      " WHERE message_dedupe.created_at < $6",
      {sql_uuid(sender), sql_uuid(channel), random_id, message_id, now_ms, not_before_ms});
  if (changed == 0) throw RetryableError("randomId taken by a concurrent send");
}

std::int64_t dedupe_prune(Connection& c, std::int64_t older_than_ms) {
  return c.exec("DELETE FROM message_dedupe WHERE created_at < $1", {older_than_ms});
}

}  // namespace argon::store::messages
