#include "argon/voice/jwt.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <limits>
#include <span>

#include "argon/crypto/crypto.hpp"

namespace argon::voice {
namespace {

namespace json = boost::json;

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

Error invalid(std::string why) {
  return Error{401, "invalid_token", std::move(why)};
}

std::string encode(std::string_view bytes) {
  return crypto::base64url_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::string signature_of(std::string_view signing_input, std::string_view secret) {
  const auto mac = crypto::hmac_sha256(secret, signing_input);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

// Decodes a base64url part and parses it as a JSON object.
std::optional<json::object> decode_object(std::string_view part) {
  auto bytes = crypto::base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value value = json::parse(*bytes, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

// An integral JSON number that fits std::int64_t (doubles such as 1.5 or 1e9 are refused).
std::optional<std::int64_t> as_int(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() &&
      v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return static_cast<std::int64_t>(v.get_uint64());
  return std::nullopt;
}

// Reads an optional boolean field: absent → fallback, present but not a bool → nullopt.
std::optional<bool> optional_bool(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_bool()) return std::nullopt;
  return v->get_bool();
}

}  // namespace

std::string sign_voice_token(const VoiceClaims& claims, std::string_view secret) {
  json::object video;
  video["room"] = claims.room;
  video["roomJoin"] = true;
  video["canPublish"] = claims.can_publish;
  video["canSubscribe"] = claims.can_subscribe;
  video["canPublishData"] = true;
  video["canUpdateOwnMetadata"] = true;

  json::object payload;
  payload["iss"] = kVoiceTokenIssuer;
  payload["sub"] = claims.identity;
  payload["iat"] = claims.issued_at;
  payload["nbf"] = claims.not_before;
  payload["exp"] = claims.expires_at;
  payload["video"] = std::move(video);
  if (claims.target) payload["target"] = *claims.target;

  std::string input = encode(kHeader);
  input += '.';
  input += encode(json::serialize(payload));
  std::string token = input;
  token += '.';
  token += encode(signature_of(input, secret));
  return token;
}

Result<VoiceClaims> verify_voice_token(std::string_view token, std::string_view secret,
                                       std::int64_t now_seconds,
                                       std::optional<std::string_view> expected_room) {
  if (token.empty()) return invalid("empty token");
  if (token.size() > kMaxVoiceTokenLength) return invalid("token too long");

  // Structure: header.payload.signature, each part non-empty.
  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return invalid("token must have three parts");
  const std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return invalid("token must have three parts");
  const std::string_view header_part = token.substr(0, dot1);
  const std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_part = token.substr(dot2 + 1);
  if (header_part.empty() || payload_part.empty()) return invalid("empty token part");
  if (signature_part.empty()) return invalid("missing signature");

  // Header: only HS256 is acceptable, whatever the token claims.
  auto header = decode_object(header_part);
  if (!header) return invalid("malformed header");
  const json::value* alg = header->if_contains("alg");
  if (!alg || !alg->is_string() || alg->get_string() != "HS256")
    return invalid("unsupported algorithm");
  if (const json::value* typ = header->if_contains("typ"))
    if (!typ->is_string() || typ->get_string() != "JWT") return invalid("unsupported token type");
  if (header->contains("crit")) return invalid("unsupported critical header");

  // Signature, in constant time, before anything in the payload is looked at.
  auto signature = crypto::base64url_decode(signature_part);
  if (!signature) return invalid("malformed signature");
  const std::string expected = signature_of(token.substr(0, dot2), secret);
  if (!crypto::constant_time_equal(*signature, expected)) return invalid("bad signature");

  // Payload.
  auto payload = decode_object(payload_part);
  if (!payload) return invalid("malformed payload");
  VoiceClaims claims;

  const json::value* sub = payload->if_contains("sub");
  if (!sub || !sub->is_string() || sub->get_string().empty()) return invalid("missing sub");
  claims.identity = std::string(sub->get_string());

  const json::value* exp = payload->if_contains("exp");
  if (!exp || !as_int(*exp)) return invalid("missing exp");
  claims.expires_at = *as_int(*exp);
  if (const json::value* nbf = payload->if_contains("nbf")) {
    if (!as_int(*nbf)) return invalid("malformed nbf");
    claims.not_before = *as_int(*nbf);
  }
  if (const json::value* iat = payload->if_contains("iat")) {
    if (!as_int(*iat)) return invalid("malformed iat");
    claims.issued_at = *as_int(*iat);
  }
  if (const json::value* target = payload->if_contains("target")) {
    if (!target->is_string()) return invalid("malformed target");
    claims.target = std::string(target->get_string());
  }

  const json::value* video_value = payload->if_contains("video");
  if (!video_value || !video_value->is_object()) return invalid("missing video grant");
  const json::object& video = video_value->get_object();
  const json::value* room = video.if_contains("room");
  if (!room || !room->is_string() || room->get_string().empty()) return invalid("missing room");
  claims.room = std::string(room->get_string());
  const json::value* join = video.if_contains("roomJoin");
  if (!join || !join->is_bool() || !join->get_bool()) return invalid("roomJoin not granted");
  const auto publish = optional_bool(video, "canPublish", true);
  const auto subscribe = optional_bool(video, "canSubscribe", true);
  if (!publish || !subscribe) return invalid("malformed video grant");
  claims.can_publish = *publish;
  claims.can_subscribe = *subscribe;

  // Time window: exp is strict (no skew); nbf tolerates a little clock skew.
  if (claims.expires_at <= now_seconds) return invalid("token expired");
  if (claims.not_before > now_seconds &&
      claims.not_before - now_seconds > kVoiceTokenNbfSkewSeconds)
    return invalid("token not yet valid");

  if (expected_room && claims.room != *expected_room) return invalid("room mismatch");
  return claims;
}

}  // namespace argon::voice
