// Descriptors: ICommands/v1, IEvents/v1.
#include "argon/contracts/descriptors.hpp"

namespace argon::contracts::detail {
namespace {

using namespace clr;
TypeRef s(std::string_view v) {
  return named(std::string(v));
}
std::string nested(const char* container, const char* name) {
  return std::string(kInterfacesNs) + container + "+" + name;
}

ErrorDecl command_not_found() {
  return {404, "not_found", "Command does not exist or is not owned by this bot."};
}

void add_commands(Descriptors& d) {
  const char* c = "CommandsV1";
  d.types.push_back(class_type("RegisterCommandRequest", nested(c, "RegisterCommandRequest"),
                               {{"Name", s(kString)},
                                {"Description", s(kString)},
                                {"Options", list_of("BotCommandOption")},
                                {"SpaceId", nullable("Guid")},
                                {"DefaultPermission", nullable("bool")}}));
  d.types.push_back(
      class_type("CommandRegisteredResponse", nested(c, "CommandRegisteredResponse"),
                 {{"CommandId", s(kGuid)}, {"Name", s(kString)}, {"SpaceId", nullable("Guid")}}));
  d.types.push_back(class_type("UpdateCommandRequest", nested(c, "UpdateCommandRequest"),
                               {{"CommandId", s(kGuid)},
                                {"Description", s(kString)},
                                {"Options", list_of("BotCommandOption")},
                                {"DefaultPermission", nullable("bool")}}));
  d.types.push_back(class_type("BotCommand", nested(c, "BotCommand"),
                               {{"CommandId", s(kGuid)},
                                {"Name", s(kString)},
                                {"Description", s(kString)},
                                {"Options", list_of("BotCommandOption")},
                                {"SpaceId", nullable("Guid")},
                                {"DefaultPermission", s(kBool)}}));
  d.types.push_back(class_type("CommandListResponse", nested(c, "CommandListResponse"),
                               {{"Commands", list_of("BotCommand")}}));

  InterfaceDecl i;
  i.name = "ICommands";
  i.version = 1;
  i.description = "Register, update, list, and delete slash commands for your bot.";
  i.declared_hash = "9287d91b57d858e8f8d10a5d3fb4a5dde39adf9af17a33da4e41517d15fc365e";
  i.rate_limit_per_minute = 60;
  i.routes = {
      {.method = "DELETE",
       .name = "Delete",
       .description = "Deletes a slash command by its commandId (query parameter).",
       .response_type = "DeletedResponse",
       .errors = {command_not_found()},
       .query = {{"commandId", named("Guid"), true}}},
      {.method = "GET",
       .name = "List",
       .description = "Lists all commands registered by this bot across all scopes.",
       .response_type = "CommandListResponse"},
      {.method = "GET",
       .name = "ListForSpace",
       .description = "Lists commands available in a specific space (global + space-scoped). Pass "
                      "spaceId as a query parameter.",
       .response_type = "CommandListResponse",
       .query = {{"spaceId", named("Guid"), true}}},
      {.method = "POST",
       .name = "Register",
       .description = "Registers a new slash command. Commands can be global or scoped to a "
                      "specific space. Max 50 commands per scope.",
       .request_type = "RegisterCommandRequest",
       .response_type = "CommandRegisteredResponse",
       .errors = {{400, "command_limit", "Maximum 50 commands per scope."},
                  {400, "invalid_description", "Description must be max 100 characters."},
                  {400, "invalid_name", "Name must be 1-32 lowercase alphanumeric characters."}}},
      {.method = "PATCH",
       .name = "Update",
       .description =
           "Updates an existing slash command's description, options, or default permission.",
       .request_type = "UpdateCommandRequest",
       .response_type = "BotCommand",
       .errors = {command_not_found()}},
  };
  d.interfaces.push_back(std::move(i));
}

void add_events_interface(Descriptors& d) {
  // The stream's response type is the SSE envelope BotSseEvent (types_shared.cpp).
  InterfaceDecl i;
  i.name = "IEvents";
  i.version = 1;
  i.description =
      "Subscribe to real-time events via Server-Sent Events (SSE). Receive messages, member "
      "changes, voice activity, and more.";
  i.declared_hash = "a2ad75fa17aa104019b95ac85beb1f65ccdf7d704af92b4bb4331866746cc4b4";
  i.rate_limit_per_minute = 5;
  i.routes = {
      {.method = "GET",
       .name = "Stream",
       .description = "Opens a persistent SSE connection. Pass intents as a bitmask to filter "
                      "events. Supports reconnection via Last-Event-ID header or lastEventId "
                      "query parameter.",
       .response_type = "BotSseEvent",
       .errors = {{403, "missing_intents", "No valid intents specified."}},
       .query = {{"intents", named("long"), false}, {"lastEventId", named("string"), false}}},
  };
  d.interfaces.push_back(std::move(i));
}

}  // namespace

void add_command_interfaces(Descriptors& d) {
  add_commands(d);
  add_events_interface(d);
}

}  // namespace argon::contracts::detail
