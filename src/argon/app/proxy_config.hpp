#pragma once
// Behind a reverse proxy (docs/operations.md): server.trusted_proxies and http.cors_origins
// into the HTTP server's options.
#include "argon/app/config.hpp"
#include "argon/http/server.hpp"

namespace argon::app {

// Sets options.trusted_proxies and options.cors (the client API's, clientapi::cors_options) and
// logs what is in force. False, with a critical log line naming the key and the item, when one
// of them is malformed: the server must not start then.
bool apply_proxy_config(const Config& config, http::ServerOptions& options);

}  // namespace argon::app
