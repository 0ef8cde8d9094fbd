// JSON forms of slash commands (SPEC.md §6.2): option parsing (types by number or name, choices,
// sub-options), BotCommand output, storage round trips and submitted values.
#include "argon/wire/commands_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace argon::wire {
namespace {

namespace json = boost::json;

template <class T>
std::string message(const Result<T>& r) {
  return r.ok() ? "" : r.error().message.value_or("");
}

Result<std::vector<CommandOption>> parse_text(std::string_view text) {
  json::value v = json::parse(text);
  return parse_command_options(&v);
}

TEST(ParseCommandOptions, AbsentOrNullIsNoOptions) {
  auto none = parse_command_options(nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  json::value null_value = nullptr;
  auto null_options = parse_command_options(&null_value);
  ASSERT_TRUE(null_options.ok());
  EXPECT_TRUE(null_options->empty());
  auto empty = parse_text("[]");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParseCommandOptions, TypeByIntegerOrCaseInsensitiveName) {
  const char* names[] = {"string", "INTEGER", "Boolean", "user", "Channel", "ROLE", "number"};
  for (int i = 0; i < 7; ++i) {
    for (std::string type : {std::to_string(i), "\"" + std::string(names[i]) + "\""}) {
      auto r = parse_text(R"([{"name":"o","description":"d","type":)" + type + "}]");
      ASSERT_TRUE(r.ok()) << type << ": " << message(r);
      EXPECT_EQ(static_cast<int>((*r)[0].type), i) << type;
    }
  }
  for (std::string bad : {"7", "-1", "\"float\"", "\"\"", "true", "1.5"}) {
    auto r = parse_text(R"([{"name":"o","description":"d","type":)" + bad + "}]");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "validation_error");
    EXPECT_EQ(message(r).rfind("options[0].type:", 0), 0u) << message(r);
  }
}

TEST(ParseCommandOptions, RequiredFieldsAndShapes) {
  EXPECT_EQ(message(parse_text(R"({"name":"o"})")), "options: must be an array");
  EXPECT_EQ(message(parse_text(R"([1])")), "options[0]: must be an object");
  EXPECT_EQ(message(parse_text(R"([{"description":"d","type":0}])")).rfind("options[0].name", 0),
            0u);
  EXPECT_EQ(message(parse_text(R"([{"name":"o","type":0}])")).rfind("options[0].description", 0),
            0u);
  EXPECT_EQ(message(parse_text(R"([{"name":"o","description":"d"}])")).rfind("options[0].type", 0),
            0u);
  EXPECT_EQ(message(parse_text(R"([{"name":"o","description":"d","type":0,"required":"yes"}])"))
                .rfind("options[0].required", 0),
            0u);
  EXPECT_EQ(message(parse_text(R"([{"name":"o","description":"d","type":0,"choices":{}}])"))
                .rfind("options[0].choices", 0),
            0u);
  EXPECT_EQ(
      message(parse_text(R"([{"name":"o","description":"d","type":0,"choices":[{"name":"a"}]}])")),
      "options[0].choices[0].value: must be a string or a number");
  EXPECT_EQ(
      message(parse_text(
          R"([{"name":"o","description":"d","type":0,"choices":[{"name":"a","value":[1]}]}])")),
      "options[0].choices[0].value: must be a string or a number");
  EXPECT_EQ(
      message(parse_text(R"([{"name":"o","description":"d","type":0,"choices":[{"value":"a"}]}])"))
          .rfind("options[0].choices[0].name", 0),
      0u);
  EXPECT_EQ(message(parse_text(R"([{"name":"o","description":"d","type":0,
      "subOptions":[{"name":"s","description":"d","type":"nope"}]}])"))
                .rfind("options[0].subOptions[0].type", 0),
            0u);
}

