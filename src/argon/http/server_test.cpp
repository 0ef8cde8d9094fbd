#include "argon/http/server.hpp"

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
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <regex>

#include "argon/http/router.hpp"
#include "argon/http/test_client.hpp"

namespace argon::http {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using testing::Client;
using testing::RawResponse;

ServerOptions test_options() {
  ServerOptions o;
  o.port = 0;
  o.io_threads = 2;
  o.worker_threads = 4;
  return o;
}

std::string error_code_of(const RawResponse& r) {
  auto v = boost::json::parse(r.body);
  const auto& o = v.as_object();
  EXPECT_TRUE(o.contains("message"));
  return std::string(o.at("error").as_string());
}

Response echo(Request& req) {
  std::string q;
  for (auto& [k, v] : req.query) q += k + "=" + v + ";";
  return Response::json(200, "{\"method\":\"" + req.method + "\",\"path\":\"" + req.path +
                                 "\",\"query\":\"" + q +
                                 "\",\"len\":" + std::to_string(req.body.size()) + "}");
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::warn); }
  void start(ServerOptions o, DispatchFn fn = echo) {
    server_ = std::make_unique<Server>(std::move(o), std::move(fn));
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override {
    if (server_) server_->shutdown(2s);
  }
  std::uint16_t port() const { return server_->port(); }
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, GetAnswersAndKeepsAlive) {
  start(test_options());
  Client c(port());
  auto r1 = c.get("/hello%20world?a=1+2&b=%41");
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r1->header("content-length"), std::to_string(r1->body.size()));
  EXPECT_EQ(r1->header("server"), "");
  auto body = boost::json::parse(r1->body).as_object();
  EXPECT_EQ(body.at("path").as_string(), "/hello world");
  EXPECT_EQ(body.at("query").as_string(), "a=1 2;b=A;");
  auto r2 = c.get("/second");  // same connection
  ASSERT_TRUE(r2);
  EXPECT_EQ(boost::json::parse(r2->body).at("path").as_string(), "/second");
  EXPECT_EQ(server_->active_connections(), 1u);
}

// A body bigger than the socket can take at once (tcp_wmem's maximum is 4 MB): the first,
// direct write sends part of it and the rest follows asynchronously, exactly once and in order;
// the connection then serves the next request.
TEST_F(ServerTest, ABodyTheSocketCannotTakeAtOnceArrivesWhole) {
  std::string big;
  for (int i = 0; big.size() < 12 * 1024 * 1024; ++i) big += std::to_string(i) + ",";
  start(test_options(), [&big](Request& req) {
    if (req.path == "/big") return Response::json(200, big);
    return echo(req);
  });
  Client c(port());
  auto r = c.get("/big");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), std::to_string(big.size()));
  EXPECT_TRUE(r->body == big)
      << "the body differs from byte "
      << std::distance(big.begin(),
                       std::mismatch(big.begin(), big.end(), r->body.begin(), r->body.end()).first);
  auto next = c.get("/after");
  ASSERT_TRUE(next);
  EXPECT_EQ(boost::json::parse(next->body).at("path").as_string(), "/after");
}

