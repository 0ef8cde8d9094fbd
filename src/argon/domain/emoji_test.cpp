#include "argon/domain/emoji.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace argon {
namespace {

std::string utf8(std::u32string_view cps) {
  std::string out;
  for (char32_t cp : cps) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

TEST(EmojiTest, AcceptsSingleEmoji) {
  EXPECT_TRUE(is_reaction_emoji(utf8(U"\U0001F44D")));            // 👍
  EXPECT_TRUE(is_reaction_emoji(utf8(U"\u2764")));                // ❤ (text default)
  EXPECT_TRUE(is_reaction_emoji(utf8(U"\u2764\uFE0F")));          // ❤️
  EXPECT_TRUE(is_reaction_emoji(utf8(U"\U0001F44D\U0001F3FD")));  // 👍🏽
  EXPECT_TRUE(is_reaction_emoji(utf8(U"\U0001F1E9\U0001F1EA")));  // 🇩🇪
  EXPECT_TRUE(is_reaction_emoji(utf8(U"#\uFE0F\u20E3")));         // #️⃣
  EXPECT_TRUE(is_reaction_emoji(utf8(U"7\u20E3")));               // 7⃣ (unqualified keycap)
  EXPECT_TRUE(is_reaction_emoji(utf8(U"\U0001F3F3\uFE0F\u200D\U0001F308")));  // 🏳️‍🌈
  EXPECT_TRUE(is_reaction_emoji(
      utf8(U"\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466")));  // family
  // Scotland: black flag + tags "gbsct" + cancel tag.
  EXPECT_TRUE(is_reaction_emoji(
      utf8(U"\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F")));
  EXPECT_TRUE(is_reaction_emoji(utf8(U"\u00A9")));  // © is Extended_Pictographic
}

TEST(EmojiTest, RejectsEverythingElse) {
  EXPECT_FALSE(is_reaction_emoji(""));
  EXPECT_FALSE(is_reaction_emoji(" "));
  EXPECT_FALSE(is_reaction_emoji("a"));
  EXPECT_FALSE(is_reaction_emoji("7"));  // a digit without the keycap mark
  EXPECT_FALSE(is_reaction_emoji(":thumbsup:"));
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\U0001F44D\U0001F44D")));  // two emoji
  EXPECT_FALSE(is_reaction_emoji(utf8(U" \U0001F44D")));           // leading space
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\U0001F44D ")));           // trailing space
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\u200D")));                // lone ZWJ
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\uFE0F")));                // lone VS16
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\U0001F3FB")));            // lone skin tone
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\U0001F1E9")));            // lone regional indicator
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\U0001F1E9\U0001F1EA\U0001F1EB")));  // flag + RI
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\U0001F44D\u200D")));                // dangling ZWJ
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\u200D\U0001F44D")));                // leading ZWJ
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\U0001F3F4\U000E0067\U000E007F\U000E007F")));
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\U0001F3F4\U000E0067")));         // tags without cancel
  EXPECT_FALSE(is_reaction_emoji(utf8(U"\u00E9")));                       // é
  EXPECT_FALSE(is_reaction_emoji("\xF0\x9F\x91"));                        // truncated UTF-8
  EXPECT_FALSE(is_reaction_emoji(std::string("\xF0\x9F\x91\x8D\0", 5)));  // NUL after it
  // Over 64 bytes: a long (well-formed) ZWJ chain.
  std::u32string chain = U"\U0001F468";
  for (int i = 0; i < 10; ++i) chain += U"\u200D\U0001F468";
  EXPECT_GT(utf8(chain).size(), kMaxReactionEmojiBytes);
  EXPECT_FALSE(is_reaction_emoji(utf8(chain)));
}

// Every emoji of Unicode's emoji-test.txt (fully-, minimally- and unqualified; Debian package
// unicode-data, installed by scripts/install-deps --test) is one reaction emoji. A missing file
// fails: the test must check something.
TEST(EmojiTest, AcceptsEveryEmojiOfTheUnicodeTestFile) {
  std::ifstream in("/usr/share/unicode/emoji/emoji-test.txt");
  ASSERT_TRUE(in) << "emoji-test.txt missing: scripts/install-deps --test installs unicode-data";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto semi = line.find(';');
    if (semi == std::string::npos) continue;
    std::string status = line.substr(semi + 1, line.find('#') - semi - 1);
    if (status.find("component") != std::string::npos) continue;
    std::u32string cps;
    std::istringstream fields(line.substr(0, semi));
    std::string hex;
    while (fields >> hex) cps += static_cast<char32_t>(std::stoul(hex, nullptr, 16));
    std::string text = utf8(cps);
    if (text.size() > kMaxReactionEmojiBytes) continue;
    EXPECT_TRUE(is_reaction_emoji(text)) << line;
    ++checked;
  }
  EXPECT_GT(checked, 4000);
}

}  // namespace
}  // namespace argon
