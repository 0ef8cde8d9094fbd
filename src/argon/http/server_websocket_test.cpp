// WebSockets (websocket.hpp) over real sockets on 127.0.0.1: a Beast client driven with deadlines,
// and a raw POSIX client for peers that misbehave (never answer pings, never read).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "argon/http/server.hpp"
#include "argon/http/websocket_test_clients.hpp"

namespace argon::http {
namespace {

using namespace wstest;  // NOLINT: test helpers, namespace aliases and chrono literals
// What the server side saw: sockets handed to on_open, messages, close codes.
class Recorder {
 public:
  void opened(std::shared_ptr<WebSocket> ws) {
    std::lock_guard lock(mutex_);
    sockets_.push_back(std::move(ws));
  }
  void message(std::string_view data, bool binary) {
    std::lock_guard lock(mutex_);
    messages_.push_back({std::string(data), binary});
  }
  void closed(std::uint16_t code) {
    std::lock_guard lock(mutex_);
    codes_.push_back(code);
  }
  // The first n sockets, once there are that many.
  std::optional<std::vector<std::shared_ptr<WebSocket>>> sockets(std::size_t n) {
    if (!eventually([&] { return count(sockets_) >= n; })) return std::nullopt;
    std::lock_guard lock(mutex_);
    return std::vector(sockets_.begin(), sockets_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  std::optional<std::vector<WsClient::Message>> messages(std::size_t n) {
    if (!eventually([&] { return count(messages_) >= n; })) return std::nullopt;
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::optional<std::vector<std::uint16_t>> codes(std::size_t n,
                                                  std::chrono::milliseconds timeout = 5s) {
    if (!eventually([&] { return count(codes_) >= n; }, timeout)) return std::nullopt;
    std::lock_guard lock(mutex_);
    return codes_;
  }
  std::size_t closed_count() { return count(codes_); }
  std::size_t opened_count() { return count(sockets_); }

 private:
  template <typename V>
  std::size_t count(const V& v) {
    std::lock_guard lock(mutex_);
    return v.size();
  }
  std::mutex mutex_;
  std::vector<std::shared_ptr<WebSocket>> sockets_;
  std::vector<WsClient::Message> messages_;
  std::vector<std::uint16_t> codes_;
};

class WebSocketTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::warn); }

  // /ws upgrades; query: echo=1 (send every message back), greet=1 (send "welcome" in on_open),
  // throw=1 (on_message throws), max_msg, max_queue, ping, pong, wt (write timeout; seconds).
  // /refuse answers 401; anything else is a JSON 200.
  void start() {
    ServerOptions o;
    o.port = 0;
    o.io_threads = 2;
    o.worker_threads = 4;
    server_ = std::make_unique<Server>(o, [this](Request& req) {
      if (req.path == "/refuse") return Response::error(401, "unauthorized", "No token");
      if (req.path != "/ws") return Response::json(200, "{}");
      auto num = [&](const char* name, std::size_t fallback) {
        const std::string* v = req.query_param(name);
        return v ? std::stoul(*v) : fallback;
      };
      WebSocketAccept a;
      a.max_message_bytes = num("max_msg", a.max_message_bytes);
      a.max_queued_bytes = num("max_queue", a.max_queued_bytes);
      a.ping_interval = std::chrono::seconds(num("ping", 30));
      a.pong_timeout = std::chrono::seconds(num("pong", 60));
      a.write_timeout = std::chrono::seconds(num("wt", 10));
      const bool echo = req.query_param("echo") != nullptr;
      const bool fail = req.query_param("throw") != nullptr;
      const bool greet = req.query_param("greet") != nullptr;
      a.on_open = [this, greet](std::shared_ptr<WebSocket> ws) {
        if (greet) ws->send_text("welcome");
        rec_.opened(std::move(ws));
      };
      a.on_message = [this, echo, fail](const std::shared_ptr<WebSocket>& ws, std::string_view data,
                                        bool binary) {
        rec_.message(data, binary);
        if (fail) throw std::runtime_error("handler bug");
        if (!echo) return;
        if (binary) {
          ws->send_binary(bytes(std::string(data)));
        } else {
          ws->send_text(std::string(data));
        }
      };
      a.on_closed = [this](std::uint16_t code) { rec_.closed(code); };
      Response r;
      r.websocket = std::move(a);
      return r;
    });
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override {
    if (server_) server_->shutdown(2s);
  }
  std::uint16_t port() const { return server_->port(); }

  std::unique_ptr<Server> server_;
  Recorder rec_;
};

TEST_F(WebSocketTest, HandshakeAndEchoOfTextAndBinary) {
  start();
  {
    RawClient raw(port());  // the RFC 6455 sample handshake
    auto head = raw.upgrade("/ws");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 101);
    EXPECT_EQ(head->header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    EXPECT_TRUE(iequals_ascii(head->header("upgrade"), "websocket"));
  }
  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws?echo=1&greet=1"));
  EXPECT_EQ(c.response().result_int(), 101);
  auto greeting = c.read();  // sent in on_open, before anything else
  ASSERT_TRUE(greeting);
  EXPECT_EQ(greeting->data, "welcome");
  EXPECT_FALSE(greeting->binary);
  ASSERT_TRUE(rec_.sockets(2));
  EXPECT_TRUE(eventually([&] { return server_->active_websockets() == 1; }));

  ASSERT_FALSE(c.send("hello"));
  auto text = c.read();
  ASSERT_TRUE(text);
  EXPECT_EQ(text->data, "hello");
  EXPECT_FALSE(text->binary);
  const std::string blob("\x00\x01\xff\xfe binary", 12);
  ASSERT_FALSE(c.send(blob, true));
  auto bin = c.read();
  ASSERT_TRUE(bin);
  EXPECT_EQ(bin->data, blob);
  EXPECT_TRUE(bin->binary);
  ASSERT_FALSE(c.send(""));  // empty messages are messages too
  auto empty = c.read();
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->data, "");
  EXPECT_EQ(server_->active_websockets(), 1u);
  EXPECT_EQ(server_->active_connections(), 1u);
}

TEST_F(WebSocketTest, OnMessageReceivesCompleteMessages) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws"));
  ASSERT_FALSE(c.send_fragment("hel", false));
  ASSERT_FALSE(c.send_fragment("lo ", false));
  ASSERT_FALSE(c.send_fragment("world", true));
  const std::string big(60 * 1024, 'b');  // under the 64 KiB default limit
  ASSERT_FALSE(c.send(big, true));
  ASSERT_FALSE(c.send("after"));
  auto got = rec_.messages(3);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].data, "hello world");
  EXPECT_FALSE((*got)[0].binary);
  EXPECT_EQ((*got)[1].data, big);
  EXPECT_TRUE((*got)[1].binary);
  EXPECT_EQ((*got)[2].data, "after");
}