TEST(ParseCommandOptions, ChoicesKeepTheirJsonTypes) {
  auto r = parse_text(R"([
    {"name":"s","description":"d","type":"string","choices":[{"name":"A","value":"a"}]},
    {"name":"i","description":"d","type":"integer","required":true,
     "choices":[{"name":"one","value":1},{"name":"big","value":9007199254740993}]},
    {"name":"n","description":"d","type":6,"choices":[{"name":"half","value":0.5}]}])");
  ASSERT_TRUE(r.ok()) << message(r);
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].choices[0], (CommandChoice{"A", std::string("a")}));
  EXPECT_FALSE((*r)[0].required);
  EXPECT_TRUE((*r)[1].required);
  EXPECT_EQ((*r)[1].choices[0].value, CommandValue(std::int64_t{1}));
  EXPECT_EQ((*r)[1].choices[1].value, CommandValue(std::int64_t{9007199254740993}));
  EXPECT_EQ((*r)[2].choices[0].value, CommandValue(0.5));
  // Parsing does not validate: an integer choice on a string option is the domain's to refuse.
  auto loose =
      parse_text(R"([{"name":"s","description":"d","type":0,"choices":[{"name":"a","value":1}]}])");
  ASSERT_TRUE(loose.ok());
  EXPECT_FALSE(validate_command_options(*loose).ok());
}

TEST(ParseCommandOptions, FieldNamesAreCaseInsensitive) {
  auto r = parse_text(R"([{"Name":"o","DESCRIPTION":"d","Type":"user","Required":true,
                           "SubOptions":[{"name":"s","description":"d","type":1}]}])");
  ASSERT_TRUE(r.ok()) << message(r);
  EXPECT_EQ((*r)[0].type, CommandOptionType::kUser);
  EXPECT_TRUE((*r)[0].required);
  ASSERT_EQ((*r)[0].sub_options.size(), 1u);
}

std::vector<CommandOption> sample_options() {
  CommandOption leaf{"leaf", "Deepest", CommandOptionType::kBoolean, true, {}, {}};
  CommandOption mid{
      "mid", "Middle", CommandOptionType::kNumber, false, {{"pi", 3.25}, {"two", std::int64_t{2}}},
      {leaf}};
  CommandOption top{"top",
                    "Top level \xe2\x9c\x93",
                    CommandOptionType::kString,
                    true,
                    {{"Red", std::string("red")}, {"Quote \"q\"", std::string("q")}},
                    {mid}};
  CommandOption sides{"sides",
                      "Sides",
                      CommandOptionType::kInteger,
                      false,
                      {{"d6", std::int64_t{6}}, {"neg", std::int64_t{-1}}},
                      {}};
  CommandOption who{"who", "Who", CommandOptionType::kUser, false, {}, {}};
  return {top, sides, who};
}

TEST(CommandOptionsJson, RoundTripsThroughStorageIncludingSubOptionsAndChoiceValues) {
  auto options = sample_options();
  std::string stored = serialize_command_options(options);
  auto back = parse_command_options_from_storage(stored);
  ASSERT_TRUE(back.ok()) << message(back);
  EXPECT_EQ(*back, options);
  EXPECT_EQ(serialize_command_options(*back), stored);
  EXPECT_TRUE(parse_command_options_from_storage("[]")->empty());
  auto broken = parse_command_options_from_storage("{not json");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().status, 500);
}

TEST(CommandOptionsJson, ShapeHasEveryKeyWithNullsForNoChoicesOrSubOptions) {
  json::array out = command_options_json(sample_options());
  ASSERT_EQ(out.size(), 3u);
  const auto& top = out[0].as_object();
  EXPECT_EQ(top.size(), 6u);
  EXPECT_EQ(top.at("name").as_string(), "top");
  EXPECT_EQ(top.at("description").as_string(), "Top level \xe2\x9c\x93");
  EXPECT_EQ(top.at("type").as_int64(), 0);
  EXPECT_EQ(top.at("required").as_bool(), true);
  EXPECT_EQ(top.at("choices").as_array().size(), 2u);
  EXPECT_EQ(top.at("choices").as_array()[0],
            (json::value(json::object{{"name", "Red"}, {"value", "red"}})));
  const auto& mid = top.at("subOptions").as_array()[0].as_object();
  EXPECT_EQ(mid.at("type").as_int64(), 6);
  EXPECT_DOUBLE_EQ(mid.at("choices").as_array()[0].at("value").as_double(), 3.25);
  EXPECT_EQ(mid.at("choices").as_array()[1].at("value").as_int64(), 2);
  const auto& leaf = mid.at("subOptions").as_array()[0].as_object();
  EXPECT_EQ(leaf.at("type").as_int64(), 2);
  EXPECT_TRUE(leaf.at("choices").is_null());
  EXPECT_TRUE(leaf.at("subOptions").is_null());
  const auto& sides = out[1].as_object();
  EXPECT_EQ(sides.at("choices").as_array()[1].at("value").as_int64(), -1);
  EXPECT_TRUE(sides.at("subOptions").is_null());
  EXPECT_EQ(out[2].at("type").as_int64(), 3);
  EXPECT_FALSE(out[2].at("required").as_bool());
}

