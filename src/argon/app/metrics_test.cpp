#include "argon/app/metrics.hpp"

#include <gtest/gtest.h>

namespace argon::app {
namespace {

TEST(MetricsTest, ApiLabelFromTheRoutePattern) {
  EXPECT_EQ(Metrics::api_of("/api/v1/channels/{channelId}/messages"), "client");
  EXPECT_EQ(Metrics::api_of("/IMessages/v1/Send"), "bot");
  EXPECT_EQ(Metrics::api_of("/api/bot/IMessages/v1/Send"), "bot");
  EXPECT_EQ(Metrics::api_of("/audio/connect"), "voice");
  EXPECT_EQ(Metrics::api_of("/readyz"), "ops");
  EXPECT_EQ(Metrics::api_of("-"), "none");
  EXPECT_EQ(Metrics::api_of(""), "none");
}

TEST(MetricsTest, LoopbackAddresses) {
  EXPECT_TRUE(Metrics::is_loopback("127.0.0.1"));
  EXPECT_TRUE(Metrics::is_loopback("127.10.0.3"));
  EXPECT_TRUE(Metrics::is_loopback("::1"));
  EXPECT_TRUE(Metrics::is_loopback("::ffff:127.0.0.1"));
  EXPECT_FALSE(Metrics::is_loopback("10.0.0.1"));
  EXPECT_FALSE(Metrics::is_loopback("::ffff:10.0.0.1"));
  EXPECT_FALSE(Metrics::is_loopback("1270.0.0.1"));
  EXPECT_FALSE(Metrics::is_loopback(""));
}

TEST(MetricsTest, ObservedRequestsAppearInTheScrape) {
  Metrics metrics;
  http::Request req;
  req.route = "/IMessages/v1/Send";
  metrics.observe(req, 200, std::chrono::microseconds(1500));
  metrics.observe(req, 200, std::chrono::microseconds(2500));
  req.route = "";
  metrics.observe(req, 404, std::chrono::microseconds(10));
  std::string text = metrics.scrape();
  EXPECT_NE(
      text.find(
          R"(argon_http_requests_total{api="bot",route="/IMessages/v1/Send",status="200"} 2)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(argon_http_requests_total{api="none",route="-",status="404"} 1)"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          R"(argon_http_request_duration_seconds_bucket{api="bot",route="/IMessages/v1/Send",le="0.0025"} 2)"),
      std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
}

// A status outside the usual slots is still counted; a second Metrics never sees the first's
// counts through a thread's cache.
TEST(MetricsTest, RareStatusesAndSeparateInstances) {
  http::Request req;
  req.route = "/api/v1/me";
  {
    Metrics first;
    first.observe(req, 418, std::chrono::microseconds(5));
    first.observe(req, 418, std::chrono::microseconds(5));
    EXPECT_NE(first.scrape().find(
                  R"(argon_http_requests_total{api="client",route="/api/v1/me",status="418"} 2)"),
              std::string::npos);
  }
  Metrics second;
  second.observe(req, 200, std::chrono::microseconds(5));
  std::string text = second.scrape();
  EXPECT_NE(
      text.find(R"(argon_http_requests_total{api="client",route="/api/v1/me",status="200"} 1)"),
      std::string::npos);
  EXPECT_EQ(text.find("status=\"418\""), std::string::npos);
}

}  // namespace
}  // namespace argon::app
