#pragma once
// Cross-origin resource sharing (the Fetch standard's CORS protocol) for the requests under one
// path prefix: the server (server.cpp) applies it to every response of such a request, whoever
// produced it (a handler, the router's 404/405/OPTIONS answers, the server's own 415). No
// credentials mode: the API's tokens are bearer headers, not cookies.
//
// For a request under the prefix whose Origin is allowed:
//   - every response carries Access-Control-Allow-Origin: <that origin>, Vary: Origin and
//     Access-Control-Expose-Headers;
//   - a preflight (OPTIONS with Origin and Access-Control-Request-Method) answers 204 with
//     Access-Control-Allow-Methods (the methods of the path, from the router's Allow header; the
//     fallback list for a path without routes), Access-Control-Allow-Headers and
//     Access-Control-Max-Age.
// Any other request (CORS off, outside the prefix, no Origin, an origin not allowed) is left as
// it is: no CORS headers, and a preflight gets the router's ordinary answer.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "argon/http/message.hpp"

namespace argon::http {

struct CorsOptions {
  std::string path_prefix;           // e.g. "/api/v1/": requests whose decoded path starts so
  std::vector<std::string> origins;  // exact origins ("https://app.example.org"), or "*" = any
  std::string allow_headers;         // Access-Control-Allow-Headers of a preflight
  std::string expose_headers;        // Access-Control-Expose-Headers ("" = none)
  std::string fallback_methods = "GET, POST, PUT, PATCH, DELETE";
  int max_age_seconds = 600;
};

// http.cors_origins: a comma-separated list of origins (scheme://host[:port], no path; scheme
// and host are lowercased as browsers send them) or "*". Spaces around items are ignored, empty
// items skipped; "" = CORS off (an empty list). nullopt, with `error` naming the item, when an
// item is not an origin.
std::optional<std::vector<std::string>> parse_cors_origins(std::string_view list,
                                                           std::string* error = nullptr);

class CorsPolicy {
 public:
  CorsPolicy() = default;  // off
  explicit CorsPolicy(CorsOptions options);

  bool enabled() const { return enabled_; }
  bool applies_to(std::string_view path) const;
  bool origin_allowed(std::string_view origin) const;
  static bool is_preflight(const Request& request);

  // Adds the CORS headers to `response` (the answer to `request`) when they apply, and turns a
  // preflight's answer into the preflight response. Does nothing when they do not.
  void apply(const Request& request, Response& response) const;

 private:
  CorsOptions options_;
  bool enabled_ = false;
  bool any_origin_ = false;
};

}  // namespace argon::http
