#include "argon/domain/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace argon {
namespace {

TEST(Utf8Test, AcceptsValidText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("Hello world!"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9"));          // é
  EXPECT_TRUE(is_valid_utf8("\xE2\x9C\x85"));      // ✅ U+2705
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x93\x9A"));  // 📚 U+1F4DA
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(Utf8Test, RejectsMalformedText) {
  EXPECT_FALSE(is_valid_utf8("\x80"));              // stray continuation
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xE2\x9C"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8(std::string_view("ok\xC3(", 4)));
  EXPECT_FALSE(is_valid_utf8(std::string_view("a\xE2\x9C\x41", 4)));  // bad continuation
}

TEST(Utf16LengthTest, CountsCodeUnits) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("Hello"), 5u);
  EXPECT_EQ(utf16_length("\xC3\xA9"), 1u);
  EXPECT_EQ(utf16_length("\xE2\x9C\x85"), 1u);
  EXPECT_EQ(utf16_length("\xF0\x9F\x93\x9A"), 2u);  // astral: surrogate pair
  EXPECT_EQ(utf16_length("a\xF0\x9F\x93\x9A"
                         "b"),
            4u);
  EXPECT_EQ(utf16_length("\x80\x80"), 2u);  // stray bytes count one each
}

TEST(CodepointLengthTest, CountsCodePoints) {
  EXPECT_EQ(codepoint_length(""), 0u);
  EXPECT_EQ(codepoint_length("abc"), 3u);
  EXPECT_EQ(codepoint_length("\xC3\xA9\xE2\x9C\x85\xF0\x9F\x93\x9A"), 3u);
  EXPECT_EQ(codepoint_length("\xFF"
                             "a"),
            2u);
}

TEST(BlankTest, DetectsWhiteSpaceOnly) {
  EXPECT_TRUE(is_blank(""));
  EXPECT_TRUE(is_blank(" "));
  EXPECT_TRUE(is_blank(" \t\r\n\v\f"));
  EXPECT_TRUE(is_blank("\xC2\xA0"));       // NBSP
  EXPECT_TRUE(is_blank("\xE3\x80\x80"));   // ideographic space
  EXPECT_TRUE(is_blank("\xE2\x80\x83 "));  // em space
  EXPECT_FALSE(is_blank("a"));
  EXPECT_FALSE(is_blank("  x  "));
  EXPECT_FALSE(is_blank("\xE2\x80\x8B"));  // zero-width space is not White_Space
  EXPECT_FALSE(is_blank("\xFF"));
}

TEST(EqualsIgnoreCaseTest, ComparesAscii) {
  EXPECT_TRUE(equals_ignore_case("hashTag", "HASHTAG"));
  EXPECT_TRUE(equals_ignore_case("", ""));
  EXPECT_FALSE(equals_ignore_case("hashtag", "hashtags"));
  EXPECT_FALSE(equals_ignore_case("abc", "abd"));
}

}  // namespace
}  // namespace argon
