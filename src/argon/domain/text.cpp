#include "argon/domain/text.hpp"

#include <cstdint>

namespace argon {
namespace {

// Decodes one code point at `pos` of valid-or-not UTF-8; returns its byte length (1 for a stray
// byte) and stores the code point (0xFFFFFFFF for a stray byte).
std::size_t decode(std::string_view s, std::size_t pos, std::uint32_t& cp) {
  auto b0 = static_cast<unsigned char>(s[pos]);
  std::size_t need = 0;
  std::uint32_t value = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, value = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, value = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, value = b0 & 0x07, min = 0x10000;
  } else {
    cp = 0xFFFFFFFF;
    return 1;
  }
  if (pos + need >= s.size()) {
    cp = 0xFFFFFFFF;
    return 1;
  }
  for (std::size_t i = 1; i <= need; ++i) {
    auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) {
      cp = 0xFFFFFFFF;
      return 1;
    }
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    cp = 0xFFFFFFFF;
    return 1;
  }
  cp = value;
  return need + 1;
}

bool is_white_space(std::uint32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::uint32_t cp = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    pos += decode(text, pos, cp);
    if (cp == 0xFFFFFFFF) return false;
  }
  return true;
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  std::uint32_t cp = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    pos += decode(utf8, pos, cp);
    units += (cp != 0xFFFFFFFF && cp >= 0x10000) ? 2 : 1;
  }
  return units;
}

std::size_t codepoint_length(std::string_view utf8) {
  std::size_t count = 0;
  std::uint32_t cp = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    pos += decode(utf8, pos, cp);
    ++count;
  }
  return count;
}

bool is_blank(std::string_view text) {
  std::uint32_t cp = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    pos += decode(text, pos, cp);
    if (cp == 0xFFFFFFFF || !is_white_space(cp)) return false;
  }
  return true;
}

std::string_view trim_white_space(std::string_view text) {
  std::size_t begin = text.size(), end = 0;
  std::uint32_t cp = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t at = pos;
    pos += decode(text, pos, cp);
    if (cp != 0xFFFFFFFF && is_white_space(cp)) continue;
    if (begin == text.size()) begin = at;
    end = pos;
  }
  if (begin >= end) return {};
  return text.substr(begin, end - begin);
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace argon