TEST(CommandOptionsJson, ParsesItsOwnOutputAsBotInput) {
  auto options = sample_options();
  json::value v = command_options_json(options);
  auto back = parse_command_options(&v);
  ASSERT_TRUE(back.ok()) << message(back);
  EXPECT_EQ(*back, options);
}

TEST(CommandJson, BotCommandShape) {
  Command c;
  c.id = *Uuid::parse("0193a5c4-7b1e-7cc0-8f00-123456789abc");
  c.app_id = *Uuid::parse("0193a5c4-7b1e-7cc0-8f00-0000000000aa");
  c.name = "roll";
  c.description = "Roll a die";
  c.default_permission = false;
  c.options = {CommandOption{"sides", "Sides", CommandOptionType::kInteger, true, {}, {}}};
  json::object o = command_json(c);
  EXPECT_EQ(o.size(), 6u);
  EXPECT_EQ(o.at("commandId").as_string(), "0193a5c4-7b1e-7cc0-8f00-123456789abc");
  EXPECT_EQ(o.at("name").as_string(), "roll");
  EXPECT_EQ(o.at("description").as_string(), "Roll a die");
  EXPECT_TRUE(o.at("spaceId").is_null());
  EXPECT_FALSE(o.at("defaultPermission").as_bool());
  ASSERT_EQ(o.at("options").as_array().size(), 1u);
  EXPECT_EQ(o.at("options").as_array()[0].at("type").as_int64(), 1);
  EXPECT_FALSE(o.contains("appId"));

  c.space_id = *Uuid::parse("0193a5c4-7b1e-7cc0-8f00-0000000000bb");
  c.options.clear();
  json::object scoped = command_json(c);
  EXPECT_EQ(scoped.at("spaceId").as_string(), "0193a5c4-7b1e-7cc0-8f00-0000000000bb");
  EXPECT_TRUE(scoped.at("options").as_array().empty());
}

TEST(CommandValueJson, ScalarsInAndOut) {
  EXPECT_EQ(command_value_from_json(json::value("x")), CommandValue(std::string("x")));
  EXPECT_EQ(command_value_from_json(json::value(std::int64_t{-3})), CommandValue(std::int64_t{-3}));
  EXPECT_EQ(command_value_from_json(json::value(std::uint64_t{5})), CommandValue(std::int64_t{5}));
  EXPECT_EQ(command_value_from_json(json::value(2.5)), CommandValue(2.5));
  EXPECT_EQ(command_value_from_json(json::value(true)), CommandValue(true));
  EXPECT_FALSE(command_value_from_json(json::value(std::uint64_t{1} << 63)).has_value());
  EXPECT_FALSE(command_value_from_json(json::value(nullptr)).has_value());
  EXPECT_FALSE(command_value_from_json(json::value(json::array{1})).has_value());
  EXPECT_FALSE(command_value_from_json(json::value(json::object{})).has_value());

  EXPECT_EQ(command_value_json(CommandValue(std::string("s"))), json::value("s"));
  EXPECT_EQ(command_value_json(CommandValue(std::int64_t{20})).as_int64(), 20);
  EXPECT_DOUBLE_EQ(command_value_json(CommandValue(1.5)).as_double(), 1.5);
  EXPECT_TRUE(command_value_json(CommandValue(true)).as_bool());
  EXPECT_EQ(json::serialize(command_value_json(CommandValue(std::int64_t{20}))), "20");
  EXPECT_EQ(json::serialize(command_value_json(CommandValue(false))), "false");
}

// Found by fuzz/commands_json_fuzz.cpp: 1e999 parses as infinity, which passed validation and was
// stored as `Infinity` (not JSON), so the stored options no longer parsed and the command lost
// all its options when read back.
TEST(CommandValues, ANumberPastTheDoubleRangeIsNotANumber) {
  EXPECT_FALSE(command_value_from_json(json::parse("1e999")));
  EXPECT_FALSE(command_value_from_json(json::parse("-1e999")));
  EXPECT_TRUE(command_value_from_json(json::parse("1e308")));
  auto options = parse_text(R"([{"name":"scale","description":"d","type":"number",)"
                            R"("choices":[{"name":"big","value":1e999}]}])");
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(message(options), "options[0].choices[0].value: must be a string or a number");
}

}  // namespace
}  // namespace argon::wire
