#include "argon/domain/locale.hpp"

#include <gtest/gtest.h>

#include <string>

#include "argon/domain/text.hpp"

namespace argon {
namespace {

std::string norm(std::string_view raw) {
  return to_bcp47(raw).value_or("<null>");
}

TEST(LocaleTest, TheExamplesOfUpstreamSection5) {
  EXPECT_EQ(norm("pt-BR"), "pt");
  EXPECT_EQ(norm("ZH_Hant"), "zh");
  EXPECT_EQ(norm(" de "), "de");
  EXPECT_EQ(norm("fil"), "fil");
  EXPECT_EQ(norm("x"), "<null>");
  EXPECT_EQ(norm("1234"), "<null>");
}

TEST(LocaleTest, BlankIsNull) {
  EXPECT_FALSE(to_bcp47(""));
  EXPECT_FALSE(to_bcp47("   "));
  EXPECT_FALSE(to_bcp47("\t\r\n"));
  EXPECT_FALSE(to_bcp47("\xC2\xA0\xE3\x80\x80"));  // NBSP, ideographic space
}

TEST(LocaleTest, SpecialCodesMatchTheWholeValueCaseInsensitively) {
  EXPECT_EQ(norm("jp"), "ja");
  EXPECT_EQ(norm("JP"), "ja");
  EXPECT_EQ(norm(" jp "), "ja");
  EXPECT_EQ(norm("am"), "hy");
  EXPECT_EQ(norm("Am"), "hy");
  EXPECT_EQ(norm("ru_pt"), "ru");
  EXPECT_EQ(norm("RU_PT"), "ru");
  EXPECT_EQ(norm("en_tengwar"), "en");
  EXPECT_EQ(norm("EN_Tengwar"), "en");
  // Only the whole value: a region after jp is the ordinary rule (as the reference).
  EXPECT_EQ(norm("jp_JP"), "jp");
  EXPECT_EQ(norm("am-ET"), "am");
  EXPECT_EQ(norm("ru-pt"), "ru");
}

TEST(LocaleTest, ThePrimarySubtagBeforeTheFirstSeparator) {
  EXPECT_EQ(norm("en"), "en");
  EXPECT_EQ(norm("EN"), "en");
  EXPECT_EQ(norm("en-US"), "en");
  EXPECT_EQ(norm("en_US"), "en");
  EXPECT_EQ(norm("zh-Hant-TW"), "zh");
  EXPECT_EQ(norm("sr_Latn-RS"), "sr");
  EXPECT_EQ(norm("yue-HK"), "yue");
  EXPECT_EQ(norm("de-"), "de");
  EXPECT_EQ(norm("\xC2\xA0"
                 "fr-CA\xE2\x80\x83"),
            "fr");  // Unicode white space trimmed
}

TEST(LocaleTest, AnythingElseIsNull) {
  EXPECT_FALSE(to_bcp47("e"));
  EXPECT_FALSE(to_bcp47("engl"));
  EXPECT_FALSE(to_bcp47("english"));
  EXPECT_FALSE(to_bcp47("-en"));
  EXPECT_FALSE(to_bcp47("_"));
  EXPECT_FALSE(to_bcp47("e1"));
  EXPECT_FALSE(to_bcp47("12-US"));
  EXPECT_FALSE(to_bcp47("d e"));
  EXPECT_FALSE(to_bcp47("de.UTF-8"));
  EXPECT_FALSE(to_bcp47("\xC3\xA9s"));  // non-ASCII letter
  EXPECT_FALSE(to_bcp47("\xFF\xFE"));   // not UTF-8
  EXPECT_FALSE(to_bcp47(std::string("d\0e", 3)));
}

TEST(TrimTest, TrimsWhiteSpaceAtBothEndsOnly) {
  EXPECT_EQ(trim_white_space("  a b  "), "a b");
  EXPECT_EQ(trim_white_space("ab"), "ab");
  EXPECT_EQ(trim_white_space(""), "");
  EXPECT_EQ(trim_white_space(" \t "), "");
  EXPECT_EQ(trim_white_space("\xE3\x80\x80x\xC2\xA0"), "x");
  EXPECT_EQ(trim_white_space("\xFF "), "\xFF");  // a stray byte is not white space
}

}  // namespace
}  // namespace argon
