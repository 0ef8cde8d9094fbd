// The server against hostile or sloppy clients (RFC 9112 read strictly): request smuggling
// through Transfer-Encoding, repeated headers, Host, obs-fold, header counts, slow or silent
// connections, connection caps, and error bodies that stay valid UTF-8.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>

#include "argon/http/router.hpp"
#include "argon/http/server.hpp"
#include "argon/http/test_client.hpp"

namespace argon::http {
namespace {

using namespace std::chrono_literals;
using testing::Client;
using testing::RawResponse;
using SteadyClock = std::chrono::steady_clock;

bool valid_utf8_bytes(const std::string& s) {
  return valid_utf8(s) == s;
}

class HardeningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::off); }
  ServerOptions options() {
    ServerOptions o;
    o.port = 0;
    o.io_threads = 2;
    o.worker_threads = 2;
    return o;
  }
  void start(ServerOptions o) {
    server_ = std::make_unique<Server>(std::move(o), [this](Request& req) {
      ++requests_;
      if (req.path == "/hidden") ++hidden_;
      {
        std::lock_guard lock(mutex_);
        last_headers_ = req.headers;
      }
      return Response::json(
          200, "{\"path\":\"" + req.path + "\",\"len\":" + std::to_string(req.body.size()) + "}");
    });
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->shutdown(1s);
  }
  std::uint16_t port() const { return server_->port(); }
  // Sends `raw`, expects one 400 bad_request and a closed connection.
  void expect_rejected(const std::string& raw, int status = 400) {
    Client c(port());
    ASSERT_TRUE(c.send_all(raw));
    auto r = c.read_response(5s);
    ASSERT_TRUE(r) << raw;
    EXPECT_EQ(r->status, status) << raw;
    EXPECT_EQ(r->header("connection"), "close") << raw;
    auto body = boost::json::parse(r->body).as_object();
    EXPECT_EQ(body.at("error").as_string(), status == 400 ? "bad_request" : "headers_too_large");
    EXPECT_TRUE(c.wait_closed(5s)) << raw;
  }

  HeaderList last_headers() {
    std::lock_guard lock(mutex_);
    return last_headers_;
  }

  std::unique_ptr<Server> server_;
  std::atomic<int> requests_{0};
  std::atomic<int> hidden_{0};
  std::mutex mutex_;
  HeaderList last_headers_;  // of the last request dispatched
};

