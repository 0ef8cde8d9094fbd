#pragma once
// The Bot API (SPEC.md): routes at /{Interface}/v{N}/{Method} and
// /api/bot/{Interface}/v{N}/{Method}, names case-insensitive, authenticated by `Authorization: Bot
// <token>` or a token path segment.
#include "argon/http/router.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/spaces.hpp"

namespace argon::botapi {

struct BotServices {
  services::BotService& bots;
  services::SpaceService& spaces;
};

void register_routes(http::Router& router, BotServices& s);
void register_bot_self_routes(http::Router& router, BotServices& s);

// Adds a Bot API route under both prefixes, case-insensitively.
void add_bot_route(http::Router& router, const std::string& method, const std::string& path,
                   http::Handler handler);

// The path-token forms of DECISIONS.md §1: `/{token}/I…` and `/api/bot/{token}/I…` (the `:` may
// arrive as %3A). Moves the token into `Authorization: Bot <token>` (overwriting any) and removes
// it from the path. Returns true when the request was rewritten.
bool rewrite_path_token(http::Request& request);

// `Authorization: Bot <token>` → the bot; 401 otherwise.
Result<services::BotIdentity> authenticate_bot(const http::Request& request,
                                               services::BotService& bots);

}  // namespace argon::botapi
