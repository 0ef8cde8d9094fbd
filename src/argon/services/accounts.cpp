#include "argon/services/accounts.hpp"

#include <boost/json/serialize.hpp>

#include <spdlog/spdlog.h>

#include "argon/domain/names.hpp"
#include "argon/services/account_admin.hpp"
#include "argon/services/user_locales.hpp"
#include "argon/store/account_admin_repo.hpp"
#include "argon/store/accounts_repo.hpp"
#include "argon/store/spaces_repo.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {

std::string session_token_hash(std::string_view token) {
  return crypto::sha256_hex(token);
}

std::string AccountService::new_session(store::Connection& c, const Uuid& user_id) {
  std::string token = crypto::random_token(ctx_.random);
  store::sessions::insert(c, session_token_hash(token), user_id, ctx_.now_ms());
  return token;
}

Task<Result<SessionGrant>> AccountService::register_person(RegisterRequest r) {
  if (ctx_.limits.registration == RegistrationMode::Closed)
    co_return Error::forbidden("registration_closed",
                               "Registration is closed on this server; ask its operator.");
  if (ctx_.limits.registration == RegistrationMode::Invite) {
    if (!r.invite_code || r.invite_code->empty())
      co_return Error::forbidden("invite_required",
                                 "inviteCode: this server registers invited people only.");
    // Checked, not used: accepting the invite afterwards uses it (and joins the space).
    const std::int64_t now = ctx_.now_ms();
    auto valid = co_await ctx_.db.read([&](store::Connection& c) {
      auto inv = store::invites::find(c, *r.invite_code);
      return inv && !(inv->expires_at_ms && *inv->expires_at_ms <= now) &&
             !(inv->max_uses && inv->uses >= *inv->max_uses);
    });
    if (!valid)
      co_return Error::not_found("invite_not_found", "Invite not found or no longer valid.");
  }
  ARGON_CO_TRY(validate_password(r.password));
  auto created = co_await create_person(std::move(r.username), std::move(r.password),
                                        std::move(r.display_name));
  co_return created;
}

Task<Result<SessionGrant>> AccountService::create_user(std::string username,
                                                       std::optional<std::string> password) {
  if (password) ARGON_CO_TRY(validate_password(*password));
  auto created = co_await create_person(std::move(username), std::move(password), std::nullopt);
  co_return created;
}

Task<Result<SessionGrant>> AccountService::create_person(std::string username,
                                                         std::optional<std::string> password,
                                                         std::optional<std::string> display_name) {
  std::string lowered = to_lower_ascii(username);
  ARGON_CO_TRY(validate_person_username(lowered));
  if (display_name) ARGON_CO_TRY(validate_name(*display_name, "displayName", kDisplayNameMax));
  // The slow hash runs before the write so the single writer never waits on it.
  std::optional<std::string> hash;
  if (password) {
    co_await ResumeOn(ctx_.background);  // tens of ms of CPU: not on a network thread
    hash = crypto::hash_password(*password, ctx_.limits.password_cost);
  }

  User user;
  user.id = ctx_.random.uuid();
  user.username = lowered;
  user.display_name = display_name.value_or(lowered);
  user.created_at_ms = ctx_.now_ms();
  auto created = co_await ctx_.db.transact([&](store::Connection& c) -> Result<SessionGrant> {
    if (store::users::find_by_username(c, lowered))
      return Error::conflict("username_taken", "username: already taken");
    try {
      store::users::insert(c, user, hash);
    } catch (const store::ConstraintError&) {  // taken by a concurrent registration
      return Error::conflict("username_taken", "username: already taken");
    }
    return SessionGrant{user, new_session(c, user.id)};
  });
  co_return created;
}

Task<Result<SessionGrant>> AccountService::login(std::string username, std::string password,
                                                 std::string address) {
  std::string lowered = to_lower_ascii(username);
  const std::string by_user = "user:" + lowered;
  const std::string by_address = address.empty() ? std::string() : "addr:" + address;
  const std::int64_t now = ctx_.now_ms();
  const std::int64_t since = now - ctx_.limits.login_window_ms;
  struct Found {
    std::optional<User> user;
    std::optional<std::string> hash;
    store::AccountStatus status = store::AccountStatus::Active;
    std::optional<std::int64_t> throttled_until;  // when a failure leaves the full window
  };
  auto found = co_await ctx_.db.read([&](store::Connection& c) {
    Found f;
    auto check = [&](const std::string& subject, std::int64_t cap) {
      if (subject.empty() || store::login_failures::count_since(c, subject, since) < cap) return;
      auto oldest = store::login_failures::oldest_since(c, subject, since);
      std::int64_t until = (oldest ? *oldest : now) + ctx_.limits.login_window_ms;
      f.throttled_until = std::max(f.throttled_until.value_or(0), until);
    };
    check(by_user, ctx_.limits.login_failures_per_user);
    check(by_address, ctx_.limits.login_failures_per_address);
    if (f.throttled_until) return f;
    auto user = store::users::find_by_username(c, lowered);
    if (!user || user->is_bot()) return f;
    f.user = user;
    f.hash = store::users::password_hash(c, user->id);
    f.status = store::accounts::status(c, user->id);
    return f;
  });
  if (found.throttled_until) {
    std::int64_t seconds = std::max<std::int64_t>(1, (*found.throttled_until - now + 999) / 1000);
    spdlog::warn("auth: login throttled username=\"{}\" address={} retry_after={}s", lowered,
                 address, seconds);
    Error e{429, "too_many_attempts", "Too many failed logins; try again later."};
    e.retry_after_seconds = seconds;
    co_return e;
  }
  bool valid = false;
  co_await ResumeOn(ctx_.background);  // tens of ms of CPU: not on a network thread
  if (found.hash) {
    valid = crypto::verify_password(*found.hash, password);
  } else {
    // Spend the same time as a real check so response times do not reveal which names exist.
    static const std::string kDecoy =
        crypto::hash_password("decoy-password", ctx_.limits.password_cost);
    (void)crypto::verify_password(kDecoy, password);
  }
  if (!valid) {
    auto recorded = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
      store::login_failures::record(c, by_user, now);
      if (!by_address.empty()) store::login_failures::record(c, by_address, now);
      return {};
    });
    (void)recorded;  // the answer is 401 either way
    spdlog::warn("auth: failed login username=\"{}\" address={}", lowered, address);
    co_return Error{401, "invalid_credentials", "Wrong username or password."};
  }
  if (found.status != store::AccountStatus::Active)
    co_return Error::forbidden("account_disabled", "This account is disabled.");
  const User user = *found.user;
  auto granted = co_await ctx_.db.transact([&](store::Connection& c) -> Result<SessionGrant> {
    store::login_failures::clear(c, by_user);  // a success forgives the username's failures
    return SessionGrant{user, new_session(c, user.id)};
  });
  co_return granted;
}