TEST_F(ServerTest, ConnectionCloseAndHttp10AreHonoured) {
  start(test_options());
  {
    Client c(port());
    auto r = c.get("/x", "Connection: close\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_TRUE(c.wait_closed(5s));
  }
  {
    Client c(port());
    ASSERT_TRUE(c.send_all("GET /y HTTP/1.0\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(c.wait_closed(5s));
  }
}

TEST_F(ServerTest, RouterErrorsAreJson) {
  auto router = std::make_shared<Router>();
  router->add("GET", "/items/{id}", [](Request& r) {
    return Response::json(200, "{\"id\":\"" + *r.param("id") + "\"}");
  });
  start(test_options(), [router](Request& r) { return router->dispatch(r); });
  Client c(port());
  auto ok = c.get("/items/7");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "{\"id\":\"7\"}");
  auto missing = c.get("/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(error_code_of(*missing), "not_found");
  ASSERT_TRUE(
      c.send_all("POST /items/7 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                 "Content-Length: 2\r\n\r\n{}"));
  auto wrong = c.read_response();
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(error_code_of(*wrong), "method_not_allowed");
  EXPECT_EQ(wrong->header("allow"), "GET, HEAD, OPTIONS");
  // HEAD: headers of the GET answer, no body.
  ASSERT_TRUE(c.send_all("HEAD /items/7 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = c.read_response(10s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "10");
  auto after = c.get("/items/8");  // nothing stray was left on the connection
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "{\"id\":\"8\"}");
}

TEST_F(ServerTest, TooLargeBodyIs413AndServerLivesOn) {
  start(test_options());  // max_body_bytes = 1 MiB
  {
    Client c(port());
    std::string body(2 << 20, 'x');
    c.send_all(
        "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(error_code_of(*r), "payload_too_large");
    EXPECT_TRUE(c.wait_closed(5s));
  }
  {
    Client c(port());  // chunked: caught by the parser's body limit
    std::string chunk(512 * 1024, 'y');
    std::string req =
        "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) req += "80000\r\n" + chunk + "\r\n";
    req += "0\r\n\r\n";
    c.send_all(req);
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  Client again(port());
  auto r = again.get("/still-alive");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, HugeHeadersAre431) {
  start(test_options());
  Client c(port());
  c.send_all("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(32 * 1024, 'h') + "\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(error_code_of(*r), "headers_too_large");
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST_F(ServerTest, GarbageIs400) {
  start(test_options());
  {
    Client c(port());
    c.send_all("THIS IS NOT HTTP\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(error_code_of(*r), "bad_request");
    EXPECT_TRUE(c.wait_closed(5s));
  }
  {
    Client c(port());
    auto r = c.get("/bad%zzpath");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(error_code_of(*r), "bad_request");
  }
}

TEST_F(ServerTest, NonJsonBodyIs415) {
  start(test_options());
  Client c(port());
  c.send_all(
      "POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(error_code_of(*r), "unsupported_media_type");
  c.send_all(
      "POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: Application/JSON ; Charset=UTF-8\r\n"
      "Content-Length: 2\r\n\r\n{}");
  auto ok = c.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(boost::json::parse(ok->body).at("len").as_int64(), 2);
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  start(test_options());
  Client c(port());
  ASSERT_TRUE(
      c.send_all("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                 "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
  auto interim = c.read_response(10s, false, true);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send_all("{}"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(boost::json::parse(r->body).at("method").as_string(), "PUT");
}

TEST_F(ServerTest, ThrowingDispatchIs500Json) {
  start(test_options(), [](Request&) -> Response { throw std::runtime_error("boom"); });
  Client c(port());
  auto r = c.get("/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(error_code_of(*r), "internal_error");
  auto again = c.get("/y");  // connection still usable
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 500);
}

TEST_F(ServerTest, EmptyAndInvalidResponses) {
  start(test_options(), [](Request& req) {
    if (req.path == "/accepted") return Response::empty(202);
    if (req.path == "/no-content") return Response::empty(204);
    if (req.path == "/split") {  // a header that would split the response
      Response r = Response::json(200, "{}");
      r.headers.emplace_back("X-Echo", "a\r\nSet-Cookie: stolen=1");
      return r;
    }
    Response bad = Response::json(42, "{}");  // not a valid HTTP status
    return bad;
  });
  Client c(port());
  auto accepted = c.get("/accepted");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 202);
  EXPECT_EQ(accepted->header("content-length"), "0");
  EXPECT_EQ(accepted->header("content-type"), "");
  auto no_content = c.get("/no-content");
  ASSERT_TRUE(no_content);
  EXPECT_EQ(no_content->status, 204);
  EXPECT_TRUE(no_content->body.empty());
  EXPECT_EQ(no_content->header("content-length"), "");  // RFC 9110 §8.6: none on a 204
  // RFC 9110 §6.6.1: every response has a Date in IMF-fixdate form.
  for (const auto* r : {&*accepted, &*no_content})
    EXPECT_TRUE(std::regex_match(
        r->header("date"),
        std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)")))
        << r->header("date");
  auto bad = c.get("/bad");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 500);
  EXPECT_EQ(error_code_of(*bad), "internal_error");
  auto split = c.get("/split");
  ASSERT_TRUE(split);
  EXPECT_EQ(split->status, 500);
  EXPECT_EQ(error_code_of(*split), "internal_error");
  EXPECT_EQ(split->header("set-cookie"), "");
  EXPECT_EQ(split->header("x-echo"), "");
  // The connection goes on.
  EXPECT_EQ(c.get("/accepted")->status, 202);
}

TEST_F(ServerTest, IdleTimeoutClosesTheSocket) {
  auto o = test_options();
  o.idle_timeout = 1s;
  o.header_timeout = 1s;  // a new connection that never speaks (server_hardening_test.cpp)
  start(o);
  Client c(port());
  auto r = c.get("/x");
  ASSERT_TRUE(r);
  auto before = SteadyClock::now();
  EXPECT_TRUE(c.wait_closed(5s));
  EXPECT_GE(SteadyClock::now() - before, 500ms);
  Client silent(port());  // never sends anything
  EXPECT_TRUE(silent.wait_closed(5s));
}

TEST_F(ServerTest, ShutdownDrainsInFlightAndRefusesNewConnections) {
  std::latch entered(1);
  std::latch release(1);
  start(test_options(), [&](Request& req) {
    if (req.path == "/slow") {
      entered.count_down();
      release.wait();
    }
    return echo(req);
  });
  Client idle(port());
  ASSERT_TRUE(idle.get("/warm"));
  Client busy(port());
  ASSERT_TRUE(busy.send_all("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  entered.wait();

  std::thread stopper([&] { server_->shutdown(10s); });
  // New connections are refused once the listener is closed.
  auto deadline = SteadyClock::now() + 5s;
  bool refused = false;
  while (!refused && SteadyClock::now() < deadline) {
    int fd = Client::connect_to(port());
    if (fd < 0) {
      refused = errno == ECONNREFUSED;
    } else {
      ::close(fd);
      std::this_thread::sleep_for(5ms);
    }
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(idle.wait_closed(5s));  // idle keep-alive connection closed at once

  release.count_down();
  auto r = busy.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(boost::json::parse(r->body).at("path").as_string(), "/slow");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(busy.wait_closed(5s));
  stopper.join();
  EXPECT_EQ(server_->active_connections(), 0u);
}

TEST_F(ServerTest, ShutdownForceClosesAfterDrainTimeout) {
  std::latch entered(1);
  std::latch release(1);
  std::atomic<bool> handler_done{false};
  start(test_options(), [&](Request& req) {
    entered.count_down();
    release.wait();
    handler_done = true;
    return echo(req);
  });
  Client busy(port());
  ASSERT_TRUE(busy.send_all("GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n"));
  entered.wait();
  std::thread stopper([&] { server_->shutdown(200ms); });
  EXPECT_TRUE(busy.wait_closed(5s));  // closed without a response once the drain time is up
  EXPECT_FALSE(handler_done.load());
  release.count_down();  // shutdown() still waits for the running handler
  stopper.join();
  EXPECT_TRUE(handler_done.load());
  EXPECT_EQ(server_->active_connections(), 0u);
}

TEST_F(ServerTest, ManyConcurrentKeepAliveClients) {
  start(test_options());
  constexpr int kClients = 50;
  constexpr int kRequests = 20;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      try {
        Client c(port());
        for (int j = 0; j < kRequests; ++j) {
          std::string path = "/c" + std::to_string(i) + "/r" + std::to_string(j);
          auto r = c.get(path);
          if (!r || r->status != 200) return;
          if (boost::json::parse(r->body).at("path").as_string() != path) return;
          ++good;
        }
      } catch (...) {
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
}

TEST(ServerStartTest, BindFailureThrows) {
  ServerOptions o = test_options();
  Server first(o, echo);
  first.start();
  o.port = first.port();
  Server second(o, echo);
  EXPECT_THROW(second.start(), std::runtime_error);
  first.shutdown(1s);
}

// dispatch_on_network_thread: the handler runs on the connection's network thread (the threads
// on_network_thread_start saw), and work queued through the thread's poster runs on it too; by
// default the handler runs on a worker, never on a network thread.
class DispatchThreadTest : public ServerTest {
 protected:
  struct Seen {
    std::mutex mutex;
    std::vector<std::thread::id> network_threads;
    std::map<std::thread::id, std::function<void(std::function<void()>)>> posters;
    bool is_network(std::thread::id id) {
      std::lock_guard lock(mutex);
      return std::find(network_threads.begin(), network_threads.end(), id) != network_threads.end();
    }
  };
  ServerOptions options(bool on_network) {
    ServerOptions o = test_options();
    o.dispatch_on_network_thread = on_network;
    o.on_network_thread_start = [seen = seen_](std::function<void(std::function<void()>)> post) {
      std::lock_guard lock(seen->mutex);
      seen->network_threads.push_back(std::this_thread::get_id());
      seen->posters[std::this_thread::get_id()] = std::move(post);
    };
    return o;
  }
  std::shared_ptr<Seen> seen_ = std::make_shared<Seen>();
};

TEST_F(DispatchThreadTest, OnTheNetworkThreadTheHandlerAndItsQueuedWorkRunThere) {
  auto seen = seen_;
  server_ = std::make_unique<Server>(
      options(true), AsyncDispatchFn([seen](Request&, Respond respond) {
        const auto here = std::this_thread::get_id();
        if (!seen->is_network(here)) {
          respond(Response::json(500, "{\"where\":\"worker\"}"));
          return;
        }
        // Answer later, from work queued to this same thread (as a resumed coroutine would).
        std::function<void(std::function<void()>)> post;
        {
          std::lock_guard lock(seen->mutex);
          post = seen->posters.at(here);
        }
        post([here, respond] {
          respond(Response::json(std::this_thread::get_id() == here ? 200 : 500, "{}"));
        });
      }));
  server_->start();
  // Both threads install their executor before they serve (each as it starts).
  for (auto deadline = SteadyClock::now() + 5s; SteadyClock::now() < deadline;) {
    {
      std::lock_guard lock(seen_->mutex);
      if (seen_->network_threads.size() == 2) break;
    }
    std::this_thread::yield();
  }
  {
    std::lock_guard lock(seen_->mutex);
    EXPECT_EQ(seen_->network_threads.size(), 2u);
  }
  for (int i = 0; i < 4; ++i) {  // connections spread over both threads
    Client c(port());
    auto r = c.get("/x");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
}

TEST_F(DispatchThreadTest, ByDefaultTheHandlerRunsOnAWorker) {
  auto seen = seen_;
  start(options(false), [seen](Request&) {
    return Response::json(seen->is_network(std::this_thread::get_id()) ? 500 : 200, "{}");
  });
  Client c(port());
  auto r = c.get("/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace argon::http
