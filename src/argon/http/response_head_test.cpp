#include "argon/http/response_head.hpp"

#include <gtest/gtest.h>

namespace argon::http::detail {
namespace {

// The head without its Date line (the clock's), for exact comparisons.
std::string without_date(std::string head) {
  auto at = head.find("Date: ");
  EXPECT_NE(at, std::string::npos) << head;
  auto end = head.find("\r\n", at);
  head.erase(at, end + 2 - at);
  return head;
}

TEST(ResponseHeadTest, StatusContentTypeHeadersInOrderThenDateAndLength) {
  Response r = Response::json(201, R"({"ok":true})");
  r.headers.emplace_back("X-Request-Id", "abc");
  r.headers.emplace_back("Vary", "Origin");
  auto head = response_head(r, 11, true, r.body.size());
  ASSERT_TRUE(head);
  EXPECT_EQ(head->rfind("HTTP/1.1 201 Created\r\n", 0), 0u) << *head;
  EXPECT_NE(head->find("\r\nDate: "), std::string::npos);
  EXPECT_EQ(without_date(*head),
            "HTTP/1.1 201 Created\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "X-Request-Id: abc\r\n"
            "Vary: Origin\r\n"
            "Content-Length: 11\r\n"
            "\r\n");
}

TEST(ResponseHeadTest, ConnectionFollowsTheVersion) {
  Response r = Response::empty(200);
  auto close11 = response_head(r, 11, false, 0);
  auto keep11 = response_head(r, 11, true, 0);
  auto close10 = response_head(r, 10, false, 0);
  auto keep10 = response_head(r, 10, true, 0);
  ASSERT_TRUE(close11 && keep11 && close10 && keep10);
  EXPECT_NE(close11->find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(keep11->find("Connection:"), std::string::npos);   // HTTP/1.1 keeps alive by default
  EXPECT_EQ(close10->find("Connection:"), std::string::npos);  // HTTP/1.0 closes by default
  EXPECT_NE(keep10->find("Connection: keep-alive\r\n"), std::string::npos);
  EXPECT_EQ(keep10->rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  EXPECT_NE(keep11->find("Content-Length: 0\r\n"), std::string::npos);
}

TEST(ResponseHeadTest, NoContentLengthWhereThereIsNoBody) {
  for (int status : {101, 204, 304}) {
    Response r = Response::empty(status);
    auto head = response_head(r, 11, true, 0);
    ASSERT_TRUE(head) << status;
    EXPECT_EQ(head->find("Content-Length"), std::string::npos) << *head;
    EXPECT_FALSE(status_has_body(status));
  }
  EXPECT_TRUE(status_has_body(200));
  EXPECT_TRUE(status_has_body(404));
}

TEST(ResponseHeadTest, TheServersOwnHeadersFromAHandlerAreLeftOut) {
  Response r = Response::json(200, "{}");
  r.headers.emplace_back("content-length", "999");
  r.headers.emplace_back("Transfer-Encoding", "chunked");
  r.headers.emplace_back("CONNECTION", "upgrade");
  r.headers.emplace_back("Date", "yesterday");
  r.headers.emplace_back("Cache-Control", "no-store");
  auto head = response_head(r, 11, true, 2);
  ASSERT_TRUE(head);
  EXPECT_EQ(without_date(*head),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "Content-Length: 2\r\n"
            "\r\n");
}

TEST(ResponseHeadTest, RefusesWhatCannotBeSent) {
  Response bad_status = Response::json(99, "{}");
  EXPECT_FALSE(response_head(bad_status, 11, true, 2));
  bad_status.status = 1000;
  EXPECT_FALSE(response_head(bad_status, 11, true, 2));

  // Response splitting: a value with CR or LF (or NUL), a name that is not a token.
  for (std::string value : {std::string("a\r\nSet-Cookie: x=1"), std::string("a\nb"),
                            std::string("a\rb"), std::string("a\0b", 3)}) {
    Response r = Response::json(200, "{}");
    r.headers.emplace_back("X-Echo", value);
    EXPECT_FALSE(response_head(r, 11, true, 2)) << value;
  }
  for (std::string name : {"", "Bad Name", "Bad:Name", "X-\xc3\xa9"}) {
    Response r = Response::json(200, "{}");
    r.headers.emplace_back(name, "v");
    EXPECT_FALSE(response_head(r, 11, true, 2)) << name;
  }
  Response ct = Response::json(200, "{}");
  ct.content_type = "text/plain\r\nX-Injected: 1";
  EXPECT_FALSE(response_head(ct, 11, true, 2));
}

}  // namespace
}  // namespace argon::http::detail
