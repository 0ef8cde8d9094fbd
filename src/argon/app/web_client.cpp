#include "argon/app/web_client.hpp"

#include <memory>
#include <string>
#include <unordered_map>

#include "argon/app/web_assets.hpp"
#include "argon/http/content_coding.hpp"

namespace argon::app {
namespace {

// The page may talk to its own origin only: no CDN, no inline script, no framing (clickjacking).
// connect-src 'self' covers fetch, EventSource and (in current browsers) same-origin WebSockets.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

http::Response serve(const WebAsset& asset, const http::Request& req) {
  http::Response r;
  r.status = 200;
  r.content_type = std::string(asset.content_type);
  const std::string* accept = req.header("accept-encoding");
  if (!asset.brotli.empty() && http::accepts_coding(accept, "br")) {
    r.body = std::string(asset.brotli);
    r.headers.emplace_back("Content-Encoding", "br");
  } else if (!asset.gzip.empty() && http::accepts_coding(accept, "gzip")) {
    r.body = std::string(asset.gzip);
    r.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    r.body = std::string(asset.identity);
  }
  if (!asset.gzip.empty() || !asset.brotli.empty())
    r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("Cache-Control",
                         asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!asset.immutable) {  // the page itself
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    // An invite code in the address must not leave with a link's Referer.
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("X-Frame-Options", "DENY");
  }
  return r;
}

}  // namespace

http::AsyncHandler register_web_client(http::Router& router) {
  return register_web_client(router, web_assets());
}

http::AsyncHandler register_web_client(http::Router& router, std::span<const WebAsset> assets) {
  auto files = std::make_shared<std::unordered_map<std::string_view, const WebAsset*>>();
  const WebAsset* index = nullptr;
  for (const auto& a : assets) {
    if (a.path == "/index.html")
      index = &a;
    else
      (*files)[a.path] = &a;
  }
  if (!index) return {};

  http::Handler page = [index](http::Request& req) { return serve(*index, req); };
  router.add("GET", "/assets/{name}", [files](http::Request& req) {
    auto it = files->find(req.path);
    if (it == files->end())
      return http::Response::error(404, "not_found", "No such file: " + req.path);
    return serve(*it->second, req);
  });
  // The app's own addresses (web/src/routes.ts): a reload or a shared link opens the app there.
  for (const char* pattern :
       {"/app", "/app/{spaceId}", "/app/{spaceId}/{channelId}", "/invite/{code}", "/developers"})
    router.add("GET", pattern, page);
  return [page](http::Request& req, http::Respond respond) { respond(page(req)); };
}

}  // namespace argon::app
