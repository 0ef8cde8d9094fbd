#pragma once
// Slash commands (SPEC.md §6, DECISIONS.md §9): names, descriptions, typed options with
// choices and recursive sub-options, and the typing of the values a person submits.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "argon/domain/result.hpp"
#include "argon/domain/uuid.hpp"

namespace argon {

enum class CommandOptionType : std::int32_t {
  kString = 0,
  kInteger = 1,
  kBoolean = 2,
  kUser = 3,
  kChannel = 4,
  kRole = 5,
  kNumber = 6,
};
std::span<const std::string_view> command_option_type_names();  // "string" … "number"

inline constexpr std::size_t kMaxCommandName = 32;
inline constexpr std::size_t kMaxCommandDescription = 100;
inline constexpr std::size_t kMaxCommandsPerScope = 50;
inline constexpr std::size_t kMaxOptionsPerLevel = 25;
inline constexpr std::size_t kMaxChoices = 25;
inline constexpr std::size_t kMaxOptionDepth = 3;
inline constexpr std::size_t kMaxChoiceName = 100;
inline constexpr std::size_t kMaxStringValue = 4000;

// A choice's or a submitted option's value, as typed by its option.
using CommandValue = std::variant<std::string, std::int64_t, double, bool>;

struct CommandChoice {
  std::string name;
  CommandValue value;
  bool operator==(const CommandChoice&) const = default;
};

struct CommandOption {
  std::string name;
  std::string description;
  CommandOptionType type = CommandOptionType::kString;
  bool required = false;
  std::vector<CommandChoice> choices;
  std::vector<CommandOption> sub_options;
  bool operator==(const CommandOption&) const = default;
};

struct Command {
  Uuid id;
  Uuid app_id;
  std::optional<Uuid> space_id;  // nullopt = global
  std::string name;
  std::string description;
  bool default_permission = true;
  std::vector<CommandOption> options;
  std::int64_t created_at_ms = 0;
  std::optional<Uuid> bot_user_id;  // the app's bot user, when read with it (people's list)
};

// Lowercases; then 1..32 of [a-z0-9_-] → the stored name, else 400 invalid_name.
Result<std::string> normalize_command_name(std::string_view raw);
// 1..100 characters, not blank → else 400 invalid_description.
Status validate_command_description(std::string_view description);
// Option names (lowercased in place), descriptions, counts, depth, choices typed like their
// option, unique names per level → else 400 validation_error naming `options[i].…`.
Status validate_command_options(std::vector<CommandOption>& options,
                                std::string_view path = "options");

// What a person submitted for one option, before typing: the raw JSON scalar as text or number.
struct SubmittedValue {
  std::string name;
  CommandValue value;  // as parsed from JSON (string, integer, number or bool)
};
struct TypedValue {
  std::string name;
  CommandOptionType type;
  CommandValue value;
};
// Types each submitted value by the command's schema: integer/number/boolean stay typed
// (numeric strings are converted), user/channel/role must be UUIDs, choices must match, every
// required option present, no unknown or repeated names. The ids' existence in the space is
// the caller's check (it needs the store).
Result<std::vector<TypedValue>> type_command_values(const std::vector<CommandOption>& schema,
                                                    const std::vector<SubmittedValue>& submitted);

}  // namespace argon
