#include "argon/store/accounts_repo.hpp"

namespace argon::store {

Uuid uuid_cell(const Row& row, std::size_t i) {
  auto id = Uuid::parse(row.text(i));
  if (!id) throw SqlError("corrupt id in database: " + row.text(i));
  return *id;
}

std::optional<Uuid> opt_uuid_cell(const Row& row, std::size_t i) {
  if (row.is_null(i)) return std::nullopt;
  return uuid_cell(row, i);
}

namespace users {
namespace {
constexpr const char* kColumns = "id, username, display_name, avatar_url, flags, created_at";
User user_from(const Row& r) {
  return User{uuid_cell(r, 0), r.text(1), r.text(2), r.opt_text(3), r.i64(4), r.i64(5)};
}
}  // namespace

void insert(Connection& c, const User& u, const std::optional<std::string>& password_hash) {
  c.exec(
      "INSERT INTO users (id, username, display_name, avatar_url, flags, password_hash, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {sql_uuid(u.id), u.username, u.display_name, sql_opt(u.avatar_url), u.flags,
       sql_opt(password_hash), u.created_at_ms});
}

std::optional<User> find(Connection& c, const Uuid& id) {
  auto row =
      c.query_one(std::string("SELECT ") + kColumns + " FROM users WHERE id = $1", {sql_uuid(id)});
  if (!row) return std::nullopt;
  return user_from(*row);
}

std::optional<User> find_by_username(Connection& c, std::string_view username) {
  auto row = c.query_one(std::string("SELECT ") + kColumns + " FROM users WHERE username = $1",
                         {std::string(username)});
  if (!row) return std::nullopt;
  return user_from(*row);
}

std::optional<std::string> password_hash(Connection& c, const Uuid& id) {
  auto row = c.query_one("SELECT password_hash FROM users WHERE id = $1", {sql_uuid(id)});
  if (!row) return std::nullopt;
  return row->opt_text(0);
}

void set_flags(Connection& c, const Uuid& id, std::int64_t flags) {
  c.exec("UPDATE users SET flags = $2 WHERE id = $1", {sql_uuid(id), flags});
}

void set_presence(Connection& c, const Uuid& id, int status,
                  const std::optional<std::string>& activity_json) {
  c.exec("UPDATE users SET presence_status = $2, presence_activity = $3 WHERE id = $1",
         {sql_uuid(id), std::int64_t{status}, sql_opt(activity_json)});
}

StoredPresence presence(Connection& c, const Uuid& id) {
  auto row = c.query_one("SELECT presence_status, presence_activity FROM users WHERE id = $1",
                         {sql_uuid(id)});
  if (!row) return {};
  return {static_cast<int>(row->i64(0)), row->opt_text(1)};
}
}  // namespace users

namespace sessions {
void insert(Connection& c, const std::string& token_hash, const Uuid& user_id,
            std::int64_t now_ms) {
  c.exec("INSERT INTO sessions (token_hash, user_id, created_at) VALUES ($1, $2, $3)",
         {token_hash, sql_uuid(user_id), now_ms});
}

std::optional<Uuid> user_for(Connection& c, const std::string& token_hash) {
  auto row = c.query_one("SELECT user_id FROM sessions WHERE token_hash = $1", {token_hash});
  if (!row) return std::nullopt;
  return uuid_cell(*row, 0);
}

std::int64_t remove(Connection& c, const std::string& token_hash) {
  return c.exec("DELETE FROM sessions WHERE token_hash = $1", {token_hash});
}
}  // namespace sessions

namespace apps {
namespace {
constexpr const char* kSelect =
    "SELECT a.id, a.owner_id, a.bot_user_id, a.name, u.username, a.is_verified, a.created_at"
    " FROM bot_apps a JOIN users u ON u.id = a.bot_user_id";
BotApp app_from(const Row& r) {
  return BotApp{uuid_cell(r, 0), uuid_cell(r, 1), uuid_cell(r, 2), r.text(3),
                r.text(4),       r.flag(5),       r.i64(6)};
}
std::vector<BotApp> all_from(const std::vector<Row>& rows) {
  std::vector<BotApp> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(app_from(r));
  return out;
}
}  // namespace

void insert(Connection& c, const BotApp& a, const std::string& token_hash) {
  c.exec(
      "INSERT INTO bot_apps (id, owner_id, bot_user_id, name, token_hash, is_verified, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {sql_uuid(a.id), sql_uuid(a.owner_id), sql_uuid(a.bot_user_id), a.name, token_hash,
       std::int64_t{a.is_verified}, a.created_at_ms});
}

std::optional<BotApp> find(Connection& c, const Uuid& app_id) {
  auto row = c.query_one(std::string(kSelect) + " WHERE a.id = $1", {sql_uuid(app_id)});
  if (!row) return std::nullopt;
  return app_from(*row);
}

std::optional<BotApp> find_by_bot_user(Connection& c, const Uuid& bot_user_id) {
  auto row =
      c.query_one(std::string(kSelect) + " WHERE a.bot_user_id = $1", {sql_uuid(bot_user_id)});
  if (!row) return std::nullopt;
  return app_from(*row);
}

std::optional<std::string> token_hash(Connection& c, const Uuid& app_id) {
  auto row = c.query_one("SELECT token_hash FROM bot_apps WHERE id = $1", {sql_uuid(app_id)});
  if (!row) return std::nullopt;
  return row->text(0);
}

std::vector<BotApp> list_owned(Connection& c, const Uuid& owner_id) {
  return all_from(
      c.query(std::string(kSelect) + " WHERE a.owner_id = $1 ORDER BY a.created_at, a.id",
              {sql_uuid(owner_id)}));
}

std::vector<BotApp> list_all(Connection& c) {
  return all_from(c.query(std::string(kSelect) + " ORDER BY u.username"));
}

void set_token_hash(Connection& c, const Uuid& app_id, const std::string& token_hash) {
  c.exec("UPDATE bot_apps SET token_hash = $2 WHERE id = $1", {sql_uuid(app_id), token_hash});
}

void set_verified(Connection& c, const Uuid& app_id, bool verified) {
  c.exec("UPDATE bot_apps SET is_verified = $2 WHERE id = $1",
         {sql_uuid(app_id), std::int64_t{verified}});
}
}  // namespace apps

}  // namespace argon::store
