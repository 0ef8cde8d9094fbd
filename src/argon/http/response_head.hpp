#pragma once
// INTERNAL to the HTTP server: a Response's status line and header block, written by hand into
// one string. Beast's serializer walks a chain of buffer views per write and cost ~8 % of the
// server's CPU on GetMe; a head is a few hundred bytes of appends.
#include <cstddef>
#include <optional>
#include <string>

#include "argon/http/message.hpp"

namespace argon::http::detail {

// The head of `r` (ending with the blank line), for HTTP/1.`version % 10`: the status line,
// Content-Type, the handler's headers as given, then Date, Connection (HTTP/1.1: `close` when the
// connection will close; HTTP/1.0: `keep-alive` when it stays open) and Content-Length of
// `body_bytes` — none for 1xx, 204 and 304, which carry no body. Framing headers the handler gave
// (Content-Length, Transfer-Encoding, Connection) and its Date are the server's and left out.
// nullopt when the response cannot be sent: a status outside 100..999, a header name that is not
// an RFC 9110 token, or a value with CR, LF or NUL (response splitting).
std::optional<std::string> response_head(const Response& r, unsigned version, bool keep_alive,
                                         std::size_t body_bytes);

// Whether a response with this status carries a body (and a Content-Length).
bool status_has_body(int status);

}  // namespace argon::http::detail