TEST_F(WebSocketTest, ConcurrentSendBinaryKeepsOrder) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws"));
  auto sockets = rec_.sockets(1);
  ASSERT_TRUE(sockets);
  auto ws = sockets->front();
  constexpr int kThreads = 4;
  constexpr int kSends = 300;
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSends; ++i) {
        if (!ws->send_binary(bytes(std::to_string(t) + ":" + std::to_string(i)))) ++refused;
      }
    });
  }
  std::vector<int> next(kThreads, 0);
  bool in_order = true;
  int total = 0;
  while (total < kThreads * kSends) {
    auto m = c.read();
    if (!m) break;
    int t = 0;
    int i = 0;
    ASSERT_EQ(std::sscanf(m->data.c_str(), "%d:%d", &t, &i), 2) << m->data;
    ASSERT_TRUE(t >= 0 && t < kThreads);
    EXPECT_TRUE(m->binary);
    if (i != next[t]) in_order = false;
    next[t] = i + 1;
    ++total;
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_TRUE(in_order);
  EXPECT_EQ(total, kThreads * kSends);
  EXPECT_EQ(ws->dropped_frames(), 0u);
  EXPECT_TRUE(eventually([&] { return ws->queued_bytes() == 0; }));
}

TEST_F(WebSocketTest, TooLargeMessageClosesWith1009) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws?max_msg=1024"));
  ASSERT_FALSE(c.send(std::string(1024, 'a')));  // at the limit: fine
  ASSERT_TRUE(rec_.messages(1));
  c.send(std::string(2000, 'a'));
  // Beast 1.81's teardown closes the socket after one read of what the peer still sends, so the
  // client may see a reset after the close frame; the close frame itself arrives.
  c.read_until_closed();
  EXPECT_EQ(c.ws().reason().code, 1009) << c.error().message();
  auto codes = rec_.codes(1);
  ASSERT_TRUE(codes);
  EXPECT_EQ(codes->front(), 1009);
  EXPECT_TRUE(eventually([&] { return server_->active_websockets() == 0; }));
}

