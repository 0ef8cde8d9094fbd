// WebSockets: the WebSocket handed to user code (WebSocketChannel) and the session's WebSocket
// mode.
//
// After the 101 the session no longer runs a coroutine; callback chains on its strand keep it
// alive: a Beast read that is always pending (so a peer going away is noticed at once; Beast also
// answers pings and the closing handshake inside it), the write pump (one frame at a time, in
// queue order), and two timers: liveness (pings every ping_interval, 1006 when nothing arrived for
// pong_timeout) and the write deadline (armed lazily, at most once per write_timeout). Idle, a
// socket holds the session, Beast's stream state (with its small fixed read buffer), the channel
// and the pending read; the request buffer is emptied and shrunk after every message.
#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "argon/http/date.hpp"
#include "argon/http/session.hpp"

namespace argon::http::detail {

namespace websocket = boost::beast::websocket;

namespace {

// Largest reason a close frame can carry (125-byte control payload minus the code).
constexpr std::size_t kMaxReason = 123;
// A read buffer grown past this by a large message is given back afterwards.
constexpr std::size_t kKeepReadCapacity = 4096;

bool sendable_close_code(std::uint16_t code) {
  if (code < 1000 || code >= 5000) return false;
  return code != 1004 && code != 1005 && code != 1006 && code != 1015 &&
         !(code > 1015 && code < 3000);
}

// Cuts to at most kMaxReason bytes without splitting a UTF-8 sequence.
std::string clip_reason(std::string reason) {
  if (reason.size() <= kMaxReason) return reason;
  std::size_t n = kMaxReason;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
  reason.resize(n);
  return reason;
}

// The close code for a read that failed: what the peer sent, or what Beast sent when it failed
// the connection, or 1006.
std::uint16_t close_code_for(const error_code& ec, const websocket::close_reason& peer) {
  if (ec == websocket::error::closed) {
    return peer.code == websocket::close_code::none ? close_code::kNoStatus : peer.code;
  }
  if (ec == websocket::error::message_too_big) return close_code::kMessageTooBig;
  if (ec == websocket::error::bad_frame_payload) return close_code::kInvalidPayload;
  if (ec.category() == websocket::make_error_code(websocket::error::closed).category()) {
    return close_code::kProtocolError;
  }
  return close_code::kAbnormal;
}

template <typename F, typename... Args>
void run_callback(const char* what, F& f, Args&&... args) noexcept {
  try {
    if (f) f(std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    spdlog::error("http: websocket {} callback threw: {}", what, e.what());
  } catch (...) {
    spdlog::error("http: websocket {} callback threw a non-exception", what);
  }
}

}  // namespace

// --- WebSocketChannel ---------------------------------------------------------------------------

// The WebSocket handed to user code: a thread-safe queue plus the close request. It knows nothing
// of the socket; the session drains it on its strand. `wake` is called (under the lock, so never
// after finish() returned) when there is new work for the session, once per take().
class WebSocketChannel final : public WebSocket {
 public:
  struct Frame {
    std::shared_ptr<const std::string> data;
    bool binary = false;
  };
  using Items = std::vector<Frame>;
  struct CloseRequest {
    std::uint16_t code = close_code::kNormal;
    std::string reason;
  };

  WebSocketChannel(std::size_t max_queued_bytes, std::function<void()> wake)
      : max_queued_(max_queued_bytes), wake_(std::move(wake)) {}

  bool send_text(std::string text) override {
    std::lock_guard lock(mutex_);
    if (finished_ || close_) return false;
    if (queued_ / 4 > max_queued_) {
      request_close(close_code::kTryAgainLater, "send queue overflow");
      return false;
    }
    return push(std::make_shared<const std::string>(std::move(text)), false);
  }

  bool send_binary(std::shared_ptr<const std::string> bytes) override {
    std::lock_guard lock(mutex_);
    if (finished_ || close_ || !bytes) return false;
    if (queued_ > max_queued_) {
      ++dropped_;
      return false;
    }
    return push(std::move(bytes), true);
  }

  void close(std::uint16_t code, std::string reason) override {
    if (!sendable_close_code(code)) {
      spdlog::warn("http: websocket close code {} cannot be sent, using 1000", code);
      code = close_code::kNormal;
    }
    std::lock_guard lock(mutex_);
    if (finished_ || close_) return;
    request_close(code, clip_reason(std::move(reason)));
  }

  bool is_closed() const override {
    std::lock_guard lock(mutex_);
    return finished_ || close_.has_value();
  }

  std::size_t dropped_frames() const override {
    std::lock_guard lock(mutex_);
    return dropped_;
  }

  std::size_t queued_bytes() const override {
    std::lock_guard lock(mutex_);
    return queued_;
  }

