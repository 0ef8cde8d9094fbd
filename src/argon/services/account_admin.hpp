#pragma once
// The operator's control over people's accounts (admin API and CLI, docs/operations.md
// "Accounts"): list, disable / enable, delete, reset a password, list and revoke sessions. Every
// change is written to the log as an audit line naming who did it.
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/model.hpp"
#include "argon/services/context.hpp"

namespace argon::services {

struct AccountInfo {
  User user;
  std::string status;  // "active" | "disabled" | "deleted"
  bool has_password = false;
  std::int64_t sessions = 0;
};

struct SessionInfo {
  std::string session_id;  // a prefix of the token's hash: names the session, reveals nothing
  std::int64_t created_at_ms = 0;
};

class AccountAdminService {
 public:
  explicit AccountAdminService(Context& ctx) : ctx_(ctx) {}

  // People and bots by username; `after`: the last username of the previous page.
  Task<Result<std::vector<AccountInfo>>> list(std::optional<std::string> after, int limit);
  Task<Result<AccountInfo>> get(Uuid user_id);
  Task<Result<AccountInfo>> find_by_username(std::string username);
  // No login, every session revoked. `actor` names the operator in the audit line.
  Task<Result<AccountInfo>> disable(Uuid user_id, std::string actor);
  Task<Result<AccountInfo>> enable(Uuid user_id, std::string actor);
  // Irreversible: sessions revoked, name freed, personal data dropped; the row stays as the
  // author of the person's messages and the holder of their memberships.
  Task<Result<AccountInfo>> remove(Uuid user_id, std::string actor);
  // A new password; every session is revoked.
  Task<Status> reset_password(Uuid user_id, std::string password, std::string actor);
  Task<Result<std::vector<SessionInfo>>> sessions(Uuid user_id);
  // One session (`session_id`) or all of them → how many were revoked.
  Task<Result<std::int64_t>> revoke_sessions(Uuid user_id, std::optional<std::string> session_id,
                                             std::string actor);

 private:
  Context& ctx_;
};

// The session id shown for a stored token hash.
std::string session_id_of(const std::string& token_hash);

}  // namespace argon::services
