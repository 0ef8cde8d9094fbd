#pragma once
// TEST-ONLY helpers for server_websocket_test.cpp (not part of the library): a Beast WebSocket
// client driven with deadlines, and a raw POSIX client for peers that misbehave (never answer
// pings, never read). Include it from tests only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "argon/http/test_client.hpp"

namespace argon::http::wstest {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bws = boost::beast::websocket;

template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = SteadyClock::now() + timeout;
  while (!condition()) {
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

inline std::shared_ptr<const std::string> bytes(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

// Beast client on its own io_context; every operation runs with a deadline.
class WsClient {
 public:
  struct Message {
    std::string data;
    bool binary = false;
  };

  WsClient() : ws_(ioc_) {}

  // Connects and asks for an upgrade of `target`. A refused upgrade gives
  // bws::error::upgrade_declined, with the server's reply in response().
  beast::error_code connect(std::uint16_t port, const std::string& target) {
    beast::error_code ec;
    ws_.next_layer().connect({asio::ip::address_v4::loopback(), port}, ec);
    if (ec) return ec;
    return run([&](auto h) { ws_.async_handshake(response_, "127.0.0.1", target, h); });
  }

  beast::error_code send(const std::string& data, bool binary = false) {
    ws_.binary(binary);
    return run([&](auto h) { ws_.async_write(asio::buffer(data), h); });
  }
  beast::error_code send_fragment(const std::string& data, bool fin) {
    ws_.text(true);
    return run([&](auto h) { ws_.async_write_some(fin, asio::buffer(data), h); });
  }

  // The next message; nullopt on error (see error()) or after the deadline.
  std::optional<Message> read(std::chrono::milliseconds timeout = 5s) {
    beast::flat_buffer buffer;
    error_ = run([&](auto h) { ws_.async_read(buffer, h); }, timeout);
    if (error_) return std::nullopt;
    return Message{beast::buffers_to_string(buffer.data()), ws_.got_binary()};
  }

  // Reads until the connection ends; true when it ended with the server's close frame.
  bool read_until_closed(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = SteadyClock::now() + timeout;
    while (read(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()))) {
    }
    return error_ == bws::error::closed;
  }

  beast::error_code close(std::uint16_t code, const std::string& reason) {
    return run([&](auto h) {
      ws_.async_close(bws::close_reason(static_cast<bws::close_code>(code), reason), h);
    });
  }

  // Starts a read whose result is kept in pending_read(); drive it with run_until().
  void start_read() {
    pending_.reset();
    ws_.async_read(pending_buffer_, [this](beast::error_code ec, std::size_t) { pending_ = ec; });
  }
  const std::optional<beast::error_code>& pending_read() const { return pending_; }

  template <typename F>
  bool run_until(F condition, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = SteadyClock::now() + timeout;
    while (!condition()) {
      const auto now = SteadyClock::now();
      if (now >= deadline) return false;
      if (ioc_.stopped()) ioc_.restart();
      ioc_.run_one_for(deadline - now);
    }
    return true;
  }

  void drop() {  // closes the TCP connection without a close frame
    beast::error_code ec;
    ws_.next_layer().close(ec);
  }

  bws::stream<asio::ip::tcp::socket>& ws() { return ws_; }
  const bws::response_type& response() const { return response_; }
  const beast::error_code& error() const { return error_; }

 private:
  template <typename Start>
  beast::error_code run(Start start, std::chrono::milliseconds timeout = 5s) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    if (run_until([&] { return result.has_value(); }, timeout)) return *result;
    drop();
    run_until([&] { return result.has_value(); }, 5s);
    return asio::error::timed_out;
  }

  asio::io_context ioc_;
  bws::stream<asio::ip::tcp::socket> ws_;
  bws::response_type response_;
  beast::error_code error_;
  beast::flat_buffer pending_buffer_;
  std::optional<beast::error_code> pending_;
};

struct Head {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Frame {
  int opcode = 0;
  std::string payload;
};

// Blocking POSIX client for peers that misbehave; every wait has a deadline.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port, int rcvbuf = 0) {
    fd_ = testing::connect_loopback(port, rcvbuf, /*no_delay=*/false);
    if (fd_ < 0) throw std::runtime_error("connect failed: " + std::to_string(errno));
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool send_all(std::string_view data) { return testing::send_all(fd_, data); }

  // Sends an upgrade request (RFC 6455's sample key) and reads the response head.
  std::optional<Head> upgrade(const std::string& target, const char* version = "13") {
    if (!send_all("GET " + target +
                  " HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: " +
                  version + "\r\n\r\n")) {
      return std::nullopt;
    }
    return read_head();
  }

  std::optional<Head> read_head(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = SteadyClock::now() + timeout;
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    Head h;
    std::string text = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    h.status = std::stoi(text.substr(9, 3));
    std::size_t pos = text.find("\r\n");
    while (pos != std::string::npos && pos < text.size()) {
      pos += 2;
      std::size_t next = std::min(text.find("\r\n", pos), text.size());
      std::string line = text.substr(pos, next - pos);
      std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      h.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      pos = next;
    }
    return h;
  }

  std::optional<std::string> read_exactly(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = SteadyClock::now() + timeout;
    while (buf_.size() < n) {
      if (!fill(deadline)) return std::nullopt;
    }
    std::string data = buf_.substr(0, n);
    buf_.erase(0, n);
    return data;
  }

  // The next (unmasked, server-sent) frame.
  std::optional<Frame> read_frame(std::chrono::milliseconds timeout = 5s) {
    auto head = read_exactly(2, timeout);
    if (!head) return std::nullopt;
    Frame f;
    f.opcode = (*head)[0] & 0x0F;
    std::size_t len = static_cast<unsigned char>((*head)[1]) & 0x7F;
    if (len >= 126) {
      auto ext = read_exactly(len == 126 ? 2 : 8, timeout);
      if (!ext) return std::nullopt;
      len = 0;
      for (char c : *ext) len = (len << 8) | static_cast<unsigned char>(c);
    }
    auto payload = read_exactly(len, timeout);
    if (!payload) return std::nullopt;
    f.payload = std::move(*payload);
    return f;
  }

  // True once the server closed the connection before the deadline (data is discarded).
  bool wait_closed(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = SteadyClock::now() + timeout;
    while (fill(deadline)) buf_.clear();
    return eof_;
  }

 private:
  bool fill(SteadyClock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

}  // namespace argon::http::wstest
