#include "argon/domain/emoji.hpp"

#include <algorithm>
#include <vector>

#include "argon/domain/text.hpp"

namespace argon {
namespace {

constexpr char32_t kZwj = 0x200D, kVs16 = 0xFE0F, kKeycap = 0x20E3;
constexpr char32_t kBlackFlag = 0x1F3F4, kCancelTag = 0xE007F;

bool is_modifier(char32_t cp) {
  return cp >= 0x1F3FB && cp <= 0x1F3FF;
}
bool is_regional_indicator(char32_t cp) {
  return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}
bool is_tag(char32_t cp) {
  return cp >= 0xE0020 && cp <= 0xE007E;
}
bool is_keycap_base(char32_t cp) {
  return (cp >= '0' && cp <= '9') || cp == '#' || cp == '*';
}

// Valid UTF-8 (checked before) into code points.
std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    char32_t cp = extra == 0 ? b : extra == 1 ? (b & 0x1F) : extra == 2 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

// An emoji element: pictograph, then VS16 and/or a skin-tone modifier. Advances `i` past it.
bool element(const std::vector<char32_t>& cps, std::size_t& i) {
  if (i >= cps.size() || !is_extended_pictographic(cps[i])) return false;
  ++i;
  if (i < cps.size() && cps[i] == kVs16) ++i;
  if (i < cps.size() && is_modifier(cps[i])) ++i;
  return true;
}

bool is_flag(const std::vector<char32_t>& cps) {
  if (cps.size() == 2) return is_regional_indicator(cps[0]) && is_regional_indicator(cps[1]);
  // Subdivision flags: black flag, tag characters, cancel tag.
  if (cps.size() < 3 || cps.front() != kBlackFlag || cps.back() != kCancelTag) return false;
  return std::all_of(cps.begin() + 1, cps.end() - 1, is_tag);
}

bool is_keycap(const std::vector<char32_t>& cps) {
  if (cps.empty() || !is_keycap_base(cps[0])) return false;
  if (cps.size() == 2) return cps[1] == kKeycap;
  return cps.size() == 3 && cps[1] == kVs16 && cps[2] == kKeycap;
}

}  // namespace

bool is_extended_pictographic(char32_t cp) {
  const auto* begin = detail::kExtendedPictographic;
  const auto* end = begin + detail::kExtendedPictographicCount;
  const auto* it = std::upper_bound(
      begin, end, cp, [](char32_t v, const detail::EmojiRange& r) { return v < r.first; });
  return it != begin && cp <= (it - 1)->last;
}

bool is_reaction_emoji(std::string_view utf8) {
  if (utf8.empty() || utf8.size() > kMaxReactionEmojiBytes || !is_valid_utf8(utf8)) return false;
  auto cps = code_points(utf8);
  if (is_flag(cps) || is_keycap(cps)) return true;
  std::size_t i = 0;
  if (!element(cps, i)) return false;
  while (i < cps.size()) {
    if (cps[i] != kZwj) return false;
    ++i;
    if (!element(cps, i)) return false;
  }
  return true;
}

}  // namespace argon
