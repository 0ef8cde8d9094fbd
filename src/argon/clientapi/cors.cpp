#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {

http::CorsOptions cors_options(std::vector<std::string> origins) {
  http::CorsOptions o;
  o.path_prefix = "/api/v1/";
  o.origins = std::move(origins);
  // What a page sends: its session token, a JSON body, its language, where a fetch-based event
  // stream resumes, a request id of its own.
  o.allow_headers = "Authorization, Content-Type, X-Argon-Locale, Last-Event-ID, X-Request-Id";
  // Beyond the CORS-safelisted ones: how long to wait after a 429 or a 503.
  o.expose_headers = "Retry-After";
  // A path without routes (its request answers 404): the methods the API uses anywhere.
  o.fallback_methods = "GET, POST, PUT, PATCH, DELETE";
  o.max_age_seconds = 600;
  return o;
}

}  // namespace argon::clientapi
