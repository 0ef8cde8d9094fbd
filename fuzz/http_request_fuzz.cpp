// The bytes of one connection, read as Session::serve reads them (server.cpp): the head line by
// line (scan_request_head, check_head_lines), then Beast's request_parser with the server's
// limits, check_framing on the parsed head, the body (under body_read_buffer_limit, trailer
// fields dropped), and the next request while the connection is kept alive. The same functions the
// server runs; only the socket is a buffer here.
//
// Input: byte 0 picks how many bytes one read returns (the network's chunking: 4096, 1, 2, 3, 7,
// 16, 100 or 1024 by its value % 8) and, by its bit 3, the server's default limits or small ones
// (a 512-byte head, 8 fields, a 256-byte body) that short inputs can reach; the rest is what the
// client sends. Seeds start with '@' (4096, defaults), 'A' (1-byte reads) or 'H' (small limits).
//
// Invariants, for every request the server would hand to its dispatcher:
//  - its head went through check_head_lines (a head Beast parses was found by the scan), and
//    Beast's head ends exactly where the scan said (no parser differential on the head's end);
//  - the head is within max_header_bytes and has at most max_header_fields fields;
//  - check_framing still holds on the whole message after the body was read (no duplicate Host,
//    Authorization, Content-Length or Content-Type, Host on HTTP/1.1, Transfer-Encoding only as
//    plain chunked and never with Content-Length);
//  - the body is within max_body_bytes, has exactly Content-Length bytes when one was given and
//    is empty when neither Content-Length nor chunked framing was given.
// Every refusal is 400, 413 or 431 with a JSON error body that is valid UTF-8.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <boost/system/system_error.hpp>

#include "argon/http/request_head.hpp"
#include "argon/http/server.hpp"
#include "fuzz_check.hpp"

namespace {

namespace bhttp = boost::beast::http;
using argon::fuzz::quoted;
using argon::http::Response;
using argon::http::ServerOptions;
using argon::http::detail::HeadScan;
using boost::system::error_code;

// A SyncReadStream over the client's bytes: at most `chunk` bytes per read, then end of file.
class ClientBytes {
 public:
  ClientBytes(std::string_view bytes, std::size_t chunk) : rest_(bytes), chunk_(chunk) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, error_code& ec) {
    if (rest_.empty()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    ec = {};
    std::size_t n = boost::asio::buffer_copy(
        buffers, boost::asio::buffer(rest_.data(), std::min(chunk_, rest_.size())));
    rest_.remove_prefix(n);
    return n;
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    error_code ec;
    std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view rest_;
  std::size_t chunk_;
};

std::string_view view(const boost::beast::flat_buffer& buffer) {
  auto bytes = buffer.data();
  return {static_cast<const char*>(bytes.data()), bytes.size()};
}

// A refusal the server would send: 400, 413 or 431 with {"error":…,"message":…} in valid UTF-8.
void check_refusal(const Response& r, std::string_view input) {
  FUZZ_CHECK(r.status == 400 || r.status == 413 || r.status == 431,
             std::to_string(r.status) + " for " + quoted(input));
  FUZZ_CHECK(argon::http::valid_utf8(r.body) == r.body, r.body);
  error_code ec;
  auto body = boost::json::parse(r.body, ec);
  FUZZ_CHECK(!ec && body.is_object() && body.as_object().contains("error"), r.body);
}

// Content-Length read independently of Beast: 1*DIGIT, or a list of equal values ("5, 5", which
// RFC 9110 8.6 lets a recipient take as one); nullopt when absent or not such a value.
std::optional<std::uint64_t> content_length_of(const bhttp::fields& fields) {
  auto it = fields.find(bhttp::field::content_length);
  if (it == fields.end()) return std::nullopt;
  std::optional<std::uint64_t> out;
  std::string_view rest = it->value();
  for (;;) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : item) {
      if (c < '0' || c > '9' || v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10)
        return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (out && *out != v) return std::nullopt;
    out = v;
    if (comma == std::string_view::npos) return out;
    rest.remove_prefix(comma + 1);
  }
}

constexpr std::array<std::size_t, 8> kChunks = {4096, 1, 2, 3, 7, 16, 100, 1024};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ClientBytes client(input, kChunks[data[0] % kChunks.size()]);
  ServerOptions opt;  // the server's defaults (http.max_header_bytes etc.)
  if (data[0] & 8) {
    opt.max_header_bytes = 512;
    opt.max_header_fields = 8;
    opt.max_body_bytes = 256;
  }
  boost::beast::flat_buffer buffer;
  error_code ec;

