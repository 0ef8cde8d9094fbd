// A request target as the server handles it after Beast parsed the request line (server.cpp,
// app/serve.cpp): parse_target, then the Bot API's path-token rewrite (rewrite_path_token), then
// the router over the real route table: every Bot API route of contracts/ (under / and /api/bot,
// case-insensitively) and the client API's route patterns. Also valid_utf8 on the decoded path.
//
// Input: byte 0 picks the method (GET, POST, HEAD, OPTIONS, PUT, DELETE, PATCH or "get", by its
// value % 8) and, by its bit 3, whether the request already has an Authorization header; the rest
// is the request target. Seeds start with '@' (GET) or 'A' (POST).
//
// Invariants:
//  - parse_target: segments are non-empty; without "%2F" in the path they are the path split at
//    '/' (so "/" + join(segments) is the path with empty segments dropped); every query pair
//    comes from one '&'-separated part;
//  - valid_utf8: its output is valid UTF-8 (domain is_valid_utf8 agrees), it is idempotent, and
//    it is the identity exactly on valid UTF-8; http::is_valid_utf8 agrees with the domain's;
//  - rewrite_path_token: when it rewrites, the removed segment is a bot token, every
//    Authorization header is "Bot <that token>", exactly one segment is gone, the path is
//    "/" + join(segments), and a second rewrite changes nothing;
//  - the router: a match fills one param per {param} segment with the request's segment; no
//    match is 404, 405 (with Allow) or, for OPTIONS, 204 (with Allow); every error body is JSON
//    in valid UTF-8; matching twice gives the same route.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "argon/botapi/path_token.hpp"
#include "argon/contracts/contracts.hpp"
#include "argon/domain/bot_token.hpp"
#include "argon/domain/text.hpp"
#include "argon/http/message.hpp"
#include "argon/http/router.hpp"
#include "fuzz_check.hpp"