// An authenticated request hidden in the body of another must never run: a Transfer-Encoding
// that does not end in chunked used to be read as "no body", and the body as the next request.
TEST_F(HardeningTest, TransferEncodingOtherThanChunkedIsRefusedAndItsBodyNeverRuns) {
  start(options());
  const std::string hidden = "GET /hidden HTTP/1.1\r\nHost: t\r\n\r\n";
  for (std::string coding : {"gzip", "identity", "chunked, identity", "foo", "gzip, chunked",
                             "chunked, chunked", "Chunked ,gzip"}) {
    expect_rejected("GET /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: " + coding +
                    "\r\n\r\n" + hidden);
  }
  // Two Transfer-Encoding lines read as one list: "gzip, chunked" is still not plain chunked.
  expect_rejected(
      "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
      hidden);
  // An empty Transfer-Encoding line still counts: "" then "chunked" is ",chunked" (found by
  // fuzz/http_request_fuzz.cpp; the empty line used to swallow the separator).
  expect_rejected(
      "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: \r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
      hidden);
  // Both framings at once, and chunked in HTTP/1.0.
  expect_rejected(
      "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Content-Length: 5\r\n\r\n0\r\n\r\n" +
      hidden);
  expect_rejected("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden);
  EXPECT_EQ(hidden_.load(), 0);
  EXPECT_EQ(requests_.load(), 0);

  // Plain chunked still frames a body, case-insensitively, and the connection stays usable.
  Client c(port());
  ASSERT_TRUE(
      c.send_all("POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                 "Transfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(boost::json::parse(r->body).at("len").as_int64(), 2);
  auto again = c.get("/again");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(HardeningTest, RepeatedCredentialsFramingOrHostHeadersAreRefused) {
  start(options());
  for (std::string twice : {"Authorization: Bot good\r\nAuthorization: Bot bad\r\n",
                            "Host: a\r\n",  // the request already has one
                            "Content-Type: application/json\r\nContent-Type: text/plain\r\n",
                            "Content-Length: 2\r\nContent-Length: 2\r\n"}) {
    expect_rejected("POST /x HTTP/1.1\r\nHost: t\r\n" + twice + "\r\n{}");
  }
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HardeningTest, Http11WithoutHostIsRefusedHttp10WithoutHostIsServed) {
  start(options());
  expect_rejected("GET /x HTTP/1.1\r\n\r\n");
  Client c(port());
  ASSERT_TRUE(c.send_all("GET /y HTTP/1.0\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HardeningTest, ObsFoldIsRefused) {
  start(options());
  expect_rejected("GET /x HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n");
  expect_rejected("GET /x HTTP/1.1\r\nHost: t\r\nAuthorization: Bot\r\n\ttoken\r\n\r\n");
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HardeningTest, TheNumberOfHeaderFieldsIsCapped) {
  auto o = options();
  o.max_header_fields = 20;
  start(o);
  std::string fields;
  for (int i = 0; i < 19; ++i) fields += "X-" + std::to_string(i) + ": v\r\n";
  Client ok(port());
  auto r = ok.get("/x", fields);  // 19 + Host = 20
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  expect_rejected("GET /x HTTP/1.1\r\nHost: t\r\n" + fields + "X-One-More: v\r\n\r\n", 431);
}

// Found by fuzz/http_request_fuzz.cpp: Beast's header_limit bounds the request line and the
// fields each on their own, so a head up to twice max_header_bytes passed when it arrived whole.
TEST_F(HardeningTest, AHeadOverMaxHeaderBytesIsRefusedEvenWhenItArrivesWhole) {
  auto o = options();
  o.max_header_bytes = 2048;
  start(o);
  expect_rejected("GET /" + std::string(1500, 'a') +
                      " HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(1500, 'b') + "\r\n\r\n",
                  431);
  Client ok(port());
  auto r = ok.get("/" + std::string(1000, 'a'), "X-Big: " + std::string(900, 'b') + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(requests_.load(), 1);
}

// Found by fuzz/http_request_fuzz.cpp: Beast adds a chunked body's trailer fields to the request
// after check_framing ran, so a trailer could add a second Authorization (or a Content-Type the
// head lacked). They are dropped.
TEST_F(HardeningTest, TrailerFieldsOfAChunkedBodyAreDropped) {
  start(options());
  Client c(port());
  ASSERT_TRUE(
      c.send_all("POST /x HTTP/1.1\r\nHost: t\r\nAuthorization: Bot good\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n"
                 "Authorization: Bot evil\r\nContent-Type: application/json\r\n"
                 "X-Trailer: 1\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(boost::json::parse(r->body).at("len").as_int64(), 2);
  int authorizations = 0;
  for (const auto& [name, value] : last_headers()) {
    EXPECT_NE(name, "x-trailer");
    EXPECT_NE(name, "content-type");
    if (name == "authorization") {
      ++authorizations;
      EXPECT_EQ(value, "Bot good");
    }
  }
  EXPECT_EQ(authorizations, 1);
  auto again = c.get("/again");  // the connection is still in step
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

// Beast 1.81 bounds neither a chunk-size line nor the trailer section: one that never ended grew
// the connection's buffer until read_timeout. Past max_header_bytes (plus one 64 KiB read) it is
// a 400 at once.
TEST_F(HardeningTest, AnEndlessChunkSizeLineOrTrailerIsRefusedPromptly) {
  auto o = options();
  o.max_header_bytes = 4096;
  o.read_timeout = 60s;
  start(o);
  const std::string head = "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& endless :
       {head + "2\r\n{}\r\n0\r\nX-Trailer: " + std::string(256 * 1024, 'a'),
        head + "2;ext=" + std::string(256 * 1024, 'a')}) {
    Client c(port());
    ASSERT_TRUE(c.send_all(endless));
    auto r = c.read_response(5s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(boost::json::parse(r->body).at("error").as_string(), "bad_request");
    EXPECT_TRUE(c.wait_closed(5s));
  }
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HardeningTest, ASilentNewConnectionIsClosedAfterTheHeaderTimeoutNotTheIdleOne) {
  auto o = options();
  o.header_timeout = 1s;
  o.idle_timeout = 60s;
  start(o);
  Client silent(port());
  auto before = SteadyClock::now();
  EXPECT_TRUE(silent.wait_closed(5s));
  EXPECT_GE(SteadyClock::now() - before, 800ms);
}

TEST_F(HardeningTest, AHeadTrickledByteByByteIsCutOffAtTheHeaderTimeout) {
  auto o = options();
  o.header_timeout = 1s;
  o.read_timeout = 60s;
  start(o);
  Client slow(port());
  const std::string head = "GET /x HTTP/1.1\r\nHost: t\r\nX-Slow: ";
  auto deadline = SteadyClock::now() + 4s;
  bool closed = false;
  // One byte every 50 ms, never finishing the head: closed within ~1 s of the first byte.
  for (std::size_t i = 0; SteadyClock::now() < deadline; ++i) {
    if (!slow.send_all(std::string(1, i < head.size() ? head[i] : 'a'))) {
      closed = true;
      break;
    }
    if (slow.wait_closed(50ms)) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HardeningTest, AKeptAliveConnectionWaitsIdleTimeoutThenGetsHeaderTimeoutForTheHead) {
  auto o = options();
  o.header_timeout = 1s;
  o.idle_timeout = 3s;
  start(o);
  Client c(port());
  ASSERT_TRUE(c.get("/first"));
  // Longer than header_timeout but within idle_timeout: still open.
  EXPECT_FALSE(c.wait_closed(1500ms));
  auto second = c.get("/second");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
}

TEST_F(HardeningTest, OverTheConnectionCapNewSocketsGet503AndOpenOnesAreStillServed) {
  auto o = options();
  o.max_connections = 3;
  start(o);
  Client kept(port());
  ASSERT_TRUE(kept.get("/a"));
  auto silent1 = std::make_unique<Client>(port());
  Client silent2(port());
  // Wait until the server counts all three (accepting is asynchronous).
  auto deadline = SteadyClock::now() + 5s;
  while (server_->active_connections() < 3 && SteadyClock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(server_->active_connections(), 3u);
  for (int i = 0; i < 5; ++i) {
    Client over(port());
    auto r = over.read_response(5s);  // the server speaks first, then closes
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->header("retry-after"), "1");
    EXPECT_EQ(boost::json::parse(r->body).at("error").as_string(), "service_unavailable");
    EXPECT_TRUE(over.wait_closed(5s));
  }
  auto still = kept.get("/b");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
  // A slot freed is a slot for the next connection.
  silent1.reset();
  deadline = SteadyClock::now() + 5s;
  while (server_->active_connections() > 2 && SteadyClock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  Client next(port());
  auto r = next.get("/c");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HardeningTest, ThePerAddressCapAppliesToOneAddressAndExemptsLoopbackByDefault) {
  {
    auto o = options();
    o.max_connections_per_address = 2;
    o.per_address_cap_exempts_loopback = false;
    start(o);
    Client a(port()), b(port());
    ASSERT_TRUE(a.get("/a"));
    ASSERT_TRUE(b.get("/b"));
    Client over(port());
    auto r = over.read_response(5s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    server_->shutdown(1s);
    server_.reset();
  }
  auto o = options();
  o.max_connections_per_address = 2;  // loopback (a local proxy) is exempt
  start(o);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<Client>(port()));
    auto r = clients.back()->get("/x");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(HardeningTest, ErrorBodiesAreValidUtf8WhateverBytesTheyQuote) {
  auto router = std::make_shared<Router>();
  router->add("POST", "/items", [](Request&) { return Response::json(200, "{}"); });
  server_ =
      std::make_unique<Server>(options(), [router](Request& r) { return router->dispatch(r); });
  server_->start();
  Client c(port());
  auto missing = c.get("/%C0%AF/%FF%FE/x");  // decoded: invalid UTF-8 in the 404 message
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(valid_utf8_bytes(missing->body)) << missing->body;
  EXPECT_NO_THROW(boost::json::parse(missing->body));
  ASSERT_TRUE(
      c.send_all(std::string("POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: text/\xff\xc0"
                             "\r\nContent-Length: 2\r\n\r\n{}")));
  auto unsupported = c.read_response(5s);
  ASSERT_TRUE(unsupported);
  EXPECT_EQ(unsupported->status, 415);
  EXPECT_TRUE(valid_utf8_bytes(unsupported->body)) << unsupported->body;
  EXPECT_NO_THROW(boost::json::parse(unsupported->body));
}

TEST(ValidUtf8Test, KeepsWellFormedTextAndReplacesEveryBadByte) {
  EXPECT_EQ(valid_utf8("plain"), "plain");
  EXPECT_EQ(valid_utf8("h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(valid_utf8("\xC0\xAF"), fffd + fffd);                        // overlong "/"
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), fffd + fffd + fffd);             // a UTF-16 surrogate
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // past U+10FFFF
  EXPECT_EQ(valid_utf8("a\xE2\x82"), "a" + fffd + fffd);                 // truncated at the end
  EXPECT_EQ(valid_utf8("\xFF"), fffd);
  EXPECT_EQ(valid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(ValidUtf8Test, IsValidUtf8AgreesWithValidUtf8) {
  for (std::string s : {"plain", "h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "\xC0\xAF",
                        "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\xE2\x82", "\xFF", "", "ab\xC6"}) {
    EXPECT_EQ(is_valid_utf8(s), valid_utf8(s) == s) << s;
  }
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_utf8("ab\xC6"));
}

}  // namespace
}  // namespace argon::http
