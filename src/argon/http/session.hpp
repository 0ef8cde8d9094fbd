#pragma once
// INTERNAL to the HTTP server (server.cpp, stream.cpp, websocket.cpp): the shared server core, the
// per-connection session and the stream queue. Pulls in Beast and Asio; include it from nowhere
// else.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "argon/http/message.hpp"
#include "argon/http/server.hpp"
#include "argon/http/stream.hpp"
#include "argon/http/worker_pool.hpp"

namespace argon::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

class Session;

// A session's WebSocket mode (websocket.cpp). Kept opaque so that only websocket.cpp compiles
// Beast's WebSocket templates.
struct WsState;
struct WsStateDeleter {
  void operator()(WsState* state) const;
};

// True for a GET that asks for a WebSocket upgrade RFC 6455 can grant (version 13, with a key).
bool is_websocket_upgrade(const bhttp::request<bhttp::string_body>& msg);

// Sends what the socket takes now without waiting (one non-blocking sendmsg of up to 1024
// buffers): the bytes sent, 0 when the socket is full. `ec` is set when the connection failed.
std::size_t send_now(tcp::socket& socket, const asio::const_buffer* buffers, std::size_t count,
                     error_code& ec);
// Advances `buffers` past their first `sent` bytes (what send_now() sent): the ones sent whole
// become empty. Returns the bytes left.
std::size_t drop_sent(asio::const_buffer* buffers, std::size_t count, std::size_t sent);

// The sessions of one network thread that have stream data to send. An event fanned out to
// thousands of streams wakes each thread once (one post per thread, not one per stream); the
// thread then lets each of those sessions write what its stream queued.
class WakeQueue {
 public:
  explicit WakeQueue(asio::io_context& ioc) : ioc_(ioc) {}
  // Any thread: `session` has work; it is pumped on its own thread soon.
  void wake(std::weak_ptr<Session> session);

 private:
  void drain();  // on the queue's thread

  asio::io_context& ioc_;
  std::mutex mutex_;
  std::vector<std::weak_ptr<Session>> ready_;  // guarded by mutex_
  bool scheduled_ = false;                     // a drain() is posted; guarded by mutex_
};

// Everything the sessions share. Member order matters for destruction: the io_context (which
// may still own suspended session coroutines) goes first, the registry they unregister from last.
struct Core {
  Core(ServerOptions o, AsyncDispatchFn d) : options(std::move(o)), dispatch(std::move(d)) {}
  ~Core();

  // Runs the user's dispatch on a worker thread; `complete` gets the response exactly once
  // (500 internal_error when the handler throws or drops its Respond unanswered).
  void call_dispatch(Request& req, std::function<void(Response)> complete) noexcept;

  enum class Admission { admitted, stopping, over_total, over_address };
  // Adds a session unless shutdown has begun or a connection cap is reached (the per-address
  // cap counts by the session's peer address; loopback peers may be exempt).
  Admission add_session(Session* s);
  void remove_session(Session* s);
  // Posts stop(force) to every live session's strand.
  void stop_sessions(bool force);
  // Waits until no session is left or the deadline passes; true when none is left.
  bool wait_sessions_gone(SteadyClock::time_point deadline);

  asio::awaitable<void> accept_loop();

  ServerOptions options;
  AsyncDispatchFn dispatch;

  mutable std::mutex mutex;
  std::condition_variable sessions_cv;
  std::unordered_set<Session*> sessions;                              // guarded by mutex
  std::unordered_map<std::string, std::size_t> sessions_per_address;  // guarded by mutex
  bool stopping = false;                                              // guarded by mutex
  std::atomic<std::size_t> open_streams{0};
  std::atomic<std::size_t> open_websockets{0};

