#include "argon/wire/commands_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

#include "argon/wire/json_in.hpp"

namespace argon::wire {
namespace json = boost::json;

std::optional<CommandValue> command_value_from_json(const json::value& v) {
  if (v.is_string()) return CommandValue(std::string(v.as_string()));
  if (v.is_int64()) return CommandValue(v.as_int64());
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return CommandValue(static_cast<std::int64_t>(v.as_uint64()));
  // A literal past the double range (1e999) parses as infinity, which JSON cannot carry back out
  // (it would be stored and answered as `Infinity`): not a number here.
  if (v.is_double() && std::isfinite(v.as_double())) return CommandValue(v.as_double());
  if (v.is_bool()) return CommandValue(v.as_bool());
  return std::nullopt;
}

json::value command_value_json(const CommandValue& value) {
  return std::visit([](const auto& v) -> json::value { return json::value(v); }, value);
}

Result<std::vector<CommandOption>> parse_command_options(const json::value* value,
                                                         std::string_view path) {
  std::vector<CommandOption> out;
  if (!value || value->is_null()) return out;
  if (!value->is_array()) return Error::validation(std::string(path) + ": must be an array");
  const auto& array = value->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    std::string p = index_path(path, i);
    if (!array[i].is_object()) return Error::validation(p + ": must be an object");
    ObjectReader in(array[i].as_object(), p);
    CommandOption o;
    auto name = in.required_string("name");
    if (!name) return name.error();
    o.name = *name;
    auto description = in.required_string("description");
    if (!description) return description.error();
    o.description = *description;
    auto type = in.required_enum("type", command_option_type_names());
    if (!type) return type.error();
    o.type = static_cast<CommandOptionType>(*type);
    auto required = in.optional_bool("required");
    if (!required) return required.error();
    o.required = required->value_or(false);
    auto choices = in.optional_array("choices");
    if (!choices) return choices.error();
    if (*choices) {
      for (std::size_t j = 0; j < (*choices)->size(); ++j) {
        std::string cp = index_path(in.path("choices"), j);
        const auto& c = (**choices)[j];
        if (!c.is_object()) return Error::validation(cp + ": must be an object");
        ObjectReader cin(c.as_object(), cp);
        auto cname = cin.required_string("name");
        if (!cname) return cname.error();
        const json::value* cv = cin.find("value");
        auto parsed = cv ? command_value_from_json(*cv) : std::nullopt;
        if (!parsed) return Error::validation(cin.path("value") + ": must be a string or a number");
        o.choices.push_back({*cname, *parsed});
      }
    }
    auto subs = parse_command_options(in.find("subOptions"), in.path("subOptions"));
    if (!subs) return subs.error();
    o.sub_options = std::move(*subs);
    out.push_back(std::move(o));
  }
  return out;
}

json::array command_options_json(const std::vector<CommandOption>& options) {
  json::array out;
  for (const auto& o : options) {
    json::value choices = nullptr, subs = nullptr;
    if (!o.choices.empty()) {
      json::array list;
      for (const auto& c : o.choices)
        list.push_back(json::object{{"name", c.name}, {"value", command_value_json(c.value)}});
      choices = std::move(list);
    }
    if (!o.sub_options.empty()) subs = command_options_json(o.sub_options);
    out.push_back(json::object{{"name", o.name},
                               {"description", o.description},
                               {"type", static_cast<std::int64_t>(o.type)},
                               {"required", o.required},
                               {"choices", std::move(choices)},
                               {"subOptions", std::move(subs)}});
  }
  return out;
}

json::object command_json(const Command& c) {
  json::value space = nullptr;
  if (c.space_id) space = c.space_id->str();
  return {{"commandId", c.id.str()},
          {"name", c.name},
          {"description", c.description},
          {"spaceId", std::move(space)},
          {"defaultPermission", c.default_permission},
          {"options", command_options_json(c.options)}};
}

std::string serialize_command_options(const std::vector<CommandOption>& options) {
  return json::serialize(command_options_json(options));
}

Result<std::vector<CommandOption>> parse_command_options_from_storage(std::string_view text) {
  json::error_code ec;
  auto value = json::parse(text, ec);
  if (ec) return Error::internal("stored command options are not JSON");
  return parse_command_options(&value);
}

}  // namespace argon::wire
