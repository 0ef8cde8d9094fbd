// Slash command rules (SPEC.md §6, DECISIONS.md §9): names, descriptions, options with choices
// and sub-options at, below and above every bound, and the typing of submitted values.
#include "argon/domain/commands.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace argon {
namespace {

std::string message(const Status& s) {
  return s.ok() ? "" : s.error().message.value_or("");
}

CommandOption opt(std::string name, CommandOptionType type = CommandOptionType::kString,
                  bool required = false) {
  CommandOption o;
  o.name = std::move(name);
  o.description = "An option";
  o.type = type;
  o.required = required;
  return o;
}

// Validates a copy; "" when valid, else the message (which names the offending path).
std::string check(std::vector<CommandOption> options) {
  Status s = validate_command_options(options);
  if (!s.ok()) {
    EXPECT_EQ(s.error().status, 400);
    EXPECT_EQ(s.error().code, "validation_error");
  }
  return message(s);
}

std::vector<CommandOption> many(std::size_t n) {
  std::vector<CommandOption> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(opt("o" + std::to_string(i)));
  return out;
}

std::string repeat(std::string_view unit, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += unit;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Names and descriptions

TEST(CommandName, LowercasedThenOneTo32OfTheAlphabet) {
  EXPECT_EQ(*normalize_command_name("Roll"), "roll");
  EXPECT_EQ(*normalize_command_name("A-b_9"), "a-b_9");
  EXPECT_EQ(*normalize_command_name("x"), "x");
  EXPECT_EQ(*normalize_command_name(std::string(32, 'Z')), std::string(32, 'z'));
  for (std::string bad :
       {std::string(), std::string(33, 'a'), std::string("a b"), std::string("roll!"),
        std::string("caf\xc3\xa9"), std::string("a.b"), std::string("/roll")}) {
    auto r = normalize_command_name(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "invalid_name");
  }
}

TEST(CommandDescription, OneTo100CodePointsNotBlank) {
  EXPECT_TRUE(validate_command_description("d").ok());
  EXPECT_TRUE(validate_command_description(std::string(100, 'd')).ok());
  EXPECT_TRUE(validate_command_description(repeat("\xc3\xa9", 100)).ok());  // 200 bytes
  for (std::string bad : {std::string(), std::string("   "), std::string("\t\n"),
                          std::string(101, 'd'), repeat("\xc3\xa9", 101)}) {
    Status s = validate_command_description(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().status, 400);
    EXPECT_EQ(s.error().code, "invalid_description");
  }
}

// ---------------------------------------------------------------------------------------------
// Options

TEST(CommandOptions, NamesFollowCommandNameRulesAndAreLowercasedInPlace) {
  std::vector<CommandOption> options{opt("Sides"), opt(std::string(32, 'A'))};
  ASSERT_TRUE(validate_command_options(options).ok());
  EXPECT_EQ(options[0].name, "sides");
  EXPECT_EQ(options[1].name, std::string(32, 'a'));

  EXPECT_EQ(check({opt("")}), "options[0].name: must be 1-32 characters of a-z, 0-9, _ and -");
  EXPECT_NE(check({opt("ok"), opt(std::string(33, 'a'))}).find("options[1].name"),
            std::string::npos);
  EXPECT_NE(check({opt("two words")}).find("options[0].name"), std::string::npos);
  EXPECT_NE(check({opt("sides"), opt("SIDES")}).find("options[1].name: duplicate"),
            std::string::npos);
}

TEST(CommandOptions, DescriptionOneTo100) {
  auto o = opt("a");
  o.description = std::string(100, 'x');
  EXPECT_EQ(check({o}), "");
  o.description = repeat("\xe2\x82\xac", 100);  // 100 code points, 300 bytes
  EXPECT_EQ(check({o}), "");
  o.description = std::string(101, 'x');
  EXPECT_EQ(check({o}), "options[0].description: must be 1-100 characters");
  o.description = "";
  EXPECT_EQ(check({o}), "options[0].description: must be 1-100 characters");
  o.description = "  ";
  EXPECT_EQ(check({o}), "options[0].description: must be 1-100 characters");
}

TEST(CommandOptions, AtMost25PerLevel) {
  EXPECT_EQ(check({}), "");
  EXPECT_EQ(check(many(24)), "");
  EXPECT_EQ(check(many(25)), "");
  EXPECT_EQ(check(many(26)), "options: at most 25 options");
  auto parent = opt("parent");
  parent.sub_options = many(25);
  EXPECT_EQ(check({parent}), "");
  parent.sub_options = many(26);
  EXPECT_EQ(check({parent}), "options[0].subOptions: at most 25 options");
}

TEST(CommandOptions, AtMost25ChoicesWithNamesOf1To100) {
  auto o = opt("pick");
  for (int i = 0; i < 25; ++i) o.choices.push_back({"c" + std::to_string(i), std::to_string(i)});
  EXPECT_EQ(check({o}), "");
  o.choices.push_back({"c25", std::string("25")});
  EXPECT_EQ(check({o}), "options[0].choices: at most 25 choices");

  auto named = opt("pick");
  named.choices = {{std::string(100, 'n'), std::string("v")}};
  EXPECT_EQ(check({named}), "");
  named.choices = {{"ok", std::string("v")}, {std::string(101, 'n'), std::string("w")}};
  EXPECT_EQ(check({named}), "options[0].choices[1].name: must be 1-100 characters");
  named.choices = {{"", std::string("v")}};
  EXPECT_EQ(check({named}), "options[0].choices[0].name: must be 1-100 characters");
  named.choices = {{" ", std::string("v")}};
  EXPECT_EQ(check({named}), "options[0].choices[0].name: must be 1-100 characters");
}

TEST(CommandOptions, ChoiceValuesMatchTheOptionType) {
  auto s = opt("s", CommandOptionType::kString);
  s.choices = {{"a", std::string("a")}};
  EXPECT_EQ(check({s}), "");
  s.choices = {{"a", std::int64_t{1}}};
  EXPECT_EQ(check({s}), "options[0].choices[0].value: does not match the option type string");

  auto i = opt("i", CommandOptionType::kInteger);
  i.choices = {{"one", std::int64_t{1}}, {"two", std::int64_t{2}}};
  EXPECT_EQ(check({i}), "");
  i.choices = {{"one", std::int64_t{1}}, {"half", 0.5}};
  EXPECT_EQ(check({i}), "options[0].choices[1].value: does not match the option type integer");
  i.choices = {{"one", std::string("1")}};
  EXPECT_NE(check({i}), "");

  auto n = opt("n", CommandOptionType::kNumber);
  n.choices = {{"pi", 3.14}, {"two", std::int64_t{2}}};
  EXPECT_EQ(check({n}), "");
  n.choices = {{"yes", true}};
  EXPECT_EQ(check({n}), "options[0].choices[0].value: does not match the option type number");

  // Only string, integer and number options take choices.
  for (auto type : {CommandOptionType::kBoolean, CommandOptionType::kUser,
                    CommandOptionType::kChannel, CommandOptionType::kRole}) {
    auto o = opt("x", type);
    o.choices = {{"c", std::string("c")}};
    EXPECT_NE(check({o}), "") << static_cast<int>(type);
    o.choices = {{"c", true}};
    EXPECT_NE(check({o}), "") << static_cast<int>(type);
  }
}

TEST(CommandOptions, SubOptionsNestAtMostThreeLevels) {
  auto level3 = opt("c");
  auto level2 = opt("b");
  level2.sub_options = {level3};
  auto level1 = opt("a");
  level1.sub_options = {level2};
  EXPECT_EQ(check({level1}), "");

  auto level4 = opt("d");
  auto deep3 = opt("c");
  deep3.sub_options = {level4};
  auto deep2 = opt("b");
  deep2.sub_options = {deep3};
  auto deep1 = opt("a");
  deep1.sub_options = {deep2};
  EXPECT_EQ(check({opt("z"), deep1}),
            "options[1].subOptions[0].subOptions[0].subOptions: options nest at most 3 levels");
}

TEST(CommandOptions, SubOptionsAreValidatedAndLowercasedWithTheirPath) {
  auto parent = opt("Parent");
  parent.sub_options = {opt("Child"), opt("other")};
  std::vector<CommandOption> options{parent};
  ASSERT_TRUE(validate_command_options(options).ok());
  EXPECT_EQ(options[0].sub_options[0].name, "child");

  parent.sub_options = {opt("child"), opt("CHILD")};
  EXPECT_EQ(check({parent}), "options[0].subOptions[1].name: duplicate option name");
  parent.sub_options = {opt("ok"), opt("bad name")};
  EXPECT_NE(check({parent}).find("options[0].subOptions[1].name"), std::string::npos);
  // The same name may appear at different levels.
  parent.name = "same";
  parent.sub_options = {opt("same")};
  EXPECT_EQ(check({parent}), "");
}

TEST(CommandOptions, TypeNames) {
  auto names = command_option_type_names();
  ASSERT_EQ(names.size(), 7u);
  EXPECT_EQ(names[0], "string");
  EXPECT_EQ(names[1], "integer");
  EXPECT_EQ(names[2], "boolean");
  EXPECT_EQ(names[3], "user");
  EXPECT_EQ(names[4], "channel");
  EXPECT_EQ(names[5], "role");
  EXPECT_EQ(names[6], "number");
}

// ---------------------------------------------------------------------------------------------
// Typing submitted values

using Values = std::vector<SubmittedValue>;

Result<std::vector<TypedValue>> type1(CommandOption o, CommandValue v) {
  return type_command_values({o}, Values{{o.name, std::move(v)}});
}

template <typename T>
T typed_as(const Result<std::vector<TypedValue>>& r) {
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message.value_or(""));
  if (!r || r->size() != 1 || !std::holds_alternative<T>((*r)[0].value)) {
    ADD_FAILURE() << "not typed as expected";
    return T{};
  }
  return std::get<T>((*r)[0].value);
}

std::string failure(const Result<std::vector<TypedValue>>& r) {
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, "validation_error");
  EXPECT_EQ(r.error().status, 400);
  return r.error().message.value_or("");
}

