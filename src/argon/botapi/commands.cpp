// ICommands/v1: a bot's slash commands.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/commands_json.hpp"

namespace argon::botapi {
namespace json = boost::json;

namespace {
json::object command_list(const std::vector<Command>& commands) {
  json::array out;
  for (const auto& c : commands) out.push_back(wire::command_json(c));
  return json::object{{"commands", std::move(out)}};
}
}  // namespace

void add_commands_handlers(HandlerTable& table, BotServices& s) {
  table["ICommands.Register"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(name, in.required_string("name"));
    CO_TRY(description, in.required_string("description"));
    CO_TRY(space_id, in.optional_uuid("spaceId"));
    CO_TRY(options, wire::parse_command_options(in.find("options")));
    CO_TRY(default_permission, in.optional_bool("defaultPermission"));
    services::RegisterCommandRequest request{name, description, space_id, options,
                                             default_permission};
    CO_TRY(command, co_await s.commands.register_command(call.bot, std::move(request)));
    json::value space = nullptr;
    if (command.space_id) space = command.space_id->str();
    co_return api::json_response(200, json::object{{"commandId", command.id.str()},
                                                   {"name", command.name},
                                                   {"spaceId", std::move(space)}});
  };

  table["ICommands.Update"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    services::UpdateCommandRequest r;
    CO_TRY(command_id, in.required_uuid("commandId"));
    r.command_id = command_id;
    CO_TRY(description, in.optional_string("description"));
    r.description = description;
    if (in.has("options")) {
      CO_TRY(options, wire::parse_command_options(in.find("options")));
      r.options = options;
    }
    CO_TRY(default_permission, in.optional_bool("defaultPermission"));
    r.default_permission = default_permission;
    CO_TRY(command, co_await s.commands.update_command(call.bot, std::move(r)));
    co_return api::json_response(200, wire::command_json(command));
  };

  table["ICommands.Delete"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(command_id, q.required_uuid("commandId"));
    CO_CHECK(co_await s.commands.delete_command(call.bot, command_id));
    co_return api::json_response(200, json::object{{"deleted", true}});
  };

  table["ICommands.List"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    co_return api::json_response(200, command_list(co_await s.commands.list(call.bot)));
  };

  table["ICommands.ListForSpace"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(commands, co_await s.commands.list_for_space(call.bot, space_id));
    co_return api::json_response(200, command_list(commands));
  };
}

}  // namespace argon::botapi
