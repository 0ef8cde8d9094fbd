#include "argon/wire/json_in.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace argon::wire {
namespace {

namespace json = boost::json;

template <class T>
std::string message(const Result<T>& r) {
  return r.ok() ? "" : r.error().message.value_or("");
}

json::object obj(std::string_view text) {
  return json::parse(text).as_object();
}

constexpr std::array<std::string_view, 3> kKinds = {"typing", "thinking", "uploading"};

TEST(ParseObjectTest, ParsesObjectsAndRejectsOthers) {
  auto ok = parse_object(R"({"a":1})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("a").as_int64(), 1);
  auto empty = parse_object("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(parse_object("  \n"));
  auto bad = parse_object("{not json");
  EXPECT_EQ(message(bad), "body: invalid JSON");
  EXPECT_EQ(bad.error().status, 400);
  EXPECT_EQ(bad.error().code, "validation_error");
  EXPECT_EQ(message(parse_object("[1,2]")), "body: expected a JSON object");
  EXPECT_EQ(message(parse_object("42")), "body: expected a JSON object");
  EXPECT_EQ(message(parse_object("null")), "body: expected a JSON object");
  EXPECT_EQ(message(parse_object(R"({"a":1} trailing)")), "body: invalid JSON");
}

TEST(ObjectReaderTest, FindIsCaseInsensitiveAndNullIsAbsent) {
  auto o = obj(R"({"ChannelID":"x","empty":null,"exact":1,"EXACT":2})");
  ObjectReader r(o);
  ASSERT_NE(r.find("channelId"), nullptr);
  EXPECT_EQ(r.find("channelId")->as_string(), "x");
  EXPECT_EQ(r.find("empty"), nullptr);
  EXPECT_FALSE(r.has("empty"));
  EXPECT_FALSE(r.has("missing"));
  EXPECT_EQ(r.find("exact")->as_int64(), 1);  // exact match wins
  EXPECT_EQ(r.find("Exact")->as_int64(), 1);  // else first case-insensitive match
}

TEST(ObjectReaderTest, Paths) {
  json::object o;
  EXPECT_EQ(ObjectReader(o).path("label"), "label");
  EXPECT_EQ(ObjectReader(o, "controls[0]").path("label"), "controls[0].label");
  EXPECT_EQ(index_path("controls", 3), "controls[3]");
}

TEST(ObjectReaderTest, Strings) {
  auto o = obj(R"({"text":"hi","num":5,"nil":null})");
  ObjectReader r(o, "msg");
  EXPECT_EQ(*r.required_string("TEXT"), "hi");
  EXPECT_EQ(message(r.required_string("missing")), "msg.missing: required");
  EXPECT_EQ(message(r.required_string("nil")), "msg.nil: required");
  EXPECT_EQ(message(r.required_string("num")), "msg.num: must be a string");
  EXPECT_EQ(**r.optional_string("text"), "hi");
  EXPECT_FALSE(*r.optional_string("missing"));
  EXPECT_FALSE(*r.optional_string("nil"));
  EXPECT_EQ(message(r.optional_string("num")), "msg.num: must be a string");
}

TEST(ObjectReaderTest, IntegersAreLenient) {
  auto o = obj(R"({"a":42,"b":"42","c":42.0,"d":"-7","e":"+3","f":1e2,
                   "g":42.5,"h":"4x","i":true,"j":"","k":"42.0","big":18446744073709551615,
                   "bigs":"99999999999999999999","l":[1]})");
  ObjectReader r(o);
  EXPECT_EQ(*r.required_int("a", 0, 100), 42);
  EXPECT_EQ(*r.required_int("b", 0, 100), 42);
  EXPECT_EQ(*r.required_int("c", 0, 100), 42);
  EXPECT_EQ(*r.required_int("d", -10, 100), -7);
  EXPECT_EQ(*r.required_int("e", 0, 100), 3);
  EXPECT_EQ(*r.required_int("f", 0, 100), 100);
  for (const char* name : {"g", "h", "i", "j", "k", "l"}) {
    EXPECT_EQ(message(r.required_int(name, 0, 100)), std::string(name) + ": must be an integer");
  }
  EXPECT_EQ(message(r.required_int("big", 0, 100)), "big: must be between 0 and 100");
  EXPECT_EQ(message(r.required_int("bigs", 0, 100)), "bigs: must be between 0 and 100");
  EXPECT_EQ(message(r.required_int("missing", 0, 100)), "missing: required");
}

TEST(ObjectReaderTest, IntegerRangeBounds) {
  auto o = obj(R"({"limit":1,"high":100,"low":0,"over":101})");
  ObjectReader r(o);
  EXPECT_EQ(*r.required_int("limit", 1, 100), 1);
  EXPECT_EQ(*r.required_int("high", 1, 100), 100);
  EXPECT_EQ(message(r.required_int("low", 1, 100)), "low: must be between 1 and 100");
  EXPECT_EQ(message(r.required_int("over", 1, 100)), "over: must be between 1 and 100");
  EXPECT_EQ(message(r.optional_int("over", 1, 100)), "over: must be between 1 and 100");
  EXPECT_EQ(**r.optional_int("limit", 1, 100), 1);
  EXPECT_FALSE(*r.optional_int("missing", 1, 100));
}

TEST(ObjectReaderTest, Int64ExtremesAndNumericStrings) {
  auto o =
      obj(R"({"id":"9223372036854775807","n":9223372036854775807,"neg":-9223372036854775808})");
  ObjectReader r(o);
  const auto max = std::numeric_limits<std::int64_t>::max();
  const auto min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(*r.required_int("id", min, max), max);
  EXPECT_EQ(*r.required_int("n", min, max), max);
  EXPECT_EQ(*r.required_int("neg", min, max), min);
}

// Integer literals past int64 arrive as doubles; the nearest double to the one just below the
// minimum *is* the minimum, so it used to be read as -9223372036854775808 (a collision).
TEST(ObjectReaderTest, IntegersPastInt64AreOutOfRangeNotClamped) {
  auto o = obj(R"({"below":-9223372036854775809,"far":-1e30,"above":9223372036854775808,)"
               R"("huge":18446744073709551616,"str":"-9223372036854775809"})");
  ObjectReader r(o);
  const auto max = std::numeric_limits<std::int64_t>::max();
  const auto min = std::numeric_limits<std::int64_t>::min();
  for (const char* name : {"below", "far", "above", "huge", "str"}) {
    auto v = r.required_int(name, min, max);
    ASSERT_FALSE(v) << name;
    EXPECT_EQ(message(v).rfind(std::string(name) + ": must be between", 0), 0u) << message(v);
  }
}

TEST(ObjectReaderTest, Numbers) {
  auto o = obj(R"({"a":0.5,"b":"0.72","c":3,"d":"x","e":true,"f":"1e400"})");
  ObjectReader r(o);
  EXPECT_DOUBLE_EQ(**r.optional_number("a"), 0.5);
  EXPECT_DOUBLE_EQ(**r.optional_number("b"), 0.72);
  EXPECT_DOUBLE_EQ(**r.optional_number("c"), 3.0);
  EXPECT_FALSE(*r.optional_number("missing"));
  EXPECT_EQ(message(r.optional_number("d")), "d: must be a number");
  EXPECT_EQ(message(r.optional_number("e")), "e: must be a number");
  EXPECT_EQ(message(r.optional_number("f")), "f: must be a number");
}

TEST(ObjectReaderTest, Booleans) {
  auto o = obj(R"({"a":true,"b":"false","c":"TRUE","d":1,"e":"yes"})");
  ObjectReader r(o);
  EXPECT_TRUE(**r.optional_bool("a"));
  EXPECT_FALSE(**r.optional_bool("b"));
  EXPECT_TRUE(**r.optional_bool("c"));
  EXPECT_FALSE(*r.optional_bool("missing"));
  EXPECT_EQ(message(r.optional_bool("d")), "d: must be a boolean");
  EXPECT_EQ(message(r.optional_bool("e")), "e: must be a boolean");
}

TEST(ObjectReaderTest, Uuids) {
  auto o = obj(R"({"channelId":"D3B07384-D9A0-4C9B-8A3D-1234567890AB","bad":"nope","num":1})");
  ObjectReader r(o);
  auto id = r.required_uuid("channelid");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->str(), "d3b07384-d9a0-4c9b-8a3d-1234567890ab");
  EXPECT_EQ(message(r.required_uuid("spaceId")), "spaceId: required");
  EXPECT_EQ(message(r.required_uuid("bad")), "bad: must be a UUID");
  EXPECT_EQ(message(r.required_uuid("num")), "num: must be a UUID");
  EXPECT_FALSE(*r.optional_uuid("missing"));
  EXPECT_EQ(message(r.optional_uuid("bad")), "bad: must be a UUID");
  EXPECT_TRUE(**r.optional_uuid("channelId") == *id);
}

TEST(ObjectReaderTest, Enums) {
  auto o = obj(R"({"a":1,"b":"Thinking","c":"UPLOADING","d":3,"e":"sleeping","f":"2","g":-1,
                   "h":1.0,"i":true})");
  ObjectReader r(o);
  EXPECT_EQ(*r.required_enum("a", kKinds), 1);
  EXPECT_EQ(*r.required_enum("b", kKinds), 1);
  EXPECT_EQ(*r.required_enum("c", kKinds), 2);
  EXPECT_EQ(*r.required_enum("f", kKinds), 2);
  EXPECT_EQ(*r.required_enum("h", kKinds), 1);
  const std::string choices = "must be one of typing, thinking, uploading (or 0 to 2)";
  EXPECT_EQ(message(r.required_enum("d", kKinds)), "d: " + choices);
  EXPECT_EQ(message(r.required_enum("e", kKinds)), "e: " + choices);
  EXPECT_EQ(message(r.required_enum("g", kKinds)), "g: " + choices);
  EXPECT_EQ(message(r.required_enum("i", kKinds)), "i: " + choices);
  EXPECT_EQ(message(r.required_enum("kind", kKinds)), "kind: required");
  EXPECT_FALSE(*r.optional_enum("kind", kKinds));
  EXPECT_EQ(**r.optional_enum("b", kKinds), 1);
  EXPECT_EQ(message(r.optional_enum("e", kKinds)), "e: " + choices);
}

