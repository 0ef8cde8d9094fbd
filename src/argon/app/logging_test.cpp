#include "argon/app/logging.hpp"

#include <gtest/gtest.h>

namespace argon::app {
namespace {

TEST(LoggingTest, JsonEscapeKeepsTextAndEscapesWhatJsonNeeds) {
  EXPECT_EQ(json_escape("plain text, é ✓"), "plain text, é ✓");
  EXPECT_EQ(json_escape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(json_escape("line\nnext\ttab\r"), "line\\nnext\\ttab\\r");
  EXPECT_EQ(json_escape(std::string_view("\x01\x1f", 2)), "\\u0001\\u001f");
  EXPECT_EQ(json_escape(""), "");
}

}  // namespace
}  // namespace argon::app