  // Session side. Moves every queued frame into `out` (which must be empty); returns the close
  // request, if any. The bytes stay counted until consumed().
  std::optional<CloseRequest> take(Items& out) {
    std::lock_guard lock(mutex_);
    notified_ = false;
    out.swap(queue_);
    return close_;
  }

  void consumed(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    queued_ -= std::min(bytes, queued_);
  }

  // Refuses further sends and drops the queue. Only the first call does anything.
  void finish() {
    Items dropped;
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    dropped.swap(queue_);
    queued_ = 0;
  }

 private:
  bool push(std::shared_ptr<const std::string> data, bool binary) {  // under mutex_
    queued_ += data->size();
    queue_.push_back(Frame{std::move(data), binary});
    notify();
    return true;
  }
  void request_close(std::uint16_t code, std::string reason) {  // under mutex_
    close_ = CloseRequest{code, std::move(reason)};
    notify();
  }
  void notify() {  // under mutex_
    if (notified_) return;
    notified_ = true;
    wake_();
  }

  const std::size_t max_queued_;
  const std::function<void()> wake_;
  mutable std::mutex mutex_;
  Items queue_;
  std::size_t queued_ = 0;  // bytes queued or being written
  std::size_t dropped_ = 0;
  bool notified_ = false;  // wake_ called since the last take()
  bool finished_ = false;
  std::optional<CloseRequest> close_;
};

// --- Session: WebSocket mode --------------------------------------------------------------------

struct WsState {
  WsState(beast::tcp_stream& stream, const WebSocketAccept& accept, std::function<void()> wake)
      : ws(stream),
        channel(std::make_shared<WebSocketChannel>(accept.max_queued_bytes, std::move(wake))),
        handle(channel),
        live_timer(stream.get_executor()),
        write_timer(stream.get_executor()),
        ping_interval(accept.ping_interval),
        pong_timeout(accept.pong_timeout),
        write_timeout(accept.write_timeout) {}

  websocket::stream<beast::tcp_stream&> ws;
  std::shared_ptr<WebSocketChannel> channel;
  std::shared_ptr<WebSocket> handle;  // the same object, as handed to on_message
  std::function<void(const std::shared_ptr<WebSocket>&, std::string_view, bool)> on_message;
  std::function<void(std::uint16_t)> on_closed;

  WebSocketChannel::Items pending;  // taken from the channel, being written in order
  std::size_t next = 0;             // index of the next frame of `pending` to write

  asio::steady_timer live_timer;
  asio::steady_timer write_timer;
  const std::chrono::seconds ping_interval;
  const std::chrono::seconds pong_timeout;
  const std::chrono::seconds write_timeout;
  SteadyClock::time_point last_seen;      // anything received
  SteadyClock::time_point next_ping;      // when the next ping is due
  SteadyClock::time_point write_started;  // of the frame being written

  bool opening = false;  // on_open runs on a worker
  bool running = false;  // on_open returned: reading, writing and pinging
  bool writing = false;
  bool pinging = false;
  bool write_timer_armed = false;
  bool closing = false;       // our close frame was started
  bool ended = false;         // socket closed, counter decremented
  bool closed_fired = false;  // on_closed ran
  std::uint16_t sent_code = 0;
  std::uint16_t end_code = close_code::kAbnormal;
};

void WsStateDeleter::operator()(WsState* state) const {
  delete state;
}

bool is_websocket_upgrade(const bhttp::request<bhttp::string_body>& msg) {
  return websocket::is_upgrade(msg) && msg[bhttp::field::sec_websocket_version] == "13" &&
         !msg[bhttp::field::sec_websocket_key].empty();
}

void websocket_not_opened(WebSocketAccept& accept) noexcept {
  accept.on_open = nullptr;
  accept.on_message = nullptr;
  run_callback("on_closed", accept.on_closed, close_code::kAbnormal);
  accept.on_closed = nullptr;
}

asio::awaitable<void> Session::start_websocket(WebSocketAccept accept,
                                               const bhttp::request<bhttp::string_body>& msg) {
  // A client must wait for the 101 before sending frames; anything after the request is dropped.
  buffer_.clear();
  buffer_.shrink_to_fit();

  ws_.reset(new WsState(stream_, accept,
                        [weak = weak_from_this(), wakes = &wakes_] { wakes->wake(weak); }));
  WsState& st = *ws_;
  st.on_message = std::move(accept.on_message);
  st.on_closed = std::move(accept.on_closed);
  core_.open_websockets.fetch_add(1);

  websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(
      beast::role_type::server);  // handshake (and closing handshake) limit; no idle pings
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  if (st.write_timeout.count() > 0) timeouts.handshake_timeout = st.write_timeout;
  st.ws.set_option(timeouts);
  st.ws.read_message_max(accept.max_message_bytes);
  st.ws.auto_fragment(false);
  st.ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(bhttp::field::date, http_date_now()); }));
  st.ws.control_callback(
      [this](websocket::frame_type, beast::string_view) { ws_->last_seen = SteadyClock::now(); });

  error_code ec;
  co_await st.ws.async_accept(msg, asio::redirect_error(asio::use_awaitable, ec));
  if (st.ended) co_return;  // forced shutdown during the handshake
  if (ec) {
    spdlog::debug("http {}: websocket handshake failed: {}", remote_, ec.message());
    ws_end(close_code::kAbnormal);
    co_return;
  }
  if (stopping_) st.channel->close(close_code::kGoingAway, "server shutting down");

  if (!accept.on_open) {
    ws_begin();
    co_return;
  }
  st.opening = true;
  bool queued = core_.pool->submit([self = shared_from_this(), open = std::move(accept.on_open),
                                    channel = st.channel]() mutable {
    try {
      open(channel);
    } catch (const std::exception& e) {
      spdlog::error("http: websocket on_open threw: {}", e.what());
      channel->close(close_code::kInternalError, "internal error");
    } catch (...) {
      spdlog::error("http: websocket on_open threw a non-exception");
      channel->close(close_code::kInternalError, "internal error");
    }
    open = nullptr;  // release what it captured here, not on the network thread
    auto ex = self->executor();
    asio::post(ex, [self = std::move(self)] { self->ws_begin(); });
  });
  if (!queued) {  // the pool is gone: shutting down
    st.channel->close(close_code::kGoingAway, "server shutting down");
    ws_begin();
  }
}