TEST(TypeCommandValues, Integer) {
  auto o = opt("sides", CommandOptionType::kInteger);
  EXPECT_EQ(typed_as<std::int64_t>(type1(o, std::string("20"))), 20);
  EXPECT_EQ(typed_as<std::int64_t>(type1(o, std::string("-7"))), -7);
  EXPECT_EQ(typed_as<std::int64_t>(type1(o, std::int64_t{6})), 6);
  EXPECT_EQ(typed_as<std::int64_t>(type1(o, 12.0)), 12);
  EXPECT_EQ(typed_as<std::int64_t>(type1(o, std::string("9223372036854775807"))), INT64_MAX);
  for (CommandValue bad :
       {CommandValue(2.5), CommandValue(std::string("")), CommandValue(std::string("2.5")),
        CommandValue(std::string("20 ")), CommandValue(std::string("abc")), CommandValue(true),
        CommandValue(std::string("9223372036854775808"))})
    EXPECT_EQ(failure(type1(o, bad)), "options[0].value: must be an integer");
  auto r = type1(o, std::string("20"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].name, "sides");
  EXPECT_EQ((*r)[0].type, CommandOptionType::kInteger);
}

TEST(TypeCommandValues, Number) {
  auto o = opt("x", CommandOptionType::kNumber);
  EXPECT_DOUBLE_EQ(typed_as<double>(type1(o, std::string("1.5"))), 1.5);
  EXPECT_DOUBLE_EQ(typed_as<double>(type1(o, std::int64_t{2})), 2.0);
  EXPECT_DOUBLE_EQ(typed_as<double>(type1(o, -0.25)), -0.25);
  EXPECT_DOUBLE_EQ(typed_as<double>(type1(o, std::string("1e3"))), 1000.0);
  for (CommandValue bad : {CommandValue(std::string("abc")), CommandValue(std::string("")),
                           CommandValue(std::string("nan")), CommandValue(std::string("inf")),
                           CommandValue(std::string("1.5x")), CommandValue(false)})
    EXPECT_EQ(failure(type1(o, bad)), "options[0].value: must be a number");
}

