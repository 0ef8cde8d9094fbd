#pragma once
// Bot applications: the developer console (create, list, rotate), installation into spaces,
// operator verification, and authentication of bot tokens.
#include <memory>
#include <string>
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

// Verified bot tokens, so that a request costs no hash and no read (shared_state.hpp's seam for
// the auth cache and its invalidation; LocalBotAuthCache in local_state.hpp on one node).
class BotAuthCache {
 public:
  virtual ~BotAuthCache() = default;
  // The bot of this exact token if it was verified and has not expired or been invalidated.
  virtual std::optional<BotIdentity> find(std::string_view token, std::int64_t now_ms) = 0;
  // A counter bumped by every invalidation: read it before the store lookup and pass it to
  // remember(), which then drops the entry if an invalidation raced with the lookup.
  virtual std::uint64_t generation() = 0;
  virtual void remember(std::string_view token, const BotIdentity& bot, std::int64_t expires_at_ms,
                        std::uint64_t generation) = 0;
  // Every token of the app stops being trusted at once, here (rotation, verification,
  // suspension).
  virtual void invalidate(const Uuid& app_id) = 0;
  // The same on every node: returns once every node has dropped them (a cluster implementation
  // asks each live node and waits for its answer, within a bounded time).
  virtual Task<void> invalidate_everywhere(Uuid app_id) {
    invalidate(app_id);
    co_return;
  }
};

class BotService {
 public:
  // cache: null = an in-process LocalBotAuthCache.
  explicit BotService(Context& ctx, BotAuthCache* cache = nullptr);
  ~BotService();

  Task<Result<CreatedApp>> create_app(Uuid owner_id, CreateAppRequest request);
  Task<std::vector<BotApp>> list_apps(Uuid owner_id);
  Task<std::vector<BotApp>> list_all();
  // Only the owner may rotate; others get 404 not_found. The old token stops working at once.
  Task<Result<std::string>> rotate_token(Uuid owner_id, Uuid app_id);
  // `Bot` token → the bot; 401 unauthorized for anything else. A verified token is cached for
  // limits.bot_auth_cache_ms so a request costs no hash and no read; rotation, verification
  // and suspension made through this service drop the app's entries at once.
  Task<Result<BotIdentity>> authenticate(std::string token);
  Task<void> forget_cached(Uuid app_id);
  // The bot if this exact token was checked recently (no store access at all), else nullopt.
  std::optional<BotIdentity> cached(std::string_view token);

  // Needs ManageBots (or ManageServer). 404 not_found unknown app; 409 already_installed.
  Task<Result<BotApp>> install(Uuid caller_id, Uuid space_id, Uuid app_id);
  // 404 not_found when the bot is not installed there.
  Task<Status> uninstall(Uuid caller_id, Uuid space_id, Uuid app_id);

  // Operator: set or clear the VERIFIED flag. By app id or by bot username.
  Task<Result<BotApp>> set_verified(Uuid app_id, bool verified);
  Task<Result<BotApp>> set_verified_by_username(std::string bot_username, bool verified);

  // The spaces a bot is in (GetSpaces, ready).
  Task<std::vector<Space>> spaces_of(Uuid bot_user_id);

 private:
  Task<Result<BotIdentity>> authenticate_uncached(std::string token);

  Context& ctx_;
  std::unique_ptr<BotAuthCache> owned_cache_;
  BotAuthCache& cache_;
};

}  // namespace argon::services