TEST(ObjectReaderTest, ArraysAndObjects) {
  auto o = obj(R"({"list":[1,2],"obj":{"x":1},"str":"s","nil":null})");
  ObjectReader r(o, "p");
  EXPECT_EQ((*r.optional_array("list"))->size(), 2u);
  EXPECT_EQ(*r.optional_array("missing"), nullptr);
  EXPECT_EQ(*r.optional_array("nil"), nullptr);
  EXPECT_EQ(message(r.optional_array("str")), "p.str: must be an array");
  EXPECT_EQ((*r.optional_object("obj"))->size(), 1u);
  EXPECT_EQ(*r.optional_object("missing"), nullptr);
  EXPECT_EQ(message(r.optional_object("list")), "p.list: must be an object");
}

TEST(QueryReaderTest, ReadsDecodedParams) {
  QueryReader::Params params = {{"ChannelId", "d3b07384-d9a0-4c9b-8a3d-1234567890ab"},
                                {"limit", "50"},
                                {"from", ""},
                                {"bad", "x"},
                                {"name", "general"},
                                {"limit", "7"}};
  QueryReader q(params);
  EXPECT_EQ(q.required_uuid("channelId")->str(), "d3b07384-d9a0-4c9b-8a3d-1234567890ab");
  EXPECT_EQ(message(q.required_uuid("spaceId")), "spaceId: required");
  EXPECT_EQ(message(q.required_uuid("bad")), "bad: must be a UUID");
  EXPECT_FALSE(*q.optional_uuid("spaceId"));
  EXPECT_EQ(message(q.optional_uuid("bad")), "bad: must be a UUID");
  EXPECT_EQ(*q.required_int("LIMIT", 1, 100), 50);  // first occurrence wins
  EXPECT_EQ(message(q.required_int("limit", 1, 10)), "limit: must be between 1 and 10");
  EXPECT_EQ(message(q.required_int("bad", 1, 10)), "bad: must be an integer");
  EXPECT_FALSE(*q.optional_int("from", 0, 100));  // empty value counts as absent
  EXPECT_EQ(message(q.required_int("from", 0, 100)), "from: required");
  EXPECT_EQ(**q.optional_int("limit", 1, 100), 50);
  EXPECT_EQ(*q.required_string("name"), "general");
  EXPECT_EQ(message(q.required_string("other")), "other: required");
  EXPECT_FALSE(*q.optional_string("other"));
  EXPECT_EQ(**q.optional_string("Name"), "general");
  EXPECT_TRUE(q.has("from") == false);
}

}  // namespace
}  // namespace argon::wire

namespace argon::wire {
namespace {
TEST(JsonInNulTest, StringsWithUPlus0000AreRefusedNamingTheField) {
  auto body = parse_object(R"({"text":"a\u0000b","name":"ok"})");
  ASSERT_TRUE(body.ok());
  ObjectReader in(*body);
  auto text = in.required_string("text");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, "validation_error");
  EXPECT_EQ(*text.error().message, "text: must not contain U+0000");
  EXPECT_EQ(*in.required_string("name"), "ok");
}
}  // namespace
}  // namespace argon::wire
