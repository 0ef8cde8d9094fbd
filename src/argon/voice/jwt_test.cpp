#include "argon/voice/jwt.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <span>

#include "argon/crypto/crypto.hpp"

namespace argon::voice {
namespace {

namespace json = boost::json;

constexpr std::string_view kSecret = "voice-secret-0123456789abcdef";
constexpr std::int64_t kNow = 1'776'168'000;  // 2026-04-14T12:00:00Z
constexpr std::string_view kRoom =
    "550e8400-e29b-41d4-a716-446655440000/6ba7b810-9dad-11d1-80b4-00c04fd430c8";

VoiceClaims sample_claims() {
  VoiceClaims c;
  c.identity = "0196a3f2-7c1e-7d4a-9b2f-3e5d6c7b8a90";
  c.room = std::string(kRoom);
  c.issued_at = kNow;
  c.not_before = kNow;
  c.expires_at = kNow + kVoiceTokenTtlSeconds;
  return c;
}

std::string b64(std::string_view bytes) {
  return crypto::base64url_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::string decode(std::string_view part) {
  auto d = crypto::base64url_decode(part);
  return d ? *d : std::string("<invalid>");
}

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// A token with arbitrary header/payload JSON text, correctly HS256-signed with `secret`.
std::string craft(std::string_view header, std::string_view payload,
                  std::string_view secret = kSecret) {
  std::string input = b64(header) + "." + b64(payload);
  auto mac = crypto::hmac_sha256(secret, input);
  return input + "." + crypto::base64url_encode(mac);
}

std::string sample_payload() {
  return split(sign_voice_token(sample_claims(), kSecret))[1];
}

void expect_invalid(const Result<VoiceClaims>& r, std::string_view why) {
  ASSERT_FALSE(r.ok()) << "expected rejection: " << why;
  EXPECT_EQ(r.error().status, 401);
  EXPECT_EQ(r.error().code, "invalid_token");
  EXPECT_EQ(r.error().message.value_or(""), why);
}

TEST(VoiceJwt, RoundTrip) {
  VoiceClaims c = sample_claims();
  c.can_subscribe = false;
  c.target = "0196a3f2-0000-7000-8000-000000000001";
  auto r = verify_voice_token(sign_voice_token(c, kSecret), kSecret, kNow, kRoom);
  ASSERT_TRUE(r.ok()) << r.error().message.value_or("");
  EXPECT_EQ(r->identity, c.identity);
  EXPECT_EQ(r->room, c.room);
  EXPECT_EQ(r->issued_at, kNow);
  EXPECT_EQ(r->not_before, kNow);
  EXPECT_EQ(r->expires_at, kNow + 7200);
  EXPECT_TRUE(r->can_publish);
  EXPECT_FALSE(r->can_subscribe);
  EXPECT_EQ(r->target, c.target);

  auto plain = verify_voice_token(sign_voice_token(sample_claims(), kSecret), kSecret, kNow);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->target.has_value());
}

TEST(VoiceJwt, ShapeIsThreeBase64UrlPartsWithFixedHeader) {
  VoiceClaims c = sample_claims();
  c.target = "t";
  std::string token = sign_voice_token(c, kSecret);
  auto parts = split(token);
  ASSERT_EQ(parts.size(), 3u);
  for (const auto& p : parts) {
    EXPECT_FALSE(p.empty());
    EXPECT_EQ(
        p.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
  }
  EXPECT_TRUE(token.starts_with("eyJhbGciOiJIUzI1NiIs"));  // as in the SPEC §11.1 example
  EXPECT_EQ(decode(parts[0]), R"({"alg":"HS256","typ":"JWT"})");
  EXPECT_EQ(decode(parts[2]).size(), 32u);

  json::value payload = json::parse(decode(parts[1]));
  json::value expected = json::parse(R"({"iss":"argon","sub":")" + c.identity +
                                     R"(","iat":1776168000,"nbf":1776168000,"exp":1776175200,)"
                                     R"("video":{"room":")" +
                                     c.room +
                                     R"(","roomJoin":true,"canPublish":true,"canSubscribe":true,)"
                                     R"("canPublishData":true,"canUpdateOwnMetadata":true},)"
                                     R"("target":"t"})");
  EXPECT_EQ(payload, expected);
}

TEST(VoiceJwt, FlippedCharacterInAnyPartIsRejected) {
  const std::string token = sign_voice_token(sample_claims(), kSecret);
  const auto parts = split(token);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    std::string forged = token;
    std::size_t at = offset + parts[i].size() / 2;  // a middle character: always 6 full bits
    forged[at] = forged[at] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_voice_token(forged, kSecret, kNow).ok()) << "part " << i;
    offset += parts[i].size() + 1;
  }
  std::string last = token;  // the very last signature character too
  last.back() = last.back() == 'A' ? 'E' : 'A';
  EXPECT_FALSE(verify_voice_token(last, kSecret, kNow).ok());
}