namespace {

using argon::fuzz::quoted;
using argon::http::Request;
using argon::http::Response;
using argon::http::Router;

// The client API's routes (clientapi/*.cpp, botapi/audio.cpp), as patterns.
constexpr const char* kClientRoutes[][2] = {
    {"GET", "/"},
    {"POST", "/api/v1/auth/register"},
    {"POST", "/api/v1/auth/login"},
    {"GET", "/api/v1/me"},
    {"PUT", "/api/v1/me/presence"},
    {"GET", "/api/v1/apps"},
    {"POST", "/api/v1/apps"},
    {"POST", "/api/v1/apps/{appId}/token"},
    {"POST", "/api/v1/admin/bots/{appId}/verify"},
    {"POST", "/api/v1/admin/bots/{appId}/unverify"},
    {"GET", "/api/v1/spaces"},
    {"POST", "/api/v1/spaces"},
    {"GET", "/api/v1/spaces/{spaceId}"},
    {"GET", "/api/v1/spaces/{spaceId}/commands"},
    {"POST", "/api/v1/spaces/{spaceId}/invites"},
    {"POST", "/api/v1/invites/{code}/accept"},
    {"GET", "/api/v1/spaces/{spaceId}/members/{userId}"},
    {"PATCH", "/api/v1/spaces/{spaceId}/members/{userId}"},
    {"DELETE", "/api/v1/spaces/{spaceId}/members/{userId}"},
    {"POST", "/api/v1/spaces/{spaceId}/channels"},
    {"DELETE", "/api/v1/spaces/{spaceId}/channels/{channelId}"},
    {"POST", "/api/v1/spaces/{spaceId}/archetypes"},
    {"PATCH", "/api/v1/spaces/{spaceId}/archetypes/{archetypeId}"},
    {"POST", "/api/v1/spaces/{spaceId}/bots"},
    {"DELETE", "/api/v1/spaces/{spaceId}/bots/{appId}"},
    {"GET", "/api/v1/channels/{channelId}/messages"},
    {"POST", "/api/v1/channels/{channelId}/messages"},
    {"PATCH", "/api/v1/channels/{channelId}/messages/{messageId}"},
    {"POST", "/api/v1/channels/{channelId}/typing"},
    {"DELETE", "/api/v1/channels/{channelId}/typing"},
    {"POST", "/api/v1/channels/{channelId}/voice"},
    {"DELETE", "/api/v1/channels/{channelId}/voice"},
    {"POST", "/api/v1/channels/{channelId}/commands/{commandId}"},
    {"POST", "/api/v1/messages/{messageId}/controls/{controlId}"},
    {"POST", "/api/v1/messages/{messageId}/selects/{customId}"},
    {"POST", "/api/v1/interactions/{interactionId}/modal"},
    {"POST", "/api/v1/calls"},
    {"DELETE", "/api/v1/calls/{callId}"},
    {"GET", "/api/v1/events"},
    {"GET", "/audio/connect"},
    {"GET", "/audio/subscribe"},
    {"GET", "/audio/duplex"},
    {"GET", "/audio/voice"},
};

struct Table {
  Router router;
  std::vector<std::string> patterns;  // by route index, as the handler reports it
};

std::size_t param_count(std::string_view pattern) {
  std::size_t n = 0;
  for (char c : pattern) n += c == '{';
  return n;
}

const Table& table() {
  static const Table* t = [] {
    auto* out = new Table;
    auto add = [out](const std::string& method, const std::string& pattern, bool ci) {
      const std::size_t index = out->patterns.size();
      out->patterns.push_back(pattern);
      out->router.add(
          method, pattern, [index](Request&) { return Response::json(200, std::to_string(index)); },
          argon::http::RouteOptions{.case_insensitive = ci});
    };
    // As botapi::register_routes adds them.
    for (const auto& iface : argon::contracts::interfaces()) {
      for (const auto& route : iface.routes) {
        std::string path =
            "/" + iface.name + "/v" + std::to_string(iface.version) + "/" + route.name;
        add(route.method, path, true);
        add(route.method, "/api/bot" + path, true);
      }
    }
    add("GET", "/api/bot", false);
    for (const auto& [method, pattern] : kClientRoutes) add(method, pattern, false);
    return out;
  }();
  return *t;
}

std::string join(const std::vector<std::string>& segments) {
  std::string out;
  for (const auto& s : segments) out += "/" + s;
  return out;
}

void check_utf8(std::string_view text) {
  const std::string once = argon::http::valid_utf8(text);
  FUZZ_CHECK(argon::is_valid_utf8(once), quoted(text));
  FUZZ_CHECK(argon::http::valid_utf8(once) == once, quoted(text));
  FUZZ_CHECK((once == text) == argon::is_valid_utf8(text), quoted(text));
  // The HTTP layer's own check (WebSocket text messages) agrees with the domain's.
  FUZZ_CHECK(argon::http::is_valid_utf8(text) == argon::is_valid_utf8(text), quoted(text));
}

void check_error_body(const Response& r, std::string_view target) {
  FUZZ_CHECK(argon::is_valid_utf8(r.body), quoted(r.body));
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  FUZZ_CHECK(!ec && v.is_object() && v.as_object().contains("error"),
             quoted(r.body) + " for " + quoted(target));
}

const std::string* header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return &v;
  return nullptr;
}

