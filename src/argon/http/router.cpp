#include "argon/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace argon::http {

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions opts) {
  add(std::move(method), std::move(pattern),
      AsyncHandler([handler = std::move(handler)](Request& request, Respond respond) {
        respond(handler(request));
      }),
      opts);
}

void Router::add(std::string method, std::string pattern, AsyncHandler handler, RouteOptions opts) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  if (method.empty()) throw std::invalid_argument("route method must not be empty");
  Route route{std::move(method), pattern, {}, std::move(handler), opts};
  std::size_t pos = 1;
  while (pos <= pattern.size()) {
    auto slash = pattern.find('/', pos);
    auto end = slash == std::string::npos ? pattern.size() : slash;
    std::string part = pattern.substr(pos, end - pos);
    if (!part.empty()) {
      if (part.front() == '{') {
        if (part.size() < 3 || part.back() != '}') {
          throw std::invalid_argument("bad parameter segment in pattern: " + pattern);
        }
        route.segments.push_back({part.substr(1, part.size() - 2), true});
      } else {
        route.segments.push_back({std::move(part), false});
      }
    }
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  routes_.push_back(std::move(route));
}

bool Router::path_matches(const Route& route, const std::vector<std::string>& segments) const {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = route.segments[i];
    if (s.is_param) continue;
    if (route.options.case_insensitive ? !iequals_ascii(s.text, segments[i])
                                       : s.text != segments[i]) {
      return false;
    }
  }
  return true;
}

bool Router::more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  }
  return false;
}

RouteMatch Router::match(Request& request) const {
  const Route* best = nullptr;
  const Route* best_get = nullptr;  // fallback for HEAD
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (!path_matches(route, request.segments)) continue;
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
    if (route.method == request.method) {
      if (!best || more_specific(route, *best)) best = &route;
    } else if (route.method == "GET" && request.method == "HEAD") {
      if (!best_get || more_specific(route, *best_get)) best_get = &route;
    }
  }
  if (!best) best = best_get;

  RouteMatch result;
  if (best) {
    request.params.clear();
    for (std::size_t i = 0; i < best->segments.size(); ++i) {
      if (best->segments[i].is_param) {
        request.params.emplace_back(best->segments[i].text, request.segments[i]);
      }
    }
    request.route = best->pattern;
    result.handler = &best->handler;
    return result;
  }
  if (allowed.empty()) {
    result.response = Response::error(404, "not_found", "No route for " + request.path);
    return result;
  }
  if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end() &&
      std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
    allowed.emplace_back("HEAD");
  }
  if (std::find(allowed.begin(), allowed.end(), "OPTIONS") == allowed.end()) {
    allowed.emplace_back("OPTIONS");
  }
  std::sort(allowed.begin(), allowed.end());
  std::string allow;
  for (const auto& m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  if (request.method == "OPTIONS") {
    Response r = Response::empty(204);
    r.headers.emplace_back("Allow", std::move(allow));
    result.response = std::move(r);
  } else {
    result.response = Response::error(405, "method_not_allowed",
                                      "Method " + request.method + " is not allowed on this path",
                                      {{"Allow", allow}});
  }
  return result;
}

void Router::dispatch(Request& request, Respond respond) const {
  RouteMatch m = match(request);
  if (m.handler) {
    (*m.handler)(request, std::move(respond));
    return;
  }
  respond(std::move(*m.response));
}

Response Router::dispatch(Request& request) const {
  std::optional<Response> out;
  dispatch(request, [&out](Response r) { out = std::move(r); });
  if (!out) throw std::logic_error("route handler did not answer synchronously");
  return std::move(*out);
}

}  // namespace argon::http
