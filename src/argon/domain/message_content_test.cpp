#include "argon/domain/message_content.hpp"

#include <gtest/gtest.h>

#include <string>

namespace argon {
namespace {

std::string message(const Status& s) {
  return s.ok() ? "" : s.error().message.value_or("");
}

Entity bold(int offset, int length) {
  Entity e;
  e.type = EntityType::kBold;
  e.offset = offset;
  e.length = length;
  return e;
}

Control button(std::string id) {
  Control c;
  c.type = ControlType::kButton;
  c.variant = ButtonVariant::kCallback;
  c.id = std::move(id);
  c.label = "Go";
  return c;
}

TEST(MessageContentTest, PlainTextIsValid) {
  EXPECT_TRUE(validate_message_content({"Hello from my bot!", {}, {}}, EntityOrigin::kBot));
}

TEST(MessageContentTest, TextLengthInUtf16Units) {
  EXPECT_TRUE(validate_message_content({std::string(4000, 'a'), {}, {}}, EntityOrigin::kBot));
  EXPECT_EQ(message(validate_message_content({std::string(4001, 'a'), {}, {}}, EntityOrigin::kBot)),
            "text: must be at most 4000 UTF-16 code units (got 4001)");
  std::string astral;
  for (int i = 0; i < 2000; ++i) astral += "\xF0\x9F\x93\x9A";  // 2 units each
  EXPECT_TRUE(validate_message_content({astral, {}, {}}, EntityOrigin::kBot));
  astral += "a";
  EXPECT_EQ(message(validate_message_content({astral, {}, {}}, EntityOrigin::kBot)),
            "text: must be at most 4000 UTF-16 code units (got 4001)");
}

TEST(MessageContentTest, ConfigurableMax) {
  EXPECT_TRUE(validate_message_content({"abcde", {}, {}}, EntityOrigin::kBot, 5));
  EXPECT_EQ(message(validate_message_content({"abcdef", {}, {}}, EntityOrigin::kBot, 5)),
            "text: must be at most 5 UTF-16 code units (got 6)");
}

TEST(MessageContentTest, InvalidUtf8) {
  EXPECT_EQ(message(validate_message_content({"bad \xC3", {}, {}}, EntityOrigin::kBot)),
            "text: must be valid UTF-8");
}

TEST(MessageContentTest, EmptyTextNeedsEntitiesOrControls) {
  EXPECT_EQ(message(validate_message_content({"", {}, {}}, EntityOrigin::kBot)),
            "text: must not be empty without entities or controls");
  EXPECT_TRUE(validate_message_content({"", {bold(0, 0)}, {}}, EntityOrigin::kBot));
  EXPECT_TRUE(validate_message_content({"", {}, {ControlRow{{button("a")}}}}, EntityOrigin::kBot));
}

TEST(MessageContentTest, ValidatesEntitiesAndControls) {
  EXPECT_EQ(message(validate_message_content({"Hello", {bold(0, 6)}, {}}, EntityOrigin::kBot)),
            "entities[0].length: span ends past the end of text (6 > 5)");
  EXPECT_EQ(message(validate_message_content(
                {"Hello", {}, {ControlRow{{button("a")}}, ControlRow{{button("a")}}}},
                EntityOrigin::kBot)),
            "controls[1].controls[0].id: duplicate control id \"a\"");
  Entity sys;
  sys.type = EntityType::kSystemUserJoined;
  sys.user_id = Uuid();
  EXPECT_FALSE(validate_message_content({"joined", {sys}, {}}, EntityOrigin::kBot));
  EXPECT_TRUE(validate_message_content({"joined", {sys}, {}}, EntityOrigin::kSystem));
}

}  // namespace
}  // namespace argon
