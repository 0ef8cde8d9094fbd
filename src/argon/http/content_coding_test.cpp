#include "argon/http/content_coding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace argon::http {
namespace {

bool accepts(const char* header, std::string_view coding) {
  std::string h = header;
  return accepts_coding(&h, coding);
}

TEST(ContentCoding, NoHeaderMeansIdentityOnly) {
  EXPECT_FALSE(accepts_coding(nullptr, "gzip"));
  EXPECT_FALSE(accepts("", "gzip"));
  EXPECT_FALSE(accepts("identity", "gzip"));
}

TEST(ContentCoding, ListedCodings) {
  EXPECT_TRUE(accepts("gzip", "gzip"));
  EXPECT_TRUE(accepts("gzip, deflate, br", "br"));
  EXPECT_TRUE(accepts("deflate,GZIP", "gzip"));
  EXPECT_TRUE(accepts("x-gzip", "gzip"));
  EXPECT_FALSE(accepts("gzip, deflate", "br"));
  EXPECT_FALSE(accepts("gzipped", "gzip"));
}

TEST(ContentCoding, QValues) {
  EXPECT_TRUE(accepts("gzip;q=0.5", "gzip"));
  EXPECT_TRUE(accepts("gzip ; q=1.000", "gzip"));
  EXPECT_FALSE(accepts("gzip;q=0", "gzip"));
  EXPECT_FALSE(accepts("gzip;q=0.000", "gzip"));
  EXPECT_FALSE(accepts("gzip;q=2", "gzip"));     // malformed: not accepted
  EXPECT_FALSE(accepts("gzip;q=0.5x", "gzip"));  // malformed
  EXPECT_TRUE(accepts("br;q=0, gzip;q=0.8", "gzip"));
  EXPECT_FALSE(accepts("br;q=0, gzip;q=0.8", "br"));
}

TEST(ContentCoding, Wildcard) {
  EXPECT_TRUE(accepts("*", "gzip"));
  EXPECT_TRUE(accepts("identity, *;q=0.1", "br"));
  EXPECT_FALSE(accepts("*;q=0", "gzip"));
  EXPECT_FALSE(accepts("gzip;q=0, *", "gzip"));  // the explicit refusal wins
  EXPECT_TRUE(accepts("gzip, *;q=0", "gzip"));
}

}  // namespace
}  // namespace argon::http
