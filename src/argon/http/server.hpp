#pragma once
// HTTP/1.1 server: one io_context run by io_threads threads, one C++20 coroutine per connection,
// and a separate worker pool on which the dispatch function starts (it may block briefly; one
// that waits for something longer answers later through its Respond, freeing the worker). Beast and
// Asio stay in server.cpp behind a pimpl.
//
// Limits and errors (every error body is {"error":"<code>","message":"<text>"}):
//   malformed request -> 400 bad_request, then close; so are, per RFC 9112: a Transfer-Encoding
//     other than exactly "chunked" (or one with Content-Length, or on HTTP/1.0), HTTP/1.1 without
//     Host, a repeated Host, Authorization, Content-Length or Content-Type, obs-fold lines
//   more than max_header_fields header lines -> 431 headers_too_large, then close
//   header block > max_header_bytes -> 431 headers_too_large, then close
//   body > max_body_bytes (Content-Length up front, or chunked) -> 413 payload_too_large, close
//   POST/PUT/PATCH/DELETE with a body and a non-JSON Content-Type -> 415 unsupported_media_type
//     (when require_json_body)
//   dispatch throws -> 500 internal_error (logged at error level)
//   header_timeout (request head) / read_timeout (whole request once started) / idle_timeout
//     (keep-alive wait) -> socket closed
//   Response::stream set -> streamed response (stream.hpp); no read/idle timeout applies then,
//     a write stalled for write_timeout ends the stream; during shutdown such a handler's
//     response is replaced by 503 service_unavailable
//   Response::websocket set -> WebSocket upgrade (websocket.hpp): 101 and the socket for an
//     upgrade request, 426 upgrade_required for any other; 503 during shutdown
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "argon/http/client_address.hpp"
#include "argon/http/cors.hpp"
#include "argon/http/message.hpp"

namespace argon::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = ephemeral; see Server::port()
  int io_threads = 0;         // 0 = std::thread::hardware_concurrency()
  int worker_threads = 16;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_header_fields = 100;  // more header lines -> 431
  // A new connection must send its whole request head within header_timeout; on a kept-alive
  // one the head must follow its first byte within it (the wait for that byte is idle_timeout).
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds read_timeout{30};   // to receive one whole request once it started
  std::chrono::seconds idle_timeout{75};   // keep-alive wait for the next request
  std::chrono::seconds write_timeout{30};  // to send one response
  std::chrono::seconds linger_timeout{2};  // after an error reply: drain the unread request
  bool require_json_body = true;           // 415 for non-JSON bodies on POST/PUT/PATCH/DELETE
  // Open connections (streams and WebSockets included); over a cap a new connection gets a
  // fixed 503 and is closed at once, the open ones keep being served. 0 = no cap. Loopback
  // peers (a local reverse proxy, say) and trusted proxies are exempt from the per-address cap
  // only.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 0;
  bool per_address_cap_exempts_loopback = true;
  // Peers whose X-Forwarded-For names the client (Request::client_address); empty = nobody, the
  // client is the peer.
  TrustedProxies trusted_proxies;
  // CORS headers and preflights for the requests under a path prefix (cors.hpp); off by default.
  CorsPolicy cors;
  // Optional: tried first, on the network thread, for requests that can be answered without
  // waiting (e.g. from an in-memory cache). Returns nullopt to hand the request to the worker
  // pool as usual. Must never block.
  std::function<std::optional<Response>(Request&)> inline_dispatch;
  // Called once per request when its answer went out (or its stream / WebSocket began), on a
  // network thread, with the request (route, request_id, principal set), the status and how long
  // the server took: the access log. Must not block.
  std::function<void(const Request&, int status, std::chrono::microseconds took)> on_answered;
  // The pool dispatch runs on; null = the server makes one of worker_threads threads. An
  // external pool outlives the server (the server never shuts it down).
  class WorkerPool* workers = nullptr;
  // Where dispatch runs. false: on the worker pool (a hand-off to a worker and back per request).
  // true: on the connection's own network thread, which dispatch must then never block: its
  // handlers wait for nothing on that thread (argon's co_await the store and move blocking work,
  // e.g. password hashing, to a pool themselves).
  bool dispatch_on_network_thread = false;
  // Runs on each network thread before it serves, with a function that queues work to run later
  // on that same thread: the application installs its coroutine executor there, so that a
  // handler started on a network thread resumes on it.
  std::function<void(std::function<void(std::function<void()>)>)> on_network_thread_start;
};

// Answers before returning.
using DispatchFn = std::function<Response(Request&)>;
// Answers through `respond`, exactly once, from any thread, possibly after returning; the request
// stays valid until then. A handler that throws or drops `respond` unanswered gets a 500.
using AsyncDispatchFn = std::function<void(Request&, Respond)>;

class Server {
 public:
  Server(ServerOptions options, DispatchFn dispatch);
  Server(ServerOptions options, AsyncDispatchFn dispatch);
  ~Server();  // shutdown(0 ms) if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Throws std::runtime_error when binding fails.
  void start();

  // The bound port (useful with port 0); 0 before start().
  std::uint16_t port() const;

  // Stops accepting (new connections are refused), closes idle keep-alive connections, closes
  // open streams (queued bytes are flushed, then the last chunk), lets in-flight requests finish
  // and send their response (with Connection: close) for up to drain_timeout, then closes whatever
  // is left, waits for running handlers and joins all threads. WebSockets are closed with 1001
  // (queued frames first) and count as in-flight until their closing handshake ended. Idempotent.
  void shutdown(std::chrono::milliseconds drain_timeout);

  // Open client connections (streaming and WebSocket ones included, until they ended).
  std::size_t active_connections() const;
  // Open streamed responses (see stream.hpp).
  std::size_t active_streams() const;
  // WebSockets from the start of their handshake until they ended (see websocket.hpp).
  std::size_t active_websockets() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace argon::http
