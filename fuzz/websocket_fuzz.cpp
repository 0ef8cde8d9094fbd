// WebSocket frames from a client, read as the server reads them after the upgrade
// (http/websocket.cpp: Beast's websocket::stream in the server role, read_message_max from the
// route's WebSocketAccept, auto_fragment off, no permessage-deflate; argon does not parse frames
// itself), and each binary message through the audio ingress's Opus check
// (botapi/audio.cpp → voice::check_opus_packet) as a bot's published packet would be.
//
// Input: byte 0 picks the route's message limit by its bit 0 (64 KiB, WebSocketAccept's default,
// or 16 KiB, the audio ingress's) and by its bits 1-3 how many bytes one read returns (all, 1, 2,
// 3, 7, 16, 100, 1024); the rest is what the client sends after the handshake (masked frames).
//
// Invariants: every message handed to on_message is within the message limit; a text message is
// valid UTF-8 (websocket.hpp promises it: Session::ws_read closes with 1007 on one that is not,
// checked with http::is_valid_utf8, and the domain's is_valid_utf8 must agree); a binary message
// the Opus check accepts is a packet of at most 3825 bytes whose frame count and duration
// libopus agrees with.
#include <opus/opus.h>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "argon/domain/text.hpp"
#include "argon/http/message.hpp"
#include "argon/voice/opus.hpp"
#include "fuzz_check.hpp"

namespace {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace bhttp = boost::beast::http;
using argon::fuzz::quoted;

constexpr std::array<std::size_t, 8> kReadSizes = {0, 1, 2, 3, 7, 16, 100, 1024};  // 0: all

bhttp::request<bhttp::string_body> upgrade_request() {
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/audio/connect?token=t", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::connection, "Upgrade");
  req.set(bhttp::field::upgrade, "websocket");
  req.set(bhttp::field::sec_websocket_version, "13");
  req.set(bhttp::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  return req;
}

void check_opus(std::string_view packet) {
  const argon::voice::OpusCheck check = argon::voice::check_opus_packet(packet);
  if (!check.ok) {
    FUZZ_CHECK(!check.reason.empty(), quoted(packet));
    return;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(packet.data());
  const auto n = static_cast<opus_int32>(packet.size());
  FUZZ_CHECK(packet.size() >= 2 && packet.size() <= argon::voice::kMaxOpusPacket, quoted(packet));
  FUZZ_CHECK(opus_packet_get_nb_frames(p, n) == check.frames, quoted(packet));
  FUZZ_CHECK(opus_packet_get_nb_samples(p, n, 48000) == check.frames * check.samples_per_frame,
             quoted(packet));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view frames(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t max_message = (data[0] & 1) ? 16 * 1024 : 64 * 1024;
  const std::size_t read_size = kReadSizes[(data[0] >> 1) & 7];

  static boost::asio::io_context ioc;
  beast::test::stream server_side(ioc);
  beast::test::stream client(ioc);
  server_side.connect(client);
  if (read_size) server_side.read_size(read_size);

  websocket::stream<beast::test::stream&> ws(server_side);
  ws.read_message_max(max_message);
  ws.auto_fragment(false);
  boost::system::error_code ec;
  ws.accept(upgrade_request(), ec);
  FUZZ_CHECK(!ec, "the handshake failed: " + ec.message());

  server_side.append(frames);
  client.close();  // the client's bytes end here

  beast::flat_buffer buffer;
  for (int message = 0; message < 64; ++message) {
    ws.read(buffer, ec);
    if (ec) break;
    const auto bytes = buffer.data();
    const std::string_view payload(static_cast<const char*>(bytes.data()), bytes.size());
    FUZZ_CHECK(payload.size() <= max_message,
               std::to_string(payload.size()) + " bytes over the limit");
    if (ws.got_text()) {
      // Session::ws_read closes with 1007 instead of calling on_message (Beast 1.81 misses a
      // truncated sequence at the end of a message whose last frame is empty).
      if (!argon::http::is_valid_utf8(payload)) break;
      FUZZ_CHECK(argon::is_valid_utf8(payload),
                 "a text message that is not UTF-8: " + quoted(payload));
    } else {
      check_opus(payload);
    }
    buffer.consume(buffer.size());
  }
  return 0;
}
