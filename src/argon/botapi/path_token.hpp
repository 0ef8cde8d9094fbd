#pragma once
// The path-token forms of DECISIONS.md §1, apart from the route table so that the fuzz target
// (fuzz/http_target_fuzz.cpp) links it alone. Included by routes.hpp.
#include "argon/http/message.hpp"

namespace argon::botapi {

// The path-token forms of DECISIONS.md §1: `/{token}/I…` and `/api/bot/{token}/I…` (the `:` may
// arrive as %3A). Moves the token into `Authorization: Bot <token>` (overwriting any) and removes
// it from the path. Returns true when the request was rewritten.
bool rewrite_path_token(http::Request& request);

}  // namespace argon::botapi
