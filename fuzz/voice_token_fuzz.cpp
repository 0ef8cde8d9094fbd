// The voice stream token verifier (voice/jwt.hpp): the audio ingress checks the `token` query
// parameter of /audio/* with verify_voice_token (HS256 JWTs, as sign_voice_token issues them).
//
// Input: byte 0 picks the mode by its bit 0 and, by its bit 1, whether a room is expected.
//  - bit 0 clear ('@', 'B'): the rest is the token as sent, verified at kNow with kSecret (the
//    seeds are real tokens sign_voice_token made with them);
//  - bit 0 set ('A', 'C'): the rest is "<header JSON>\n<payload JSON>", signed here with kSecret,
//    so that inputs get past the signature and exercise the header and payload checks.
//
// Invariants, for an accepted token:
//  - its header is a JSON object whose alg is exactly "HS256" (decoded independently here);
//  - its signature part is exactly base64url(HMAC-SHA256(kSecret, header "." payload)): no other
//    spelling of the same signature passes;
//  - the claims hold: sub and video.room non-empty, exp > now, nbf <= now + 5 s, the expected
//    room when one was asked;
//  - it fails with another secret, and with any one character of its payload part changed;
//  - its claims round-trip: sign_voice_token(claims) verifies to the same claims.
// Every refusal is 401 invalid_token with a reason.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "argon/crypto/crypto.hpp"
#include "argon/voice/jwt.hpp"
#include "fuzz_check.hpp"

namespace {

using argon::fuzz::quoted;
using argon::voice::VoiceClaims;

constexpr std::string_view kSecret = "fuzz-voice-secret-0123456789abcdef";
constexpr std::int64_t kNow = 1700000000;  // the seeds' iat
constexpr std::string_view kRoom =
    "0123456789abcdef0123456789abcdef/fedcba9876543210fedcba9876543210";

std::string b64(std::string_view bytes) {
  return argon::crypto::base64url_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::string mac(std::string_view input, std::string_view secret) {
  auto m = argon::crypto::hmac_sha256(secret, input);
  return b64(std::string_view(reinterpret_cast<const char*>(m.data()), m.size()));
}

bool same(const VoiceClaims& a, const VoiceClaims& b) {
  return a.identity == b.identity && a.room == b.room && a.issued_at == b.issued_at &&
         a.not_before == b.not_before && a.expires_at == b.expires_at &&
         a.can_publish == b.can_publish && a.can_subscribe == b.can_subscribe &&
         a.target == b.target;
}

void check_accepted(const std::string& token, const VoiceClaims& claims,
                    std::optional<std::string_view> room) {
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.find('.', dot1 + 1);
  FUZZ_CHECK(dot1 != std::string::npos && dot2 != std::string::npos, quoted(token));
  auto header = argon::crypto::base64url_decode(std::string_view(token).substr(0, dot1));
  FUZZ_CHECK(header.has_value(), quoted(token));
  boost::system::error_code ec;
  auto h = boost::json::parse(*header, ec);
  FUZZ_CHECK(!ec && h.is_object(), quoted(*header));
  const auto* alg = h.as_object().if_contains("alg");
  FUZZ_CHECK(alg && alg->is_string() && alg->get_string() == "HS256", quoted(*header));
  FUZZ_CHECK(token.substr(dot2 + 1) == mac(std::string_view(token).substr(0, dot2), kSecret),
             "a signature spelled otherwise was accepted: " + quoted(token));

  FUZZ_CHECK(!claims.identity.empty() && !claims.room.empty(), quoted(token));
  FUZZ_CHECK(claims.expires_at > kNow, quoted(token));
  FUZZ_CHECK(claims.not_before <= kNow + argon::voice::kVoiceTokenNbfSkewSeconds, quoted(token));
  if (room) FUZZ_CHECK(claims.room == *room, quoted(token));

  FUZZ_CHECK(!argon::voice::verify_voice_token(token, "another secret", kNow, room), quoted(token));
  std::string tampered = token;
  const std::size_t at = dot1 + 1 + (dot2 - dot1 - 1) / 2;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  FUZZ_CHECK(!argon::voice::verify_voice_token(tampered, kSecret, kNow, room),
             "a changed payload was accepted: " + quoted(tampered));

  const std::string resigned = argon::voice::sign_voice_token(claims, kSecret);
  auto again = argon::voice::verify_voice_token(resigned, kSecret, kNow, room);
  FUZZ_CHECK(again && same(*again, claims),
             "claims changed through sign_voice_token: " + quoted(resigned));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::optional<std::string_view> room =
      (data[0] & 2) ? std::optional<std::string_view>(kRoom) : std::nullopt;
  std::string token;
  if (data[0] & 1) {
    const std::size_t newline = rest.find('\n');
    if (newline == std::string_view::npos) return 0;
    std::string input = b64(rest.substr(0, newline)) + "." + b64(rest.substr(newline + 1));
    token = input + "." + mac(input, kSecret);
  } else {
    token = std::string(rest);
  }
  auto claims = argon::voice::verify_voice_token(token, kSecret, kNow, room);
  if (!claims) {
    const auto& e = claims.error();
    FUZZ_CHECK(e.status == 401 && e.code == "invalid_token" && e.message && !e.message->empty(),
               e.code);
    return 0;
  }
  check_accepted(token, *claims, room);
  return 0;
}