// Found by fuzz/voice_token_fuzz.cpp: libsodium 1.0.18 decodes every byte from 0x80 up as '_', so
// any '_' of a valid token could be replaced by one of them and the token still verified.
TEST(VoiceJwt, NoCharacterOfAValidTokenCanBeSpelledWithAHighByte) {
  VoiceClaims claims = sample_claims();
  std::string token = sign_voice_token(claims, kSecret);
  for (int i = 0; token.find('_') == std::string::npos; ++i) {  // the case that mattered
    claims.issued_at = kNow - i;
    token = sign_voice_token(claims, kSecret);
  }
  ASSERT_TRUE(verify_voice_token(token, kSecret, kNow).ok());
  for (std::size_t at = 0; at < token.size(); ++at) {
    if (token[at] == '.') continue;
    std::string respelled = token;
    respelled[at] = '\x99';
    EXPECT_FALSE(verify_voice_token(respelled, kSecret, kNow).ok()) << at;
  }
}

TEST(VoiceJwt, WrongSecretIsRejected) {
  std::string token = sign_voice_token(sample_claims(), kSecret);
  expect_invalid(verify_voice_token(token, "another-secret", kNow), "bad signature");
  expect_invalid(verify_voice_token(token, "", kNow), "bad signature");
}

TEST(VoiceJwt, AlgNoneIsRejected) {
  const std::string payload = sample_payload();
  for (std::string_view header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})", R"({"alg":"NONE"})"}) {
    expect_invalid(verify_voice_token(b64(header) + "." + payload + ".", kSecret, kNow),
                   "missing signature");
    // Even with a valid HS256 signature over it, "none" is not HS256.
    std::string input = b64(header) + "." + payload;
    std::string signed_token =
        input + "." + crypto::base64url_encode(crypto::hmac_sha256(kSecret, input));
    expect_invalid(verify_voice_token(signed_token, kSecret, kNow), "unsupported algorithm");
  }
}

TEST(VoiceJwt, OtherAlgorithmsAreRejectedEvenWithValidHs256Signature) {
  const std::string payload_json = decode(sample_payload());
  for (std::string_view header :
       {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256","typ":"JWT"})",
        R"({"alg":"hs256","typ":"JWT"})", R"({"alg":"HS256 ","typ":"JWT"})", R"({"typ":"JWT"})",
        R"({"alg":null,"typ":"JWT"})", R"({"alg":["HS256"]})", R"({"alg":256})"}) {
    expect_invalid(verify_voice_token(craft(header, payload_json), kSecret, kNow),
                   "unsupported algorithm");
  }
  // typ other than JWT, and crit, are refused; a header without typ is fine.
  expect_invalid(
      verify_voice_token(craft(R"({"alg":"HS256","typ":"JWE"})", payload_json), kSecret, kNow),
      "unsupported token type");
  expect_invalid(
      verify_voice_token(craft(R"({"alg":"HS256","crit":["exp"]})", payload_json), kSecret, kNow),
      "unsupported critical header");
  EXPECT_TRUE(verify_voice_token(craft(R"({"alg":"HS256"})", payload_json), kSecret, kNow).ok());
}

TEST(VoiceJwt, ExpiryIsStrict) {
  VoiceClaims c = sample_claims();
  c.expires_at = kNow + 10;
  std::string token = sign_voice_token(c, kSecret);
  EXPECT_TRUE(verify_voice_token(token, kSecret, kNow + 9).ok());
  expect_invalid(verify_voice_token(token, kSecret, kNow + 10), "token expired");  // exp == now
  expect_invalid(verify_voice_token(token, kSecret, kNow + 11), "token expired");
}

TEST(VoiceJwt, NotBeforeAllowsFiveSecondsOfSkew) {
  VoiceClaims c = sample_claims();
  c.not_before = kNow + 5;
  EXPECT_TRUE(verify_voice_token(sign_voice_token(c, kSecret), kSecret, kNow).ok());
  c.not_before = kNow + 6;
  expect_invalid(verify_voice_token(sign_voice_token(c, kSecret), kSecret, kNow),
                 "token not yet valid");
  c.not_before = kNow + 3600;
  expect_invalid(verify_voice_token(sign_voice_token(c, kSecret), kSecret, kNow),
                 "token not yet valid");
}

