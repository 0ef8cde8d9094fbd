#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace argon {

// A 128-bit id, written lowercase 8-4-4-4-12 with dashes (DECISIONS.md §3).
class Uuid {
 public:
  Uuid() = default;
  explicit Uuid(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  // Accepts the dashed form in any case, and the bare 32-hex form (as in bot tokens).
  static std::optional<Uuid> parse(std::string_view text);
  // Sets the version 4 and variant bits on 16 random bytes.
  static Uuid v4_from_bytes(std::array<std::uint8_t, 16> bytes);

  std::string str() const;  // dashed lowercase
  std::string hex() const;  // 32 lowercase hex, no dashes
  bool is_nil() const;
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }

  auto operator<=>(const Uuid&) const = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace argon

template <>
struct std::hash<argon::Uuid> {
  std::size_t operator()(const argon::Uuid& id) const noexcept {
    std::size_t h = 1469598103934665603ull;
    for (auto b : id.bytes()) h = (h ^ b) * 1099511628211ull;
    return h;
  }
};
