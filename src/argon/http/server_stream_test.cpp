// Streamed responses (stream.hpp) over real sockets on 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "argon/http/server.hpp"
#include "argon/http/test_client.hpp"

namespace argon::http {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Polls `condition` until it holds or `timeout` passes.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = SteadyClock::now() + timeout;
  while (!condition()) {
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

struct Head {
  std::string status_line;
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  int count(const std::string& name) const { return headers.contains(name) ? 1 : 0; }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Blocking client over POSIX sockets that understands a chunked body; every wait has a deadline.
class StreamClient {
 public:
  explicit StreamClient(std::uint16_t port, int rcvbuf = 0) {
    fd_ = testing::connect_loopback(port, rcvbuf, true);
    if (fd_ < 0) throw std::runtime_error("connect failed: " + std::to_string(errno));
  }
  ~StreamClient() { close(); }
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send_all(std::string_view data) { return testing::send_all(fd_, data); }

  // Sends a GET and reads the response head.
  std::optional<Head> open(const std::string& path, const char* version = "HTTP/1.1",
                           const char* method = "GET") {
    if (!send_all(std::string(method) + " " + path + " " + version + "\r\nHost: t\r\n\r\n")) {
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
    std::size_t line_end = text.find("\r\n");
    h.status_line = text.substr(0, line_end);
    h.status = std::stoi(h.status_line.substr(9, 3));
    std::size_t pos = line_end == std::string::npos ? text.size() : line_end + 2;
    while (pos < text.size()) {
      std::size_t next = std::min(text.find("\r\n", pos), text.size());
      std::string line = text.substr(pos, next - pos);
      std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (h.headers.contains(name)) name += "#dup";
      h.headers[name] = value;
      pos = next + 2;
    }
    return h;
  }

  // The next chunk's data; "" for the last chunk; nullopt on EOF, error or deadline.
  std::optional<std::string> next_chunk(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = SteadyClock::now() + timeout;
    std::size_t eol;
    while ((eol = buf_.find("\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    const std::size_t size = std::stoul(buf_.substr(0, eol), nullptr, 16);
    const std::size_t need = eol + 2 + size + 2;
    while (buf_.size() < need) {
      if (!fill(deadline)) return std::nullopt;
    }
    EXPECT_EQ(buf_.substr(eol + 2 + size, 2), "\r\n");
    std::string data = buf_.substr(eol + 2, size);
    buf_.erase(0, need);
    return data;
  }

  // Exactly n body bytes; nullopt on EOF, error or deadline.
  std::optional<std::string> read_exactly(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = SteadyClock::now() + timeout;
    while (buf_.size() < n) {
      if (!fill(deadline)) return std::nullopt;
    }
    std::string data = buf_.substr(0, n);
    buf_.erase(0, n);
    return data;
  }

  // Everything up to EOF (the HTTP/1.0 body); nullopt when the deadline passes first.
  std::optional<std::string> read_to_eof(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = SteadyClock::now() + timeout;
    while (fill(deadline)) {
    }
    if (!eof_) return std::nullopt;
    return std::exchange(buf_, {});
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

// Collects the writers handed to on_open, in order.
class Hub {
 public:
  void add(std::shared_ptr<StreamWriter> w) {
    {
      std::lock_guard lock(mutex_);
      writers_.push_back(std::move(w));
    }
    cv_.notify_all();
  }
  // The first n writers, once there are that many (nullopt after the deadline).
  std::optional<std::vector<std::shared_ptr<StreamWriter>>> wait(std::size_t n,
                                                                 std::chrono::seconds t = 5s) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, t, [&] { return writers_.size() >= n; })) return std::nullopt;
    return std::vector(writers_.begin(), writers_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return writers_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<StreamWriter>> writers_;
};

std::shared_ptr<const std::string> bytes(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

class StreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::warn); }

  // /stream[?max=N] streams (writers go to hub_), /custom streams with its own Cache-Control,
  // /nobody streams with a status that cannot carry a body; anything else is a JSON 200.
  void start(ServerOptions o = options()) {
    server_ = std::make_unique<Server>(std::move(o), [this](Request& req) {
      if (req.path == "/stream" || req.path == "/custom" || req.path == "/nobody") {
        Response r;
        r.content_type = "text/event-stream";
        r.body = "ignored";
        StreamStart s;
        if (const std::string* max = req.query_param("max")) s.max_queued_bytes = std::stoul(*max);
        s.on_open = [this](std::shared_ptr<StreamWriter> w) {
          ++opened_;
          hub_.add(std::move(w));
        };
        r.stream = std::move(s);
        if (req.path == "/custom") r.headers.emplace_back("Cache-Control", "no-store");
        if (req.path == "/nobody") r.status = 204;
        return r;
      }
      return Response::json(200, "{\"path\":\"" + req.path + "\"}");
    });
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }
  static ServerOptions options() {
    ServerOptions o;
    o.port = 0;
    o.io_threads = 2;
    o.worker_threads = 4;
    return o;
  }
  void TearDown() override {
    if (server_) server_->shutdown(2s);
  }
  std::uint16_t port() const { return server_->port(); }

  std::unique_ptr<Server> server_;
  Hub hub_;
  std::atomic<int> opened_{0};
};

TEST_F(StreamTest, SendsStreamHeadersAndChunks) {
  start();
  StreamClient c(port());
  auto head = c.open("/stream");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(head->header("content-type"), "text/event-stream");
  EXPECT_EQ(head->header("transfer-encoding"), "chunked");
  EXPECT_EQ(head->count("content-length"), 0);
  EXPECT_EQ(head->header("cache-control"), "no-cache");
  EXPECT_EQ(head->header("x-accel-buffering"), "no");
  EXPECT_EQ(head->header("connection"), "close");
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  EXPECT_EQ(server_->active_streams(), 1u);
  EXPECT_EQ(server_->active_connections(), 1u);

  EXPECT_TRUE(w->write(bytes("data: one\n\n")));
  EXPECT_TRUE(w->write(bytes("")));  // nothing is sent for an empty write
  EXPECT_EQ(c.next_chunk(), "data: one\n\n");
  // Bytes the client sends while streaming are ignored.
  ASSERT_TRUE(c.send_all("GET /again HTTP/1.1\r\nHost: t\r\n\r\nrubbish"));
  EXPECT_TRUE(w->write(bytes(std::string(100000, 'x'))));
  EXPECT_EQ(c.next_chunk(), std::string(100000, 'x'));
  EXPECT_FALSE(w->is_closed());
  EXPECT_TRUE(eventually([&] { return w->queued_bytes() == 0; }));

  StreamClient custom(port());  // handler headers win over the defaults
  auto h2 = custom.open("/custom");
  ASSERT_TRUE(h2);
  EXPECT_EQ(h2->header("cache-control"), "no-store");
  EXPECT_EQ(h2->count("cache-control#dup"), 0);
}

TEST_F(StreamTest, ConcurrentWritersArriveInOrder) {
  start();
  StreamClient c(port());
  ASSERT_TRUE(c.open("/stream"));
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  constexpr int kThreads = 4;
  constexpr int kWrites = 500;
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        if (!w->write(bytes(std::to_string(t) + ":" + std::to_string(i) + "\n"))) ++refused;
      }
    });
  }
  std::vector<int> next(kThreads, 0);
  int total = 0;
  bool in_order = true;
  while (total < kThreads * kWrites) {
    auto chunk = c.next_chunk();
    if (!chunk || chunk->empty()) break;
    int t = 0;
    int i = 0;
    ASSERT_EQ(std::sscanf(chunk->c_str(), "%d:%d\n", &t, &i), 2) << *chunk;
    ASSERT_TRUE(t >= 0 && t < kThreads);
    if (i != next[t]) in_order = false;
    next[t] = i + 1;
    ++total;
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_TRUE(in_order);
  EXPECT_EQ(total, kThreads * kWrites);
}

TEST_F(StreamTest, OneSharedBufferReachesManyStreams) {
  start();
  constexpr int kStreams = 50;
  std::vector<std::unique_ptr<StreamClient>> clients;
  for (int i = 0; i < kStreams; ++i) {
    clients.push_back(std::make_unique<StreamClient>(port()));
    ASSERT_TRUE(clients.back()->open("/stream"));
  }
  auto writers = hub_.wait(kStreams);
  ASSERT_TRUE(writers);
  EXPECT_EQ(server_->active_streams(), static_cast<std::size_t>(kStreams));
  auto shared = bytes("event: note\ndata: {\"n\":1}\n\n");
  for (auto& w : *writers) EXPECT_TRUE(w->write(shared));
  for (auto& c : clients) EXPECT_EQ(c->next_chunk(), *shared);
}

TEST_F(StreamTest, ClientDisconnectEndsStreamAtOnce) {
  start();
  StreamClient c(port());
  ASSERT_TRUE(c.open("/stream"));
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  std::atomic<int> fired{0};
  w->on_closed([&] { ++fired; });
  ASSERT_TRUE(w->write(bytes("hello")));
  ASSERT_EQ(c.next_chunk(), "hello");

  const auto before = SteadyClock::now();
  c.close();  // the server is not writing: only its pending read can notice
  ASSERT_TRUE(eventually([&] { return fired.load() > 0; }, 2s));
  EXPECT_LT(SteadyClock::now() - before, 300ms);
  EXPECT_TRUE(w->is_closed());
  EXPECT_FALSE(w->write(bytes("late")));
  EXPECT_EQ(w->queued_bytes(), 0u);
  EXPECT_TRUE(eventually([&] { return server_->active_connections() == 0; }));
  EXPECT_EQ(server_->active_streams(), 0u);
  std::atomic<int> late{0};
  w->on_closed([&] { ++late; });  // already ended: runs at once
  EXPECT_EQ(late.load(), 1);
  EXPECT_EQ(fired.load(), 1);
}

TEST_F(StreamTest, BytesTheClientSendsWhileStreamingAreDroppedAndTheStreamGoesOn) {
  // The server only waits for readability while streaming: what arrives is read and dropped
  // (here 256 KB, more than one turn of the drain takes), and the stream keeps working.
  start();
  StreamClient c(port());
  ASSERT_TRUE(c.open("/stream"));
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  ASSERT_TRUE(c.send_all(std::string(256 * 1024, 'x')));
  ASSERT_TRUE(c.send_all("GET /pipelined HTTP/1.1\r\nHost: t\r\n\r\n"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(w->write(bytes("tick " + std::to_string(i))));
    EXPECT_EQ(c.next_chunk(), "tick " + std::to_string(i));
  }
  EXPECT_FALSE(w->is_closed());
  EXPECT_EQ(server_->active_streams(), 1u);
  // Then the client goes: noticed by the same wait.
  std::atomic<int> fired{0};
  w->on_closed([&] { ++fired; });
  c.close();
  ASSERT_TRUE(eventually([&] { return fired.load() > 0; }, 2s));
  EXPECT_TRUE(eventually([&] { return server_->active_streams() == 0; }));
}

TEST_F(StreamTest, CloseFlushesQueueThenEnds) {
  start();
  StreamClient c(port());
  ASSERT_TRUE(c.open("/stream"));
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  std::atomic<int> fired{0};
  w->on_closed([&] { ++fired; });
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(w->write(bytes("m" + std::to_string(i))));
  w->close();
  w->close();  // idempotent
  EXPECT_TRUE(w->is_closed());
  EXPECT_FALSE(w->write(bytes("after close")));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.next_chunk(), "m" + std::to_string(i));
  EXPECT_EQ(c.next_chunk(), "");  // the terminating chunk
  EXPECT_TRUE(c.wait_closed());
  EXPECT_TRUE(eventually([&] { return fired.load() == 1; }));
  EXPECT_TRUE(eventually([&] { return server_->active_connections() == 0; }));
}

TEST_F(StreamTest, WriteBeyondQueueLimitIsRefusedWhileClientStalls) {
  start();
  StreamClient c(port(), 4096);  // small receive window, and it never reads the body
  ASSERT_TRUE(c.open("/stream?max=1024"));
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  std::atomic<int> fired{0};
  w->on_closed([&] { ++fired; });
  auto block = bytes(std::string(64 * 1024, 'z'));
  bool refused = eventually([&] { return !w->write(block); }, 10s);
  ASSERT_TRUE(refused);
  EXPECT_GT(w->queued_bytes(), 1024u);
  EXPECT_FALSE(w->is_closed());  // refusing a write does not end the stream
  c.close();
  ASSERT_TRUE(eventually([&] { return fired.load() == 1; }, 2s));
  EXPECT_EQ(w->queued_bytes(), 0u);  // the queue was dropped
}

// A socket that takes only part of what is queued: the direct write sends what fits and the rest
// must follow exactly once, in order, through the asynchronous write (chunk framing included).
TEST_F(StreamTest, WhatTheSocketDidNotTakeAtOnceFollowsExactlyOnce) {
  start();
  StreamClient c(port(), 4096);  // small receive window; it reads only after everything is queued
  ASSERT_TRUE(c.open("/stream?max=100000000"));
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  std::vector<std::string> sent;
  // More than the socket's send buffer can hold (tcp_wmem's maximum is 4 MB), in fewer items
  // than one direct write takes, so that direct writes are cut by a full socket.
  for (int i = 0; i < 60; ++i) {
    // Odd sizes so that the socket's cut falls anywhere in chunks and their size lines.
    std::string block(100000 + static_cast<std::size_t>(i) * 977, static_cast<char>('a' + i % 26));
    block += "#" + std::to_string(i);
    sent.push_back(block);
    ASSERT_TRUE(w->write(bytes(block)));
  }
  ASSERT_TRUE(eventually([&] { return w->queued_bytes() > 0; }));  // the socket is full
  for (std::size_t i = 0; i < sent.size(); ++i) {
    auto chunk = c.next_chunk(10s);
    ASSERT_TRUE(chunk) << "chunk " << i;
    ASSERT_EQ(*chunk, sent[i]) << "chunk " << i;
  }
  EXPECT_TRUE(eventually([&] { return w->queued_bytes() == 0; }));
  auto more = bytes("after\n");
  ASSERT_TRUE(w->write(more));
  EXPECT_EQ(c.next_chunk(), *more);
}
TEST_F(StreamTest, StalledWriteTimesOut) {
  auto o = options();
  o.write_timeout = 1s;
  start(o);
  StreamClient c(port(), 4096);
  ASSERT_TRUE(c.open("/stream?max=100000000"));
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  std::atomic<int> fired{0};
  w->on_closed([&] { ++fired; });
  auto block = bytes(std::string(256 * 1024, 'z'));
  // Keep queueing until the socket is full and the stream gives up on its stalled write.
  EXPECT_TRUE(eventually([&] { return !w->write(block) || fired.load() > 0; }, 20s));
  EXPECT_TRUE(eventually([&] { return fired.load() == 1; }, 10s));
  EXPECT_TRUE(w->is_closed());
  EXPECT_EQ(server_->active_streams(), 0u);
}

TEST_F(StreamTest, ShutdownEndsOpenStreams) {
  start();
  constexpr int kStreams = 3;
  std::vector<std::unique_ptr<StreamClient>> clients;
  for (int i = 0; i < kStreams; ++i) {
    clients.push_back(std::make_unique<StreamClient>(port()));
    ASSERT_TRUE(clients.back()->open("/stream"));
  }
  auto writers = hub_.wait(kStreams);
  ASSERT_TRUE(writers);
  std::atomic<int> fired{0};
  for (auto& w : *writers) {
    w->on_closed([&] { ++fired; });
    ASSERT_TRUE(w->write(bytes("bye")));
  }
  const auto before = SteadyClock::now();
  server_->shutdown(10s);
  EXPECT_LT(SteadyClock::now() - before, 5s);  // did not wait out the drain timeout
  EXPECT_EQ(fired.load(), kStreams);
  EXPECT_EQ(server_->active_streams(), 0u);
  EXPECT_EQ(server_->active_connections(), 0u);
  for (auto& c : clients) {
    EXPECT_EQ(c->next_chunk(), "bye");
    EXPECT_EQ(c->next_chunk(), "");
    EXPECT_TRUE(c->wait_closed());
  }
  for (auto& w : *writers) EXPECT_FALSE(w->write(bytes("x")));
}

TEST_F(StreamTest, KeepAliveRequestsWorkWhileStreaming) {
  start();
  StreamClient s1(port());
  StreamClient s2(port());
  ASSERT_TRUE(s1.open("/stream"));
  ASSERT_TRUE(s2.open("/stream"));
  auto writers = hub_.wait(2);
  ASSERT_TRUE(writers);
  StreamClient plain(port());
  for (int i = 0; i < 3; ++i) {  // on one keep-alive connection
    ASSERT_TRUE(plain.send_all("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto h = plain.read_head();
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
    EXPECT_EQ(h->header("connection"), "");
    EXPECT_EQ(plain.read_exactly(std::stoul(h->header("content-length"))), "{\"path\":\"/plain\"}");
  }
  EXPECT_EQ(server_->active_streams(), 2u);
  for (auto& w : *writers) ASSERT_TRUE(w->write(bytes("still here")));  // on_open order varies
  EXPECT_EQ(s1.next_chunk(), "still here");
  EXPECT_EQ(s2.next_chunk(), "still here");
}

TEST_F(StreamTest, Http10StreamIsRawAndEndsWithClose) {
  start();
  StreamClient c(port());
  auto head = c.open("/stream", "HTTP/1.0");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status_line, "HTTP/1.0 200 OK");
  EXPECT_EQ(head->count("transfer-encoding"), 0);
  EXPECT_EQ(head->count("content-length"), 0);
  EXPECT_EQ(head->header("content-type"), "text/event-stream");
  auto writers = hub_.wait(1);
  ASSERT_TRUE(writers);
  auto w = writers->front();
  ASSERT_TRUE(w->write(bytes("data: a\n\n")));
  ASSERT_TRUE(w->write(bytes("data: b\n\n")));
  w->close();
  EXPECT_EQ(c.read_to_eof(), "data: a\n\ndata: b\n\n");
}

TEST_F(StreamTest, HeadAndBodylessStatusDoNotStream) {
  start();
  {
    StreamClient c(port());
    auto head = c.open("/stream", "HTTP/1.1", "HEAD");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-type"), "text/event-stream");
    EXPECT_TRUE(c.wait_closed());
  }
  {
    StreamClient c(port());
    auto head = c.open("/nobody");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 500);
  }
  EXPECT_EQ(opened_.load(), 0);
  EXPECT_EQ(server_->active_streams(), 0u);
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Manual: prints the resident memory per idle stream. Run with --gtest_also_run_disabled_tests.
TEST_F(StreamTest, DISABLED_IdleStreamFootprint) {
  start();
  constexpr int kWarm = 50;
  constexpr int kStreams = 2000;
  std::vector<std::unique_ptr<StreamClient>> clients;
  auto open_n = [&](int n) {
    for (int i = 0; i < n; ++i) {
      clients.push_back(std::make_unique<StreamClient>(port()));
      ASSERT_TRUE(clients.back()->open("/stream"));
    }
  };
  open_n(kWarm);  // warms thread caches, allocator arenas and the hub's vector
  ASSERT_TRUE(hub_.wait(kWarm));
  clients.reserve(kWarm + kStreams);
  const long before = rss_kib();
  open_n(kStreams);
  ASSERT_TRUE(hub_.wait(kWarm + kStreams, 30s));
  ASSERT_TRUE(eventually([&] { return server_->active_streams() == kWarm + kStreams; }));
  const long after = rss_kib();
  const double per_stream = static_cast<double>(after - before) * 1024.0 / kStreams;
  std::printf("idle streams: %d, RSS %ld KiB -> %ld KiB, %.0f bytes per stream (both ends)\n",
              kStreams, before, after, per_stream);
  std::ifstream sockstat("/proc/net/sockstat");
  for (std::string line; std::getline(sockstat, line);) std::printf("%s\n", line.c_str());
}

}  // namespace
}  // namespace argon::http
