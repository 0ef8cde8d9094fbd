#include "argon/events/stream_ids.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace argon::events {
namespace {

const Uuid kA = *Uuid::parse("0123456789abcdef0123456789abcdef");
const Uuid kB = *Uuid::parse("fedcba9876543210fedcba9876543210");
const Uuid kBot = *Uuid::parse("11111111222233334444555555555555");
const std::string kHexA = "0123456789abcdef0123456789abcdef";
const std::string kHexB = "fedcba9876543210fedcba9876543210";

EventRecord record(std::string stream, std::int64_t seq, std::optional<Uuid> space = {}) {
  return EventRecord{std::move(stream), seq, 1, "messageCreate", space, "{}", 0};
}

TEST(WireEventId, SpaceEventIsHexUnderscoreSeq) {
  EXPECT_EQ(wire_event_id(record(space_stream(kA), 42, kA)), kHexA + "_42");
  // Derived from the stream when the record carries no space id.
  EXPECT_EQ(wire_event_id(record(space_stream(kB), 7)), kHexB + "_7");
}

TEST(WireEventId, BotStreamIsDirect) {
  EXPECT_EQ(wire_event_id(record(bot_stream(kBot), 5)), "direct_5");
  // A direct event about a space (install/uninstall) is still a direct one.
  EXPECT_EQ(wire_event_id(record(bot_stream(kBot), 6, kA)), "direct_6");
}

TEST(WireEventId, UserStreamIsUser) {
  EXPECT_EQ(wire_event_id(record(user_stream(kBot), 3)), "user_3");
}

TEST(StreamNames, Prefixes) {
  EXPECT_EQ(space_stream(kA), "space:" + kA.str());
  EXPECT_EQ(bot_stream(kBot), "bot:" + kBot.str());
  EXPECT_EQ(user_stream(kBot), "user:" + kBot.str());
}

TEST(SseFrame, IdEventDataBlankLine) {
  EXPECT_EQ(sse_frame("abc_1", "messageCreate", R"({"a":1})"),
            "id: abc_1\nevent: messageCreate\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(sse_frame("ready", "ready", "{}"), "id: ready\nevent: ready\ndata: {}\n\n");
}

TEST(FormatCursor, EmptyIsZero) {
  EXPECT_EQ(format_cursor({}), "0");
}

TEST(FormatCursor, SpacesFirstDirectLast) {
  Cursor c{{space_stream(kB), 3}, {bot_stream(kBot), 9}, {space_stream(kA), 5}};
  EXPECT_EQ(format_cursor(c), kHexA + ":5," + kHexB + ":3,direct:9");
}

TEST(FormatCursor, UserStreamLast) {
  Cursor c{{user_stream(kBot), 4}, {space_stream(kA), 1}};
  EXPECT_EQ(format_cursor(c), kHexA + ":1,user:4");
}

TEST(FormatCursor, OnlyOwnStream) {
  EXPECT_EQ(format_cursor({{bot_stream(kBot), 0}}), "direct:0");
  EXPECT_EQ(format_cursor({{user_stream(kBot), 2}}), "user:2");
}

TEST(FormatCursor, OnlySpaces) {
  EXPECT_EQ(format_cursor({{space_stream(kA), 0}, {space_stream(kB), 12}}),
            kHexA + ":0," + kHexB + ":12");
}

TEST(ParseResumeToken, CursorWithSeveralSpacesAndDirect) {
  auto own = bot_stream(kBot);
  auto t = parse_resume_token(kHexA + ":5," + kHexB + ":3,direct:9", own);
  EXPECT_FALSE(t.event);
  EXPECT_FALSE(t.empty());
  Cursor want{{space_stream(kA), 5}, {space_stream(kB), 3}, {own, 9}};
  EXPECT_EQ(t.cursor, want);
}

TEST(ParseResumeToken, CursorUserKeyMapsToOwnStream) {
  auto own = user_stream(kBot);
  auto t = parse_resume_token(kHexA + ":1,user:4", own);
  Cursor want{{space_stream(kA), 1}, {own, 4}};
  EXPECT_EQ(t.cursor, want);
}

TEST(ParseResumeToken, SingleSpaceEventId) {
  auto t = parse_resume_token(kHexA + "_42", bot_stream(kBot));
  EXPECT_TRUE(t.cursor.empty());
  ASSERT_TRUE(t.event);
  EXPECT_EQ(t.event->first, space_stream(kA));
  EXPECT_EQ(t.event->second, 42);
}

TEST(ParseResumeToken, DirectEventId) {
  auto own = bot_stream(kBot);
  auto t = parse_resume_token("direct_7", own);
  ASSERT_TRUE(t.event);
  EXPECT_EQ(t.event->first, own);
  EXPECT_EQ(t.event->second, 7);
}

TEST(ParseResumeToken, UserEventId) {
  auto own = user_stream(kBot);
  auto t = parse_resume_token("user_3", own);
  ASSERT_TRUE(t.event);
  EXPECT_EQ(t.event->first, own);
  EXPECT_EQ(t.event->second, 3);
}

TEST(ParseResumeToken, UppercaseHex) {
  std::string upper = "0123456789ABCDEF0123456789ABCDEF";
  auto t = parse_resume_token(upper + ":8", bot_stream(kBot));
  EXPECT_EQ(t.cursor, (Cursor{{space_stream(kA), 8}}));
  auto e = parse_resume_token(upper + "_8", bot_stream(kBot));
  ASSERT_TRUE(e.event);
  EXPECT_EQ(e.event->first, space_stream(kA));
}

TEST(ParseResumeToken, SpacesAroundCommasAndEnds) {
  auto own = bot_stream(kBot);
  auto t = parse_resume_token("  " + kHexA + ":5 , " + kHexB + ":3 ,direct:9  ", own);
  Cursor want{{space_stream(kA), 5}, {space_stream(kB), 3}, {own, 9}};
  EXPECT_EQ(t.cursor, want);
  auto e = parse_resume_token(" direct_2 ", own);
  ASSERT_TRUE(e.event);
  EXPECT_EQ(e.event->second, 2);
}

TEST(ParseResumeToken, GarbageIsEmpty) {
  auto own = bot_stream(kBot);
  for (const std::string& text :
       std::vector<std::string>{"",
                                "   ",
                                "ready",
                                "resumed",
                                "0",
                                " 0 ",
                                "garbage",
                                "42",
                                "nothex_5",
                                kHexA + "_x",
                                kHexA + "_-1",
                                kHexA + "_",
                                "_5",
                                "direct_",
                                "direct_abc",
                                kHexA + ":-1",
                                kHexA + ":x",
                                "nothex:5",
                                ":5",
                                "a,b,c",
                                kA.str() + "_5" /* dashed ids are not wire ids */,
                                kHexA.substr(0, 31) + "_5"}) {
    auto t = parse_resume_token(text, own);
    EXPECT_TRUE(t.empty()) << "token: '" << text << "'";
  }
}

TEST(ParseResumeToken, InvalidCursorPartsAreSkipped) {
  auto own = bot_stream(kBot);
  auto t = parse_resume_token("nothex:5," + kHexB + ":3,direct:x", own);
  EXPECT_EQ(t.cursor, (Cursor{{space_stream(kB), 3}}));
}

TEST(ParseResumeToken, FormatRoundTrip) {
  auto own = bot_stream(kBot);
  Cursor c{{space_stream(kA), 5}, {space_stream(kB), 0}, {own, 11}};
  EXPECT_EQ(parse_resume_token(format_cursor(c), own).cursor, c);
}

}  // namespace
}  // namespace argon::events
