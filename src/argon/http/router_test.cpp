#include "argon/http/router.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <optional>
#include <stdexcept>

namespace argon::http {
namespace {

Request make_request(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = target;
  auto parsed = parse_target(target);
  EXPECT_TRUE(parsed.has_value()) << target;
  if (parsed) {
    r.path = parsed->path;
    r.segments = parsed->segments;
    r.query = parsed->query;
  }
  return r;
}

Handler reply(std::string text) {
  return [text](Request&) { return Response::json(200, text); };
}

TEST(RouterTest, AsyncHandlerAnswersLater) {
  Router router;
  Respond saved;
  router.add("POST", "/later",
             AsyncHandler([&saved](Request&, Respond respond) { saved = std::move(respond); }));
  auto req = make_request("POST", "/later");
  std::optional<Response> answer;
  router.dispatch(req, [&answer](Response r) { answer = std::move(r); });
  EXPECT_FALSE(answer.has_value());
  ASSERT_TRUE(saved);
  saved(Response::json(201, "{}"));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 201);
  // The synchronous form refuses a handler that did not answer before returning.
  Router later;
  later.add("GET", "/x", AsyncHandler([](Request&, Respond) {}));
  auto x = make_request("GET", "/x");
  EXPECT_THROW(later.dispatch(x), std::logic_error);
}

TEST(RouterTest, ExtractsParams) {
  Router router;
  router.add("GET", "/api/v1/spaces/{spaceId}/members/{userId}", reply("member"));
  auto req = make_request("GET", "/api/v1/spaces/s%201/members/u2");
  auto m = router.match(req);
  ASSERT_TRUE(m.matched());
  std::string body;
  (*m.handler)(req, [&body](Response r) { body = r.body; });
  EXPECT_EQ(body, "member");
  ASSERT_NE(req.param("spaceId"), nullptr);
  EXPECT_EQ(*req.param("spaceId"), "s 1");
  ASSERT_NE(req.param("userId"), nullptr);
  EXPECT_EQ(*req.param("userId"), "u2");
  EXPECT_EQ(req.param("other"), nullptr);
}

TEST(RouterTest, TrailingAndDoubleSlashesAreIgnored) {
  Router router;
  router.add("GET", "/a/b", reply("ab"));
  auto req = make_request("GET", "//a///b/");
  EXPECT_EQ(router.dispatch(req).body, "ab");
}

TEST(RouterTest, CaseInsensitiveLiteralsOnlyWhenAsked) {
  Router router;
  router.add("POST", "/IMessages/v1/{method}", reply("ci"), {.case_insensitive = true});
  router.add("POST", "/Exact/v1", reply("exact"));
  auto a = make_request("POST", "/imessages/V1/Send");
  EXPECT_EQ(router.dispatch(a).body, "ci");
  EXPECT_EQ(*a.param("method"), "Send");  // params keep their case
  auto b = make_request("POST", "/exact/v1");
  EXPECT_EQ(router.dispatch(b).status, 404);
  auto c = make_request("POST", "/Exact/v1");
  EXPECT_EQ(router.dispatch(c).body, "exact");
}

TEST(RouterTest, LiteralBeatsParamRegardlessOfOrder) {
  Router router;
  router.add("GET", "/users/{id}", reply("param"));
  router.add("GET", "/users/me", reply("literal"));
  router.add("GET", "/{a}/{b}/x", reply("two-params"));
  router.add("GET", "/{a}/lit/x", reply("second-literal"));
  auto me = make_request("GET", "/users/me");
  EXPECT_EQ(router.dispatch(me).body, "literal");
  EXPECT_TRUE(me.params.empty());
  auto other = make_request("GET", "/users/42");
  EXPECT_EQ(router.dispatch(other).body, "param");
  auto x = make_request("GET", "/q/lit/x");
  EXPECT_EQ(router.dispatch(x).body, "second-literal");
}

TEST(RouterTest, MethodMismatchFallsBackToMatchingParamRoute) {
  Router router;
  router.add("GET", "/a/{x}", reply("get-param"));
  router.add("POST", "/a/b", reply("post-literal"));
  auto get = make_request("GET", "/a/b");
  EXPECT_EQ(router.dispatch(get).body, "get-param");
}

TEST(RouterTest, UnknownPathIs404Json) {
  Router router;
  router.add("GET", "/a", reply("a"));
  auto req = make_request("GET", "/b");
  auto m = router.match(req);
  ASSERT_FALSE(m.matched());
  ASSERT_TRUE(m.response.has_value());
  EXPECT_EQ(m.response->status, 404);
  auto body = boost::json::parse(m.response->body).as_object();
  EXPECT_EQ(body.at("error").as_string(), "not_found");
  EXPECT_TRUE(body.at("message").is_string());
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router;
  router.add("GET", "/items/{id}", reply("get"));
  router.add("DELETE", "/items/{id}", reply("delete"));
  router.add("PUT", "/items/special", reply("put"));
  auto req = make_request("POST", "/items/special");
  auto res = router.dispatch(req);
  EXPECT_EQ(res.status, 405);
  auto body = boost::json::parse(res.body).as_object();
  EXPECT_EQ(body.at("error").as_string(), "method_not_allowed");
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].first, "Allow");
  EXPECT_EQ(res.headers[0].second, "DELETE, GET, HEAD, OPTIONS, PUT");
}

