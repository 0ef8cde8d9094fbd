#include "argon/http/server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <future>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "argon/http/date.hpp"
#include "argon/http/request_head.hpp"
#include "argon/http/response_head.hpp"
#include "argon/http/session.hpp"

namespace argon::http {

namespace asio = boost::asio;
using detail::error_code;
using detail::SteadyClock;
using detail::tcp;

namespace detail {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_json_media_type(std::string_view content_type) {
  return iequals_ascii(trim(content_type.substr(0, content_type.find(';'))), "application/json");
}

// A client's X-Request-Id is kept when it is 1..128 characters of [A-Za-z0-9._:-] (it goes into
// log lines and back into a header: nothing that could break either).
bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

// 16 hex digits from a per-thread generator: unique enough to find a request's lines.
std::string new_request_id() {
  thread_local std::mt19937_64 gen{std::random_device{}() ^
                                   std::hash<std::thread::id>{}(std::this_thread::get_id())};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t v = gen();
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kHex[v & 0xF];
  return out;
}

bool method_takes_json_body(std::string_view m) {
  return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}

}  // namespace

Session::Session(Core& core, tcp::socket socket, WakeQueue& wakes)
    : core_(core), wakes_(wakes), stream_(std::move(socket)) {
  error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    remote_ = ep.address().to_string();
    remote_is_loopback_ = ep.address().is_loopback();
    remote_is_trusted_proxy_ = core_.options.trusted_proxies.contains(remote_);
  }
}

Session::~Session() {
  if (ws_) ws_abandon();
  if (streaming_ && !streaming_->ended) {  // only when the io_context dies with us pending
    streaming_->ended = true;
    core_.open_streams.fetch_sub(1);
    streaming_->channel->finish();
  }
  core_.remove_session(this);
}

std::string Session::state() const {
  std::string out;
  if (ws_) {
    out = ws_state();
  } else if (streaming_) {
    out = "event stream";
    if (streaming_->writing) out += ", writing";
    if (streaming_->ended) out += ", ended";
  } else {
    out = idle_ ? "idle keep-alive" : "request in flight";
  }
  // Who still holds the session (pending handlers, queued work): 1 is the caller's own.
  out += ", references " + std::to_string(weak_from_this().use_count());
  return out;
}

void Session::stop(bool force) {
  stopping_ = true;
  if (ws_) {
    ws_stop(force);
    return;
  }
  if (streaming_) {
    if (force) {
      end_stream();
    } else {
      streaming_->channel->close();  // flush what is queued, then the last chunk
    }
    return;
  }
  if (force) {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    return;
  }
  if (idle_) {
    // An idle keep-alive connection is closed after a short grace, not at once: a proxy may be
    // sending a request on it right now (a POST it cannot retry elsewhere). Within the grace a
    // request is served with Connection: close; meanwhile the closed listener tells the proxy
    // to send new requests to the other nodes.
    auto timer = std::make_shared<asio::steady_timer>(stream_.get_executor(), kIdleGraceAtStop);
    timer->async_wait([weak = weak_from_this(), timer](error_code ec) {
      auto self = weak.lock();
      if (ec || !self || !self->idle_) return;
      error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.close();
    });
  }
}

