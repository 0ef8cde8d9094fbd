#pragma once
// Bot token format (DECISIONS.md §4): `{appId as 32 lowercase hex}:{43-char base64url secret}`.
// Parsing accepts what the reference accepts: 32 hex in any case, then a 20..200 char base64url
// secret, so a well-formed foreign token fails authentication rather than parsing.
#include <optional>
#include <string>
#include <string_view>

#include "argon/domain/uuid.hpp"

namespace argon {

struct BotToken {
  Uuid app_id;
  std::string secret;

  static std::optional<BotToken> parse(std::string_view text);
  std::string str() const { return app_id.hex() + ":" + secret; }
};

// True when `text` has the shape of a bot token (used to tell `/{token}/IFoo/...` paths apart).
bool looks_like_bot_token(std::string_view text);

}  // namespace argon