Task<std::int64_t> AccountService::prune_login_failures() {
  const std::int64_t cutoff = ctx_.now_ms() - ctx_.limits.login_window_ms;
  auto r = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::int64_t> {
    return store::login_failures::prune(c, cutoff);
  });
  co_return r ? *r : 0;
}

Task<Result<User>> AccountService::authenticate(std::string token) {
  if (token.empty()) co_return Error::unauthorized();
  std::string hash = session_token_hash(token);
  auto user = co_await ctx_.db.read([&](store::Connection& c) -> std::optional<User> {
    auto id = store::sessions::user_for(c, hash);
    if (!id) return std::nullopt;
    return store::users::find(c, *id);
  });
  if (!user) co_return Error::unauthorized("Missing or invalid session token.");
  co_return *user;
}

Task<Status> AccountService::end_session(std::string token) {
  std::string hash = session_token_hash(token);
  Status ended = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    store::sessions::remove(c, hash);
    return {};
  });
  co_return ended;
}

Task<std::vector<OwnSession>> AccountService::own_sessions(Uuid user_id,
                                                           std::string current_token) {
  std::string current = session_token_hash(current_token);
  co_return co_await ctx_.db.read([&](store::Connection& c) {
    std::vector<OwnSession> out;
    for (const auto& row : store::sessions::list_for(c, user_id))
      out.push_back(
          OwnSession{session_id_of(row.token_hash), row.created_at_ms, row.token_hash == current});
    return out;
  });
}

Task<Result<std::int64_t>> AccountService::end_own_sessions(Uuid user_id, std::string current_token,
                                                            std::optional<std::string> session_id) {
  std::string current = session_token_hash(current_token);
  auto ended = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::int64_t> {
    std::int64_t n = 0;
    for (const auto& row : store::sessions::list_for(c, user_id)) {
      bool chosen =
          session_id ? session_id_of(row.token_hash) == *session_id : row.token_hash != current;
      if (chosen) n += store::sessions::remove(c, row.token_hash);
    }
    if (session_id && n == 0) return Error::not_found("session_not_found", "No such session.");
    return n;
  });
  co_return ended;
}

Task<Result<User>> AccountService::get_user(Uuid id) {
  auto user =
      co_await ctx_.db.read([&](store::Connection& c) { return store::users::find(c, id); });
  if (!user) co_return Error::not_found("not_found", "User not found.");
  co_return *user;
}

void AccountService::note_locale(const Uuid& user_id, std::string_view raw) {
  if (ctx_.locales) ctx_.locales->note(user_id, raw);
}

std::optional<std::string> AccountService::current_locale(const Uuid& user_id) const {
  return locale_of(ctx_, user_id);
}

void append_presence_events(store::Connection& c, EventBatch& batch, const User& user,
                            const Presence& presence, std::int64_t now_ms) {
  for (const auto& space_id : store::members::space_ids_of(c, user.id)) {
    auto member = store::members::find(c, space_id, user.id);
    boost::json::object payload{
        {"spaceId", space_id.str()},
        {"user", member ? user_json(batch.context(), *member) : user_json(batch.context(), user)},
        {"presence", wire::presence_json(presence)}};
    batch.append(c, events::space_stream(space_id), "presenceUpdate", space_id,
                 boost::json::serialize(payload), now_ms);
  }
}

Task<Status> AccountService::set_presence(Uuid user_id, Presence requested) {
  Presence presence = requested;
  // An activity starts now unless the client says when (Argon-epoch seconds, SPEC.md §15).
  if (presence.activity && presence.activity->start_timestamp_seconds == 0)
    presence.activity->start_timestamp_seconds =
        static_cast<std::uint32_t>((ctx_.now_ms() - kArgonEpochUnixMs) / 1000);
  EventBatch batch{ctx_};
  std::optional<std::string> activity;
  if (presence.activity) {
    activity = boost::json::serialize(wire::presence_json(presence).at("activity"));
  }
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto user = store::users::find(c, user_id);
    if (!user) return Error::unauthorized();
    store::users::set_presence(c, user_id, static_cast<int>(presence.status), activity);
    append_presence_events(c, batch, *user, presence, ctx_.now_ms());
    return {};
  });
  co_return result;
}

}  // namespace argon::services
