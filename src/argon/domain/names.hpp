#pragma once
// Validation of names people and bots choose (CLIENT-API.md "Accounts").
#include <string>
#include <string_view>

#include "argon/domain/result.hpp"

namespace argon {

inline constexpr std::size_t kUsernameMin = 2, kUsernameMax = 32;
inline constexpr std::size_t kPasswordMin = 8, kPasswordMax = 1024;
inline constexpr std::size_t kDisplayNameMax = 64;
inline constexpr std::size_t kNameMax = 100;  // spaces, channels, archetypes, apps
inline constexpr std::size_t kDescriptionMax = 1024;

// Lowercases ASCII letters (usernames are case-insensitive).
std::string to_lower_ascii(std::string_view s);

// A person's username: 2..32 of [a-z0-9_.] after lowercasing, not ending in `_bot`.
Status validate_person_username(std::string_view lowered, std::string_view field = "username");
// A bot's username: same alphabet and length, must end in `_bot`; failures use `invalid_username`.
Status validate_bot_username(std::string_view lowered, std::string_view field = "botUsername");
Status validate_password(std::string_view password, std::string_view field = "password");
// Names and display names: valid UTF-8, not blank, at most `max` characters (code points).
Status validate_name(std::string_view value, std::string_view field, std::size_t max = kNameMax);
Status validate_description(std::string_view value, std::string_view field = "description");

}  // namespace argon
