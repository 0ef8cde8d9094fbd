#include "argon/http/cors.hpp"

#include <gtest/gtest.h>

#include "argon/http/router.hpp"

namespace argon::http {
namespace {

const std::string* header(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (iequals_ascii(n, name)) return &v;
  return nullptr;
}

std::size_t cors_headers(const Response& r) {
  std::size_t n = 0;
  for (const auto& [name, value] : r.headers)
    if (to_lower_ascii(name).starts_with("access-control-")) ++n;
  return n;
}

TEST(CorsOrigins, ParsesAListOfOriginsOrAStar) {
  auto list = parse_cors_origins(" https://App.Example.org , http://localhost:5173,,*");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list,
            (std::vector<std::string>{"https://app.example.org", "http://localhost:5173", "*"}));
  EXPECT_TRUE(parse_cors_origins("")->empty());
  EXPECT_TRUE(parse_cors_origins(" , ")->empty());
  EXPECT_EQ(parse_cors_origins("http://[::1]:8080")->front(), "http://[::1]:8080");
  EXPECT_EQ(parse_cors_origins("http://127.0.0.1")->front(), "http://127.0.0.1");
}

TEST(CorsOrigins, RefusesWhatIsNotAnOrigin) {
  for (std::string_view bad :
       {"app.example.org", "https://app.example.org/", "https://app.example.org/path", "https://",
        "://x", "https://app.example.org:", "https://app.example.org:80x",
        "https://user@app.example.org", "https://app.example.org?x", "null", "https://a b",
        "1http://x", "https://[::1", "https://[::1]x", "https://[]", "**"}) {
    std::string error;
    EXPECT_FALSE(parse_cors_origins(bad, &error)) << bad;
    EXPECT_NE(error.find(std::string(bad)), std::string::npos) << error;
  }
}

class Cors : public ::testing::Test {
 protected:
  CorsPolicy policy{CorsOptions{"/api/v1/",
                                {"https://app.example.org", "http://localhost:5173"},
                                "Authorization, Content-Type",
                                "Retry-After",
                                "GET, POST, PUT, PATCH, DELETE",
                                600}};
  Router router;
  void SetUp() override {
    auto ok = [](Request&) { return Response::json(200, "{}"); };
    router.add("GET", "/api/v1/spaces/{id}", ok);
    router.add("PATCH", "/api/v1/spaces/{id}", ok);
    router.add("DELETE", "/api/v1/spaces/{id}", ok);
    router.add("POST", "/IMessages/v1/Send", ok);
  }
  static Request request(std::string method, std::string path, HeaderList headers) {
    Request r;
    r.method = std::move(method);
    auto target = parse_target(path);
    r.path = target->path;
    r.segments = target->segments;
    r.headers = std::move(headers);
    return r;
  }
  Response serve(Request r) {
    Response res = router.dispatch(r);
    policy.apply(r, res);
    return res;
  }
};

TEST_F(Cors, MatchesExactOriginsUnderThePrefixOnly) {
  EXPECT_TRUE(policy.enabled());
  EXPECT_TRUE(policy.origin_allowed("https://app.example.org"));
  EXPECT_TRUE(policy.origin_allowed("http://localhost:5173"));
  EXPECT_FALSE(policy.origin_allowed("http://localhost:5174"));
  EXPECT_FALSE(policy.origin_allowed("https://app.example.org.evil.test"));
  EXPECT_FALSE(policy.origin_allowed("https://app.example.org/"));
  EXPECT_FALSE(policy.origin_allowed("http://app.example.org"));
  EXPECT_FALSE(policy.origin_allowed(""));
  EXPECT_FALSE(policy.origin_allowed("null"));
  EXPECT_TRUE(policy.applies_to("/api/v1/spaces"));
  EXPECT_FALSE(policy.applies_to("/api/v2/spaces"));
  EXPECT_FALSE(policy.applies_to("/IMessages/v1/Send"));
  EXPECT_FALSE(policy.applies_to("/api/v1"));

  CorsPolicy any{CorsOptions{"/api/v1/", {"*"}, "", "", "GET", 60}};
  EXPECT_TRUE(any.origin_allowed("https://anything.test"));
  EXPECT_FALSE(any.origin_allowed(""));

  CorsPolicy off;
  EXPECT_FALSE(off.enabled());
  EXPECT_FALSE(off.applies_to("/api/v1/spaces"));
  EXPECT_FALSE(off.origin_allowed("https://app.example.org"));
}

TEST_F(Cors, AnAllowedOriginGetsItsOriginBackOnEveryResponse) {
  Response r = serve(request("GET", "/api/v1/spaces/1", {{"origin", "https://app.example.org"}}));
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(header(r, "Access-Control-Allow-Origin"));
  EXPECT_EQ(*header(r, "Access-Control-Allow-Origin"), "https://app.example.org");
  EXPECT_EQ(*header(r, "Vary"), "Origin");
  EXPECT_EQ(*header(r, "Access-Control-Expose-Headers"), "Retry-After");
  EXPECT_FALSE(header(r, "Access-Control-Allow-Credentials"));
  EXPECT_FALSE(header(r, "Access-Control-Allow-Methods"));  // only on preflights

  // Errors too: a browser can read why.
  Response missing =
      serve(request("GET", "/api/v1/nothing", {{"origin", "http://localhost:5173"}}));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(*header(missing, "Access-Control-Allow-Origin"), "http://localhost:5173");
  Response wrong = serve(request("PUT", "/api/v1/spaces/1", {{"origin", "http://localhost:5173"}}));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(*header(wrong, "Access-Control-Allow-Origin"), "http://localhost:5173");
}

TEST_F(Cors, APreflightGetsThePathsMethods) {
  Response r = serve(request("OPTIONS", "/api/v1/spaces/1",
                             {{"origin", "https://app.example.org"},
                              {"access-control-request-method", "PATCH"},
                              {"access-control-request-headers", "authorization,content-type"}}));
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(*header(r, "Access-Control-Allow-Origin"), "https://app.example.org");
  EXPECT_EQ(*header(r, "Vary"), "Origin");
  EXPECT_EQ(*header(r, "Access-Control-Allow-Methods"), "DELETE, GET, HEAD, PATCH");
  EXPECT_EQ(*header(r, "Access-Control-Allow-Headers"), "Authorization, Content-Type");
  EXPECT_EQ(*header(r, "Access-Control-Max-Age"), "600");
  EXPECT_FALSE(header(r, "Access-Control-Allow-Credentials"));

  // A client API path without routes: the fallback list (the request itself will answer 404,
  // readable by the page).
  Response unknown = serve(
      request("OPTIONS", "/api/v1/nothing/here",
              {{"origin", "https://app.example.org"}, {"access-control-request-method", "POST"}}));
  EXPECT_EQ(unknown.status, 204);
  EXPECT_EQ(*header(unknown, "Access-Control-Allow-Methods"), "GET, POST, PUT, PATCH, DELETE");
}

TEST_F(Cors, WithoutAMatchingOriginNothingChanges) {
  const Request preflights[] = {
      // An origin not in the list.
      request("OPTIONS", "/api/v1/spaces/1",
              {{"origin", "https://evil.test"}, {"access-control-request-method", "GET"}}),
      // No Origin.
      request("OPTIONS", "/api/v1/spaces/1", {{"access-control-request-method", "GET"}}),
      // The Bot API.
      request("OPTIONS", "/IMessages/v1/Send",
              {{"origin", "https://app.example.org"}, {"access-control-request-method", "POST"}}),
  };
  for (const Request& p : preflights) {
    Response r = serve(p);
    EXPECT_EQ(r.status, 204);  // the router's ordinary OPTIONS answer
    EXPECT_EQ(cors_headers(r), 0u) << p.path;
    EXPECT_FALSE(header(r, "Vary"));
    EXPECT_TRUE(header(r, "Allow"));
  }
  Response unknown =
      serve(request("OPTIONS", "/api/v1/nothing",
                    {{"origin", "https://evil.test"}, {"access-control-request-method", "GET"}}));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(cors_headers(unknown), 0u);

  Response get = serve(request("GET", "/api/v1/spaces/1", {{"origin", "https://evil.test"}}));
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(cors_headers(get), 0u);
  Response bot =
      serve(request("POST", "/IMessages/v1/Send", {{"origin", "https://app.example.org"}}));
  EXPECT_EQ(cors_headers(bot), 0u);

  // CORS off: nothing, whatever the origin.
  CorsPolicy off;
  Request r =
      request("OPTIONS", "/api/v1/spaces/1",
              {{"origin", "https://app.example.org"}, {"access-control-request-method", "GET"}});
  Response res = router.dispatch(r);
  off.apply(r, res);
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(cors_headers(res), 0u);
}

TEST_F(Cors, AnOptionsRequestThatIsNoPreflightIsAnOrdinaryRequest) {
  Response r =
      serve(request("OPTIONS", "/api/v1/spaces/1", {{"origin", "https://app.example.org"}}));
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(header(r, "Allow"));
  EXPECT_EQ(*header(r, "Access-Control-Allow-Origin"), "https://app.example.org");
  EXPECT_FALSE(header(r, "Access-Control-Allow-Methods"));
}

}  // namespace
}  // namespace argon::http
