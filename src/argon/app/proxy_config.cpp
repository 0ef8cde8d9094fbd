#include "argon/app/proxy_config.hpp"

#include <spdlog/spdlog.h>

#include "argon/clientapi/routes.hpp"

namespace argon::app {

bool apply_proxy_config(const Config& config, http::ServerOptions& options) {
  std::string error;
  auto trusted = http::TrustedProxies::parse(config.str("server.trusted_proxies"), &error);
  if (!trusted) {
    spdlog::critical("config: server.trusted_proxies: {}", error);
    return false;
  }
  options.trusted_proxies = std::move(*trusted);
  if (!options.trusted_proxies.empty())
    spdlog::info("server: trusted proxies {} (their X-Forwarded-For names the client)",
                 options.trusted_proxies.str());

  auto origins = http::parse_cors_origins(config.str("http.cors_origins"), &error);
  if (!origins) {
    spdlog::critical("config: http.cors_origins: {}", error);
    return false;
  }
  if (!origins->empty()) {
    std::string list;
    for (const auto& o : *origins) list += (list.empty() ? "" : ", ") + o;
    spdlog::info("server: CORS for the client API (/api/v1) from {}", list);
  }
  options.cors = http::CorsPolicy(clientapi::cors_options(std::move(*origins)));
  return true;
}

}  // namespace argon::app
