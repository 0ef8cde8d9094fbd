#pragma once
// Serving the embedded web client (docs/web-client.md "Serving").
#include <span>

#include "argon/http/router.hpp"

namespace argon::app {

struct WebAsset;

// Adds GET /assets/{name} and the app's pages (/app..., /invite/{code}), which all answer
// index.html, and returns the handler for a plain GET / (the caller shares / with the audio
// socket). With no assets (built without the web client) adds nothing and returns an empty handler.
http::AsyncHandler register_web_client(http::Router& router);
// The same over the given files (tests).
http::AsyncHandler register_web_client(http::Router& router, std::span<const WebAsset> assets);

}  // namespace argon::app
