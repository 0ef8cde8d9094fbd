#include "argon/domain/names.hpp"

#include "argon/domain/text.hpp"

namespace argon {
namespace {
bool username_alphabet(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}
std::string f(std::string_view field, std::string_view what) {
  return std::string(field) + ": " + std::string(what);
}
}  // namespace

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Status validate_person_username(std::string_view u, std::string_view field) {
  if (u.size() < kUsernameMin || u.size() > kUsernameMax)
    return Error::validation(f(field, "must be 2..32 characters"));
  if (!username_alphabet(u))
    return Error::validation(f(field, "may contain only a-z, 0-9, _ and ."));
  if (u.ends_with("_bot"))
    return Error::validation(f(field, "may not end in _bot (reserved for bots)"));
  return {};
}

Status validate_bot_username(std::string_view u, std::string_view field) {
  if (u.size() < kUsernameMin || u.size() > kUsernameMax || !username_alphabet(u))
    return Error::bad_request("invalid_username",
                              f(field, "must be 2..32 of a-z, 0-9, _ and . ending in _bot"));
  if (!u.ends_with("_bot") || u.size() == 4)
    return Error::bad_request("invalid_username", f(field, "must end in _bot"));
  return {};
}

Status validate_password(std::string_view p, std::string_view field) {
  if (p.size() < kPasswordMin) return Error::validation(f(field, "must be at least 8 characters"));
  if (p.size() > kPasswordMax) return Error::validation(f(field, "must be at most 1024 bytes"));
  return {};
}

Status validate_name(std::string_view value, std::string_view field, std::size_t max) {
  if (!is_valid_utf8(value)) return Error::validation(f(field, "must be valid UTF-8"));
  if (is_blank(value)) return Error::validation(f(field, "must not be blank"));
  if (codepoint_length(value) > max)
    return Error::validation(f(field, "must be at most " + std::to_string(max) + " characters"));
  return {};
}

Status validate_description(std::string_view value, std::string_view field) {
  if (!is_valid_utf8(value)) return Error::validation(f(field, "must be valid UTF-8"));
  if (codepoint_length(value) > kDescriptionMax)
    return Error::validation(f(field, "must be at most 1024 characters"));
  return {};
}

}  // namespace argon
