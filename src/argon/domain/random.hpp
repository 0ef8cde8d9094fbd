#pragma once
// Injectable randomness (ids, tokens, invite codes). The production source is crypto/ (libsodium);
// tests use a seeded one.
#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <string>

#include "argon/domain/uuid.hpp"

namespace argon {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;

  Uuid uuid() {
    std::array<std::uint8_t, 16> b{};
    fill(b);
    return Uuid::v4_from_bytes(b);
  }
};

// Deterministic source for tests.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>(engine_());
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace argon
