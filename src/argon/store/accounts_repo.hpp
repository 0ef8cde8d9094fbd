#pragma once
// Users, sessions and bot applications.
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/model.hpp"
#include "argon/store/sql.hpp"

namespace argon::store {

Uuid uuid_cell(const Row& row, std::size_t i);
std::optional<Uuid> opt_uuid_cell(const Row& row, std::size_t i);
inline SqlValue sql_uuid(const Uuid& id) {
  return id.str();
}
inline SqlValue sql_opt_uuid(const std::optional<Uuid>& id) {
  return id ? SqlValue(id->str()) : SqlValue(std::monostate{});
}

namespace users {
void insert(Connection& c, const User& user, const std::optional<std::string>& password_hash);
std::optional<User> find(Connection& c, const Uuid& id);
std::optional<User> find_by_username(Connection& c, std::string_view username);
std::optional<std::string> password_hash(Connection& c, const Uuid& id);
void set_flags(Connection& c, const Uuid& id, std::int64_t flags);
void set_presence(Connection& c, const Uuid& id, int status,
                  const std::optional<std::string>& activity_json);
struct StoredPresence {
  int status = 0;
  std::optional<std::string> activity_json;
};
StoredPresence presence(Connection& c, const Uuid& id);
}  // namespace users

namespace sessions {
void insert(Connection& c, const std::string& token_hash, const Uuid& user_id, std::int64_t now_ms);
std::optional<Uuid> user_for(Connection& c, const std::string& token_hash);
// Ends one session (sign out); returns how many rows went (0 or 1).
std::int64_t remove(Connection& c, const std::string& token_hash);
}  // namespace sessions

namespace apps {
void insert(Connection& c, const BotApp& app, const std::string& token_hash);
std::optional<BotApp> find(Connection& c, const Uuid& app_id);
std::optional<BotApp> find_by_bot_user(Connection& c, const Uuid& bot_user_id);
std::optional<std::string> token_hash(Connection& c, const Uuid& app_id);
std::vector<BotApp> list_owned(Connection& c, const Uuid& owner_id);
std::vector<BotApp> list_all(Connection& c);
void set_token_hash(Connection& c, const Uuid& app_id, const std::string& token_hash);
void set_verified(Connection& c, const Uuid& app_id, bool verified);
}  // namespace apps

}  // namespace argon::store