  std::unique_ptr<WorkerPool> own_pool;  // when options.workers is null
  WorkerPool* pool = nullptr;
  // One io_context per network thread: a connection lives on one thread for its whole life, so
  // its handlers need no strand and the threads never contend for one scheduler queue or wake
  // each other (a worker's answer is posted to the connection's own thread). `ioc` is the first
  // thread's and also runs the acceptor; the others are created by start().
  // One per network thread, index-aligned with ioc, more_iocs…; they outlive the io_contexts
  // (declared before them), whose pending drains point at them.
  std::vector<std::unique_ptr<WakeQueue>> wake_queues;
  asio::io_context ioc{1};
  std::vector<std::unique_ptr<asio::io_context>> more_iocs;
  std::size_t next_ioc = 0;  // round robin over ioc and more_iocs (acceptor strand only)
  std::size_t pick_ioc();    // the index of the next connection's thread
  asio::io_context& ioc_at(std::size_t index) { return index == 0 ? ioc : *more_iocs[index - 1]; }
  asio::strand<asio::io_context::executor_type> acceptor_strand{asio::make_strand(ioc)};
  tcp::acceptor acceptor{acceptor_strand};
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t bound_port = 0;
  // Held open so that, out of file descriptors, the acceptor can still take one connection off
  // the backlog and close it (instead of spinning on EMFILE). Acceptor strand only.
  int reserve_fd = -1;
  // Accept errors and refusals are logged at most once a second (acceptor strand only).
  SteadyClock::time_point last_accept_log{};
  std::size_t accept_log_suppressed = 0;
  void log_accept_problem(const std::string& what);

  std::mutex lifecycle_mutex;
  bool started = false;
  bool shut_down = false;
};

// The StreamWriter handed to user code: a thread-safe queue plus the stream's lifecycle. It knows
// nothing of the socket; the session drains it on its strand. `wake` is called (under the
// queue's lock, so never after finish() returned) when there is new work for the session: data
// or a close request, once per take().
class StreamChannel final : public StreamWriter {
 public:
  using Items = std::vector<std::shared_ptr<const std::string>>;

  // `session` is woken through `wakes` (its network thread's queue). Held directly rather than as
  // a std::function: that would be one more heap block per stream.
  StreamChannel(std::size_t max_queued_bytes, WakeQueue& wakes, std::weak_ptr<Session> session)
      : max_queued_(max_queued_bytes), wakes_(wakes), session_(std::move(session)) {}

  bool write(std::shared_ptr<const std::string> bytes) override;
  std::size_t queued_bytes() const override;
  void close() override;
  bool is_closed() const override;
  void on_closed(std::function<void()> callback) override;

  // Session side. Moves every queued item into `out` (which must be empty); returns whether
  // close() was requested. The bytes stay counted until consumed().
  bool take(Items& out);
  void consumed(std::size_t bytes);
  // Ends the stream: drops the queue, refuses further writes and runs the on_closed callback.
  // Only the first call does anything.
  void finish();

 private:
  void wake();  // under mutex_

  const std::size_t max_queued_;
  WakeQueue& wakes_;
  const std::weak_ptr<Session> session_;
  mutable std::mutex mutex_;
  Items queue_;             // guarded by mutex_
  std::size_t queued_ = 0;  // bytes queued or being written; guarded by mutex_
  bool notified_ = false;   // wake_ called since the last take(); guarded by mutex_
  bool close_requested_ = false;
  bool finished_ = false;
  std::function<void()> on_closed_;
};

