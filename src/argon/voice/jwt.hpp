#pragma once
// Voice room tokens (SPEC.md §11.1, DECISIONS.md §10): LiveKit-style JWTs signed with HS256.
// sign_voice_token issues them (StreamToken, SubscribeTrack, call Accept); verify_voice_token is
// the strict check the audio ingress runs on the `token` query parameter.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "argon/domain/result.hpp"

namespace argon::voice {

inline constexpr std::string_view kVoiceTokenIssuer = "argon";  // iss: the key name
inline constexpr std::int64_t kVoiceTokenTtlSeconds = 7200;     // 2 hours (SPEC §11.1)
inline constexpr std::int64_t kVoiceTokenNbfSkewSeconds = 5;    // tolerated on nbf only
inline constexpr std::size_t kMaxVoiceTokenLength = 8192;

struct VoiceGrant {
  std::string room;
  bool can_publish = true;
  bool can_subscribe = true;
};

struct VoiceClaims {
  std::string identity;         // sub: the user id (UUID string)
  std::string room;             // video.room: "{spaceId}/{channelId}" (or a call room)
  std::int64_t issued_at = 0;   // iat, seconds
  std::int64_t not_before = 0;  // nbf
  std::int64_t expires_at = 0;  // exp
  bool can_publish = true, can_subscribe = true;
  std::optional<std::string> target;  // our extension: a fixed target identity (egress/calls)
};

// Header {"alg":"HS256","typ":"JWT"}; payload {iss, sub, iat, nbf, exp, video: {room,
// roomJoin: true, canPublish, canSubscribe, canPublishData: true, canUpdateOwnMetadata: true},
// target?}; signature HMAC-SHA256(secret, header "." payload); all parts base64url, no padding.
std::string sign_voice_token(const VoiceClaims& claims, std::string_view secret);

// Strict verification. Exactly three non-empty base64url parts; header a JSON object with alg
// exactly "HS256" (no "none", other algorithms or case variants) and typ "JWT" when present; the
// signature is compared in constant time before the payload is parsed; the payload must carry
// sub, exp and video.room (strings/integers of the right type), video.roomJoin true, exp > now,
// nbf <= now + 5 s; video.room must equal expected_room when given. Failures are
// Error{401, "invalid_token", "<why>"}.
Result<VoiceClaims> verify_voice_token(
    std::string_view token, std::string_view secret, std::int64_t now_seconds,
    std::optional<std::string_view> expected_room = std::nullopt);

}  // namespace argon::voice
