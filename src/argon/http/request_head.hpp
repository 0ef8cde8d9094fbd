#pragma once
// INTERNAL to the HTTP server: the checks a request head passes before and after Beast parses it
// (RFC 9112 read strictly). Pure functions over bytes and a parsed Beast header, so that the
// server (server.cpp) and the fuzz targets (fuzz/http_request_fuzz.cpp) run the same code.
// Pulls in Beast's message types; include it from server.cpp and tests only.
#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/system/error_code.hpp>

#include "argon/http/message.hpp"

namespace argon::http::detail {

// What the bytes received so far say about the request head.
struct HeadScan {
  enum class State {
    kNeedMore,  // no end of head yet: read more
    kComplete,  // the head ends at `head_size` (its blank line included)
    kBareLf,    // a blank line with bare LF line ends: Beast refuses it with a clear 400
    kTooLarge,  // a head (complete or not) longer than max_header_bytes: 431
  };
  State state = State::kNeedMore;
  std::size_t head_size = 0;  // when kComplete
};

// Scans `received` (the connection's buffer) for the end of the request head. `scanned` is how
// many of its bytes an earlier call already saw without finding the end (0 at first): the search
// resumes just before them.
HeadScan scan_request_head(std::string_view received, std::size_t scanned,
                           std::size_t max_header_bytes);

// The lines of a complete head (request line, header lines, blank line): obs-fold (a line
// starting with SP or HT) is a 400, more than max_fields header lines a 431.
std::optional<Response> check_head_lines(std::string_view head, std::size_t max_fields);

// The parsed head's framing: a repeated Host, Authorization, Content-Length or Content-Type, an
// HTTP/1.1 request without Host, and a Transfer-Encoding other than exactly "chunked" (or with
// Content-Length, or in HTTP/1.0) are a 400: either would leave the body's end or the
// credentials in doubt (request smuggling).
std::optional<Response> check_framing(
    const boost::beast::http::request_header<boost::beast::http::fields>& head);

// While the body is read, the connection's buffer holds at most what it holds when the body read
// starts plus max_header_bytes plus one 64 KiB read (so body reads stay as large as Beast makes
// them): Beast 1.81 bounds neither a chunk-size line (with its extensions) nor the trailer
// section, so one that never ends would otherwise grow the buffer until read_timeout. Past the
// bound Beast fails with http::error::buffer_overflow (a 400).
std::size_t body_read_buffer_limit(std::size_t buffered, std::size_t max_header_bytes);

// Beast adds the trailer fields of a chunked body to the message's fields, after the head's
// checks (check_head_lines, check_framing) ran: a trailer could add a second Authorization, a
// Content-Type or Host the head lacked, or fields past max_header_fields. They are dropped (RFC
// 9112 7.1.2 lets a recipient discard them): `head` is a copy of the fields taken before the
// body was read, put back when the trailer added any.
void drop_trailer_fields(boost::beast::http::fields& message, boost::beast::http::fields head);

// The reply owed for a failed read of a request (Beast's errors: 431 for the header limit, 413
// for the body limit, 400 for any other malformed request), or nullopt when the connection just
// ends silently (peer closed, reset, timeout, shutdown).
std::optional<Response> read_error_response(const boost::system::error_code& ec);

}  // namespace argon::http::detail
