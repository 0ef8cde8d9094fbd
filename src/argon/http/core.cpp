// The server's shared core (session.hpp): the connection registry and its caps, the accept
// loop, and the per-thread wake queues of streamed writes. Session and Server are in server.cpp.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "argon/http/date.hpp"
#include "argon/http/session.hpp"

namespace argon::http::detail {

namespace asio = boost::asio;

Core::~Core() {
  if (reserve_fd >= 0) ::close(reserve_fd);
}

Core::Admission Core::add_session(Session* s) {
  const std::string& address = s->remote();
  const bool capped_address =
      !address.empty() && !(options.per_address_cap_exempts_loopback && s->remote_is_loopback()) &&
      !s->remote_is_trusted_proxy();
  std::lock_guard lock(mutex);
  if (stopping) return Admission::stopping;
  if (options.max_connections > 0 && sessions.size() >= options.max_connections)
    return Admission::over_total;
  std::size_t& from_address = sessions_per_address[address];
  if (capped_address && options.max_connections_per_address > 0 &&
      from_address >= options.max_connections_per_address) {
    if (from_address == 0) sessions_per_address.erase(address);
    return Admission::over_address;
  }
  ++from_address;
  sessions.insert(s);
  return Admission::admitted;
}

void Core::remove_session(Session* s) {
  {
    std::lock_guard lock(mutex);
    if (sessions.erase(s) == 0) return;
    auto count = sessions_per_address.find(s->remote());
    if (count != sessions_per_address.end() && --count->second == 0)
      sessions_per_address.erase(count);
  }
  sessions_cv.notify_all();
}

void Core::log_accept_problem(const std::string& what) {
  const auto now = SteadyClock::now();
  if (now - last_accept_log < std::chrono::seconds(1)) {
    ++accept_log_suppressed;
    return;
  }
  if (accept_log_suppressed > 0) {
    spdlog::warn("http: {} ({} similar in the last second not logged)", what,
                 accept_log_suppressed);
  } else {
    spdlog::warn("http: {}", what);
  }
  last_accept_log = now;
  accept_log_suppressed = 0;
}

void Core::stop_sessions(bool force) {
  std::lock_guard lock(mutex);
  for (Session* s : sessions) {
    // weak_from_this() is safe even for a session whose destructor waits on our mutex.
    asio::post(s->executor(), [weak = s->weak_from_this(), force] {
      if (auto live = weak.lock()) {
        if (force) spdlog::warn("http {}: closing at shutdown: {}", live->remote(), live->state());
        live->stop(force);
      }
    });
  }
}

bool Core::wait_sessions_gone(SteadyClock::time_point deadline) {
  std::unique_lock lock(mutex);
  return sessions_cv.wait_until(lock, deadline, [this] { return sessions.empty(); });
}

std::size_t Core::pick_ioc() {
  return next_ioc++ % (more_iocs.size() + 1);
}

std::size_t send_now(tcp::socket& socket, const asio::const_buffer* buffers, std::size_t count,
                     error_code& ec) {
  std::array<iovec, 1024> iov;
  count = std::min(count, iov.size());
  for (std::size_t i = 0; i < count; ++i)
    iov[i] = {const_cast<void*>(buffers[i].data()), buffers[i].size()};
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = count;
  ssize_t sent;
  do {
    sent = ::sendmsg(socket.native_handle(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) return static_cast<std::size_t>(sent);
  if (errno != EAGAIN && errno != EWOULDBLOCK) ec.assign(errno, boost::system::system_category());
  return 0;
}

std::size_t drop_sent(asio::const_buffer* buffers, std::size_t count, std::size_t sent) {
  std::size_t left = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t part = std::min(sent, buffers[i].size());
    buffers[i] += part;
    sent -= part;
    left += buffers[i].size();
  }
  return left;
}

void WakeQueue::wake(std::weak_ptr<Session> session) {
  std::lock_guard lock(mutex_);
  ready_.push_back(std::move(session));
  if (scheduled_) return;
  scheduled_ = true;
  asio::post(ioc_, [this] { drain(); });
}

void WakeQueue::drain() {
  std::vector<std::weak_ptr<Session>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(ready_);
    scheduled_ = false;
  }
  for (const auto& weak : batch)
    if (auto session = weak.lock()) session->on_wake();
}

asio::awaitable<void> Core::accept_loop() {
  asio::steady_timer backoff(acceptor_strand);
  for (;;) {
    error_code ec;
    const std::size_t thread = pick_ioc();
    tcp::socket socket = co_await acceptor.async_accept(
        ioc_at(thread).get_executor(), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
      if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
        // Out of file descriptors: free the reserve, take the waiting connection off the
        // backlog and close it, so the client hears "closed" instead of waiting, then re-arm.
        if (reserve_fd >= 0) {
          ::close(reserve_fd);
          int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
          if (fd >= 0) ::close(fd);
          reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        log_accept_problem("accept failed: " + ec.message() +
                           " (connection closed; raise the "
                           "open-file limit or lower server.max_connections)");
      } else {
        log_accept_problem("accept failed: " + ec.message());
      }
      backoff.expires_after(std::chrono::milliseconds(10));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    // Small writes (events, audio packets, short responses) go out at once: without this,
    // Nagle's algorithm holds a frame until the peer's delayed ACK, tens of milliseconds.
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<Session>(*this, std::move(socket), *wake_queues[thread]);
    auto admission = add_session(session.get());
    if (admission == Admission::stopping) continue;  // dropped: closes the socket
    if (admission != Admission::admitted) {
      // Over a cap: one small fixed answer without waiting (a full send buffer just loses it),
      // then close. The connections already open are not disturbed.
      static constexpr std::string_view kBusyHead =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
          "Retry-After: 1\r\nConnection: close\r\nContent-Length: 71\r\nDate: ";
      static constexpr std::string_view kBusyBody =
          "\r\n\r\n"
          "{\"error\":\"service_unavailable\",\"message\":\"Too many connections, retry\"}";
      std::string busy;
      busy.reserve(kBusyHead.size() + 29 + kBusyBody.size());
      busy.append(kBusyHead).append(http_date_now()).append(kBusyBody);
      session->refuse(busy);
      log_accept_problem(admission == Admission::over_total
                             ? "connection limit reached (server.max_connections = " +
                                   std::to_string(options.max_connections) +
                                   "): refusing new connections"
                             : "connection limit per address reached (" + session->remote() +
                                   ", server.max_connections_per_address = " +
                                   std::to_string(options.max_connections_per_address) + ")");
      continue;
    }
    asio::co_spawn(session->executor(), Session::run(session), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("http: session ended with exception: {}", ex.what());
      } catch (...) {
        spdlog::error("http: session ended with an unknown exception");
      }
    });
  }
}

}  // namespace argon::http::detail
