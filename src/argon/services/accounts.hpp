#pragma once
// People's accounts: registration, login, session tokens, presence.
#include <string>

#include "argon/services/access.hpp"
#include "argon/services/context.hpp"

namespace argon::services {

struct RegisterRequest {
  std::string username;
  std::string password;
  std::optional<std::string> display_name;
  std::optional<std::string> invite_code;  // required when accounts.registration = invite
};

struct SessionGrant {
  User user;
  std::string token;
};

// One of a person's sessions, as they see it.
struct OwnSession {
  std::string session_id;  // a prefix of the token's hash (as the operator sees it too)
  std::int64_t created_at_ms = 0;
  bool current = false;  // the session of the token asking
};

class AccountService {
 public:
  explicit AccountService(Context& ctx) : ctx_(ctx) {}

  // 409 username_taken; 400 validation_error naming the field; 403 registration_closed, or
  // (invite mode) 403 invite_required / 404 invite_not_found.
  Task<Result<SessionGrant>> register_person(RegisterRequest request);
  // 401 invalid_credentials for an unknown user or a wrong password; 403 account_disabled;
  // 429 too_many_attempts (with Retry-After) after too many failures for the username or from
  // `address` within the window (ServiceLimits).
  Task<Result<SessionGrant>> login(std::string username, std::string password,
                                   std::string address = {});
  // Drops failed-login records older than the window (maintenance).
  Task<std::int64_t> prune_login_failures();
  // Bearer token → the person; 401 unauthorized.
  Task<Result<User>> authenticate(std::string token);
  // Sign out: the session of `token` ends (the token, and tickets taken with it, stop working).
  Task<Status> end_session(std::string token);
  // The person's sessions, oldest first; `current_token` marks the asking one.
  Task<std::vector<OwnSession>> own_sessions(Uuid user_id, std::string current_token);
  // Ends one of the person's sessions (`session_id`; the current one too: that signs out), or,
  // without one, every session but the current one. → how many ended. 404 session_not_found
  // when `session_id` is not one of theirs.
  Task<Result<std::int64_t>> end_own_sessions(Uuid user_id, std::string current_token,
                                              std::optional<std::string> session_id);
  // Operator CLI: a person with a session token (and a password when given).
  Task<Result<SessionGrant>> create_user(std::string username, std::optional<std::string> password);
  Task<Result<User>> get_user(Uuid id);
  // Emits presenceUpdate in every space of the person.
  Task<Status> set_presence(Uuid user_id, Presence presence);
  // The X-Argon-Locale header of an authenticated request (UPSTREAM.md §5): kept as the
  // person's current locale when it normalises to one (blank or invalid: nothing changes).
  void note_locale(const Uuid& user_id, std::string_view raw);
  // The person's current locale (null: none, or not for 30 minutes).
  std::optional<std::string> current_locale(const Uuid& user_id) const;

 private:
  Task<Result<SessionGrant>> create_person(std::string username,
                                           std::optional<std::string> password,
                                           std::optional<std::string> display_name);
  std::string new_session(store::Connection& c, const Uuid& user_id);

  Context& ctx_;
};

std::string session_token_hash(std::string_view token);
// presenceUpdate payload for every space the user is in, appended to the batch.
void append_presence_events(store::Connection& c, EventBatch& batch, const User& user,
                            const Presence& presence, std::int64_t now_ms);

}  // namespace argon::services