TEST(VoiceJwt, RoomMustMatchWhenExpected) {
  std::string token = sign_voice_token(sample_claims(), kSecret);
  EXPECT_TRUE(verify_voice_token(token, kSecret, kNow, kRoom).ok());
  expect_invalid(verify_voice_token(token, kSecret, kNow, "other/room"), "room mismatch");
  expect_invalid(verify_voice_token(token, kSecret, kNow, ""), "room mismatch");
}

TEST(VoiceJwt, GarbageIsRejected) {
  const std::string token = sign_voice_token(sample_claims(), kSecret);
  const auto parts = split(token);
  expect_invalid(verify_voice_token("", kSecret, kNow), "empty token");
  expect_invalid(verify_voice_token("abc", kSecret, kNow), "token must have three parts");
  expect_invalid(verify_voice_token(parts[0] + "." + parts[1], kSecret, kNow),
                 "token must have three parts");
  expect_invalid(verify_voice_token(token + ".", kSecret, kNow), "token must have three parts");
  expect_invalid(verify_voice_token(token + "." + parts[2], kSecret, kNow),
                 "token must have three parts");
  expect_invalid(verify_voice_token("..", kSecret, kNow), "empty token part");
  expect_invalid(verify_voice_token(std::string(kMaxVoiceTokenLength + 1, 'a'), kSecret, kNow),
                 "token too long");
  // Not base64url: standard-alphabet characters, padding, whitespace.
  expect_invalid(verify_voice_token("eyJ+.e30.abc", kSecret, kNow), "malformed header");
  expect_invalid(verify_voice_token(parts[0] + "=." + parts[1] + "." + parts[2], kSecret, kNow),
                 "malformed header");
  expect_invalid(
      verify_voice_token(parts[0] + "." + parts[1] + "." + parts[2] + "=", kSecret, kNow),
      "malformed signature");
  expect_invalid(verify_voice_token(parts[0] + "." + parts[1] + "." + "a*b", kSecret, kNow),
                 "malformed signature");
  // A base64url payload that is not valid after re-signing: not JSON, not an object.
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  expect_invalid(verify_voice_token(craft(header, "not json"), kSecret, kNow), "malformed payload");
  expect_invalid(verify_voice_token(craft(header, "[1,2]"), kSecret, kNow), "malformed payload");
  expect_invalid(verify_voice_token(craft(header, R"({"sub":"x"} trailing)"), kSecret, kNow),
                 "malformed payload");
  expect_invalid(verify_voice_token(craft("not json", "{}"), kSecret, kNow), "malformed header");
}

TEST(VoiceJwt, PayloadFieldsAreChecked) {
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  auto with = [&](std::string_view body) {
    return verify_voice_token(craft(header, body), kSecret, kNow);
  };
  const std::string video = R"("video":{"room":"s/c","roomJoin":true})";
  EXPECT_TRUE(with(R"({"sub":"u","exp":1776168001,)" + video + "}").ok());
  expect_invalid(with(R"({"exp":1776168001,)" + video + "}"), "missing sub");
  expect_invalid(with(R"({"sub":"","exp":1776168001,)" + video + "}"), "missing sub");
  expect_invalid(with(R"({"sub":42,"exp":1776168001,)" + video + "}"), "missing sub");
  expect_invalid(with(R"({"sub":"u",)" + video + "}"), "missing exp");
  expect_invalid(with(R"({"sub":"u","exp":"1776168001",)" + video + "}"), "missing exp");
  expect_invalid(with(R"({"sub":"u","exp":1776168001.5,)" + video + "}"), "missing exp");
  expect_invalid(with(R"({"sub":"u","exp":1776168001,"nbf":"0",)" + video + "}"), "malformed nbf");
  expect_invalid(with(R"({"sub":"u","exp":1776168001,"target":7,)" + video + "}"),
                 "malformed target");
  expect_invalid(with(R"({"sub":"u","exp":1776168001})"), "missing video grant");
  expect_invalid(with(R"({"sub":"u","exp":1776168001,"video":{"roomJoin":true}})"), "missing room");
  expect_invalid(with(R"({"sub":"u","exp":1776168001,"video":{"room":"s/c"}})"),
                 "roomJoin not granted");
  expect_invalid(with(R"({"sub":"u","exp":1776168001,"video":{"room":"s/c","roomJoin":false}})"),
                 "roomJoin not granted");
  expect_invalid(
      with(R"({"sub":"u","exp":1776168001,"video":{"room":"s/c","roomJoin":true,"canPublish":1}})"),
      "malformed video grant");
}

}  // namespace
}  // namespace argon::voice
