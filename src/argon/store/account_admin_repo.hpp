#pragma once
// What the operator reads and changes about people (account status, sessions) and the failed
// logins that throttle password guessing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/model.hpp"
#include "argon/store/sql.hpp"

namespace argon::store {

enum class AccountStatus { Active = 0, Disabled = 1, Deleted = 2 };

struct AccountRow {
  User user;
  AccountStatus status = AccountStatus::Active;
  bool has_password = false;
  std::int64_t sessions = 0;
};

struct SessionRow {
  std::string token_hash;
  std::int64_t created_at_ms = 0;
};

namespace accounts {
AccountStatus status(Connection& c, const Uuid& user_id);
void set_status(Connection& c, const Uuid& user_id, AccountStatus status);
std::optional<AccountRow> find(Connection& c, const Uuid& user_id);
// People and bots ordered by username, after `after_username` (exclusive) when given.
std::vector<AccountRow> list(Connection& c, const std::optional<std::string>& after_username,
                             int limit);
void set_password_hash(Connection& c, const Uuid& user_id, const std::string& hash);
// Deletion: the name is freed (replaced by `tombstone_name`), display name, avatar, password and
// presence are dropped; the row stays so that messages and memberships keep their author.
void scrub(Connection& c, const Uuid& user_id, const std::string& tombstone_name);
}  // namespace accounts

namespace sessions {
std::vector<SessionRow> list_for(Connection& c, const Uuid& user_id);
std::int64_t delete_for(Connection& c, const Uuid& user_id);
// The session of `user_id` whose token hash starts with `id_prefix`; → rows deleted.
std::int64_t delete_one(Connection& c, const Uuid& user_id, const std::string& id_prefix);
}  // namespace sessions

namespace login_failures {
void record(Connection& c, const std::string& subject, std::int64_t now_ms);
std::int64_t count_since(Connection& c, const std::string& subject, std::int64_t since_ms);
// The oldest failure of `subject` at or after `since_ms` (when the window frees a slot).
std::optional<std::int64_t> oldest_since(Connection& c, const std::string& subject,
                                         std::int64_t since_ms);
void clear(Connection& c, const std::string& subject);
std::int64_t prune(Connection& c, std::int64_t before_ms);
}  // namespace login_failures

}  // namespace argon::store
