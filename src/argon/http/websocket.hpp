#pragma once
// WebSocket connections (RFC 6455). No Beast or Asio here.
//
// A handler returns a Response whose `websocket` is set. When the request is a WebSocket upgrade
// (GET over HTTP/1.1 with `Connection: Upgrade`, `Upgrade: websocket`, `Sec-WebSocket-Version: 13`
// and a `Sec-WebSocket-Key`) the server answers 101 Switching Protocols and runs the socket; the
// rest of the Response (status, headers, body, stream) is ignored. When the request is not such an
// upgrade the server answers 426 {"error":"upgrade_required",...} with `Upgrade: websocket`
// instead (and 503 service_unavailable while shutting down). To refuse an upgrade, a handler
// returns an ordinary Response (401 JSON, say) without `websocket`.
//
// Lifecycle, for every Response with `websocket` set that the server takes:
//   on_open      once, on a worker thread, after the 101 was sent. Nothing is read from the socket
//                and nothing is written to it until on_open returns: sends made inside on_open are
//                queued and go out right after, and on_open happens-before every on_message and
//                the on_closed call. It may block briefly (it holds a worker). Not called when the
//                upgrade did not happen (426, 503, handshake failed) or the server is shutting
//                down and its worker pool is gone.
//   on_message   each complete message (fragments reassembled), on a network thread, in order.
//                Must not block. Text messages are valid UTF-8 (checked by the server).
//   on_closed    exactly once, on a network thread, when the connection ends for any reason; also
//                when the upgrade did not happen (then with 1006 and without on_open). After it
//                ran the server drops on_message and on_closed (and whatever they captured).
// An exception thrown by on_open or on_message is logged and closes the socket with 1011.
//
// While the socket is open the server sends a ping every ping_interval and closes the connection
// (without a close handshake: code 1006) when nothing at all (pong, ping, data, close) arrived
// for pong_timeout. Peer pings are answered automatically. Server::shutdown() closes open sockets
// with 1001 (queued frames are sent first); they count in active_connections() until they ended.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace argon::http {

// Standard close codes (RFC 6455 section 7.4.1). Applications may use 4000..4999.
namespace close_code {
inline constexpr std::uint16_t kNormal = 1000;
inline constexpr std::uint16_t kGoingAway = 1001;  // server shutdown
inline constexpr std::uint16_t kProtocolError = 1002;
inline constexpr std::uint16_t kNoStatus = 1005;        // peer's close frame carried no code
inline constexpr std::uint16_t kAbnormal = 1006;        // no close frame (reset, timeout, ...)
inline constexpr std::uint16_t kInvalidPayload = 1007;  // text that is not UTF-8
inline constexpr std::uint16_t kPolicyViolation = 1008;
inline constexpr std::uint16_t kMessageTooBig = 1009;
inline constexpr std::uint16_t kInternalError = 1011;
inline constexpr std::uint16_t kTryAgainLater = 1013;
}  // namespace close_code

// One accepted connection. Thread-safe: any thread may call it, also after the connection ended.
class WebSocket {
 public:
  virtual ~WebSocket() = default;

  // Queues a text message (must be valid UTF-8; not checked). Text is never dropped, but when
  // the queue already holds more than 4 x max_queued_bytes the connection is closed with 1013
  // (the peer cannot keep up) and false is returned. False also when closed.
  virtual bool send_text(std::string text) = 0;
  // Queues a binary message. The buffer is shared (one packet to many listeners) and must not
  // change afterwards. When more than max_queued_bytes are already queued the frame is DROPPED
  // and false returned: a slow receiver loses packets instead of delaying others or growing
  // memory (see dropped_frames()). False also when closed or for a null buffer.
  virtual bool send_binary(std::shared_ptr<const std::string> bytes) = 0;

  // Sends what is queued, then a close frame with `code` and `reason` (cut to 123 bytes at a
  // UTF-8 boundary), waits for the peer's close frame (at most write_timeout), then ends. Codes
  // that may not be sent (outside 1000..4999, or 1004, 1005, 1006, 1015) become 1000. Further
  // sends return false. Idempotent: only the first call counts.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  // True once close() was called or the connection ended.
  virtual bool is_closed() const = 0;

  // Binary frames refused by send_binary because the queue was full.
  virtual std::size_t dropped_frames() const = 0;
  // Bytes queued and not yet written to the socket.
  virtual std::size_t queued_bytes() const = 0;
};

struct WebSocketAccept {
  std::size_t max_message_bytes = 64 * 1024;  // larger incoming messages close with 1009
  std::size_t max_queued_bytes = 256 * 1024;  // see WebSocket::send_binary
  std::chrono::seconds ping_interval{30};     // server pings this often (0: never)
  std::chrono::seconds pong_timeout{60};      // no pong (or any frame) for this long: close
                                              // (0: never)
  std::chrono::seconds write_timeout{10};     // one frame (or the closing handshake) that cannot be
                                              // written in this time: close (0: no limit)

  // See the lifecycle above: on_open on a worker thread, the other two on a network thread.
  std::function<void(std::shared_ptr<WebSocket>)> on_open;
  std::function<void(const std::shared_ptr<WebSocket>&, std::string_view data, bool binary)>
      on_message;
  // `code`: the close code the peer sent when it closed first (1005 when its frame had none),
  // else the code the server sent (close(), 1001 at shutdown, 1009 for a too-large message, 1002
  // for a protocol error, 1007 for bad UTF-8, 1011 when a callback threw), else 1006 (connection
  // lost, pong or write timeout, handshake failed, upgrade did not happen).
  std::function<void(std::uint16_t code)> on_closed;
};

}  // namespace argon::http
