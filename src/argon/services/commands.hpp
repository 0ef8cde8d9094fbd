#pragma once
// Slash commands: bots register them (ICommands), people list and invoke them.
#include <vector>

#include "argon/domain/commands.hpp"
#include "argon/services/bots.hpp"
#include "argon/store/commands_repo.hpp"

namespace argon::services {

struct RegisterCommandRequest {
  std::string name;
  std::string description;
  std::optional<Uuid> space_id;
  std::vector<CommandOption> options;
  std::optional<bool> default_permission;
};

struct UpdateCommandRequest {
  Uuid command_id;
  std::optional<std::string> description;
  std::optional<std::vector<CommandOption>> options;
  std::optional<bool> default_permission;
};

class CommandService {
 public:
  explicit CommandService(Context& ctx) : ctx_(ctx) {}

  // 400 invalid_name / invalid_description / validation_error; 403 not_a_member for a space
  // the bot is not in; 400 command_limit past 50 per scope.
  Task<Result<Command>> register_command(const BotIdentity& bot, RegisterCommandRequest request);
  // 404 not_found unless the command exists and belongs to this bot.
  Task<Result<Command>> update_command(const BotIdentity& bot, UpdateCommandRequest request);
  Task<Status> delete_command(const BotIdentity& bot, const Uuid& command_id);
  Task<std::vector<Command>> list(const BotIdentity& bot);
  // Global ∪ that space's; 403 not_a_member.
  Task<Result<std::vector<Command>>> list_for_space(const BotIdentity& bot, const Uuid& space_id);
  // People: every command usable in the space (of the bots installed there).
  Task<Result<std::vector<Command>>> usable_in_space(const Uuid& person_id, const Uuid& space_id);

 private:
  Context& ctx_;
};

Command command_from_storage(const store::StoredCommand& stored);

}  // namespace argon::services