TEST(TypeCommandValues, Boolean) {
  auto o = opt("loud", CommandOptionType::kBoolean);
  EXPECT_TRUE(typed_as<bool>(type1(o, std::string("true"))));
  EXPECT_TRUE(typed_as<bool>(type1(o, std::string("TRUE"))));
  EXPECT_FALSE(typed_as<bool>(type1(o, std::string("False"))));
  EXPECT_TRUE(typed_as<bool>(type1(o, true)));
  EXPECT_FALSE(typed_as<bool>(type1(o, false)));
  for (CommandValue bad : {CommandValue(std::string("yes")), CommandValue(std::int64_t{1}),
                           CommandValue(0.0), CommandValue(std::string(""))})
    EXPECT_EQ(failure(type1(o, bad)), "options[0].value: must be true or false");
}

TEST(TypeCommandValues, String) {
  auto o = opt("text");
  EXPECT_EQ(typed_as<std::string>(type1(o, std::string("hello"))), "hello");
  EXPECT_EQ(typed_as<std::string>(type1(o, std::string(4000, 'a'))), std::string(4000, 'a'));
  EXPECT_EQ(typed_as<std::string>(type1(o, repeat("\xc3\xa9", 4000))), repeat("\xc3\xa9", 4000));
  EXPECT_EQ(failure(type1(o, std::string(4001, 'a'))),
            "options[0].value: must be valid text of at most 4000 characters");
  EXPECT_NE(failure(type1(o, std::string("\xff\xfe"))), "");
  EXPECT_EQ(failure(type1(o, std::int64_t{5})), "options[0].value: must be a string");
  EXPECT_EQ(failure(type1(o, true)), "options[0].value: must be a string");
}