  for (int request = 0; request < 16; ++request) {
    // 1. The first byte of the request.
    if (buffer.size() == 0) {
      std::size_t n = client.read_some(buffer.prepare(4096), ec);
      if (ec) return 0;
      buffer.commit(n);
    }

    // 2. Session::read_head: the head, scanned as it arrives, then its lines.
    std::size_t scanned = 0;
    HeadScan scan;
    for (;;) {
      const std::string_view received = view(buffer);
      scan = argon::http::detail::scan_request_head(received, scanned, opt.max_header_bytes);
      if (scan.state != HeadScan::State::kNeedMore) break;
      scanned = received.size();
      std::size_t n = client.read_some(buffer.prepare(4096), ec);
      if (ec) return 0;  // the connection ends without a head
      buffer.commit(n);
    }
    if (scan.state == HeadScan::State::kTooLarge) {
      const auto end = view(buffer).find("\r\n\r\n");
      FUZZ_CHECK(end == std::string_view::npos || end + 4 > opt.max_header_bytes, quoted(input));
      check_refusal(Response::error(431, "headers_too_large", "Request headers are too large"),
                    input);
      return 0;
    }
    std::optional<std::size_t> head_size;
    if (scan.state == HeadScan::State::kComplete) {
      head_size = scan.head_size;
      const std::string_view head = view(buffer).substr(0, *head_size);
      FUZZ_CHECK(head.size() >= 4 && head.find("\r\n\r\n") == head.size() - 4,
                 "the head must end at the first blank line: " + quoted(head));
      if (auto rejected = argon::http::detail::check_head_lines(head, opt.max_header_fields)) {
        check_refusal(*rejected, input);
        return 0;
      }
    }

    // 3. Beast parses the head under the server's limits; check_framing; then the body.
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(opt.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(opt.max_body_bytes);
    const std::size_t buffered = buffer.size();
    bhttp::read_header(client, buffer, parser, ec);
    if (!ec) {
      FUZZ_CHECK(head_size.has_value(),
                 "Beast parsed a head the line checks never saw: " + quoted(input));
      FUZZ_CHECK(buffered - buffer.size() == *head_size,
                 "Beast's head ends elsewhere than the scan's: " + quoted(input));
      FUZZ_CHECK(*head_size <= opt.max_header_bytes, quoted(input));
      if (auto rejected = argon::http::detail::check_framing(parser.get())) {
        check_refusal(*rejected, input);
        return 0;
      }
      if (!parser.is_done()) {
        std::optional<bhttp::fields> head_fields;
        if (parser.chunked()) head_fields.emplace(parser.get());
        const std::size_t unbounded = buffer.max_size();
        buffer.max_size(
            argon::http::detail::body_read_buffer_limit(buffer.size(), opt.max_header_bytes));
        bhttp::read(client, buffer, parser, ec);
        buffer.max_size(unbounded);
        if (!ec && head_fields)
          argon::http::detail::drop_trailer_fields(parser.get(), std::move(*head_fields));
      }
    }
    if (ec) {
      if (auto reply = argon::http::detail::read_error_response(ec)) check_refusal(*reply, input);
      return 0;
    }

    // 4. A request the server dispatches.
    const auto& msg = parser.get();
    const std::size_t fields = static_cast<std::size_t>(std::distance(msg.begin(), msg.end()));
    FUZZ_CHECK(fields <= opt.max_header_fields,
               std::to_string(fields) + " fields in " + quoted(input));
    if (auto late = argon::http::detail::check_framing(msg)) {
      FUZZ_CHECK(false, "framing refused only after the body was read (" + late->body +
                            "): " + quoted(input));
    }
    FUZZ_CHECK(msg.body().size() <= opt.max_body_bytes, quoted(input));
    const auto length = content_length_of(msg);
    const auto beast_length = parser.content_length();
    FUZZ_CHECK(
        length.has_value() == beast_length.has_value() && (!length || *length == *beast_length),
        "Beast read Content-Length differently: " + quoted(input));
    if (length) {
      FUZZ_CHECK(*length == msg.body().size(),
                 "body size differs from Content-Length: " + quoted(input));
    }
    if (parser.chunked()) {
      FUZZ_CHECK(msg.count(bhttp::field::transfer_encoding) == 1 && msg.version() >= 11,
                 quoted(input));
    } else {
      FUZZ_CHECK(msg.count(bhttp::field::transfer_encoding) == 0, quoted(input));
      if (!length) FUZZ_CHECK(msg.body().empty(), "a body without framing: " + quoted(input));
    }
    // The target is parsed next (fuzzed on its own by http_target_fuzz); an unparseable one is
    // a 400 that closes the connection.
    if (!argon::http::parse_target(msg.target())) return 0;
    if (!msg.keep_alive()) return 0;
  }
  return 0;
}
