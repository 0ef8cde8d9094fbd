#pragma once
// What the PostgreSQL tests (pg_*_test.cpp) share: a schema of their own per test on the server
// named by ARGON_TEST_PG_URL (scripts/with-postgres starts one), a latch with a timeout, a
// watchdog that turns a hang into a crash, and a TCP proxy that can play a server going away.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "argon/store/pg_connection.hpp"
#include "argon/store/pg_database.hpp"

namespace argon::store::pgtest {

using namespace std::chrono_literals;

inline std::string random_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// The URL with `options` selecting search_path = schema (libpq takes it as a URI parameter).
inline std::string url_with_schema(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

// The connection parameters of url, some replaced, as a "key='value' ..." conninfo.
inline std::string conninfo_with(const std::string& url,
                                 const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> params;
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (parsed == nullptr) {
    PQfreemem(error);
    return {};
  }
  for (PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (o->val && o->val[0]) params[o->keyword] = o->val;
  }
  PQconninfoFree(parsed);
  for (const auto& [k, v] : overrides) params[k] = v;
  std::string out;
  for (const auto& [k, v] : params) {
    out += k + "='";
    for (char c : v) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += "' ";
  }
  return out;
}

// Each test gets schema t_<random> (dropped afterwards) and URLs that select it.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env = std::getenv("ARGON_TEST_PG_URL");
    if (env == nullptr || env[0] == '\0') {
      FAIL() << "ARGON_TEST_PG_URL is not set: the PostgreSQL tests need a server. Run them "
                "through scripts/with-postgres (make test does), e.g.\n  scripts/with-postgres "
                "./build/argon_store_test --gtest_filter='Pg*'";
    }
    base_url_ = env;
    admin_ = std::make_unique<PgConnection>(base_url_);
    schema_ = "t_" + random_suffix();
    admin_->exec_script("CREATE SCHEMA " + schema_);
    url_ = url_with_schema(base_url_, schema_);
  }
  void TearDown() override {
    if (!admin_) return;
    try {
      if (!admin_->ok()) admin_->reset();
      admin_->exec_script("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping schema " << schema_ << ": " << e.what();
    }
  }

  PostgresOptions options(int pool_size = 4, int max_attempts = 5) const {
    PostgresOptions o;
    o.url = url_;
    o.pool_size = pool_size;
    o.retry.max_attempts = max_attempts;
    o.retry.base_backoff = 1ms;
    o.retry.max_backoff = 20ms;
    return o;
  }
  std::unique_ptr<PgDatabase> open(int pool_size = 4, int max_attempts = 5) const {
    return std::make_unique<PgDatabase>(options(pool_size, max_attempts));
  }
  // A connection of the test's own, in the test's schema.
  std::unique_ptr<PgConnection> connect() const { return std::make_unique<PgConnection>(url_); }

  std::string base_url_;
  std::string schema_;
  std::string url_;
  std::unique_ptr<PgConnection> admin_;  // on the base URL
};

// n threads meet; false when the others did not come within the timeout.
class Latch {
 public:
  explicit Latch(int n) : left_(n) {}
  bool arrive_and_wait(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    if (--left_ <= 0) cv_.notify_all();
    return cv_.wait_for(lock, timeout, [&] { return left_ <= 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int left_;
};

// Aborts the test process when its scope is not left within the limit: a hang is a failure.
class Watchdog {
 public:
  Watchdog(std::chrono::seconds limit, std::string what)
      : thread_([this, limit, what = std::move(what)] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, limit, [&] { return done_; })) {
            std::fprintf(stderr, "watchdog: %s did not finish within %llds\n", what.c_str(),
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

// Forwards 127.0.0.1:port() to 127.0.0.1:upstream_port. stop() is the server vanishing: nothing
// listens any more and every connection is cut; start() brings it back on the same port.
class TcpProxy {
 public:
  explicit TcpProxy(int upstream_port) : upstream_port_(upstream_port) { start(); }
  ~TcpProxy() { stop(); }
  int port() const { return port_; }

  void start() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr = loopback(port_);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      throw std::runtime_error("proxy: cannot listen on port " + std::to_string(port_));
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    running_ = true;
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  void stop() {
    if (!running_.exchange(false)) return;
    acceptor_.join();
    ::close(listen_fd_);
    std::vector<std::thread> pumps;
    {
      std::lock_guard lock(mutex_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);  // wakes the pumps up
      pumps.swap(pumps_);
    }
    for (auto& t : pumps) t.join();
    std::lock_guard lock(mutex_);
    for (int fd : fds_) ::close(fd);
    fds_.clear();
  }

 private:
  static sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  void accept_loop() {
    while (running_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) continue;
      int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr = loopback(upstream_port_);
      if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      std::lock_guard lock(mutex_);
      fds_.push_back(client);
      fds_.push_back(server);
      pumps_.emplace_back([client, server] { pump(client, server); });
    }
  }

  static void pump(int a, int b) {
    char buf[16384];
    for (;;) {
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 1000) < 0) break;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(p[i].fd, buf, sizeof buf);
        if (n <= 0) {
          closed = true;
          break;
        }
        for (ssize_t off = 0; off < n;) {
          ssize_t w =
              ::send(p[1 - i].fd, buf + off, static_cast<std::size_t>(n - off), MSG_NOSIGNAL);
          if (w <= 0) {
            closed = true;
            break;
          }
          off += w;
        }
      }
      if (closed) break;
    }
    ::shutdown(a, SHUT_RDWR);
    ::shutdown(b, SHUT_RDWR);
  }

  int upstream_port_;
  int port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> running_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> fds_;
  std::vector<std::thread> pumps_;
};

}  // namespace argon::store::pgtest