TEST(TypeCommandValues, UserChannelRoleAreUuids) {
  const std::string id = "0193a5c4-7b1e-7cc0-8f00-123456789abc";
  for (auto type :
       {CommandOptionType::kUser, CommandOptionType::kChannel, CommandOptionType::kRole}) {
    auto o = opt("who", type);
    EXPECT_EQ(typed_as<std::string>(type1(o, id)), id);
    EXPECT_EQ(typed_as<std::string>(type1(o, std::string("0193A5C4-7B1E-7CC0-8F00-123456789ABC"))),
              id);  // canonical form
    EXPECT_EQ(failure(type1(o, std::string("not-a-uuid"))), "options[0].value: must be a UUID");
    EXPECT_EQ(failure(type1(o, std::int64_t{1})), "options[0].value: must be a UUID");
  }
}

TEST(TypeCommandValues, ChoicesAreEnforcedAcrossRepresentations) {
  auto i = opt("sides", CommandOptionType::kInteger);
  i.choices = {{"d6", std::int64_t{6}}, {"d20", std::int64_t{20}}};
  EXPECT_EQ(typed_as<std::int64_t>(type1(i, std::string("20"))), 20);
  EXPECT_EQ(typed_as<std::int64_t>(type1(i, 6.0)), 6);
  EXPECT_EQ(failure(type1(i, std::int64_t{7})),
            "options[0].value: not one of the option's choices");

  auto n = opt("scale", CommandOptionType::kNumber);
  n.choices = {{"half", 0.5}, {"two", std::int64_t{2}}};
  EXPECT_DOUBLE_EQ(typed_as<double>(type1(n, std::string("0.5"))), 0.5);
  EXPECT_DOUBLE_EQ(typed_as<double>(type1(n, std::int64_t{2})), 2.0);
  EXPECT_NE(failure(type1(n, 1.5)), "");

  auto s = opt("colour");
  s.choices = {{"Red", std::string("red")}, {"Blue", std::string("blue")}};
  EXPECT_EQ(typed_as<std::string>(type1(s, std::string("blue"))), "blue");
  EXPECT_NE(failure(type1(s, std::string("Blue"))), "");  // values are exact, not names
  EXPECT_NE(failure(type1(s, std::string("green"))), "");
}

TEST(TypeCommandValues, RequiredUnknownAndRepeatedNames) {
  std::vector<CommandOption> schema{opt("sides", CommandOptionType::kInteger, true), opt("label")};
  auto ok = type_command_values(schema, Values{{"SIDES", std::string("6")}});
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].name, "sides");

  auto both = type_command_values(schema, Values{{"label", std::string("x")}, {"sides", 3.0}});
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0].name, "label");  // in the order given
  EXPECT_EQ((*both)[1].name, "sides");

  EXPECT_EQ(failure(type_command_values(schema, Values{})),
            "options: required option 'sides' is missing");
  EXPECT_EQ(failure(type_command_values(schema, Values{{"label", std::string("x")}})),
            "options: required option 'sides' is missing");
  EXPECT_EQ(failure(type_command_values(
                schema, Values{{"sides", std::string("6")}, {"colour", std::string("red")}})),
            "options[1].name: the command has no option 'colour'");
  EXPECT_EQ(failure(type_command_values(
                schema, Values{{"sides", std::string("6")}, {"Sides", std::string("7")}})),
            "options[1].name: option given twice");
  EXPECT_TRUE(type_command_values({}, Values{}).ok());
  EXPECT_NE(failure(type_command_values({}, Values{{"x", std::string("y")}})), "");
}

}  // namespace
}  // namespace argon
