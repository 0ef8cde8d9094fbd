#include "argon/domain/locale.hpp"

#include <array>
#include <utility>

#include "argon/domain/names.hpp"
#include "argon/domain/text.hpp"

namespace argon {

std::optional<std::string> to_bcp47(std::string_view raw) {
  const std::string_view value = trim_white_space(raw);
  if (value.empty()) return std::nullopt;
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kSpecial = {{
      {"jp", "ja"},
      {"am", "hy"},
      {"ru_pt", "ru"},
      {"en_tengwar", "en"},
  }};
  for (const auto& [code, language] : kSpecial)
    if (equals_ignore_case(value, code)) return std::string(language);
  const std::string_view primary = value.substr(0, value.find_first_of("_-"));
  if (primary.size() < 2 || primary.size() > 3) return std::nullopt;
  for (char ch : primary)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) return std::nullopt;
  return to_lower_ascii(primary);
}

}  // namespace argon