TEST(RouterTest, HeadUsesGetAndOptionsListsMethods) {
  Router router;
  router.add("GET", "/r", reply("get"));
  router.add("POST", "/r", reply("post"));
  auto head = make_request("HEAD", "/r");
  EXPECT_EQ(router.dispatch(head).body, "get");
  auto options = make_request("OPTIONS", "/r");
  auto res = router.dispatch(options);
  EXPECT_EQ(res.status, 204);
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].second, "GET, HEAD, OPTIONS, POST");
  auto missing = make_request("OPTIONS", "/nothing");
  EXPECT_EQ(router.dispatch(missing).status, 404);
}

TEST(RouterTest, RejectsBadPatterns) {
  Router router;
  EXPECT_THROW(router.add("GET", "no-slash", reply("")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{}", reply("")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{x", reply("")), std::invalid_argument);
}

TEST(TargetTest, DecodesPathAndQuery) {
  auto t = parse_target("/a%20b/c%2Fd?x=1+2&Name=%C3%A9&flag&bad=%zz&=v");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/a b/c/d");
  ASSERT_EQ(t->segments.size(), 2u);
  EXPECT_EQ(t->segments[0], "a b");
  EXPECT_EQ(t->segments[1], "c/d");
  ASSERT_EQ(t->query.size(), 5u);
  EXPECT_EQ(t->query[0], (std::pair<std::string, std::string>("x", "1 2")));
  EXPECT_EQ(t->query[1].second, "\xC3\xA9");
  EXPECT_EQ(t->query[2], (std::pair<std::string, std::string>("flag", "")));
  EXPECT_EQ(t->query[3].second, "%zz");  // lenient in the query
  EXPECT_EQ(t->query[4].first, "");

  Request r;
  r.query = t->query;
  ASSERT_NE(r.query_param("name"), nullptr);
  EXPECT_EQ(*r.query_param("NAME"), "\xC3\xA9");
}

TEST(TargetTest, PlusStaysInPathAndAbsoluteFormWorks) {
  auto t = parse_target("http://example.com:80/a+b?q");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/a+b");
  EXPECT_EQ(t->query.size(), 1u);
}

TEST(TargetTest, RejectsBadPercentEncodingInPath) {
  EXPECT_FALSE(parse_target("/a%2").has_value());
  EXPECT_FALSE(parse_target("/a%g0/b").has_value());
  EXPECT_FALSE(parse_target("*").has_value());
  EXPECT_FALSE(parse_target("").has_value());
}

TEST(ResponseTest, ErrorBodyIsEscapedJson) {
  auto r = Response::error(400, "validation_error", std::string_view("bad \"field\"\n"),
                           {{"X-Extra", "1"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"error":"validation_error","message":"bad \"field\"\n"})");
  EXPECT_EQ(r.headers.size(), 1u);
  auto n = Response::error(401, "unauthorized", std::nullopt);
  EXPECT_EQ(n.body, R"({"error":"unauthorized","message":null})");
  auto e = Response::empty(204);
  EXPECT_TRUE(e.body.empty());
  EXPECT_TRUE(e.content_type.empty());
  EXPECT_EQ(status_reason(404), "Not Found");
}

}  // namespace
}  // namespace argon::http
