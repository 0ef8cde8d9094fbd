#include "argon/services/account_admin.hpp"

#include <spdlog/spdlog.h>

#include "argon/domain/names.hpp"
#include "argon/store/account_admin_repo.hpp"
#include "argon/store/accounts_repo.hpp"

namespace argon::services {
namespace {

constexpr std::size_t kSessionIdLength = 16;
using store::AccountStatus;

std::string status_name(AccountStatus s) {
  switch (s) {
    case AccountStatus::Active:
      return "active";
    case AccountStatus::Disabled:
      return "disabled";
    case AccountStatus::Deleted:
      return "deleted";
  }
  return "active";
}

AccountInfo info_from(const store::AccountRow& r) {
  return AccountInfo{r.user, status_name(r.status), r.has_password, r.sessions};
}

Error no_such_user() {
  return Error::not_found("not_found", "User not found.");
}

// The person's row for a change: 404 for an unknown id, 400 for a bot (its application is
// managed through the developer console), 409 for a deleted account.
Result<store::AccountRow> person_to_change(store::Connection& c, const Uuid& user_id) {
  auto row = store::accounts::find(c, user_id);
  if (!row) return no_such_user();
  if (row->user.is_bot())
    return Error::bad_request("not_a_person", "This is a bot; manage it through its application.");
  if (row->status == AccountStatus::Deleted)
    return Error::conflict("account_deleted", "This account was deleted.");
  return *row;
}

void audit(const std::string& actor, const char* action, const User& user,
           std::string detail = {}) {
  spdlog::info("audit: actor=\"{}\" action={} user={} username={}{}", actor, action, user.id.str(),
               user.username, detail.empty() ? "" : " " + detail);
}

}  // namespace

std::string session_id_of(const std::string& token_hash) {
  return token_hash.substr(0, kSessionIdLength);
}

Task<Result<std::vector<AccountInfo>>> AccountAdminService::list(std::optional<std::string> after,
                                                                 int limit) {
  auto rows = co_await ctx_.db.read(
      [&](store::Connection& c) { return store::accounts::list(c, after, limit); });
  std::vector<AccountInfo> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(info_from(r));
  co_return out;
}

Task<Result<AccountInfo>> AccountAdminService::get(Uuid user_id) {
  auto row = co_await ctx_.db.read(
      [&](store::Connection& c) { return store::accounts::find(c, user_id); });
  if (!row) co_return no_such_user();
  co_return info_from(*row);
}

Task<Result<AccountInfo>> AccountAdminService::find_by_username(std::string username) {
  std::string lowered = to_lower_ascii(username);
  auto row = co_await ctx_.db.read([&](store::Connection& c) -> std::optional<store::AccountRow> {
    auto user = store::users::find_by_username(c, lowered);
    if (!user) return std::nullopt;
    return store::accounts::find(c, user->id);
  });
  if (!row) co_return no_such_user();
  co_return info_from(*row);
}

Task<Result<AccountInfo>> AccountAdminService::disable(Uuid user_id, std::string actor) {
  std::int64_t revoked = 0;
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<AccountInfo> {
    auto row = person_to_change(c, user_id);
    if (!row) return row.error();
    store::accounts::set_status(c, user_id, AccountStatus::Disabled);
    revoked = store::sessions::delete_for(c, user_id);
    auto after = store::accounts::find(c, user_id);
    return info_from(*after);
  });
  if (result) audit(actor, "disable", result->user, "sessions_revoked=" + std::to_string(revoked));
  co_return result;
}

Task<Result<AccountInfo>> AccountAdminService::enable(Uuid user_id, std::string actor) {
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<AccountInfo> {
    auto row = person_to_change(c, user_id);
    if (!row) return row.error();
    store::accounts::set_status(c, user_id, AccountStatus::Active);
    auto after = store::accounts::find(c, user_id);
    return info_from(*after);
  });
  if (result) audit(actor, "enable", result->user);
  co_return result;
}

Task<Result<AccountInfo>> AccountAdminService::remove(Uuid user_id, std::string actor) {
  std::string former_name;
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<AccountInfo> {
    auto row = person_to_change(c, user_id);
    if (!row) return row.error();
    former_name = row->user.username;
    store::sessions::delete_for(c, user_id);
    // Not a valid username for registration ('-' is not allowed), so it never collides.
    std::string hex = user_id.str();
    hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end());
    store::accounts::scrub(c, user_id, "deleted-" + hex.substr(0, 12));
    auto after = store::accounts::find(c, user_id);
    return info_from(*after);
  });
  if (result) audit(actor, "delete", result->user, "former_username=" + former_name);
  co_return result;
}

Task<Status> AccountAdminService::reset_password(Uuid user_id, std::string password,
                                                 std::string actor) {
  ARGON_CO_TRY(validate_password(password));
  // The slow hash runs before the write so the single writer never waits on it, and on the
  // background pool rather than a network thread.
  co_await ResumeOn(ctx_.background);
  std::string hash = crypto::hash_password(password, ctx_.limits.password_cost);
  std::optional<User> user;
  std::int64_t revoked = 0;
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    auto row = person_to_change(c, user_id);
    if (!row) return row.error();
    store::accounts::set_password_hash(c, user_id, hash);
    revoked = store::sessions::delete_for(c, user_id);
    user = row->user;
    return {};
  });
  if (result) audit(actor, "reset_password", *user, "sessions_revoked=" + std::to_string(revoked));
  co_return result;
}

Task<Result<std::vector<SessionInfo>>> AccountAdminService::sessions(Uuid user_id) {
  auto result =
      co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<SessionInfo>> {
        if (!store::accounts::find(c, user_id)) return no_such_user();
        std::vector<SessionInfo> out;
        for (const auto& s : store::sessions::list_for(c, user_id))
          out.push_back(SessionInfo{session_id_of(s.token_hash), s.created_at_ms});
        return out;
      });
  co_return result;
}

Task<Result<std::int64_t>> AccountAdminService::revoke_sessions(
    Uuid user_id, std::optional<std::string> session_id, std::string actor) {
  if (session_id && session_id->size() != kSessionIdLength)
    co_return Error::not_found("session_not_found", "No such session.");
  std::optional<User> user;
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::int64_t> {
    auto row = store::accounts::find(c, user_id);
    if (!row) return no_such_user();
    user = row->user;
    std::int64_t n = session_id ? store::sessions::delete_one(c, user_id, *session_id)
                                : store::sessions::delete_for(c, user_id);
    if (session_id && n == 0) return Error::not_found("session_not_found", "No such session.");
    return n;
  });
  if (result)
    audit(actor, "revoke_sessions", *user,
          (session_id ? "session=" + *session_id + " " : std::string()) +
              "revoked=" + std::to_string(*result));
  co_return result;
}

}  // namespace argon::services
