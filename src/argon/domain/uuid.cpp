#include "argon/domain/uuid.hpp"

namespace argon {
namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

std::optional<Uuid> Uuid::parse(std::string_view text) {
  std::array<std::uint8_t, 16> bytes{};
  if (text.size() == 36) {
    if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
      return std::nullopt;
  } else if (text.size() != 32) {
    return std::nullopt;
  }
  int nibble = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.size() == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) continue;
    int v = hex_value(text[i]);
    if (v < 0) return std::nullopt;
    bytes[nibble / 2] |= static_cast<std::uint8_t>(nibble % 2 == 0 ? v << 4 : v);
    ++nibble;
  }
  return Uuid(bytes);
}

Uuid Uuid::v4_from_bytes(std::array<std::uint8_t, 16> bytes) {
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);
  return Uuid(bytes);
}

std::string Uuid::str() const {
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes_[i] >> 4]);
    out.push_back(kHex[bytes_[i] & 0xf]);
  }
  return out;
}

std::string Uuid::hex() const {
  std::string out;
  out.reserve(32);
  for (auto b : bytes_) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

bool Uuid::is_nil() const {
  for (auto b : bytes_)
    if (b != 0) return false;
  return true;
}

}  // namespace argon