TEST_F(WebSocketTest, ServerCloseSendsCodeAndReason) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws"));
  auto sockets = rec_.sockets(1);
  ASSERT_TRUE(sockets);
  auto ws = sockets->front();
  ASSERT_TRUE(ws->send_text("last words"));
  ws->close(4000, "opus frame too small for declared structure");
  ws->close(4001, "ignored");  // idempotent
  EXPECT_TRUE(ws->is_closed());
  EXPECT_FALSE(ws->send_text("late"));
  EXPECT_FALSE(ws->send_binary(bytes("late")));
  auto last = c.read();  // queued frames go out before the close frame
  ASSERT_TRUE(last);
  EXPECT_EQ(last->data, "last words");
  EXPECT_TRUE(c.read_until_closed());
  EXPECT_EQ(c.ws().reason().code, 4000);
  EXPECT_EQ(std::string(c.ws().reason().reason.data(), c.ws().reason().reason.size()),
            "opus frame too small for declared structure");
  auto codes = rec_.codes(1);
  ASSERT_TRUE(codes);
  EXPECT_EQ(codes->front(), 4000);
  EXPECT_TRUE(eventually([&] { return server_->active_connections() == 0; }));

  // A reason over 123 bytes is cut at a UTF-8 boundary (the client checks UTF-8).
  WsClient c2;
  ASSERT_FALSE(c2.connect(port(), "/ws"));
  sockets = rec_.sockets(2);
  ASSERT_TRUE(sockets);
  std::string long_reason;
  for (int i = 0; i < 100; ++i) long_reason += "\xc3\xa9";  // é
  (*sockets)[1]->close(4002, long_reason);
  EXPECT_TRUE(c2.read_until_closed());
  EXPECT_EQ(c2.ws().reason().code, 4002);
  EXPECT_EQ(std::string(c2.ws().reason().reason.data(), c2.ws().reason().reason.size()),
            long_reason.substr(0, 122));
}

TEST_F(WebSocketTest, ClientCloseFiresOnClosedPromptly) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws"));
  auto sockets = rec_.sockets(1);
  ASSERT_TRUE(sockets);
  auto before = SteadyClock::now();
  ASSERT_FALSE(c.close(4001, "bye"));
  auto codes = rec_.codes(1);
  ASSERT_TRUE(codes);
  EXPECT_LT(SteadyClock::now() - before, 500ms);
  EXPECT_EQ(codes->front(), 4001);
  EXPECT_TRUE(sockets->front()->is_closed());
  EXPECT_FALSE(sockets->front()->send_text("late"));

  WsClient gone;  // goes away without a close frame
  ASSERT_FALSE(gone.connect(port(), "/ws"));
  ASSERT_TRUE(rec_.sockets(2));
  before = SteadyClock::now();
  gone.drop();
  codes = rec_.codes(2);
  ASSERT_TRUE(codes);
  EXPECT_LT(SteadyClock::now() - before, 500ms);
  EXPECT_EQ((*codes)[1], 1006);
  EXPECT_TRUE(eventually([&] { return server_->active_websockets() == 0; }));
  EXPECT_TRUE(eventually([&] { return server_->active_connections() == 0; }));
  EXPECT_EQ(rec_.closed_count(), 2u);  // exactly once each
}

TEST_F(WebSocketTest, ServerPingsAndAnsweringClientStaysOpen) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws?ping=1&pong=2"));
  std::atomic<int> pings{0};
  c.ws().control_callback([&](bws::frame_type kind, beast::string_view) {
    if (kind == bws::frame_type::ping) ++pings;
  });
  c.start_read();
  // Beast answers each ping with a pong; four pings span > pong_timeout, so pongs keep it open.
  EXPECT_TRUE(c.run_until([&] { return pings.load() >= 4 || c.pending_read(); }, 8s));
  EXPECT_GE(pings.load(), 4);
  EXPECT_FALSE(c.pending_read().has_value());
  EXPECT_EQ(rec_.closed_count(), 0u);
}

TEST_F(WebSocketTest, SilentPeerIsClosedAfterPongTimeout) {
  start();
  RawClient raw(port());
  auto head = raw.upgrade("/ws?ping=1&pong=2");
  ASSERT_TRUE(head);
  ASSERT_EQ(head->status, 101);
  const auto opened = SteadyClock::now();
  auto frame = raw.read_frame();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->opcode, 0x9);  // ping; never answered
  EXPECT_TRUE(raw.wait_closed(6s));
  const auto took = SteadyClock::now() - opened;
  EXPECT_GE(took, 1500ms);
  EXPECT_LT(took, 4s);
  auto codes = rec_.codes(1);
  ASSERT_TRUE(codes);
  EXPECT_EQ(codes->front(), 1006);
  EXPECT_EQ(server_->active_websockets(), 0u);
}