// One client connection. Runs as a coroutine on its own strand; every member is touched only
// from that strand (stop() is posted there). A streamed response or a WebSocket takes the
// connection over: the coroutine ends and the session lives on in the handlers of its pending
// operations.
// How long an idle keep-alive connection stays open once the server stops (Session::stop).
inline constexpr std::chrono::milliseconds kIdleGraceAtStop{500};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `wakes`: the queue of the network thread the socket's executor runs on.
  Session(Core& core, tcp::socket socket, WakeQueue& wakes);
  ~Session();

  asio::any_io_executor executor() { return stream_.get_executor(); }

  static asio::awaitable<void> run(std::shared_ptr<Session> self) { co_await self->serve(); }
  // A connection over a cap: `answer` is sent if the socket takes it at once, then it closes.
  void refuse(std::string_view answer);
  // The peer's address ("" when unknown), as recorded when the connection was accepted.
  const std::string& remote() const { return remote_; }
  bool remote_is_loopback() const { return remote_is_loopback_; }
  // The peer is one of ServerOptions::trusted_proxies (its X-Forwarded-For is believed).
  bool remote_is_trusted_proxy() const { return remote_is_trusted_proxy_; }

  // On the strand. Idle connections (or all, when forced) are closed at once; busy ones finish
  // their current request and then close. Streams are closed (flushed first unless forced).
  void stop(bool force);
  // On the session's thread: what it is doing, for the log of a drain that timed out.
  std::string state() const;

 private:
  // State of a streamed response, allocated only once the connection streams.
  struct Streaming {
    std::shared_ptr<StreamChannel> channel;
    bool chunked = false;  // HTTP/1.1: chunked framing; HTTP/1.0: raw bytes until close
    bool writing = false;  // a write is in flight
    bool ended = false;
  };

  friend class WakeQueue;  // on_wake()
  // The WakeQueue's call: the stream's or the WebSocket's queue has work.
  void on_wake();

  asio::awaitable<void> serve();
  asio::awaitable<Response> run_dispatch(Request& req);
  asio::awaitable<bool> write_response(Response r, unsigned version, bool keep_alive, bool head);
  asio::awaitable<void> linger_close();
  // CORS headers on a refusal answered before the request was built (413, 431 after the head).
  void cors_from_head(const bhttp::request<bhttp::string_body>& msg, Response& res) const;
  void build_request(bhttp::request<bhttp::string_body>& msg, ParsedTarget target,
                     Request& req) const;
  std::optional<Response> check_media_type(const Request& req) const;
  // Reads until the request head is complete in buffer_ and checks its lines
  // (request_head.hpp); a response when the head is refused, nullopt otherwise (then `ec` says
  // whether reading failed).
  asio::awaitable<std::optional<Response>> read_head(error_code& ec);
  void close();

  // Streaming (stream.cpp). start_stream sends the headers and, on success, hands over to the
  // callback-driven pump/drain below; the serve() coroutine then ends.
  asio::awaitable<void> start_stream(Response res, unsigned version, bool head);
  void open_stream(StreamStart start, bool chunked);
  void read_drain();
  void discard_input(error_code& ec);  // drops what the client sent; ec: gone
  void pump();
  // true: everything went into the socket at once (no write in flight).
  bool send_items(StreamChannel::Items items);
  // An asynchronous write of `items` (with the write timeout), less the first `already_sent`
  // bytes of their framing.
  void write_batch(StreamChannel::Items items, std::size_t already_sent);
  void write_last_chunk();
  void end_stream();

  // WebSocket mode (websocket.cpp). start_websocket runs the handshake on `msg` and, on success,
  // hands over to the callback-driven read loop, write pump and timers below.
  asio::awaitable<void> start_websocket(WebSocketAccept accept,
                                        const bhttp::request<bhttp::string_body>& msg);
  void ws_begin();
  void ws_read();
  void ws_pump();
  void ws_write_next();
  void ws_arm_write_timer();
  void ws_arm_liveness();
  void ws_liveness();
  void ws_start_close(std::uint16_t code, const std::string& reason);
  void ws_stop(bool force);
  std::string ws_state() const;
  void ws_end(std::uint16_t code);
  void ws_fire_closed();
  void ws_abandon();  // from the destructor, when the io_context dies with the socket open

  Core& core_;
  WakeQueue& wakes_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string remote_;
  bool remote_is_loopback_ = false;
  bool remote_is_trusted_proxy_ = false;
  bool idle_ = false;
  bool stopping_ = false;
  std::unique_ptr<Streaming> streaming_;
  std::unique_ptr<WsState, WsStateDeleter> ws_;  // refers to stream_: declared after it
};

// Runs a WebSocketAccept::on_closed that will not get a socket (426, 503): code 1006.
void websocket_not_opened(WebSocketAccept& accept) noexcept;

}  // namespace argon::http::detail
