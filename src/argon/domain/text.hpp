#pragma once
// UTF-8 helpers for length limits. Message text limits count UTF-16 code units (DECISIONS.md §6,
// entity offsets as JavaScript string indices); "N characters" limits on names and labels count
// Unicode code points.
#include <cstddef>
#include <string_view>

namespace argon {

// Strict UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// Number of UTF-16 code units the text occupies (astral characters count 2). Meant for valid
// UTF-8; a stray byte counts as one unit.
std::size_t utf16_length(std::string_view utf8);

// Number of Unicode code points (a stray byte counts as one).
std::size_t codepoint_length(std::string_view utf8);

// True when the text is empty or consists only of white space (the Unicode White_Space set as
// .NET's char.IsWhiteSpace sees it: ASCII blanks, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
// U+2029, U+202F, U+205F, U+3000).
bool is_blank(std::string_view text);

// The text without the white space (the set is_blank uses) at either end.
std::string_view trim_white_space(std::string_view text);

// ASCII case-insensitive comparison (JSON names and enum names, DECISIONS.md §3).
bool equals_ignore_case(std::string_view a, std::string_view b);

}  // namespace argon
