#include "argon/domain/bot_token.hpp"

namespace argon {
namespace {
bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}
}  // namespace

std::optional<BotToken> BotToken::parse(std::string_view text) {
  if (text.size() < 33 || text[32] != ':') return std::nullopt;
  auto id = Uuid::parse(text.substr(0, 32));
  if (!id) return std::nullopt;
  std::string_view secret = text.substr(33);
  if (secret.size() < 20 || secret.size() > 200) return std::nullopt;
  for (char c : secret)
    if (!is_base64url(c)) return std::nullopt;
  return BotToken{*id, std::string(secret)};
}

bool looks_like_bot_token(std::string_view text) {
  return BotToken::parse(text).has_value();
}

}  // namespace argon
