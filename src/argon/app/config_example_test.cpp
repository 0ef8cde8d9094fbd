// `argon config example`: every key of config_keys(), parseable, and uncommented the defaults.
#include "argon/app/config_example.hpp"

#include <gtest/gtest.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "argon/app/config.hpp"

namespace argon::app {
namespace {

namespace fs = std::filesystem;

// Loads `text` as the config file (no environment, no flags).
Config load_text(const std::string& text) {
  static std::atomic<int> counter{0};
  fs::path path =
      fs::temp_directory_path() / ("argon_config_example_" + std::to_string(::getpid()) + "_" +
                                   std::to_string(counter++) + ".toml");
  std::ofstream(path) << text;
  auto config = Config::load(path.string(), {}, {});
  fs::remove(path);
  EXPECT_TRUE(static_cast<bool>(config)) << (config ? "" : config.error().message.value_or(""));
  return config ? *config : Config::defaults();
}

// Removes the '#' of every "#key = value" line (the description lines start with "# ").
std::string uncomment(const std::string& text) {
  return std::regex_replace(text, std::regex("^#([a-z0-9_]+ = )", std::regex::multiline), "$1");
}

TEST(ConfigExampleTest, EveryKeyIsThereOnceCommentedOutWithItsDefault) {
  const std::string text = config_example();
  for (const auto& k : config_keys()) {
    auto dot = k.name.find('.');
    std::string section = "[" + k.name.substr(0, dot) + "]\n";
    std::string key = k.name.substr(dot + 1);
    std::string quoted = !k.default_value.empty() && k.default_value.find_first_not_of(
                                                         "0123456789") == std::string::npos
                             ? k.default_value
                             : "\"" + k.default_value + "\"";
    std::string line = "\n#" + key + " = " + quoted + "\n";
    // The section's block: from its header (there is one) to the next one.
    auto header = text.find("\n" + section);
    ASSERT_NE(header, std::string::npos) << section;
    EXPECT_EQ(text.find("\n" + section, header + 1), std::string::npos) << section << " twice";
    auto end = text.find("\n[", header + 1);
    std::string block = text.substr(header, end == std::string::npos ? end : end - header);
    auto at = block.find(line);
    ASSERT_NE(at, std::string::npos) << k.name << ": no line " << line << "in\n" << block;
    EXPECT_EQ(block.find(line, at + 1), std::string::npos) << k.name << " appears twice";
    // Its description stands right above it.
    std::string first_words = k.description.substr(0, k.description.find(' ', 12));
    auto described = block.rfind("\n# " + first_words, at);
    ASSERT_NE(described, std::string::npos) << k.name << " lacks its description";
    EXPECT_EQ(block.substr(described, at - described).find("\n\n"), std::string::npos)
        << k.name << ": its description is not right above it";
  }
}

TEST(ConfigExampleTest, ParsesAsTomlAndSetsNothingWhileCommented) {
  const std::string text = config_example();
  toml::table table;
  ASSERT_NO_THROW(table = toml::parse(text)) << text;
  for (const auto& [section, node] : table) {
    ASSERT_TRUE(node.is_table()) << section;
    EXPECT_TRUE(node.as_table()->empty()) << "section " << section << " sets something";
  }
  Config config = load_text(text);
  EXPECT_TRUE(config.warnings().empty());
  EXPECT_EQ(config.values(), Config::defaults().values());
}

TEST(ConfigExampleTest, UncommentedItGivesTheDefaults) {
  const std::string text = uncomment(config_example());
  toml::table table;
  ASSERT_NO_THROW(table = toml::parse(text)) << text;
  std::size_t set = 0;
  for (const auto& [section, node] : table) set += node.as_table()->size();
  EXPECT_GE(set, config_keys().size());  // and the per-interface rate limits
  Config config = load_text(text);
  for (const auto& w : config.warnings()) ADD_FAILURE() << "warning: " << w;
  for (const auto& k : config_keys()) EXPECT_EQ(config.str(k.name), k.default_value) << k.name;
  EXPECT_TRUE(config.invalid_integers().empty());
  EXPECT_TRUE(config.invalid_choices().empty());
  // The per-interface limits shown are integers the server takes (ratelimit.<interface>).
  EXPECT_GT(config.values().count("ratelimit.imessages"), 0u);
}

TEST(ConfigExampleTest, ActiveKeysAreSetAndEscaped) {
  const std::string text = config_example(
      {{"server.data_dir", "/var/lib/argon"}, {"admin.token", "a \"quoted\" \\ token"}});
  EXPECT_NE(text.find("\ndata_dir = \"/var/lib/argon\"\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("#data_dir = "), std::string::npos);
  Config config = load_text(text);
  EXPECT_EQ(config.str("server.data_dir"), "/var/lib/argon");
  EXPECT_EQ(config.str("admin.token"), "a \"quoted\" \\ token");
  EXPECT_EQ(config.str("server.listen"), "127.0.0.1:8080");
}

TEST(ConfigExampleTest, NoLineIsLongerThanAHundredColumns) {
  std::istringstream lines(config_example());
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), 100u) << line;
}

}  // namespace
}  // namespace argon::app
