#pragma once
// JSON forms of slash commands (SPEC.md §6.2): options with choices and sub-options.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "argon/domain/commands.hpp"

namespace argon::wire {

// nullptr (absent/null) → no options. Option `type` as integer or case-insensitive name.
Result<std::vector<CommandOption>> parse_command_options(const boost::json::value* value,
                                                         std::string_view path = "options");
boost::json::array command_options_json(const std::vector<CommandOption>& options);
// BotCommand {commandId, name, description, spaceId, defaultPermission, options}
boost::json::object command_json(const Command& command);
boost::json::value command_value_json(const CommandValue& value);
// A JSON scalar as a CommandValue (string, integer, finite number, bool); nullopt for others.
std::optional<CommandValue> command_value_from_json(const boost::json::value& value);

std::string serialize_command_options(const std::vector<CommandOption>& options);
Result<std::vector<CommandOption>> parse_command_options_from_storage(std::string_view text);

}  // namespace argon::wire
