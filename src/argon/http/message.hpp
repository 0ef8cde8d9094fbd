#pragma once
// Transport-level request and response values. No Beast or Asio here: adapters in other folders
// include this header; the server converts to and from Beast messages in server.cpp.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "argon/http/stream.hpp"
#include "argon/http/websocket.hpp"

namespace argon::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;                 // "GET", as sent (HTTP methods are case-sensitive)
  std::string target;                 // raw request target, e.g. "/a%20b?x=1"
  std::string path;                   // percent-decoded path, e.g. "/a b"
  std::vector<std::string> segments;  // decoded path segments, empty ones dropped
  HeaderList query;                   // decoded query parameters, in order ('+' is a space)
  HeaderList headers;                 // names lowercased, values as sent
  std::string body;
  std::string remote_address;  // the TCP peer's IP address as text
  // The client's IP address: the peer's, or, when the peer is a trusted proxy
  // (ServerOptions::trusted_proxies), the one it forwarded in X-Forwarded-For (client_address.hpp).
  // What application code uses (logs, throttling); the per-address connection cap counts peers.
  std::string client_address;
  HeaderList params;  // filled by Router from {name} pattern segments
  // For logs (never the raw path, which may hold a bot token): the matched route's pattern
  // (Router::match; empty when none matched), the request id (the client's X-Request-Id when
  // well-formed, else generated; echoed on the response), and who the request authenticated as
  // ("user:<id>" / "bot:<id>", set by the APIs' authentication; empty when anonymous).
  std::string route;
  std::string request_id;
  std::string principal;

  // First header with that (lowercase) name, or nullptr.
  const std::string* header(std::string_view lowercase_name) const;
  // First query parameter whose name matches case-insensitively, or nullptr.
  const std::string* query_param(std::string_view name) const;
  // Router parameter by exact name, or nullptr.
  const std::string* param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";  // empty: no Content-Type
  HeaderList headers;                                            // extra headers, as given
  std::string body;
  // When set, the response is streamed (see stream.hpp): status and headers are sent, `body` is
  // ignored, and on_open receives the writer. Cache-Control: no-cache and X-Accel-Buffering: no
  // are added unless `headers` holds them; Content-Length, Transfer-Encoding and Connection
  // headers given here are dropped (the server frames the body itself).
  std::optional<StreamStart> stream;
  // When set, the connection is upgraded to a WebSocket (see websocket.hpp): a WebSocket upgrade
  // request gets 101 and the socket; any other request gets 426 upgrade_required. Takes
  // precedence over `stream`; status, headers and body are ignored.
  std::optional<WebSocketAccept> websocket;

  static Response json(int status, std::string body);
  // {"error":code,"message":message|null}, serialized with Boost.JSON (strings escaped).
  static Response error(int status, std::string_view code, std::optional<std::string_view> message,
                        HeaderList extra_headers = {});
  // No body and no Content-Type; sent with Content-Length: 0 (except 1xx/204/304, which by
  // RFC 9110 carry no Content-Length at all).
  static Response empty(int status);
};

// How an asynchronous handler answers: called exactly once, from any thread.
using Respond = std::function<void(Response)>;

// Standard reason phrase ("Not Found"), or "Unknown" for codes without one.
std::string status_reason(int status);

// `text` with every byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no overlong
// forms, surrogates or code points past U+10FFFF) replaced by U+FFFD.
std::string valid_utf8(std::string_view text);
// True when `text` is well-formed UTF-8 by the same rules (valid_utf8(text) == text).
bool is_valid_utf8(std::string_view text);

// ASCII helpers shared by the router and the server.
std::string to_lower_ascii(std::string_view s);
bool iequals_ascii(std::string_view a, std::string_view b);

// Result of splitting a request target into decoded parts.
struct ParsedTarget {
  std::string path;
  std::vector<std::string> segments;
  HeaderList query;
};

// Parses an origin-form ("/p?q") or absolute-form ("http://h/p?q") target. Returns nullopt when
// the target is not one of those forms or the path holds invalid percent-encoding. The query is
// decoded leniently: a '%' not followed by two hex digits is kept as is.
std::optional<ParsedTarget> parse_target(std::string_view target);

// Percent-decodes s; with plus_as_space, '+' becomes ' '. Returns nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_as_space);

}  // namespace argon::http
