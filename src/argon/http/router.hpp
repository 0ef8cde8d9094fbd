#pragma once
// Generic router over decoded path segments. Knows nothing of Argon's routes.
//
// Patterns look like "/api/v1/spaces/{spaceId}/members/{userId}". A request matches a route when
// it has the same number of (non-empty) segments, every literal segment is equal (ASCII
// case-insensitively when RouteOptions::case_insensitive) and the method matches.
//
// Choosing among several routes that match the path: at the first segment where two patterns
// differ, a literal beats a {param}; equal shapes go to the route added first. Routes whose
// method differs are skipped, so "GET /a/{x}" still serves GET /a/b when only "POST /a/b" exists.
//
// HEAD and OPTIONS: a HEAD request is served by the GET route of the path when there is no
// explicit HEAD route (the server then sends the headers without the body). An OPTIONS request
// without an explicit OPTIONS route answers 204 with an Allow header. Allow lists every method
// of the path, plus HEAD when GET is present and OPTIONS, sorted.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "argon/http/message.hpp"

namespace argon::http {

// Answers by returning the response (runs to completion on the calling thread).
using Handler = std::function<Response(Request&)>;
// Answers by calling `respond` (message.hpp) exactly once, from any thread, possibly after
// returning (a handler that waits for the store). The request stays valid until then.
using AsyncHandler = std::function<void(Request&, Respond)>;

struct RouteOptions {
  bool case_insensitive = false;  // literal segments compared ASCII case-insensitively
};

struct RouteMatch {
  const AsyncHandler* handler = nullptr;  // set when a route matched; params are filled
  std::optional<Response> response;  // otherwise 404 not_found / 405 method_not_allowed / OPTIONS

  bool matched() const { return handler != nullptr; }
};

class Router {
 public:
  // Throws std::invalid_argument on a malformed pattern (not starting with '/', empty {}).
  void add(std::string method, std::string pattern, AsyncHandler handler, RouteOptions opts = {});
  void add(std::string method, std::string pattern, Handler handler, RouteOptions opts = {});

  RouteMatch match(Request& request) const;

  // match() then call the handler (or answer with the router's own response).
  void dispatch(Request& request, Respond respond) const;
  // The same for handlers that answer before returning (tests, inline routes); throws
  // std::logic_error if the handler did not.
  Response dispatch(Request& request) const;

  std::size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;  // as added: Request::route of a match
    std::vector<Segment> segments;
    AsyncHandler handler;
    RouteOptions options;
  };

  bool path_matches(const Route& route, const std::vector<std::string>& segments) const;
  static bool more_specific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace argon::http