TEST_F(WebSocketTest, SlowReceiverDropsBinaryFramesOthersKeepReceiving) {
  start();
  RawClient slow(port(), 4096);  // small receive window, never reads after the handshake
  auto head = slow.upgrade("/ws?max_queue=16384");
  ASSERT_TRUE(head);
  ASSERT_EQ(head->status, 101);
  auto first = rec_.sockets(1);
  ASSERT_TRUE(first);
  auto slow_ws = first->front();
  WsClient fast;
  ASSERT_FALSE(fast.connect(port(), "/ws?max_queue=16384"));
  auto both = rec_.sockets(2);
  ASSERT_TRUE(both);
  auto fast_ws = (*both)[1];

  auto packet = bytes(std::string(8 * 1024, 'p'));
  ASSERT_TRUE(eventually([&] { return !slow_ws->send_binary(packet); }, 10s));
  EXPECT_GE(slow_ws->dropped_frames(), 1u);
  EXPECT_GT(slow_ws->queued_bytes(), 16384u);
  EXPECT_FALSE(slow_ws->is_closed());  // dropping does not end the socket
  // The slow socket stays saturated (it never reads), so it keeps refusing what does not fit —
  // a frame may still slip in when the server has just moved bytes into the kernel — while the
  // fast one receives every frame, in order.
  std::size_t dropped_before = slow_ws->dropped_frames();
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(eventually([&] { return !slow_ws->send_binary(packet); }, 10s));
    ++refused;
    auto p = bytes(std::to_string(i));
    if (!slow_ws->send_binary(p)) ++refused;
    ASSERT_TRUE(fast_ws->send_binary(p));
    auto m = fast.read();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->data, std::to_string(i));
  }
  EXPECT_GE(refused, 20);
  EXPECT_EQ(slow_ws->dropped_frames(), dropped_before + static_cast<std::size_t>(refused));
  EXPECT_FALSE(slow_ws->is_closed());
  EXPECT_EQ(fast_ws->dropped_frames(), 0u);
}

TEST_F(WebSocketTest, StalledWriteTimesOut) {
  start();
  RawClient slow(port(), 4096);
  auto head = slow.upgrade("/ws?max_queue=100000000&wt=1");
  ASSERT_TRUE(head);
  ASSERT_EQ(head->status, 101);
  auto sockets = rec_.sockets(1);
  ASSERT_TRUE(sockets);
  auto ws = sockets->front();
  auto block = bytes(std::string(256 * 1024, 'z'));
  // Keep queueing until the socket is full and the server gives up on its stalled write.
  EXPECT_TRUE(eventually([&] { return !ws->send_binary(block); }, 20s));
  auto codes = rec_.codes(1, 10s);
  ASSERT_TRUE(codes);
  EXPECT_EQ(codes->front(), 1006);
  EXPECT_TRUE(ws->is_closed());
  EXPECT_EQ(ws->queued_bytes(), 0u);
  EXPECT_EQ(server_->active_websockets(), 0u);
}

TEST_F(WebSocketTest, ThrowingOnMessageClosesWith1011) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws?throw=1"));
  ASSERT_FALSE(c.send("boom"));
  c.read_until_closed();
  EXPECT_EQ(c.ws().reason().code, 1011);
  auto codes = rec_.codes(1);
  ASSERT_TRUE(codes);
  EXPECT_EQ(codes->front(), 1011);
}

// Found by fuzz/websocket_fuzz.cpp: Beast 1.81 does not check UTF-8 at the end of a message whose
// last frame is empty, so "ab\xC6" then an empty final frame reached on_message. It closes with
// 1007 instead; a sequence split across frames is still fine.
TEST_F(WebSocketTest, TextEndingInATruncatedSequenceClosesWith1007) {
  start();
  WsClient split;
  ASSERT_FALSE(split.connect(port(), "/ws?echo=1"));
  ASSERT_FALSE(split.send_fragment("ab\xC3", false));
  ASSERT_FALSE(split.send_fragment("\xA9", true));
  auto echoed = split.read();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->data, "ab\xC3\xA9");

  WsClient c;
  ASSERT_FALSE(c.connect(port(), "/ws?echo=1"));
  ASSERT_FALSE(c.send_fragment("ab\xC6", false));
  ASSERT_FALSE(c.send_fragment("", true));
  c.read_until_closed();
  EXPECT_EQ(c.ws().reason().code, 1007);
  auto codes = rec_.codes(1);
  ASSERT_TRUE(codes);
  EXPECT_EQ(codes->front(), 1007);
  auto messages = rec_.messages(1);
  ASSERT_TRUE(messages);
  EXPECT_EQ(messages->size(), 1u);  // only the first socket's message
}