void Session::refuse(std::string_view answer) {
  auto& socket = stream_.socket();
  [[maybe_unused]] auto sent =
      ::send(socket.native_handle(), answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void Session::close() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.close();
}

asio::awaitable<void> Session::serve() {
  const ServerOptions& opt = core_.options;
  auto token = [](error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); };
  bool first_request = true;
  for (;;) {
    error_code ec;
    // 1. Wait for the first byte of the request: on a new connection within header_timeout, on
    // a kept-alive one within idle_timeout.
    auto head_deadline = SteadyClock::now() + opt.header_timeout;
    if (buffer_.size() == 0) {
      if (stopping_) break;
      idle_ = true;
      if (first_request) {
        stream_.expires_at(head_deadline);
      } else {
        stream_.expires_after(opt.idle_timeout);
      }
      std::size_t n = co_await stream_.async_read_some(buffer_.prepare(4096), token(ec));
      idle_ = false;
      if (ec) break;  // peer closed, timeout, or shutdown closed us
      buffer_.commit(n);
      if (!first_request) head_deadline = SteadyClock::now() + opt.header_timeout;
    }
    first_request = false;

    // 2. The request head within header_timeout, checked line by line before Beast parses it
    // (RFC 9112 strictly: no obs-fold, a bounded number of fields); the body within
    // read_timeout.
    const auto started = SteadyClock::now();
    stream_.expires_at(head_deadline);
    if (auto rejected = co_await read_head(ec)) {
      spdlog::debug("http {}: rejected request head -> {}", remote_, rejected->status);
      co_await write_response(std::move(*rejected), 11, false, false);
      co_await linger_close();
      co_return;
    }
    if (ec) break;
    stream_.expires_after(opt.read_timeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(opt.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // No body limit while the head is read: a Content-Length over it is refused below with the
    // whole head at hand (its 413 can carry CORS headers), not halfway through the fields.
    parser.body_limit(boost::none);
    co_await bhttp::async_read_header(stream_, buffer_, parser, token(ec));
    if (!ec) {
      if (auto rejected = check_framing(parser.get())) {
        spdlog::debug("http {}: rejected request: {}", remote_, rejected->body);
        co_await write_response(std::move(*rejected), 11, false, false);
        co_await linger_close();
        co_return;
      }
      auto length = parser.content_length();
      if (length && *length > opt.max_body_bytes)
        ec = bhttp::error::body_limit;  // answered below, before any 100 Continue
      else
        parser.body_limit(opt.max_body_bytes);  // a chunked body is counted as it arrives
    }
    if (!ec && !parser.is_done()) {
      auto expect = parser.get()[bhttp::field::expect];
      if (iequals_ascii(expect, "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
        co_await bhttp::async_write(stream_, cont, token(ec));
        if (ec) break;
      }
      std::optional<bhttp::fields> head_fields;  // a chunked body may end in trailer fields
      if (parser.chunked()) head_fields.emplace(parser.get());
      const std::size_t unbounded = buffer_.max_size();
      buffer_.max_size(body_read_buffer_limit(buffer_.size(), opt.max_header_bytes));
      co_await bhttp::async_read(stream_, buffer_, parser, token(ec));
      buffer_.max_size(unbounded);
      if (!ec && head_fields) drop_trailer_fields(parser.get(), std::move(*head_fields));
    }
    if (ec) {
      if (auto reply = read_error_response(ec)) {
        spdlog::debug("http {}: rejected request: {} -> {}", remote_, ec.message(), reply->status);
        // A page must be able to read why (e.g. 413): CORS by the head, when it was read.
        if (core_.options.cors.enabled() && parser.is_header_done())
          cors_from_head(parser.get(), *reply);
        co_await write_response(std::move(*reply), 11, false, false);
        co_await linger_close();
        co_return;
      }
      break;
    }
    stream_.expires_never();

    // 3. Dispatch on the worker pool.
    auto msg = parser.release();
    const unsigned version = msg.version();
    const bool head = msg.method() == bhttp::verb::head;
    bool keep_alive = msg.keep_alive();
    Request req;
    Response res;
    if (auto target = parse_target(msg.target())) {
      build_request(msg, std::move(*target), req);
      if (auto rejected = check_media_type(req)) {
        res = std::move(*rejected);
      } else {
        std::optional<Response> quick;
        if (core_.options.inline_dispatch) {
          try {
            quick = core_.options.inline_dispatch(req);
          } catch (const std::exception& e) {
            spdlog::error("http: inline handler for {} {} threw: {}", req.method, req.path,
                          e.what());
            quick = Response::error(500, "internal_error", "Internal server error");
          }
        }
        if (quick) {
          res = std::move(*quick);
        } else {
          res = co_await run_dispatch(req);
        }
      }
    } else {
      req.method = std::string(msg.method_string());
      req.path = std::string(msg.target());
      res = Response::error(400, "bad_request", "Invalid request target");
      keep_alive = false;
    }
    keep_alive = keep_alive && !stopping_;
    if (res.websocket && (stopping_ || !is_websocket_upgrade(msg))) {
      websocket_not_opened(*res.websocket);
      if (stopping_) {
        res = Response::error(503, "service_unavailable", "The server is shutting down");
      } else {
        res = Response::error(
            426, "upgrade_required", "This resource requires a WebSocket",
            {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Version", "13"}});
      }
    }
    if (res.stream && stopping_) {
      res = Response::error(503, "service_unavailable", "The server is shutting down");
    }
    // CORS headers for the requests under its prefix, whoever answered (cors.hpp), the server's
    // own refusals above included.
    if (core_.options.cors.enabled() && !req.path.empty()) core_.options.cors.apply(req, res);
    const int status = res.status;
    if (!req.request_id.empty()) res.headers.emplace_back("X-Request-Id", req.request_id);
    auto answered = [&] {
      if (core_.options.on_answered)
        core_.options.on_answered(
            req, status,
            std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started));
    };

    // 4. Deliver the response. A WebSocket or a streamed response (SSE) takes the connection
    // over: this coroutine ends and the session lives until the socket or stream does
    // (websocket.cpp, stream.cpp).
    if (res.websocket) {
      answered();
      co_await start_websocket(std::move(*res.websocket), msg);
      co_return;
    }
    if (res.stream) {
      answered();
      co_await start_stream(std::move(res), version, head);
      co_return;
    }
    const bool written = co_await write_response(std::move(res), version, keep_alive, head);
    answered();
    if (!written) co_return;
    if (!keep_alive) {
      if (status >= 400 && buffer_.size() > 0) {
        co_await linger_close();
        co_return;
      }
      break;
    }
  }
  close();
}

asio::awaitable<std::optional<Response>> Session::read_head(error_code& ec) {
  const ServerOptions& opt = core_.options;
  std::size_t scanned = 0;
  std::size_t head_size = 0;
  for (;;) {
    auto bytes = buffer_.data();
    std::string_view data(static_cast<const char*>(bytes.data()), bytes.size());
    const HeadScan scan = scan_request_head(data, scanned, opt.max_header_bytes);
    if (scan.state == HeadScan::State::kComplete) {
      head_size = scan.head_size;
      break;
    }
    // Bare-LF line ends: Beast refuses them with a clear 400, let it.
    if (scan.state == HeadScan::State::kBareLf) co_return std::nullopt;
    if (scan.state == HeadScan::State::kTooLarge) {
      co_return Response::error(431, "headers_too_large", "Request headers are too large");
    }
    scanned = data.size();
    std::size_t n = co_await stream_.async_read_some(buffer_.prepare(4096),
                                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return std::nullopt;
    buffer_.commit(n);
  }
  auto bytes = buffer_.data();
  co_return check_head_lines(std::string_view(static_cast<const char*>(bytes.data()), head_size),
                             opt.max_header_fields);
}

asio::awaitable<Response> Session::run_dispatch(Request& req) {
  Core& core = core_;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [&core, &req](auto handler) {
        using HandlerT = decltype(handler);
        auto h = std::make_shared<HandlerT>(std::move(handler));
        auto complete = [h](Response r) {
          auto ex = asio::get_associated_executor(*h);
          asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
        };
        if (core.options.dispatch_on_network_thread) {
          core.call_dispatch(req, complete);  // `complete` posts: never inside the initiation
          return;
        }
        bool queued =
            core.pool->submit([&core, &req, complete] { core.call_dispatch(req, complete); });
        if (!queued) {
          complete(Response::error(503, "service_unavailable", "The server is shutting down"));
        }
      },
      asio::use_awaitable);
}

asio::awaitable<bool> Session::write_response(Response r, unsigned version, bool keep_alive,
                                              bool head) {
  if (!status_has_body(r.status)) r.body.clear();
  std::optional<std::string> lines = response_head(r, version, keep_alive, r.body.size());
  if (!lines) {  // a status outside 100..999, or a header that would split the response
    spdlog::error("http: cannot send handler response: status {} or a header is invalid", r.status);
    r = Response::error(500, "internal_error", "Internal server error");
    lines = response_head(r, version, keep_alive, r.body.size());
  }

  error_code ec;
  std::array<asio::const_buffer, 2> buffers{
      asio::buffer(*lines), head ? asio::const_buffer() : asio::const_buffer(asio::buffer(r.body))};
  // A response nearly always fits the socket at once: one non-blocking sendmsg, no asynchronous
  // operation or timer. The rest, if any, goes out asynchronously with the write timeout.
  const std::size_t sent = send_now(stream_.socket(), buffers.data(), buffers.size(), ec);
  if (!ec && drop_sent(buffers.data(), buffers.size(), sent) > 0) {
    stream_.expires_after(core_.options.write_timeout);
    co_await asio::async_write(stream_, buffers, asio::redirect_error(asio::use_awaitable, ec));
    stream_.expires_never();
  }
  if (ec) spdlog::debug("http {}: write failed: {}", remote_, ec.message());
  co_return !ec;
}

// After an error reply the client may still be sending (a too-large body, say). Closing with
// unread data would reset the connection and could destroy the reply in flight, so stop sending,
// then read and discard until the peer closes or linger_timeout passes.
asio::awaitable<void> Session::linger_close() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(core_.options.linger_timeout);
  std::array<char, 16 * 1024> sink;
  while (!ec) {
    co_await stream_.async_read_some(asio::buffer(sink),
                                     asio::redirect_error(asio::use_awaitable, ec));
  }
  stream_.close();
}

void Session::build_request(bhttp::request<bhttp::string_body>& msg, ParsedTarget target,
                            Request& req) const {
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.path = std::move(target.path);
  req.segments = std::move(target.segments);
  req.query = std::move(target.query);
  req.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
  for (const auto& field : msg) {
    req.headers.emplace_back(to_lower_ascii(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(msg.body());
  req.remote_address = remote_;
  const std::string* given = req.header("x-request-id");
  req.request_id = given && valid_request_id(*given) ? *given : new_request_id();
  if (!remote_is_trusted_proxy_) {
    req.client_address = remote_;
    return;
  }
  // From a trusted proxy: the client it names in X-Forwarded-For (client_address.hpp).
  std::vector<std::string_view> forwarded_for;
  for (const auto& [name, value] : req.headers)
    if (name == "x-forwarded-for") forwarded_for.emplace_back(value);
  req.client_address = client_address(remote_, true, forwarded_for, core_.options.trusted_proxies);
}

void Session::cors_from_head(const bhttp::request<bhttp::string_body>& msg, Response& res) const {
  auto target = parse_target(msg.target());
  if (!target) return;
  Request head;
  head.method = std::string(msg.method_string());
  head.path = std::move(target->path);
  if (auto origin = msg[bhttp::field::origin]; !origin.empty())
    head.headers.emplace_back("origin", std::string(origin));
  core_.options.cors.apply(head, res);
}

std::optional<Response> Session::check_media_type(const Request& req) const {
  if (!core_.options.require_json_body || req.body.empty()) return std::nullopt;
  if (!method_takes_json_body(req.method)) return std::nullopt;
  const std::string* ct = req.header("content-type");
  if (!ct || is_json_media_type(*ct)) return std::nullopt;
  return Response::error(415, "unsupported_media_type",
                         "Content-Type must be application/json, got " + *ct);
}

namespace {
// Shared by every copy of a Respond: answers once; the last copy answers 500 if nobody did.
struct ResponseOnce {
  std::function<void(Response)> complete;
  std::string method, path;
  std::atomic<bool> done{false};
  void answer(Response r) {
    if (done.exchange(true)) {
      spdlog::error("http: handler for {} {} answered twice", method, path);
      return;
    }
    complete(std::move(r));
  }
  ~ResponseOnce() {
    if (done.load()) return;
    spdlog::error("http: handler for {} {} never answered", method, path);
    complete(Response::error(500, "internal_error", "Internal server error"));
  }
};
}  // namespace

void Core::call_dispatch(Request& req, std::function<void(Response)> complete) noexcept {
  auto once = std::make_shared<ResponseOnce>();
  once->complete = std::move(complete);
  once->method = req.method;
  once->path = req.path;
  try {
    dispatch(req, [once](Response r) { once->answer(std::move(r)); });
    return;
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", req.method, req.path, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-exception", req.method, req.path);
  }
  if (!once->done.load())
    once->answer(Response::error(500, "internal_error", "Internal server error"));
}

void Session::on_wake() {
  if (streaming_)
    pump();
  else if (ws_)
    ws_pump();
}

}  // namespace detail

struct Server::Impl : detail::Core {
  using Core::Core;
};

Server::Server(ServerOptions options, DispatchFn dispatch)
    : Server(std::move(options),
             AsyncDispatchFn([dispatch = std::move(dispatch)](Request& req, Respond respond) {
               respond(dispatch(req));
             })) {}

Server::Server(ServerOptions options, AsyncDispatchFn dispatch)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(dispatch))) {}

Server::~Server() {
  shutdown(std::chrono::milliseconds(0));
}

void Server::start() {
  Impl& c = *impl_;
  std::lock_guard life(c.lifecycle_mutex);
  if (c.started) throw std::logic_error("argon::http::Server::start called twice");
  const ServerOptions& o = c.options;
  const std::string where = o.host + ":" + std::to_string(o.port);

  error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(o.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, o.port);
  } else {
    tcp::resolver resolver(c.ioc);
    auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot resolve " + where + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  auto fail = [&](const char* what) {
    error_code ignored;
    c.acceptor.close(ignored);
    throw std::runtime_error(std::string(what) + " " + where + ": " + ec.message());
  };
  c.acceptor.open(endpoint.protocol(), ec);
  if (ec) fail("cannot open socket for");
  c.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  c.acceptor.bind(endpoint, ec);
  if (ec) fail("cannot bind");
  c.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("cannot listen on");
  c.reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  c.bound_port = c.acceptor.local_endpoint(ec).port();

  if (o.workers) {
    c.pool = o.workers;
  } else {
    c.own_pool = std::make_unique<WorkerPool>(o.worker_threads);
    c.pool = c.own_pool.get();
  }
  int n = o.io_threads > 0 ? o.io_threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < n; ++i) c.more_iocs.push_back(std::make_unique<asio::io_context>(1));
  for (int i = 0; i < n; ++i)
    c.wake_queues.push_back(
        std::make_unique<detail::WakeQueue>(c.ioc_at(static_cast<std::size_t>(i))));
  c.work.push_back(asio::make_work_guard(c.ioc));
  for (auto& more : c.more_iocs) c.work.push_back(asio::make_work_guard(*more));
  asio::co_spawn(c.acceptor_strand, c.accept_loop(), [](std::exception_ptr e) {
    if (e) spdlog::error("http: accept loop ended with an exception");
  });
  auto serve = [&c](asio::io_context* ctx) {
    if (c.options.on_network_thread_start)
      c.options.on_network_thread_start(
          [ctx](std::function<void()> fn) { asio::post(*ctx, std::move(fn)); });
    ctx->run();
  };
  c.threads.emplace_back(serve, &c.ioc);
  for (auto& more : c.more_iocs) c.threads.emplace_back(serve, more.get());
  c.started = true;
  spdlog::info("http: listening on {}:{}", endpoint.address().to_string(), c.bound_port);
}