void Session::ws_begin() {
  WsState& st = *ws_;
  st.opening = false;
  if (st.ended) {  // ended while on_open ran: report it now
    ws_fire_closed();
    return;
  }
  st.running = true;
  const auto now = SteadyClock::now();
  st.last_seen = now;
  st.next_ping =
      st.ping_interval.count() > 0 ? now + st.ping_interval : SteadyClock::time_point::max();
  ws_read();
  ws_arm_liveness();
  ws_pump();
}

void Session::ws_read() {
  ws_->ws.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
    WsState& st = *self->ws_;
    if (st.ended) return;
    if (ec) {
      spdlog::debug("http {}: websocket read ended: {}", self->remote_, ec.message());
      self->ws_end(close_code_for(ec, st.ws.reason()));
      return;
    }
    st.last_seen = SteadyClock::now();
    const auto data = self->buffer_.cdata();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    // Beast 1.81 checks UTF-8 as frames arrive, but not at the end of a message whose last
    // frame is empty: "ab\xC6" then an empty final continuation frame would pass. on_message
    // is promised valid UTF-8 (websocket.hpp): such a message closes with 1007 instead.
    const bool bad_text = st.ws.got_text() && !is_valid_utf8(text);
    if (bad_text) {
      spdlog::debug("http {}: websocket text message is not valid UTF-8", self->remote_);
      st.channel->close(close_code::kInvalidPayload, "invalid UTF-8");
    }
    try {
      if (st.on_message && !bad_text) st.on_message(st.handle, text, !st.ws.got_text());
    } catch (const std::exception& e) {
      spdlog::error("http: websocket on_message threw: {}", e.what());
      st.channel->close(close_code::kInternalError, "internal error");
    } catch (...) {
      spdlog::error("http: websocket on_message threw a non-exception");
      st.channel->close(close_code::kInternalError, "internal error");
    }
    self->buffer_.clear();
    if (self->buffer_.capacity() > kKeepReadCapacity) self->buffer_.shrink_to_fit();
    self->ws_read();
  });
}

void Session::ws_pump() {
  WsState& st = *ws_;
  if (!st.running || st.ended || st.writing || st.closing) return;
  if (st.next >= st.pending.size()) {
    st.pending.clear();
    st.next = 0;
    auto close = st.channel->take(st.pending);
    if (st.pending.empty()) {
      if (st.pending.capacity() > 64) st.pending.shrink_to_fit();
      if (close) ws_start_close(close->code, close->reason);
      return;
    }
  }
  ws_write_next();
}

void Session::ws_write_next() {
  WsState& st = *ws_;
  const WebSocketChannel::Frame& frame = st.pending[st.next];
  st.writing = true;
  st.write_started = SteadyClock::now();
  ws_arm_write_timer();
  st.ws.binary(frame.binary);
  st.ws.async_write(asio::buffer(*frame.data), [self = shared_from_this(), data = frame.data](
                                                   error_code ec, std::size_t) {
    WsState& st = *self->ws_;
    st.writing = false;
    st.channel->consumed(data->size());
    if (st.ended) return;
    if (ec) {
      spdlog::debug("http {}: websocket write failed: {}", self->remote_, ec.message());
      self->ws_end(close_code::kAbnormal);
      return;
    }
    ++st.next;
    self->ws_pump();
  });
}

