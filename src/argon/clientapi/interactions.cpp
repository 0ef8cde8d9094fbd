// People's side of commands and interactions: list and run commands, click buttons, submit
// selects and modals.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/commands_json.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
json::object interaction_json(const Uuid& id) {
  return json::object{{"interactionId", id.str()}};
}

// A modal field's value: text, a boolean (checkbox), or a list of chosen values (select).
Result<services::ModalFieldValue> field_value(const json::value& item, std::size_t i) {
  std::string p = "values[" + std::to_string(i) + "]";
  if (!item.is_object()) return Error::validation(p + ": must be an object");
  wire::ObjectReader in(item.as_object(), p);
  auto custom_id = in.required_string("customId");
  if (!custom_id) return custom_id.error();
  services::ModalFieldValue f;
  f.custom_id = *custom_id;
  const json::value* v = in.find("value");
  if (!v) v = in.find("values");
  if (!v) return f;
  if (v->is_string()) {
    f.values.emplace_back(v->as_string());
    f.is_text = true;
  } else if (v->is_bool()) {
    f.values.emplace_back(v->as_bool() ? "true" : "false");
    f.is_bool = true;
  } else if (v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) return Error::validation(in.path("value") + ": must hold strings");
      f.values.emplace_back(e.as_string());
    }
  } else {
    return Error::validation(in.path("value") +
                             ": must be a string, a boolean or an array of strings");
  }
  return f;
}
}  // namespace

void add_interaction_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("GET", "/api/v1/spaces/{spaceId}/commands", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(commands, co_await s.commands.usable_in_space(call.user().id, space_id));
               json::array out;
               for (const auto& c : commands) {
                 auto o = wire::command_json(c);
                 o["appId"] = c.app_id.str();
                 if (c.bot_user_id) o["botUserId"] = c.bot_user_id->str();
                 out.push_back(std::move(o));
               }
               co_return api::json_response(200, json::object{{"commands", std::move(out)}});
             });

  routes.add("POST", "/api/v1/channels/{channelId}/commands/{commandId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(channel_id, call.path_uuid("channelId"));
               CO_TRY(command_id, call.path_uuid("commandId"));
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(list, in.optional_array("options"));
               std::vector<SubmittedValue> options;
               if (list) {
                 for (std::size_t i = 0; i < list->size(); ++i) {
                   std::string p = "options[" + std::to_string(i) + "]";
                   if (!(*list)[i].is_object())
                     co_return Error::validation(p + ": must be an object");
                   wire::ObjectReader o((*list)[i].as_object(), p);
                   CO_TRY(name, o.required_string("name"));
                   const json::value* v = o.find("value");
                   auto value = v ? wire::command_value_from_json(*v) : std::nullopt;
                   if (!value)
                     co_return Error::validation(o.path("value") +
                                                 ": required (a string, number or boolean)");
                   options.push_back({name, *value});
                 }
               }
               CO_TRY(id, co_await s.interactions.invoke_command(call.user().id, channel_id,
                                                                 command_id, options));
               co_return api::json_response(200, interaction_json(id));
             });

  routes.add("POST", "/api/v1/messages/{messageId}/controls/{controlId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(message_id, call.path_int("messageId"));
               CO_TRY(id, co_await s.interactions.click(call.user().id, message_id,
                                                        *call.request.param("controlId")));
               co_return api::json_response(200, interaction_json(id));
             });

  routes.add("POST", "/api/v1/messages/{messageId}/selects/{customId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(message_id, call.path_int("messageId"));
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(list, in.optional_array("values"));
               std::vector<std::string> values;
               if (list)
                 for (std::size_t i = 0; i < list->size(); ++i) {
                   if (!(*list)[i].is_string())
                     co_return api::error_response(
                         Error::validation("values[" + std::to_string(i) + "]: must be a string"));
                   values.emplace_back((*list)[i].as_string());
                 }
               CO_TRY(id, co_await s.interactions.select(call.user().id, message_id,
                                                         *call.request.param("customId"), values));
               co_return api::json_response(200, interaction_json(id));
             });

  routes.add("POST", "/api/v1/interactions/{interactionId}/modal", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(interaction_id, call.path_uuid("interactionId"));
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(list, in.optional_array("values"));
               std::vector<services::ModalFieldValue> values;
               if (list)
                 for (std::size_t i = 0; i < list->size(); ++i) {
                   CO_TRY(f, field_value((*list)[i], i));
                   values.push_back(std::move(f));
                 }
               CO_TRY(id,
                      co_await s.interactions.submit_modal(call.user().id, interaction_id, values));
               co_return api::json_response(200, interaction_json(id));
             });
}

}  // namespace argon::clientapi
