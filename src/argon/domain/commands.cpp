#include "argon/domain/commands.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <set>

#include "argon/domain/names.hpp"
#include "argon/domain/text.hpp"

namespace argon {
namespace {
constexpr std::array<std::string_view, 7> kTypeNames = {"string",  "integer", "boolean", "user",
                                                        "channel", "role",    "number"};

bool name_alphabet(std::string_view s) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

std::string at(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

bool value_fits(CommandOptionType type, const CommandValue& v) {
  switch (type) {
    case CommandOptionType::kString:
      return std::holds_alternative<std::string>(v);
    case CommandOptionType::kInteger:
      return std::holds_alternative<std::int64_t>(v);
    case CommandOptionType::kNumber:
      return std::holds_alternative<double>(v) || std::holds_alternative<std::int64_t>(v);
    default:
      return false;  // only string, integer and number options take choices
  }
}

Status validate_level(std::vector<CommandOption>& options, std::string_view path,
                      std::size_t depth) {
  if (options.size() > kMaxOptionsPerLevel)
    return Error::validation(std::string(path) + ": at most 25 options");
  std::set<std::string> names;
  for (std::size_t i = 0; i < options.size(); ++i) {
    auto& o = options[i];
    std::string p = at(path, i);
    o.name = to_lower_ascii(o.name);
    if (o.name.empty() || o.name.size() > kMaxCommandName || !name_alphabet(o.name))
      return Error::validation(p + ".name: must be 1-32 characters of a-z, 0-9, _ and -");
    if (!names.insert(o.name).second) return Error::validation(p + ".name: duplicate option name");
    if (is_blank(o.description) || codepoint_length(o.description) > kMaxCommandDescription)
      return Error::validation(p + ".description: must be 1-100 characters");
    if (o.choices.size() > kMaxChoices)
      return Error::validation(p + ".choices: at most 25 choices");
    for (std::size_t j = 0; j < o.choices.size(); ++j) {
      const auto& c = o.choices[j];
      std::string cp = at(p + ".choices", j);
      if (is_blank(c.name) || codepoint_length(c.name) > kMaxChoiceName)
        return Error::validation(cp + ".name: must be 1-100 characters");
      if (!value_fits(o.type, c.value))
        return Error::validation(cp + ".value: does not match the option type " +
                                 std::string(kTypeNames[static_cast<int>(o.type)]));
    }
    if (!o.sub_options.empty()) {
      if (depth + 1 >= kMaxOptionDepth)
        return Error::validation(p + ".subOptions: options nest at most 3 levels");
      ARGON_TRY(validate_level(o.sub_options, p + ".subOptions", depth + 1));
    }
  }
  return {};
}

std::optional<std::int64_t> to_int(const CommandValue& v) {
  if (auto i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto d = std::get_if<double>(&v); d && std::trunc(*d) == *d && std::abs(*d) < 9.2e18)
    return static_cast<std::int64_t>(*d);
  if (auto s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && p == s->data() + s->size() && !s->empty()) return out;
  }
  return std::nullopt;
}

std::optional<double> to_number(const CommandValue& v) {
  if (auto d = std::get_if<double>(&v)) return *d;
  if (auto i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (auto s = std::get_if<std::string>(&v)) {
    double out = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && p == s->data() + s->size() && !s->empty() && std::isfinite(out))
      return out;
  }
  return std::nullopt;
}

std::optional<bool> to_bool(const CommandValue& v) {
  if (auto b = std::get_if<bool>(&v)) return *b;
  if (auto s = std::get_if<std::string>(&v)) {
    if (equals_ignore_case(*s, "true")) return true;
    if (equals_ignore_case(*s, "false")) return false;
  }
  return std::nullopt;
}

bool same_choice(const CommandValue& a, const CommandValue& b) {
  if (a == b) return true;
  auto x = to_number(a), y = to_number(b);
  return std::holds_alternative<std::string>(a) == std::holds_alternative<std::string>(b) && x &&
         y && *x == *y;
}
}  // namespace

std::span<const std::string_view> command_option_type_names() {
  return kTypeNames;
}

Result<std::string> normalize_command_name(std::string_view raw) {
  std::string name = to_lower_ascii(raw);
  if (name.empty() || name.size() > kMaxCommandName || !name_alphabet(name))
    return Error::bad_request("invalid_name",
                              "Name must be 1-32 lowercase alphanumeric characters");
  return name;
}

Status validate_command_description(std::string_view description) {
  if (is_blank(description) || codepoint_length(description) > kMaxCommandDescription)
    return Error::bad_request("invalid_description", "Description must be max 100 characters");
  return {};
}

Status validate_command_options(std::vector<CommandOption>& options, std::string_view path) {
  return validate_level(options, path, 0);
}

Result<std::vector<TypedValue>> type_command_values(const std::vector<CommandOption>& schema,
                                                    const std::vector<SubmittedValue>& submitted) {
  std::vector<TypedValue> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < submitted.size(); ++i) {
    const auto& s = submitted[i];
    std::string p = at("options", i);
    std::string name = to_lower_ascii(s.name);
    const CommandOption* option = nullptr;
    for (const auto& o : schema)
      if (o.name == name) option = &o;
    if (!option) return Error::validation(p + ".name: the command has no option '" + name + "'");
    if (!seen.insert(name).second) return Error::validation(p + ".name: option given twice");
    TypedValue typed{name, option->type, std::string()};
    switch (option->type) {
      case CommandOptionType::kString: {
        auto str = std::get_if<std::string>(&s.value);
        if (!str) return Error::validation(p + ".value: must be a string");
        if (!is_valid_utf8(*str) || codepoint_length(*str) > kMaxStringValue)
          return Error::validation(p + ".value: must be valid text of at most 4000 characters");
        typed.value = *str;
        break;
      }
      case CommandOptionType::kInteger: {
        auto v = to_int(s.value);
        if (!v) return Error::validation(p + ".value: must be an integer");
        typed.value = *v;
        break;
      }
      case CommandOptionType::kNumber: {
        auto v = to_number(s.value);
        if (!v) return Error::validation(p + ".value: must be a number");
        typed.value = *v;
        break;
      }
      case CommandOptionType::kBoolean: {
        auto v = to_bool(s.value);
        if (!v) return Error::validation(p + ".value: must be true or false");
        typed.value = *v;
        break;
      }
      case CommandOptionType::kUser:
      case CommandOptionType::kChannel:
      case CommandOptionType::kRole: {
        auto str = std::get_if<std::string>(&s.value);
        auto id = str ? Uuid::parse(*str) : std::nullopt;
        if (!id) return Error::validation(p + ".value: must be a UUID");
        typed.value = id->str();
        break;
      }
    }
    if (!option->choices.empty()) {
      bool ok = false;
      for (const auto& c : option->choices) ok = ok || same_choice(c.value, typed.value);
      if (!ok) return Error::validation(p + ".value: not one of the option's choices");
    }
    out.push_back(std::move(typed));
  }
  for (const auto& o : schema)
    if (o.required && !seen.count(o.name))
      return Error::validation("options: required option '" + o.name + "' is missing");
  return out;
}

}  // namespace argon
