#pragma once
// Bot applications: the developer console (create, list, rotate), installation into spaces,
// operator verification, and authentication of bot tokens.
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

class BotService {
 public:
  explicit BotService(Context& ctx) : ctx_(ctx) {}

  Result<CreatedApp> create_app(const Uuid& owner_id, CreateAppRequest request);
  std::vector<BotApp> list_apps(const Uuid& owner_id);
  std::vector<BotApp> list_all();
  // Only the owner may rotate; others get 404 not_found. The old token stops working at once.
  Result<std::string> rotate_token(const Uuid& owner_id, const Uuid& app_id);
  // `Bot` token → the bot; 401 unauthorized for anything else.
  Result<BotIdentity> authenticate(std::string_view token);

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
  Context& ctx_;
};

}  // namespace argon::services
