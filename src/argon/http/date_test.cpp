#include "argon/http/date.hpp"

#include <gtest/gtest.h>

namespace argon::http {
namespace {

TEST(HttpDateTest, FormatsImfFixdate) {
  char buf[32];
  EXPECT_EQ(format_http_date(784111777, buf), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's
  EXPECT_EQ(format_http_date(0, buf), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(1796428800, buf), "Sat, 05 Dec 2026 00:00:00 GMT");
}

TEST(HttpDateTest, NowIsCurrentAndWellFormed) {
  auto now = std::string(http_date_now());
  EXPECT_EQ(now.size(), 29u);
  EXPECT_EQ(now.substr(now.size() - 4), " GMT");
  EXPECT_EQ(http_date_now().size(), 29u);
}

}  // namespace
}  // namespace argon::http
