#pragma once
// Cryptographic primitives from real libraries: libsodium (random, Argon2id, constant-time
// compare) and OpenSSL (SHA-256, HMAC-SHA256).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "argon/domain/random.hpp"

namespace argon::crypto {

// Must be called once before anything else here (idempotent, thread-safe).
void init();

class SystemRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

using Sha256 = std::array<std::uint8_t, 32>;
Sha256 sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
Sha256 hmac_sha256(std::string_view key, std::string_view data);

std::string hex_encode(std::span<const std::uint8_t> bytes);
std::string base64url_encode(std::span<const std::uint8_t> bytes);   // no padding
std::optional<std::string> base64url_decode(std::string_view text);  // [A-Za-z0-9_-] only
bool constant_time_equal(std::string_view a, std::string_view b);

// A random secret of `bytes` bytes, base64url without padding (32 bytes -> 43 characters).
std::string random_token(Random& random, std::size_t bytes = 32);

// Argon2id through libsodium's crypto_pwhash_str (salted, self-describing string).
struct PasswordCost {
  unsigned long long ops_limit;  // crypto_pwhash_OPSLIMIT_*
  std::size_t mem_limit;         // bytes
  static PasswordCost interactive();
  static PasswordCost minimum();  // for tests only
};
std::string hash_password(std::string_view password, const PasswordCost& cost);
bool verify_password(const std::string& hash, std::string_view password);

}  // namespace argon::crypto