constexpr const char* kMethods[] = {"GET", "POST",   "HEAD",  "OPTIONS",
                                    "PUT", "DELETE", "PATCH", "get"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view target(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Table& routes = table();

  // parse_target
  auto parsed = argon::http::parse_target(target);
  if (!parsed) return 0;
  std::string_view raw = target;
  if (!raw.empty() && raw.front() != '/') {  // absolute-form: the path starts after the authority
    auto at = raw.find_first_of("/?", raw.find("://") + 3);
    raw = at == std::string_view::npos ? std::string_view("/") : raw.substr(at);
  }
  const std::string_view raw_path = raw.substr(0, raw.find('?'));
  for (const auto& s : parsed->segments) FUZZ_CHECK(!s.empty(), quoted(target));
  const bool encoded_slash = raw_path.find("%2F") != std::string_view::npos ||
                             raw_path.find("%2f") != std::string_view::npos;
  if (!encoded_slash) {
    std::vector<std::string> split;
    std::size_t pos = 0;
    while (pos <= parsed->path.size()) {
      std::size_t slash = parsed->path.find('/', pos);
      std::size_t end = slash == std::string::npos ? parsed->path.size() : slash;
      if (end > pos) split.push_back(parsed->path.substr(pos, end - pos));
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    FUZZ_CHECK(split == parsed->segments, quoted(target));
  }
  if (raw.find('?') != std::string_view::npos) {
    std::string_view query = raw.substr(raw.find('?') + 1);
    query = query.substr(0, query.find('#'));
    std::size_t parts = 1;
    for (char c : query) parts += c == '&';
    FUZZ_CHECK(parsed->query.size() <= parts, quoted(target));
  } else {
    FUZZ_CHECK(parsed->query.empty(), quoted(target));
  }
  check_utf8(parsed->path);

  // The request as Session::build_request makes it.
  Request req;
  req.method = kMethods[data[0] % 8];
  req.target = std::string(target);
  req.path = parsed->path;
  req.segments = parsed->segments;
  req.query = parsed->query;
  req.headers.emplace_back("host", "t");
  if (data[0] & 8) req.headers.emplace_back("authorization", "Bearer person-token");

  // rewrite_path_token (app/serve.cpp runs it before the router).
  const std::vector<std::string> before = req.segments;
  if (argon::botapi::rewrite_path_token(req)) {
    FUZZ_CHECK(req.segments.size() + 1 == before.size(), quoted(target));
    // The removed segment: the first where the lists differ (any one of equal neighbours).
    std::size_t at = 0;
    while (at < req.segments.size() && before[at] == req.segments[at]) ++at;
    const std::string token = before[at];
    std::vector<std::string> without = before;
    without.erase(without.begin() + static_cast<std::ptrdiff_t>(at));
    FUZZ_CHECK(without == req.segments, quoted(target));
    FUZZ_CHECK(at == 0 || at == 2, quoted(target));
    FUZZ_CHECK(argon::looks_like_bot_token(token), quoted(target));
    std::size_t auths = 0;
    for (const auto& [name, value] : req.headers) {
      if (name != "authorization") continue;
      ++auths;
      FUZZ_CHECK(value == "Bot " + token, value + " for " + quoted(target));
    }
    FUZZ_CHECK(auths == 1, quoted(target));
    FUZZ_CHECK(req.path == join(req.segments), quoted(target));
    Request again = req;
    FUZZ_CHECK(!argon::botapi::rewrite_path_token(again), quoted(target));
  } else {
    FUZZ_CHECK(req.segments == before && req.path == parsed->path, quoted(target));
  }

  // The router.
  auto match = routes.router.match(req);
  if (match.matched()) {
    Response r;
    (*match.handler)(req, [&r](Response out) { r = std::move(out); });
    const std::string& pattern = routes.patterns.at(std::stoul(r.body));
    FUZZ_CHECK(req.params.size() == param_count(pattern), pattern + " for " + quoted(target));
    for (const auto& [name, value] : req.params) {
      bool found = false;
      for (const auto& s : req.segments) found = found || s == value;
      FUZZ_CHECK(found, name + "=" + value + " for " + quoted(target));
    }
    auto again = routes.router.match(req);
    FUZZ_CHECK(again.handler == match.handler, quoted(target));
  } else {
    const Response& r = *match.response;
    if (r.status == 204) {
      FUZZ_CHECK(req.method == "OPTIONS" && header(r, "Allow"), quoted(target));
    } else {
      FUZZ_CHECK(r.status == 404 || r.status == 405, std::to_string(r.status));
      if (r.status == 405) FUZZ_CHECK(header(r, "Allow") != nullptr, quoted(target));
      check_error_body(r, target);
    }
  }
  return 0;
}
