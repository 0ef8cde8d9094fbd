#pragma once
// Reaction emoji (UPSTREAM.md §2.2): a reaction is exactly one emoji, kept byte for byte as sent
// (no trimming, no normalisation: U+2764 and U+2764 U+FE0F are two different reactions).
#include <cstddef>
#include <string_view>

namespace argon {

inline constexpr std::size_t kMaxReactionEmojiBytes = 64;

// True when `utf8` is 1..64 bytes of valid UTF-8 forming one emoji: an Extended_Pictographic
// code point with an optional VS16 (U+FE0F) and/or skin-tone modifier (U+1F3FB..U+1F3FF),
// ZWJ (U+200D) sequences of those, a flag (two regional indicators, or U+1F3F4 + tag characters
// U+E0020..U+E007E + U+E007F) or a keycap ([0-9#*] U+FE0F? U+20E3). Anything else — empty text,
// white space, words, ":name:", two emoji, a lone ZWJ, VS16 or modifier — is false.
bool is_reaction_emoji(std::string_view utf8);

bool is_extended_pictographic(char32_t cp);

namespace detail {
struct EmojiRange {
  char32_t first, last;
};
extern const EmojiRange kExtendedPictographic[];  // emoji_data.cpp (generated), sorted
extern const std::size_t kExtendedPictographicCount;
}  // namespace detail

}  // namespace argon
