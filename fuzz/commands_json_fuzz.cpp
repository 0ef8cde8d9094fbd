// Slash command definitions and the values people submit (wire/commands_json.hpp,
// domain/commands.hpp): a body like ICommands/Register's, {"name", "description", "options",
// "values"}, read with normalize_command_name, validate_command_description,
// parse_command_options and validate_command_options, written for storage and as the BotCommand
// response, and "values" ([{"name", "value"}], as the client API reads a submission) typed by
// type_command_values against the options.
//
// Input: the request body (a JSON object; anything else exercises the storage reader only).
//
// Invariants:
//  - a normalized name is 1..32 of [a-z0-9_-] and normalizing it again changes nothing;
//  - validated options (what ICommands/Register stores) are written for storage and read back
//    unchanged, and are unchanged through command_options_json read back as a request;
//  - validation lowercases option names and is idempotent: a second pass succeeds and changes
//    nothing;
//  - typed values: one per submitted value, each named by an option of the schema, every
//    required option present, integer/number/boolean typed as such, a choice's value one of its
//    option's choices;
//  - errors are 4xx with a code and a message (storage: 500 internal_error).
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "argon/domain/commands.hpp"
#include "argon/wire/commands_json.hpp"
#include "argon/wire/json_in.hpp"
#include "fuzz_check.hpp"

namespace {

namespace json = boost::json;
using argon::CommandOption;
using argon::CommandOptionType;
using argon::Error;
using argon::fuzz::quoted;

void check_error(const Error& e) {
  FUZZ_CHECK(e.status >= 400 && e.status < 500 && !e.code.empty() && e.message, e.code);
}

// `read` with each choice's double replaced by `written`'s when they are near_double: what the
// storage round trip may change (see fuzz_check.hpp), and nothing else.
std::vector<CommandOption> snap_doubles(std::vector<CommandOption> read,
                                        const std::vector<CommandOption>& written) {
  for (std::size_t i = 0; i < read.size() && i < written.size(); ++i) {
    auto& r = read[i];
    const auto& w = written[i];
    for (std::size_t j = 0; j < r.choices.size() && j < w.choices.size(); ++j) {
      auto* rd = std::get_if<double>(&r.choices[j].value);
      auto* wd = std::get_if<double>(&w.choices[j].value);
      if (rd && wd && argon::fuzz::near_double(*rd, *wd)) *rd = *wd;
    }
    r.sub_options = snap_doubles(std::move(r.sub_options), w.sub_options);
  }
  return read;
}

const CommandOption* find_option(const std::vector<CommandOption>& options, std::string_view name) {
  for (const auto& o : options)
    if (o.name == name) return &o;
  return nullptr;
}

void check_typed(const std::vector<CommandOption>& schema,
                 const std::vector<argon::SubmittedValue>& submitted) {
  auto typed = argon::type_command_values(schema, submitted);
  if (!typed) return check_error(typed.error());
  FUZZ_CHECK(typed->size() == submitted.size(), "one typed value per submitted value");
  for (const auto& v : *typed) {
    const CommandOption* option = find_option(schema, v.name);
    FUZZ_CHECK(option && option->type == v.type, "typed value of no option: " + v.name);
    switch (v.type) {
      case CommandOptionType::kInteger:
        FUZZ_CHECK(std::holds_alternative<std::int64_t>(v.value), v.name);
        break;
      case CommandOptionType::kBoolean:
        FUZZ_CHECK(std::holds_alternative<bool>(v.value), v.name);
        break;
      case CommandOptionType::kNumber:
        FUZZ_CHECK(std::holds_alternative<double>(v.value) ||
                       std::holds_alternative<std::int64_t>(v.value),
                   v.name);
        break;
      default:
        FUZZ_CHECK(std::holds_alternative<std::string>(v.value), v.name);
    }
    if (!option->choices.empty()) {
      // Equal, or numbers of equal value (a choice 1 matches a submitted 1.0).
      auto number = [](const argon::CommandValue& x) -> std::optional<double> {
        if (auto i = std::get_if<std::int64_t>(&x)) return static_cast<double>(*i);
        if (auto d = std::get_if<double>(&x)) return *d;
        return std::nullopt;
      };
      bool listed = false;
      for (const auto& c : option->choices) {
        auto a = number(c.value), b = number(v.value);
        listed = listed || c.value == v.value || (a && b && *a == *b);
      }
      FUZZ_CHECK(listed, "a value outside the choices of " + v.name);
    }
  }
  for (const auto& o : schema) {
    if (!o.required) continue;
    bool present = false;
    for (const auto& v : *typed) present = present || v.name == o.name;
    FUZZ_CHECK(present, "required option missing: " + o.name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  if (auto stored = argon::wire::parse_command_options_from_storage(raw); !stored)
    FUZZ_CHECK(stored.error().status == 500 || stored.error().status == 400, stored.error().code);

  auto body = argon::wire::parse_object(raw);
  if (!body) return 0;
  argon::wire::ObjectReader in(*body);

  if (auto name = in.optional_string("name"); name && *name) {
    if (auto normalized = argon::normalize_command_name(**name)) {
      FUZZ_CHECK(!normalized->empty() && normalized->size() <= argon::kMaxCommandName, *normalized);
      for (char c : *normalized)
        FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-',
                   *normalized);
      auto again = argon::normalize_command_name(*normalized);
      FUZZ_CHECK(again && *again == *normalized, *normalized);
    } else {
      check_error(normalized.error());
    }
  }
  if (auto description = in.optional_string("description"); description && *description) {
    if (auto status = argon::validate_command_description(**description); !status)
      check_error(status.error());
  }

  auto options = argon::wire::parse_command_options(in.find("options"));
  if (!options) {
    check_error(options.error());
    return 0;
  }
  (void)argon::wire::serialize_command_options(*options);

  std::vector<CommandOption> validated = *options;
  auto status = argon::validate_command_options(validated);
  if (!status) {
    check_error(status.error());
    return 0;
  }
  // ICommands/Register stores what validated; List and interactions read it back.
  const std::string stored = argon::wire::serialize_command_options(validated);
  auto back = argon::wire::parse_command_options_from_storage(stored);
  FUZZ_CHECK(back && snap_doubles(*back, validated) == validated,
             "options changed through storage: " + quoted(stored));
  std::vector<CommandOption> twice = validated;
  FUZZ_CHECK(argon::validate_command_options(twice).ok() && twice == validated,
             "validation is not idempotent");
  const json::value written = argon::wire::command_options_json(validated);
  auto reread = argon::wire::parse_command_options(&written);
  FUZZ_CHECK(
      reread && *reread == validated,
      "validated options changed through their response form: " + quoted(json::serialize(written)));

  // A submission, as clientapi/interactions.cpp reads it.
  if (auto values = in.optional_array("values"); values && *values) {
    std::vector<argon::SubmittedValue> submitted;
    for (const auto& item : **values) {
      if (!item.is_object()) return 0;
      argon::wire::ObjectReader v(item.get_object());
      auto name = v.required_string("name");
      const json::value* value = v.find("value");
      auto typed = value ? argon::wire::command_value_from_json(*value) : std::nullopt;
      if (!name || !typed) return 0;
      submitted.push_back({*name, *typed});
    }
    check_typed(validated, submitted);
  }
  return 0;
}