// One timer for all writes: armed when a write starts and none is armed; when it fires it ends
// the socket if the current write is older than write_timeout, else re-arms for that write.
void Session::ws_arm_write_timer() {
  WsState& st = *ws_;
  if (st.write_timer_armed || st.write_timeout.count() <= 0) return;
  st.write_timer_armed = true;
  st.write_timer.expires_at(st.write_started + st.write_timeout);
  st.write_timer.async_wait([self = shared_from_this()](error_code ec) {
    WsState& st = *self->ws_;
    st.write_timer_armed = false;
    if (ec || st.ended || !st.writing) return;
    if (SteadyClock::now() >= st.write_started + st.write_timeout) {
      spdlog::debug("http {}: websocket write timed out", self->remote_);
      self->ws_end(close_code::kAbnormal);
      return;
    }
    self->ws_arm_write_timer();
  });
}

void Session::ws_arm_liveness() {
  WsState& st = *ws_;
  auto deadline = st.next_ping;
  if (st.pong_timeout.count() > 0) deadline = std::min(deadline, st.last_seen + st.pong_timeout);
  if (deadline == SteadyClock::time_point::max()) return;  // neither pings nor a timeout
  st.live_timer.expires_at(deadline);
  st.live_timer.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->ws_->ended) return;
    self->ws_liveness();
  });
}

void Session::ws_liveness() {
  WsState& st = *ws_;
  const auto now = SteadyClock::now();
  if (st.pong_timeout.count() > 0 && now >= st.last_seen + st.pong_timeout) {
    spdlog::debug("http {}: websocket peer silent for {}s, closing", remote_,
                  st.pong_timeout.count());
    ws_end(close_code::kAbnormal);
    return;
  }
  if (now >= st.next_ping) {
    st.next_ping = now + st.ping_interval;
    if (!st.pinging && !st.closing) {
      st.pinging = true;
      st.ws.async_ping({}, [self = shared_from_this()](error_code) {
        self->ws_->pinging = false;  // a failed ping also fails the pending read
      });
    }
  }
  ws_arm_liveness();
}

void Session::ws_start_close(std::uint16_t code, const std::string& reason) {
  WsState& st = *ws_;
  st.closing = true;
  st.sent_code = code;
  websocket::close_reason cr(static_cast<websocket::close_code>(code), beast::string_view(reason));
  st.ws.async_close(cr, [self = shared_from_this()](error_code ec) {
    if (self->ws_->ended) return;
    if (ec) spdlog::debug("http {}: websocket close: {}", self->remote_, ec.message());
    self->ws_end(close_code::kAbnormal);  // the code sent is reported
  });
}

std::string Session::ws_state() const {
  const WsState& st = *ws_;
  std::string out = "websocket";
  if (st.opening) out += ", on_open running";
  if (st.running) out += ", running";
  if (st.closing) out += ", closing with " + std::to_string(st.sent_code);
  if (st.writing) out += ", writing";
  if (st.pinging) out += ", pinging";
  if (st.ended) out += ", ended";
  if (st.closed_fired) out += ", on_closed ran";
  return out;
}

void Session::ws_stop(bool force) {
  WsState& st = *ws_;
  if (st.ended) return;
  if (force) {
    ws_end(close_code::kAbnormal);
  } else {
    st.channel->close(close_code::kGoingAway, "server shutting down");
  }
}

// Closes the socket (which completes every pending operation) and reports the end, unless
// on_open still runs (then ws_begin reports it).
void Session::ws_end(std::uint16_t code) {
  WsState& st = *ws_;
  if (st.ended) return;
  st.ended = true;
  st.running = false;
  st.end_code = st.sent_code != 0 ? st.sent_code : code;
  core_.open_websockets.fetch_sub(1);
  st.live_timer.cancel();
  st.write_timer.cancel();
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
  st.channel->finish();
  st.pending.clear();
  if (!st.opening) ws_fire_closed();
}

void Session::ws_fire_closed() {
  WsState& st = *ws_;
  if (st.closed_fired) return;
  st.closed_fired = true;
  auto on_closed = std::move(st.on_closed);
  st.on_closed = nullptr;
  st.on_message = nullptr;
  run_callback("on_closed", on_closed, st.end_code);
}

void Session::ws_abandon() {
  WsState& st = *ws_;
  if (!st.ended) {
    st.ended = true;
    st.end_code = st.sent_code != 0 ? st.sent_code : close_code::kAbnormal;
    core_.open_websockets.fetch_sub(1);
    st.channel->finish();
  }
  ws_fire_closed();
}

}  // namespace argon::http::detail
