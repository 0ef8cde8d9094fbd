// Configuration layering: flags > environment > file > defaults.
#include "argon/app/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace argon::app {
namespace {

namespace fs = std::filesystem;

// A TOML file in a fresh temp dir, removed afterwards.
class TempToml {
 public:
  explicit TempToml(const std::string& text) {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("argon_config_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "argon.toml") << text;
  }
  ~TempToml() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path() const { return (dir_ / "argon.toml").string(); }

 private:
  fs::path dir_;
};

bool has_warning_about(const Config& c, const std::string& needle) {
  return std::any_of(c.warnings().begin(), c.warnings().end(),
                     [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

TEST(Config, DefaultsCoverTheDocumentedKeys) {
  Config c = Config::defaults();
  EXPECT_EQ(c.i64("events.heartbeat_seconds"), 30);
  EXPECT_EQ(c.i64("typing.expiry_seconds"), 8);
  EXPECT_EQ(c.i64("interactions.ttl_seconds"), 60);
  EXPECT_EQ(c.i64("events.resume_window_seconds"), 600);
  EXPECT_EQ(c.i64("ratelimit.max_concurrency"), 10);
  EXPECT_EQ(c.str("admin.token"), "");
  EXPECT_EQ(c.str("server.listen"), "127.0.0.1:8080");
  EXPECT_TRUE(c.invalid_integers().empty());
  EXPECT_TRUE(c.warnings().empty());
  for (const auto& k : config_keys()) EXPECT_EQ(c.str(k.name), k.default_value) << k.name;
}

TEST(Config, EnvNameMapping) {
  EXPECT_EQ(env_to_key("ARGON_EVENTS_HEARTBEAT_SECONDS"), "events.heartbeat_seconds");
  EXPECT_EQ(env_to_key("ARGON_RATELIMIT_MAX_CONCURRENCY"), "ratelimit.max_concurrency");
  EXPECT_EQ(env_to_key("ARGON_ADMIN_TOKEN"), "admin.token");
  EXPECT_EQ(env_to_key("ARGON_TYPING_EXPIRY_SECONDS"), "typing.expiry_seconds");
  EXPECT_EQ(env_to_key("ARGON_SERVER_DATA_DIR"), "server.data_dir");
  EXPECT_FALSE(env_to_key("PATH"));
  EXPECT_FALSE(env_to_key("ARGON_"));
  EXPECT_FALSE(env_to_key("ARGON_ADMIN"));
  EXPECT_FALSE(env_to_key("ARGON_ADMIN_"));
  EXPECT_FALSE(env_to_key("ARGON__TOKEN"));
  EXPECT_FALSE(env_to_key("XARGON_ADMIN_TOKEN"));
}

TEST(Config, EnvironmentOverridesDefaults) {
  auto c = Config::load(std::nullopt,
                        {{"ARGON_EVENTS_HEARTBEAT_SECONDS", "2"},
                         {"ARGON_RATELIMIT_MAX_CONCURRENCY", "3"},
                         {"ARGON_ADMIN_TOKEN", "s3cret"},
                         {"HOME", "/root"}},
                        {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->i64("events.heartbeat_seconds"), 2);
  EXPECT_EQ(c->i64("ratelimit.max_concurrency"), 3);
  EXPECT_EQ(c->str("admin.token"), "s3cret");
  EXPECT_EQ(c->i64("typing.expiry_seconds"), 8);  // untouched keys keep their default
  EXPECT_TRUE(c->warnings().empty());
}

TEST(Config, PrecedenceFlagsOverEnvOverFileOverDefaults) {
  TempToml file(R"(
[events]
heartbeat_seconds = 11
retention_seconds = 1200
resume_window_seconds = 900

[server]
listen = "0.0.0.0:9000"
)");
  auto c = Config::load(
      file.path(),
      {{"ARGON_EVENTS_HEARTBEAT_SECONDS", "22"}, {"ARGON_EVENTS_RETENTION_SECONDS", "2400"}},
      {{"events.heartbeat_seconds", "33"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->i64("events.heartbeat_seconds"), 33);       // flag
  EXPECT_EQ(c->i64("events.retention_seconds"), 2400);     // env over file
  EXPECT_EQ(c->i64("events.resume_window_seconds"), 900);  // file over default
  EXPECT_EQ(c->str("server.listen"), "0.0.0.0:9000");      // file string
  EXPECT_EQ(c->i64("interactions.ttl_seconds"), 60);       // default
  EXPECT_TRUE(c->warnings().empty());
  EXPECT_TRUE(c->invalid_integers().empty());
}

TEST(Config, FileValuesOfEveryScalarType) {
  TempToml file(R"(
[store]
synchronous = "normal"
read_connections = 4
[admin]
token = "from-file"
[log]
level = "debug"
)");
  auto c = Config::load(file.path(), {}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("store.synchronous"), "normal");
  EXPECT_EQ(c->i64("store.read_connections"), 4);
  EXPECT_EQ(c->str("admin.token"), "from-file");
  EXPECT_EQ(c->str("log.level"), "debug");
}

TEST(Config, FileListsAreCommaSeparatedValues) {
  TempToml file(R"(
[server]
trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]
[http]
cors_origins = "https://app.example.org"
)");
  auto c = Config::load(file.path(), {}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("server.trusted_proxies"), "127.0.0.1, 10.0.0.0/8");
  EXPECT_EQ(c->str("http.cors_origins"), "https://app.example.org");
  EXPECT_EQ(Config::defaults().str("server.trusted_proxies"), "");
  EXPECT_EQ(Config::defaults().str("http.cors_origins"), "");
}

TEST(Config, UnknownKeysAreWarnings) {
  TempToml file(R"(
[events]
heartbeat_secs = 5
[nosuch]
key = 1
toplevel = 3
)");
  auto c = Config::load(file.path(), {{"ARGON_EVENTS_BOGUS_KEY", "1"}}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(has_warning_about(*c, "events.heartbeat_secs"));
  EXPECT_TRUE(has_warning_about(*c, "nosuch.key"));
  EXPECT_TRUE(has_warning_about(*c, "events.bogus_key"));
  EXPECT_TRUE(has_warning_about(*c, "ARGON_EVENTS_BOGUS_KEY"));
  // Unknown keys are not stored, and known ones keep their defaults.
  EXPECT_EQ(c->values().count("events.heartbeat_secs"), 0u);
  EXPECT_EQ(c->values().count("events.bogus_key"), 0u);
  EXPECT_EQ(c->i64("events.heartbeat_seconds"), 30);
}

TEST(Config, TopLevelScalarIsAWarning) {
  TempToml file("answer = 42\n[admin]\ntoken = \"t\"\n");
  auto c = Config::load(file.path(), {}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(has_warning_about(*c, "answer"));
  EXPECT_EQ(c->str("admin.token"), "t");
}

TEST(Config, OpenRateLimitSectionIsAccepted) {
  TempToml file("[ratelimit]\nimessages = 5\nenabled = true\n");
  auto c = Config::load(file.path(), {{"ARGON_RATELIMIT_ITYPING", "7"}}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->warnings().empty());
  EXPECT_EQ(c->i64("ratelimit.imessages"), 5);
  EXPECT_EQ(c->i64("ratelimit.ityping"), 7);
  EXPECT_EQ(c->str("ratelimit.enabled"), "true");
  EXPECT_TRUE(c->flag("ratelimit.enabled"));
}

TEST(Config, InvalidTomlIsAnError) {
  TempToml file("[events\nheartbeat_seconds = = 3\n");
  auto c = Config::load(file.path(), {}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "validation_error");
  EXPECT_NE(c.error().message->find(file.path()), std::string::npos);
}

TEST(Config, MissingFileIsAnError) {
  auto c = Config::load((fs::temp_directory_path() /
                         ("argon_config_missing_" + std::to_string(::getpid())) / "nope.toml")
                            .string(),
                        {}, {});
  EXPECT_FALSE(c.ok());
}

TEST(Config, InvalidIntegersAreFlagged) {
  auto c = Config::load(std::nullopt,
                        {{"ARGON_EVENTS_HEARTBEAT_SECONDS", "soon"},
                         {"ARGON_TYPING_EXPIRY_SECONDS", "8s"},
                         {"ARGON_INTERACTIONS_TTL_SECONDS", "-5"},
                         {"ARGON_ADMIN_TOKEN", "not-a-number-and-fine"}},
                        {});
  ASSERT_TRUE(c.ok());
  auto bad = c->invalid_integers();
  std::sort(bad.begin(), bad.end());
  EXPECT_EQ(bad, (std::vector<std::string>{"events.heartbeat_seconds", "interactions.ttl_seconds",
                                           "typing.expiry_seconds"}));
  EXPECT_THROW(c->i64("events.heartbeat_seconds"), std::invalid_argument);
}

TEST(Config, EnumeratedValuesMustBeOneOfTheirChoices) {
  auto good = Config::load(std::nullopt,
                           {{"ARGON_LOG_LEVEL", "WARNING"},
                            {"ARGON_STORE_SYNCHRONOUS", "normal"},
                            {"ARGON_TESTING_CLOCK", "adjustable"}},
                           {});
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->invalid_choices().empty());
  EXPECT_TRUE(Config::defaults().invalid_choices().empty());
  auto bad = Config::load(
      std::nullopt, {{"ARGON_LOG_LEVEL", "verbose"}, {"ARGON_AUTH_PASSWORD_COST", "cheap"}}, {});
  ASSERT_TRUE(bad.ok());
  auto problems = bad->invalid_choices();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "auth.password_cost must be one of interactive, minimum; got 'cheap'");
  EXPECT_EQ(problems[1],
            "log.level must be one of trace, debug, info, warn, warning, error, critical, off; "
            "got 'verbose'");
}

TEST(Config, FlagsAndSetOverrideEverything) {
  auto c = Config::load(std::nullopt, {{"ARGON_SERVER_LISTEN", "1.2.3.4:1"}},
                        {{"server.listen", "127.0.0.1:0"}, {"server.data_dir", "/tmp/x"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("server.listen"), "127.0.0.1:0");
  EXPECT_EQ(c->str("server.data_dir"), "/tmp/x");
  c->set("server.listen", "[::1]:8");
  EXPECT_EQ(c->str("server.listen"), "[::1]:8");
  EXPECT_EQ(c->str("no.such.key"), "");
}

TEST(Config, BooleanFlags) {
  Config c = Config::defaults();
  for (const char* yes : {"1", "true", "yes", "on"}) {
    c.set("x.flag", yes);
    EXPECT_TRUE(c.flag("x.flag")) << yes;
  }
  for (const char* no : {"0", "false", "", "nope"}) {
    c.set("x.flag", no);
    EXPECT_FALSE(c.flag("x.flag")) << no;
  }
}

}  // namespace
}  // namespace argon::app
