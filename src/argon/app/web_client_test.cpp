#include "argon/app/web_client.hpp"

#include <gtest/gtest.h>

#include "argon/app/web_assets.hpp"

namespace argon::app {
namespace {

const WebAsset kFiles[] = {
    {"/index.html", "text/html; charset=utf-8", "<html>", "GZ-html", "", false},
    {"/assets/main-ABC.js", "text/javascript; charset=utf-8", "js();", "GZ-js", "BR-js", true},
    {"/assets/tiny-DEF.css", "text/css; charset=utf-8", "a{}", "", "", true},
};

const std::string* header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (http::iequals_ascii(k, name)) return &v;
  return nullptr;
}

struct WebClientTest : ::testing::Test {
  http::Router router;
  http::AsyncHandler root = register_web_client(router, kFiles);

  http::Response get(std::string path, std::optional<std::string> accept = std::nullopt,
                     std::string method = "GET") {
    http::Request req;
    req.method = method;
    req.path = path;
    auto parsed = http::parse_target(path);
    req.segments = parsed->segments;
    if (accept) req.headers.emplace_back("accept-encoding", *accept);
    if (path == "/") {
      std::optional<http::Response> out;
      root(req, [&](http::Response r) { out = std::move(r); });
      return *out;
    }
    return router.dispatch(req);
  }
};

TEST_F(WebClientTest, IndexIsNotCachedAndLocksThePageDown) {
  auto r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<html>");
  EXPECT_EQ(*header(r, "cache-control"), "no-cache");
  EXPECT_EQ(*header(r, "vary"), "Accept-Encoding");
  EXPECT_EQ(header(r, "content-encoding"), nullptr);
  EXPECT_NE(header(r, "content-security-policy")->find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(*header(r, "referrer-policy"), "no-referrer");
  EXPECT_EQ(*header(r, "x-content-type-options"), "nosniff");
}

TEST_F(WebClientTest, ClientSideRoutesServeTheIndex) {
  for (const char* path : {"/app", "/app/s1", "/app/s1/c1", "/invite/abc", "/developers"}) {
    auto r = get(path, "gzip");
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "GZ-html") << path;
    EXPECT_EQ(*header(r, "content-encoding"), "gzip") << path;
  }
  EXPECT_EQ(get("/app/a/b/c").status, 404);
  EXPECT_EQ(get("/invite").status, 404);
  EXPECT_EQ(get("/developers/x").status, 404);
}

TEST_F(WebClientTest, HashedAssetsAreImmutableAndCompressedWhenAccepted) {
  auto plain = get("/assets/main-ABC.js");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(plain.body, "js();");
  EXPECT_EQ(*header(plain, "cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(*header(plain, "vary"), "Accept-Encoding");
  EXPECT_EQ(header(plain, "content-security-policy"), nullptr);

  auto gz = get("/assets/main-ABC.js", "gzip, deflate");
  EXPECT_EQ(gz.body, "GZ-js");
  EXPECT_EQ(*header(gz, "content-encoding"), "gzip");
  auto br = get("/assets/main-ABC.js", "gzip, br");
  EXPECT_EQ(br.body, "BR-js");
  EXPECT_EQ(*header(br, "content-encoding"), "br");
  auto refused = get("/assets/main-ABC.js", "gzip;q=0, br;q=0");
  EXPECT_EQ(refused.body, "js();");
  EXPECT_EQ(header(refused, "content-encoding"), nullptr);

  // Nothing smaller to offer: identity, and no Vary.
  auto tiny = get("/assets/tiny-DEF.css", "gzip, br");
  EXPECT_EQ(tiny.body, "a{}");
  EXPECT_EQ(tiny.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(header(tiny, "content-encoding"), nullptr);
  EXPECT_EQ(header(tiny, "vary"), nullptr);
}

TEST_F(WebClientTest, UnknownAssetsAre404AndHeadWorks) {
  EXPECT_EQ(get("/assets/nope.js").status, 404);
  EXPECT_EQ(get("/assets/index.html").status, 404);
  auto head = get("/assets/main-ABC.js", std::nullopt, "HEAD");
  EXPECT_EQ(head.status, 200);  // the server drops the body of a HEAD answer
  EXPECT_EQ(*header(head, "cache-control"), "public, max-age=31536000, immutable");
}

TEST(WebClientEmpty, WithoutAssetsNothingIsAdded) {
  http::Router router;
  EXPECT_FALSE(register_web_client(router, {}));
  EXPECT_EQ(router.size(), 0u);
}

}  // namespace
}  // namespace argon::app
