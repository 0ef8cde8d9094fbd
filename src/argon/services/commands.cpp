#include "argon/services/commands.hpp"

#include "argon/store/spaces_repo.hpp"
#include "argon/wire/commands_json.hpp"

namespace argon::services {

Command command_from_storage(const store::StoredCommand& s) {
  Command c;
  c.id = s.id;
  c.app_id = s.app_id;
  c.space_id = s.space_id;
  c.name = s.name;
  c.description = s.description;
  c.default_permission = s.default_permission;
  if (auto options = wire::parse_command_options_from_storage(s.options_json))
    c.options = std::move(*options);
  c.created_at_ms = s.created_at_ms;
  c.bot_user_id = s.bot_user_id;
  return c;
}

namespace {
std::vector<Command> all_from(const std::vector<store::StoredCommand>& stored) {
  std::vector<Command> out;
  for (const auto& s : stored) out.push_back(command_from_storage(s));
  return out;
}
}  // namespace

Task<Result<Command>> CommandService::register_command(const BotIdentity& bot,
                                                       RegisterCommandRequest r) {
  auto name = normalize_command_name(r.name);
  if (!name) co_return name.error();
  ARGON_CO_TRY(validate_command_description(r.description));
  ARGON_CO_TRY(validate_command_options(r.options));
  store::StoredCommand stored{ctx_.random.uuid(),
                              bot.app.id,
                              r.space_id,
                              *name,
                              r.description,
                              r.default_permission.value_or(true),
                              wire::serialize_command_options(r.options),
                              ctx_.now_ms(),
                              std::nullopt};
  auto written = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    if (r.space_id) {
      auto access = require_member(c, *r.space_id, bot.user.id, UnknownSpace::NotAMember);
      if (!access) return access.error();
    }
    if (store::commands::count_in_scope(c, bot.app.id, r.space_id) >=
        static_cast<std::int64_t>(kMaxCommandsPerScope))
      return Error::bad_request("command_limit", "Maximum 50 commands per scope");
    store::commands::insert(c, stored);
    return {};
  });
  if (!written) co_return written.error();
  co_return command_from_storage(stored);
}

Task<Result<Command>> CommandService::update_command(const BotIdentity& bot,
                                                     UpdateCommandRequest r) {
  if (r.description) ARGON_CO_TRY(validate_command_description(*r.description));
  if (r.options) ARGON_CO_TRY(validate_command_options(*r.options));
  co_return co_await ctx_.db.transact([&](store::Connection& c) -> Result<Command> {
    auto stored = store::commands::find(c, r.command_id);
    if (!stored || stored->app_id != bot.app.id)
      return Error::not_found("not_found", "Command does not exist or is not owned by this bot");
    if (r.description) stored->description = *r.description;
    if (r.options) stored->options_json = wire::serialize_command_options(*r.options);
    if (r.default_permission) stored->default_permission = *r.default_permission;
    store::commands::update(c, *stored);
    return command_from_storage(*stored);
  });
}

Task<Status> CommandService::delete_command(const BotIdentity& bot, const Uuid& command_id) {
  co_return co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    auto stored = store::commands::find(c, command_id);
    if (!stored || stored->app_id != bot.app.id)
      return Error::not_found("not_found", "Command does not exist or is not owned by this bot");
    store::commands::remove(c, command_id);
    return {};
  });
}

Task<std::vector<Command>> CommandService::list(const BotIdentity& bot) {
  co_return all_from(co_await ctx_.db.read(
      [&](store::Connection& c) { return store::commands::list_for_app(c, bot.app.id); }));
}

Task<Result<std::vector<Command>>> CommandService::list_for_space(const BotIdentity& bot,
                                                                  const Uuid& space_id) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<Command>> {
    auto access = require_member(c, space_id, bot.user.id, UnknownSpace::NotAMember);
    if (!access) return access.error();
    return all_from(store::commands::list_for_app_in_space(c, bot.app.id, space_id));
  });
}

Task<Result<std::vector<Command>>> CommandService::usable_in_space(const Uuid& person_id,
                                                                   const Uuid& space_id) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<Command>> {
    auto access = require_member(c, space_id, person_id);
    if (!access) return access.error();
    return all_from(store::commands::list_usable_in_space(c, space_id));
  });
}

}  // namespace argon::services
