// The server behind a reverse proxy: the client address of a trusted proxy's requests comes from
// X-Forwarded-For (client_address.hpp), the per-address connection cap counts TCP peers (and
// exempts trusted proxies), and CORS (cors.hpp) applies to every answer under its prefix,
// including the server's own.
#include <chrono>
#include <memory>
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

class ProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::off); }
  static ServerOptions options(std::string_view trusted = "") {
    ServerOptions o;
    o.port = 0;
    o.io_threads = 1;
    o.worker_threads = 2;
    o.trusted_proxies = *TrustedProxies::parse(trusted);
    return o;
  }
  void start(ServerOptions o) {
    router_.add("GET", "/api/things/{id}", [](Request& req) {
      return Response::json(200, "{\"client\":\"" + req.client_address + "\",\"peer\":\"" +
                                     req.remote_address + "\"}");
    });
    router_.add("POST", "/api/things/{id}", [](Request&) { return Response::json(200, "{}"); });
    router_.add("GET", "/other", [](Request&) { return Response::json(200, "{}"); });
    server_ = std::make_unique<Server>(std::move(o),
                                       [this](Request& req) { return router_.dispatch(req); });
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->shutdown(1s);
  }
  std::uint16_t port() const { return server_->port(); }
  // The client address the handler saw for a request with these extra header lines.
  std::string client_seen(const std::string& extra) {
    Client c(port());
    auto r = c.get("/api/things/1", extra);
    if (!r || r->status != 200) return "<no answer>";
    auto body = boost::json::parse(r->body).as_object();
    EXPECT_EQ(body.at("peer").as_string(), "127.0.0.1");
    return std::string(body.at("client").as_string());
  }

  Router router_;
  std::unique_ptr<Server> server_;
};

TEST_F(ProxyTest, ATrustedPeersXffNamesTheClient) {
  start(options("127.0.0.1, 10.0.0.0/8"));
  EXPECT_EQ(client_seen("X-Forwarded-For: 203.0.113.7\r\n"), "203.0.113.7");
  EXPECT_EQ(client_seen("X-Forwarded-For: 198.51.100.1, 203.0.113.7, 10.1.1.1\r\n"), "203.0.113.7");
  EXPECT_EQ(client_seen("X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: 2001:DB8::7\r\n"),
            "2001:db8::7");
  EXPECT_EQ(client_seen(""), "127.0.0.1");
  EXPECT_EQ(client_seen("X-Forwarded-For: not-an-address\r\n"), "127.0.0.1");
  EXPECT_EQ(client_seen("X-Forwarded-For: 203.0.113.7, \r\n"), "127.0.0.1");
}

TEST_F(ProxyTest, AnUntrustedPeersXffIsIgnored) {
  start(options("10.0.0.0/8"));
  EXPECT_EQ(client_seen("X-Forwarded-For: 203.0.113.7\r\n"), "127.0.0.1");
  server_->shutdown(1s);
  server_.reset();
  router_ = Router();
  start(options(""));  // the default: nobody
  EXPECT_EQ(client_seen("X-Forwarded-For: 203.0.113.7\r\n"), "127.0.0.1");
}

TEST_F(ProxyTest, ThePerAddressCapCountsPeersAndExemptsTrustedProxies) {
  {
    auto o = options("10.0.0.0/8");
    o.max_connections_per_address = 1;
    o.per_address_cap_exempts_loopback = false;
    start(o);
    Client a(port());
    ASSERT_TRUE(a.get("/api/things/1", "X-Forwarded-For: 203.0.113.1\r\n"));
    Client over(port());  // another client behind the same (untrusted) peer: capped
    auto r = over.read_response(5s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    server_->shutdown(1s);
    server_.reset();
    router_ = Router();
  }
  auto o = options("127.0.0.1");
  o.max_connections_per_address = 1;
  o.per_address_cap_exempts_loopback = false;
  start(o);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<Client>(port()));
    auto r = clients.back()->get("/api/things/1",
                                 "X-Forwarded-For: 203.0.113." + std::to_string(i) + "\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(ProxyTest, CorsAppliesToEveryAnswerUnderItsPrefixOnly) {
  auto o = options();
  o.cors = CorsPolicy(
      CorsOptions{"/api/", {"https://app.test"}, "Authorization", "Retry-After", "GET, POST", 60});
  start(o);
  Client c(port());
  const std::string origin = "Origin: https://app.test\r\n";
  // A handler's answer.
  auto r = c.get("/api/things/1", origin);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("access-control-allow-origin"), "https://app.test");
  EXPECT_EQ(r->header("vary"), "Origin");
  // The server's own 415 (a "simple" cross-origin POST a browser sends without a preflight).
  ASSERT_TRUE(
      c.send_all("POST /api/things/1 HTTP/1.1\r\nHost: t\r\nOrigin: https://app.test\r\n"
                 "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(r->header("access-control-allow-origin"), "https://app.test");
  // A preflight.
  ASSERT_TRUE(
      c.send_all("OPTIONS /api/things/1 HTTP/1.1\r\nHost: t\r\nOrigin: https://app.test\r\n"
                 "Access-Control-Request-Method: POST\r\n\r\n"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->header("access-control-allow-methods"), "GET, HEAD, POST");
  EXPECT_EQ(r->header("access-control-allow-headers"), "Authorization");
  EXPECT_EQ(r->header("access-control-max-age"), "60");
  EXPECT_EQ(r->header("content-length"), "");
  // Outside the prefix, and another origin: nothing.
  r = c.get("/other", origin);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("access-control-allow-origin"), "");
  r = c.get("/api/things/1", "Origin: https://other.test\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("access-control-allow-origin"), "");
  EXPECT_EQ(r->header("vary"), "");
}

}  // namespace
}  // namespace argon::http
