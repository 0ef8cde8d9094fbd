#include "argon/services/bots.hpp"

#include <boost/json/serialize.hpp>

#include "argon/domain/bot_token.hpp"
#include "argon/domain/names.hpp"
#include "argon/domain/text.hpp"
#include "argon/services/local_state.hpp"
#include "argon/services/user_locales.hpp"
#include "argon/store/accounts_repo.hpp"
#include "argon/store/spaces_repo.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {
namespace {
// Only a hash of the secret is stored (DECISIONS.md §4). The secret carries 256 random bits, so a
// fast hash is enough: there is nothing to brute-force, and auth stays cheap per request.
std::string secret_hash(std::string_view secret) {
  return crypto::sha256_hex(secret);
}

std::string new_secret(Random& random) {
  return crypto::random_token(random, 32);
}
}  // namespace

BotService::BotService(Context& ctx, BotAuthCache* cache)
    : ctx_(ctx),
      owned_cache_(cache ? nullptr : std::make_unique<LocalBotAuthCache>()),
      cache_(cache ? *cache : *owned_cache_) {}

BotService::~BotService() = default;

Task<Result<CreatedApp>> BotService::create_app(Uuid owner_id, CreateAppRequest r) {
  ARGON_CO_TRY(validate_name(r.name, "name"));
  std::string username = to_lower_ascii(r.bot_username);
  ARGON_CO_TRY(validate_bot_username(username));
  if (r.display_name) ARGON_CO_TRY(validate_name(*r.display_name, "displayName", kDisplayNameMax));

  CreatedApp out;
  out.app.id = ctx_.random.uuid();
  out.app.owner_id = owner_id;
  out.app.bot_user_id = ctx_.random.uuid();
  out.app.name = r.name;
  out.app.bot_username = username;
  out.app.created_at_ms = ctx_.now_ms();
  std::string secret = new_secret(ctx_.random);
  out.token = BotToken{out.app.id, secret}.str();

  User bot;
  bot.id = out.app.bot_user_id;
  bot.username = username;
  bot.display_name =
      r.display_name.value_or(codepoint_length(r.name) <= kDisplayNameMax ? r.name : username);
  bot.flags = user_flag::kBot;
  bot.created_at_ms = out.app.created_at_ms;
  auto written = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    if (!store::users::find(c, owner_id)) return Error::unauthorized();
    if (store::users::find_by_username(c, username))
      return Error::conflict("username_taken", "botUsername: already taken");
    try {
      store::users::insert(c, bot, std::nullopt);
    } catch (const store::ConstraintError&) {  // taken by a concurrent registration
      return Error::conflict("username_taken", "botUsername: already taken");
    }
    store::apps::insert(c, out.app, secret_hash(secret));
    return {};
  });
  if (!written) co_return written.error();
  co_return out;
}

Task<std::vector<BotApp>> BotService::list_apps(Uuid owner_id) {
  auto apps = co_await ctx_.db.read(
      [&](store::Connection& c) { return store::apps::list_owned(c, owner_id); });
  co_return apps;
}

Task<std::vector<BotApp>> BotService::list_all() {
  auto apps = co_await ctx_.db.read([&](store::Connection& c) { return store::apps::list_all(c); });
  co_return apps;
}

Task<Result<std::string>> BotService::rotate_token(Uuid owner_id, Uuid app_id) {
  std::string secret = new_secret(ctx_.random);
  auto written = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    auto app = store::apps::find(c, app_id);
    if (!app || app->owner_id != owner_id) return Error::not_found("not_found", "App not found.");
    store::apps::set_token_hash(c, app_id, secret_hash(secret));
    return {};
  });
  if (!written) co_return written.error();
  co_await forget_cached(app_id);  // refused on every node before the new token is handed out
  co_return BotToken{app_id, secret}.str();
}

Task<Result<BotIdentity>> BotService::authenticate(std::string token) {
  std::int64_t now = ctx_.now_ms();
  if (auto hit = cache_.find(token, now)) co_return *hit;
  std::uint64_t generation = cache_.generation();
  auto result = co_await authenticate_uncached(token);
  if (result && ctx_.limits.bot_auth_cache_ms > 0)
    cache_.remember(token, *result, now + ctx_.limits.bot_auth_cache_ms, generation);
  co_return result;
}

std::optional<BotIdentity> BotService::cached(std::string_view token) {
  return cache_.find(token, ctx_.now_ms());
}

Task<void> BotService::forget_cached(Uuid app_id) {
  co_await cache_.invalidate_everywhere(app_id);
}