TEST_F(WebSocketTest, NonUpgradeRequestGets426) {
  start();
  RawClient raw(port());
  ASSERT_TRUE(raw.send_all("GET /ws HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = raw.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 426);
  EXPECT_EQ(head->header("upgrade"), "websocket");
  EXPECT_EQ(head->header("content-type"), "application/json; charset=utf-8");
  auto body = raw.read_exactly(std::stoul(head->header("content-length")));
  ASSERT_TRUE(body);
  EXPECT_NE(body->find("\"error\":\"upgrade_required\""), std::string::npos) << *body;
  // The connection stays usable, and a wrong protocol version is not an upgrade either.
  auto v8 = raw.upgrade("/ws", "8");
  ASSERT_TRUE(v8);
  EXPECT_EQ(v8->status, 426);
  EXPECT_EQ(v8->header("sec-websocket-version"), "13");
  auto codes = rec_.codes(2);  // on_closed still runs once per Response, with 1006
  ASSERT_TRUE(codes);
  EXPECT_EQ(*codes, (std::vector<std::uint16_t>{1006, 1006}));
  EXPECT_EQ(rec_.opened_count(), 0u);
  EXPECT_EQ(server_->active_websockets(), 0u);
}

TEST_F(WebSocketTest, HandlerRefusingWith401PreventsUpgrade) {
  start();
  WsClient c;
  EXPECT_EQ(c.connect(port(), "/refuse"), bws::error::upgrade_declined);
  EXPECT_EQ(c.response().result_int(), 401);
  EXPECT_NE(c.response().body().find("\"error\":\"unauthorized\""), std::string::npos);
  EXPECT_EQ(server_->active_websockets(), 0u);
}

TEST_F(WebSocketTest, ShutdownClosesWebSocketsWith1001) {
  start();
  WsClient a;
  WsClient b;
  ASSERT_FALSE(a.connect(port(), "/ws"));
  ASSERT_FALSE(b.connect(port(), "/ws"));
  auto sockets = rec_.sockets(2);
  ASSERT_TRUE(sockets);
  EXPECT_EQ(server_->active_websockets(), 2u);
  a.start_read();
  b.start_read();
  const auto before = SteadyClock::now();
  std::thread stopper([&] { server_->shutdown(10s); });
  EXPECT_TRUE(a.run_until([&] { return a.pending_read().has_value(); }));
  EXPECT_TRUE(b.run_until([&] { return b.pending_read().has_value(); }));
  stopper.join();
  EXPECT_LT(SteadyClock::now() - before, 5s);  // did not wait out the drain timeout
  EXPECT_EQ(a.pending_read(), beast::error_code(bws::error::closed));
  EXPECT_EQ(a.ws().reason().code, 1001);
  EXPECT_EQ(b.ws().reason().code, 1001);
  auto codes = rec_.codes(2);
  ASSERT_TRUE(codes);
  EXPECT_EQ(*codes, (std::vector<std::uint16_t>{1001, 1001}));
  EXPECT_EQ(server_->active_websockets(), 0u);
  EXPECT_EQ(server_->active_connections(), 0u);
  for (auto& ws : *sockets) EXPECT_FALSE(ws->send_text("x"));
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Manual: prints the resident memory per idle WebSocket. Run with --gtest_also_run_disabled_tests.
TEST_F(WebSocketTest, DISABLED_IdleWebSocketFootprint) {
  start();
  constexpr int kWarm = 50;
  constexpr int kSockets = 2000;
  std::vector<std::unique_ptr<RawClient>> clients;
  clients.reserve(kWarm + kSockets);
  auto open_n = [&](int n) {
    for (int i = 0; i < n; ++i) {
      clients.push_back(std::make_unique<RawClient>(port()));
      auto head = clients.back()->upgrade("/ws");
      ASSERT_TRUE(head && head->status == 101);
    }
  };
  open_n(kWarm);
  ASSERT_TRUE(rec_.sockets(kWarm));
  const long before = rss_kib();
  open_n(kSockets);
  ASSERT_TRUE(eventually([&] { return rec_.opened_count() == kWarm + kSockets; }, 30s));
  const long after = rss_kib();
  const double per_socket = static_cast<double>(after - before) * 1024.0 / kSockets;
  std::printf("idle websockets: %d, RSS %ld KiB -> %ld KiB, %.0f bytes per socket (both ends)\n",
              kSockets, before, after, per_socket);
}

}  // namespace
}  // namespace argon::http