std::uint16_t Server::port() const {
  return impl_->bound_port;
}

std::size_t Server::active_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions.size();
}

std::size_t Server::active_streams() const {
  return impl_->open_streams.load();
}

std::size_t Server::active_websockets() const {
  return impl_->open_websockets.load();
}

void Server::shutdown(std::chrono::milliseconds drain_timeout) {
  Impl& c = *impl_;
  std::lock_guard life(c.lifecycle_mutex);
  if (!c.started || c.shut_down) return;
  c.shut_down = true;
  const auto deadline = SteadyClock::now() + drain_timeout;

  // 1. Refuse new connections: close the listening socket (on its strand) and wait for it.
  {
    std::lock_guard lock(c.mutex);
    c.stopping = true;
  }
  std::promise<void> closed;
  asio::post(c.acceptor_strand, [&] {
    error_code ec;
    c.acceptor.close(ec);
    closed.set_value();
  });
  closed.get_future().wait();

  // 2. Close idle keep-alive connections; busy ones close after their current response.
  c.stop_sessions(false);
  // 3. Drain, then force-close what is left.
  if (!c.wait_sessions_gone(deadline)) {
    spdlog::warn("http: drain timeout, closing {} connection(s)", active_connections());
    c.stop_sessions(true);
  }
  // 4. Let running handlers finish (their sessions resume, fail to write, and end). An external
  // pool keeps running: its owner stops it after the work it feeds (the store) is done.
  if (c.own_pool) c.own_pool->shutdown();
  c.wait_sessions_gone(SteadyClock::now() + std::chrono::seconds(2));

  // 5. Stop the loop and join. Coroutines still suspended die with the io_context.
  c.work.clear();
  c.ioc.stop();
  for (auto& more : c.more_iocs) more->stop();
  for (auto& t : c.threads) t.join();
  c.threads.clear();
  // Work queued to a network thread just before it stopped (a coroutine resumed there by a late
  // store completion) runs here rather than being dropped with its suspended frame.
  c.ioc.restart();
  c.ioc.poll();
  for (auto& more : c.more_iocs) {
    more->restart();
    more->poll();
  }
  spdlog::info("http: server on port {} stopped", c.bound_port);
}

}  // namespace argon::http