Task<Result<BotIdentity>> BotService::authenticate_uncached(std::string token) {
  auto parsed = BotToken::parse(token);
  if (!parsed) co_return Error::unauthorized("Missing or invalid bot token.");
  auto found = co_await ctx_.db.read(
      [&](store::Connection& c) -> std::optional<std::pair<BotIdentity, std::string>> {
        auto hash = store::apps::token_hash(c, parsed->app_id);
        if (!hash) return std::nullopt;
        auto app = store::apps::find(c, parsed->app_id);
        auto user = app ? store::users::find(c, app->bot_user_id) : std::nullopt;
        if (!app || !user) return std::nullopt;
        return std::make_pair(BotIdentity{*app, *user}, *hash);
      });
  if (!found || !crypto::constant_time_equal(found->second, secret_hash(parsed->secret)))
    co_return Error::unauthorized("Missing or invalid bot token.");
  if (found->first.user.flags & (user_flag::kBanned | user_flag::kDeleted))
    co_return Error::unauthorized("This bot is suspended.");
  co_return found->first;
}

Task<Result<BotApp>> BotService::install(Uuid caller_id, Uuid space_id, Uuid app_id) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<BotApp> {
    batch.clear();
    auto access = require_member(c, space_id, caller_id);
    if (!access) return access.error();
    ARGON_TRY(require_permission(*access, entitlement::kManageBots));
    auto app = store::apps::find(c, app_id);
    if (!app) return Error::not_found("not_found", "App not found.");
    if (store::members::exists(c, space_id, app->bot_user_id))
      return Error::conflict("already_installed", "The bot is already installed in this space.");
    std::int64_t now = ctx_.now_ms();
    try {
      store::members::insert(c, space_id, app->bot_user_id, now);
    } catch (const store::ConstraintError&) {  // installed concurrently (PostgreSQL)
      return Error::conflict("already_installed", "The bot is already installed in this space.");
    }
    auto member = store::members::find(c, space_id, app->bot_user_id);
    boost::json::object direct{{"spaceId", space_id.str()}};
    batch.append(c, events::bot_stream(app->bot_user_id), "botInstallingToSpace", space_id,
                 boost::json::serialize(direct), now);
    boost::json::object join{{"spaceId", space_id.str()}, {"user", user_json(ctx_, *member)}};
    batch.append(c, events::space_stream(space_id), "memberJoin", space_id,
                 boost::json::serialize(join), now);
    return *app;
  });
  co_return result;
}

Task<Status> BotService::uninstall(Uuid caller_id, Uuid space_id, Uuid app_id) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto access = require_member(c, space_id, caller_id);
    if (!access) return access.error();
    ARGON_TRY(require_permission(*access, entitlement::kManageBots));
    auto app = store::apps::find(c, app_id);
    if (!app || !store::members::exists(c, space_id, app->bot_user_id))
      return Error::not_found("not_found", "The bot is not installed in this space.");
    std::int64_t now = ctx_.now_ms();
    store::members::remove(c, space_id, app->bot_user_id);
    boost::json::object direct{{"spaceId", space_id.str()}};
    batch.append(c, events::bot_stream(app->bot_user_id), "botUninstallingFromSpace", space_id,
                 boost::json::serialize(direct), now);
    boost::json::object leave{{"spaceId", space_id.str()}, {"userId", app->bot_user_id.str()}};
    batch.append(c, events::space_stream(space_id), "memberLeave", space_id,
                 boost::json::serialize(leave), now);
    return {};
  });
  co_return result;
}

Task<Result<BotApp>> BotService::set_verified(Uuid app_id, bool verified) {
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<BotApp> {
    auto app = store::apps::find(c, app_id);
    if (!app) return Error::not_found("not_found", "App not found.");
    auto user = store::users::find(c, app->bot_user_id);
    std::int64_t flags = user->flags;
    flags = verified ? (flags | user_flag::kVerified) : (flags & ~user_flag::kVerified);
    store::users::set_flags(c, app->bot_user_id, flags);
    store::apps::set_verified(c, app_id, verified);
    app->is_verified = verified;
    return *app;
  });
  co_await forget_cached(app_id);
  co_return result;
}

Task<Result<BotApp>> BotService::set_verified_by_username(std::string bot_username, bool verified) {
  std::string lowered = to_lower_ascii(bot_username);
  auto app = co_await ctx_.db.read([&](store::Connection& c) -> std::optional<BotApp> {
    auto user = store::users::find_by_username(c, lowered);
    if (!user) return std::nullopt;
    return store::apps::find_by_bot_user(c, user->id);
  });
  if (!app) co_return Error::not_found("not_found", "No bot named " + lowered + ".");
  auto updated = co_await set_verified(app->id, verified);
  co_return updated;
}

Task<std::vector<Space>> BotService::spaces_of(Uuid bot_user_id) {
  auto spaces = co_await ctx_.db.read(
      [&](store::Connection& c) { return store::spaces::list_for_user(c, bot_user_id); });
  co_return spaces;
}

}  // namespace argon::services
