#pragma once
// Bot applications: the developer console (create, list, rotate), installation into spaces,
// operator verification, and authentication of bot tokens.
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "argon/services/access.hpp"
#include "argon/services/context.hpp"

namespace argon::services {

struct CreateAppRequest {
  std::string name;
  std::string bot_username;
  std::optional<std::string> display_name;
};

struct CreatedApp {
  BotApp app;
  std::string token;
};

struct BotIdentity {
  BotApp app;
  User user;
  Caller caller() const { return Caller{user.id, true, app.id, app.is_verified}; }
};

class BotService {
 public:
  explicit BotService(Context& ctx) : ctx_(ctx) {}

  Result<CreatedApp> create_app(const Uuid& owner_id, CreateAppRequest request);
  std::vector<BotApp> list_apps(const Uuid& owner_id);
  std::vector<BotApp> list_all();
  // Only the owner may rotate; others get 404 not_found. The old token stops working at once.
  Result<std::string> rotate_token(const Uuid& owner_id, const Uuid& app_id);
  // `Bot` token → the bot; 401 unauthorized for anything else. A verified token is cached for
  // limits.bot_auth_cache_ms so a request costs no hash and no read; rotation, verification
  // and suspension made through this service drop the app's entries at once.
  Result<BotIdentity> authenticate(std::string_view token);
  void forget_cached(const Uuid& app_id);
  // The bot if this exact token was checked recently (no store access at all), else nullopt.
  std::optional<BotIdentity> cached(std::string_view token);

  // Needs ManageBots (or ManageServer). 404 not_found unknown app; 409 already_installed.
  Result<BotApp> install(const Uuid& caller_id, const Uuid& space_id, const Uuid& app_id);
  // 404 not_found when the bot is not installed there.
  Status uninstall(const Uuid& caller_id, const Uuid& space_id, const Uuid& app_id);

  // Operator: set or clear the VERIFIED flag. By app id or by bot username.
  Result<BotApp> set_verified(const Uuid& app_id, bool verified);
  Result<BotApp> set_verified_by_username(std::string_view bot_username, bool verified);

  // The spaces a bot is in (GetSpaces, ready).
  std::vector<Space> spaces_of(const Uuid& bot_user_id);

 private:
  Result<BotIdentity> authenticate_uncached(std::string_view token);

  struct CachedBot {
    BotIdentity identity;
    std::int64_t expires_at_ms;
  };
  Context& ctx_;
  std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, CachedBot> cache_;  // full token → bot
  // Bumped by forget_cached: a lookup that raced with a rotation must not re-insert.
  std::uint64_t cache_generation_ = 0;
};

}  // namespace argon::services
