#include "argon/crypto/crypto.hpp"

#include <gtest/gtest.h>

namespace argon::crypto {
namespace {

TEST(Crypto, Sha256KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("EVENT:Heartbeat\n  Timestamp:long\n"),
            "9ff546a10894b8731d8418aa3d9868123b6111debae5969495377e3da81362c9");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  auto mac = hmac_sha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(hex_encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64UrlRoundTripAndLength) {
  init();
  SeededRandom rng(7);
  std::string token = random_token(rng);
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  auto decoded = base64url_decode(token);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->size(), 32u);
  EXPECT_FALSE(base64url_decode("not*base64"));
}

// Found by fuzz/voice_token_fuzz.cpp: libsodium 1.0.18 decodes every byte from 0x80 up as some
// base64 character, so a voice token stayed valid with a '_' of its signature changed to 0x99.
TEST(Crypto, Base64UrlDecodeRefusesBytesOutsideTheAlphabet) {
  init();
  auto plain = base64url_decode("_w");
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "\xFF");
  for (int c = 0x80; c <= 0xFF; ++c) {
    std::string text = "_w";
    text[0] = static_cast<char>(c);
    EXPECT_FALSE(base64url_decode(text)) << c;
  }
  for (const std::string& text :
       {std::string("a="), std::string("a b"), std::string("a\0", 2), std::string("+/")})
    EXPECT_FALSE(base64url_decode(text)) << text;
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(Crypto, PasswordHashIsArgon2idSaltedAndVerifies) {
  init();
  auto h1 = hash_password("correct horse", PasswordCost::minimum());
  auto h2 = hash_password("correct horse", PasswordCost::minimum());
  EXPECT_TRUE(h1.starts_with("$argon2id$"));
  EXPECT_NE(h1, h2);  // salted
  EXPECT_TRUE(verify_password(h1, "correct horse"));
  EXPECT_FALSE(verify_password(h1, "correct horsf"));
  EXPECT_FALSE(verify_password("garbage", "correct horse"));
}

}  // namespace
}  // namespace argon::crypto
