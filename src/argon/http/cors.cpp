#include "argon/http/cors.hpp"

#include <algorithm>
#include <cctype>

namespace argon::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// scheme "://" host [":" port], host a name, an IPv4 address or a bracketed IPv6 address.
bool is_origin(std::string_view text) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  std::string_view scheme = text.substr(0, sep);
  if (!is_alpha(scheme.front())) return false;
  for (char c : scheme)
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  std::string_view authority = text.substr(sep + 3);
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
    for (char c : host.substr(1, host.size() - 2))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    if (host.size() < 3) return false;
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.empty()) return false;
    for (char c : host)
      if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') return false;
  }
  if (port.size() > 5) return false;
  for (char c : port)
    if (!is_digit(c)) return false;
  return true;
}

// The names in an Allow header value other than OPTIONS, as "GET, POST".
std::string methods_of(std::string_view allow) {
  std::string out;
  while (!allow.empty()) {
    auto comma = allow.find(',');
    std::string_view method = trim(allow.substr(0, comma));
    allow = comma == std::string_view::npos ? std::string_view() : allow.substr(comma + 1);
    if (method.empty() || method == "OPTIONS") continue;
    if (!out.empty()) out += ", ";
    out += method;
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> parse_cors_origins(std::string_view list,
                                                           std::string* error) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    if (item != "*" && !is_origin(item)) {
      if (error) {
        *error = "'" + std::string(item) +
                 "' is not an origin: scheme://host[:port] without a path (like "
                 "https://app.example.org), or *";
      }
      return std::nullopt;
    }
    out.push_back(to_lower_ascii(item));
  }
  return out;
}

CorsPolicy::CorsPolicy(CorsOptions options) : options_(std::move(options)) {
  enabled_ = !options_.origins.empty();
  any_origin_ =
      std::find(options_.origins.begin(), options_.origins.end(), "*") != options_.origins.end();
}

bool CorsPolicy::applies_to(std::string_view path) const {
  return enabled_ && path.starts_with(options_.path_prefix);
}

bool CorsPolicy::origin_allowed(std::string_view origin) const {
  if (!enabled_ || origin.empty()) return false;
  if (any_origin_) return true;
  return std::find(options_.origins.begin(), options_.origins.end(), origin) !=
         options_.origins.end();
}

bool CorsPolicy::is_preflight(const Request& request) {
  return request.method == "OPTIONS" && request.header("origin") &&
         request.header("access-control-request-method");
}

void CorsPolicy::apply(const Request& request, Response& response) const {
  if (!applies_to(request.path)) return;
  const std::string* origin = request.header("origin");
  if (!origin || !origin_allowed(*origin)) return;
  if (is_preflight(request)) {
    // The router answers OPTIONS on a path with routes 204 and Allow; a path without routes 404.
    std::string methods;
    if (response.status == 204) {
      for (const auto& [name, value] : response.headers)
        if (iequals_ascii(name, "Allow")) methods = methods_of(value);
    } else if (response.status == 404) {
      methods = options_.fallback_methods;
    }
    if (!methods.empty()) {
      Response preflight = Response::empty(204);
      preflight.headers.reserve(5);
      preflight.headers.emplace_back("Access-Control-Allow-Origin", *origin);
      preflight.headers.emplace_back("Vary", "Origin");
      preflight.headers.emplace_back("Access-Control-Allow-Methods", std::move(methods));
      if (!options_.allow_headers.empty())
        preflight.headers.emplace_back("Access-Control-Allow-Headers", options_.allow_headers);
      preflight.headers.emplace_back("Access-Control-Max-Age",
                                     std::to_string(options_.max_age_seconds));
      response = std::move(preflight);
      return;
    }
  }
  response.headers.emplace_back("Access-Control-Allow-Origin", *origin);
  response.headers.emplace_back("Vary", "Origin");
  if (!options_.expose_headers.empty())
    response.headers.emplace_back("Access-Control-Expose-Headers", options_.expose_headers);
}

}  // namespace argon::http
