#include "argon/http/request_head.hpp"

#include <iterator>
#include <string>
#include <utility>

#include <boost/beast/http/error.hpp>

namespace argon::http::detail {

namespace bhttp = boost::beast::http;

namespace {

const boost::system::error_category& http_category() {
  return bhttp::make_error_code(bhttp::error::bad_method).category();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

HeadScan scan_request_head(std::string_view data, std::size_t scanned,
                           std::size_t max_header_bytes) {
  std::size_t from = scanned > 3 ? scanned - 3 : 0;
  if (auto end = data.find("\r\n\r\n", from); end != std::string_view::npos) {
    // Beast's header_limit bounds the request line and the fields each on their own, not the
    // whole head: a complete head over the limit is refused here.
    if (end + 4 > max_header_bytes) return {HeadScan::State::kTooLarge, 0};
    return {HeadScan::State::kComplete, end + 4};
  }
  // Bare-LF line ends: Beast refuses them with a clear 400, let it.
  if (data.find("\n\n", from) != std::string_view::npos) return {HeadScan::State::kBareLf, 0};
  if (data.size() > max_header_bytes) return {HeadScan::State::kTooLarge, 0};
  return {HeadScan::State::kNeedMore, 0};
}

std::optional<Response> check_head_lines(std::string_view head, std::size_t max_fields) {
  std::size_t fields = 0;
  std::size_t line_start = head.find("\r\n");  // after the request line
  while (line_start != std::string_view::npos && line_start + 2 < head.size()) {
    std::size_t begin = line_start + 2;
    std::size_t end = head.find("\r\n", begin);
    if (end == begin) break;  // the empty line
    if (head[begin] == ' ' || head[begin] == '\t') {
      return Response::error(400, "bad_request",
                             "Malformed HTTP request: obsolete line folding (obs-fold)");
    }
    if (++fields > max_fields) {
      return Response::error(431, "headers_too_large",
                             "Too many header fields (at most " + std::to_string(max_fields) + ")");
    }
    line_start = end;
  }
  return std::nullopt;
}

std::optional<Response> check_framing(const bhttp::request_header<bhttp::fields>& head) {
  auto bad = [](std::string message) {
    return Response::error(400, "bad_request", "Malformed HTTP request: " + message);
  };
  // Headers whose repetition makes the request ambiguous (which credentials, which length).
  for (auto field : {bhttp::field::host, bhttp::field::authorization, bhttp::field::content_length,
                     bhttp::field::content_type}) {
    if (head.count(field) > 1)
      return bad("more than one " + std::string(bhttp::to_string(field)) + " header");
  }
  if (head.version() >= 11 && head.count(bhttp::field::host) == 0)
    return bad("HTTP/1.1 requires a Host header");
  if (head.count(bhttp::field::transfer_encoding) > 0) {
    // RFC 9112 6.1 and 6.3: only "chunked" is understood here, and it frames the body; any
    // other coding, or a length given twice, would leave the body's end in doubt (smuggling).
    // Every line counts, an empty one too: "" then "chunked" is ",chunked", not "chunked".
    std::string codings;
    bool first = true;
    for (const auto& f : head) {
      if (f.name() != bhttp::field::transfer_encoding) continue;
      if (!first) codings += ",";
      first = false;
      codings += std::string(f.value());
    }
    if (head.version() < 11) return bad("Transfer-Encoding in an HTTP/1.0 request");
    if (head.count(bhttp::field::content_length) > 0)
      return bad("both Transfer-Encoding and Content-Length");
    if (!iequals_ascii(trim(codings), "chunked"))
      return bad("Transfer-Encoding must be exactly \"chunked\"");
  }
  return std::nullopt;
}

std::size_t body_read_buffer_limit(std::size_t buffered, std::size_t max_header_bytes) {
  constexpr std::size_t kBeastRead = 64 * 1024;  // what one http::read_some asks for at most
  return buffered + max_header_bytes + kBeastRead;
}

void drop_trailer_fields(bhttp::fields& message, bhttp::fields head) {
  // Trailer fields only ever add to the head's (Beast places each after the last field of the
  // same name), so a count that grew means there were some.
  if (std::distance(message.begin(), message.end()) != std::distance(head.begin(), head.end()))
    message = std::move(head);
}

std::optional<Response> read_error_response(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return Response::error(431, "headers_too_large", "Request headers are too large");
  }
  if (ec == bhttp::error::body_limit) {
    return Response::error(413, "payload_too_large", "Request body is too large");
  }
  if (ec == bhttp::error::buffer_overflow) {  // see body_read_buffer_limit
    return Response::error(400, "bad_request",
                           "Malformed HTTP request: chunk size line or trailer section too large");
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  if (ec.category() == http_category()) {
    return Response::error(400, "bad_request", "Malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

}  // namespace argon::http::detail
