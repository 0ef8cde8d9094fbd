#include "argon/store/account_admin_repo.hpp"

#include "argon/store/accounts_repo.hpp"

namespace argon::store {

namespace accounts {
namespace {
constexpr const char* kSelect =
    "SELECT u.id, u.username, u.display_name, u.avatar_url, u.flags, u.created_at, u.status,"
    " CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END, (SELECT COUNT(*) FROM sessions s WHERE "
    "s.user_id = u.id)"
    " FROM users u";
AccountRow row_from(const Row& r) {
  return AccountRow{User{uuid_cell(r, 0), r.text(1), r.text(2), r.opt_text(3), r.i64(4), r.i64(5)},
                    static_cast<AccountStatus>(r.i64(6)), r.flag(7), r.i64(8)};
}
}  // namespace

AccountStatus status(Connection& c, const Uuid& user_id) {
  auto row = c.query_one("SELECT status FROM users WHERE id = $1", {sql_uuid(user_id)});
  return row ? static_cast<AccountStatus>(row->i64(0)) : AccountStatus::Deleted;
}

void set_status(Connection& c, const Uuid& user_id, AccountStatus status) {
  c.exec("UPDATE users SET status = $2 WHERE id = $1",
         {sql_uuid(user_id), static_cast<std::int64_t>(status)});
}

std::optional<AccountRow> find(Connection& c, const Uuid& user_id) {
  auto row = c.query_one(std::string(kSelect) + " WHERE u.id = $1", {sql_uuid(user_id)});
  if (!row) return std::nullopt;
  return row_from(*row);
}

std::vector<AccountRow> list(Connection& c, const std::optional<std::string>& after_username,
                             int limit) {
  std::vector<Row> rows =
      after_username
          ? c.query(std::string(kSelect) + " WHERE u.username > $1 ORDER BY u.username LIMIT $2",
                    {*after_username, std::int64_t{limit}})
          : c.query(std::string(kSelect) + " ORDER BY u.username LIMIT $1", {std::int64_t{limit}});
  std::vector<AccountRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(row_from(r));
  return out;
}

void set_password_hash(Connection& c, const Uuid& user_id, const std::string& hash) {
  c.exec("UPDATE users SET password_hash = $2 WHERE id = $1", {sql_uuid(user_id), hash});
}

void scrub(Connection& c, const Uuid& user_id, const std::string& tombstone_name) {
  c.exec(
      "UPDATE users SET username = $2, display_name = 'Deleted user', avatar_url = NULL,"
      " password_hash = NULL, presence_status = 0, presence_activity = NULL, status = $3"
      " WHERE id = $1",
      {sql_uuid(user_id), tombstone_name, static_cast<std::int64_t>(AccountStatus::Deleted)});
}
}  // namespace accounts

namespace sessions {
std::vector<SessionRow> list_for(Connection& c, const Uuid& user_id) {
  std::vector<SessionRow> out;
  for (const auto& r :
       c.query("SELECT token_hash, created_at FROM sessions WHERE user_id = $1 ORDER BY created_at",
               {sql_uuid(user_id)}))
    out.push_back(SessionRow{r.text(0), r.i64(1)});
  return out;
}

std::int64_t delete_for(Connection& c, const Uuid& user_id) {
  return c.exec("DELETE FROM sessions WHERE user_id = $1", {sql_uuid(user_id)});
}

std::int64_t delete_one(Connection& c, const Uuid& user_id, const std::string& id_prefix) {
  std::int64_t removed = 0;
  for (const auto& s : list_for(c, user_id)) {
    if (s.token_hash.compare(0, id_prefix.size(), id_prefix) != 0) continue;
    removed += c.exec("DELETE FROM sessions WHERE token_hash = $1", {s.token_hash});
  }
  return removed;
}
}  // namespace sessions

namespace login_failures {
void record(Connection& c, const std::string& subject, std::int64_t now_ms) {
  c.exec("INSERT INTO login_failures (subject, failed_at) VALUES ($1, $2)", {subject, now_ms});
}

std::int64_t count_since(Connection& c, const std::string& subject, std::int64_t since_ms) {
  auto row =
      c.query_one("SELECT COUNT(*) FROM login_failures WHERE subject = $1 AND failed_at >= $2",
                  {subject, since_ms});
  return row ? row->i64(0) : 0;
}

std::optional<std::int64_t> oldest_since(Connection& c, const std::string& subject,
                                         std::int64_t since_ms) {
  auto row = c.query_one(
      "SELECT MIN(failed_at) FROM login_failures WHERE subject = $1 AND failed_at >= $2",
      {subject, since_ms});
  if (!row || row->is_null(0)) return std::nullopt;
  return row->i64(0);
}

void clear(Connection& c, const std::string& subject) {
  c.exec("DELETE FROM login_failures WHERE subject = $1", {subject});
}

std::int64_t prune(Connection& c, std::int64_t before_ms) {
  return c.exec("DELETE FROM login_failures WHERE failed_at < $1", {before_ms});
}
}  // namespace login_failures

}  // namespace argon::store
