// UserLocales (UPSTREAM.md §5): the latest valid X-Argon-Locale per person, kept for the TTL
// after the last request that sent one, and told to the other nodes over the bus.
#include "argon/services/user_locales.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "argon/wire/shapes.hpp"

namespace argon::services {
namespace {

constexpr std::int64_t kStart = 1776168000000;
constexpr std::int64_t kTtl = 30 * 60 * 1000;

Uuid id(std::uint8_t n) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[15] = n;
  return Uuid::v4_from_bytes(bytes);
}

TEST(UserLocalesTest, KeepsTheLatestValidValueUntilTheTtlAfterTheLastOne) {
  ManualClock clock(kStart);
  UserLocales locales(clock);
  EXPECT_FALSE(locales.current(id(1)));
  EXPECT_EQ(locales.note(id(1), "pt-BR"), "pt");
  EXPECT_EQ(locales.current(id(1)), "pt");
  EXPECT_FALSE(locales.current(id(2)));
  // Blank and invalid values leave it alone (and do not refresh it).
  clock.advance_ms(kTtl - 1000);
  EXPECT_FALSE(locales.note(id(1), ""));
  EXPECT_FALSE(locales.note(id(1), "   "));
  EXPECT_FALSE(locales.note(id(1), "1234"));
  EXPECT_FALSE(locales.note(id(1), "x"));
  EXPECT_EQ(locales.current(id(1)), "pt");
  clock.advance_ms(1000);
  EXPECT_FALSE(locales.current(id(1)));  // 30 min after the last valid one
  // A valid one refreshes: the expiry moves with every request that carries it.
  EXPECT_EQ(locales.note(id(1), " de "), "de");
  clock.advance_ms(kTtl - 1);
  EXPECT_EQ(locales.note(id(1), "DE"), "de");
  clock.advance_ms(kTtl - 1);
  EXPECT_EQ(locales.current(id(1)), "de");
  EXPECT_EQ(locales.note(id(1), "jp"), "ja");  // the latest wins
  EXPECT_EQ(locales.current(id(1)), "ja");
}

TEST(UserLocalesTest, TheTtlIsConfigurable) {
  ManualClock clock(kStart);
  UserLocales locales(clock, 5000);
  locales.note(id(1), "fil");
  clock.advance_ms(4999);
  EXPECT_EQ(locales.current(id(1)), "fil");
  clock.advance_ms(1);
  EXPECT_FALSE(locales.current(id(1)));
}

TEST(UserLocalesTest, BotUserJsonCarriesTheLocaleOrNull) {
  User u;
  u.id = id(3);
  u.username = "bob";
  u.display_name = "Bob";
  EXPECT_EQ(
      boost::json::serialize(wire::bot_user_json(u, std::string("zh"))),
      R"({"userId":")" + u.id.str() +
          R"(","username":"bob","displayName":"Bob","avatarUrl":null,"flags":0,"locale":"zh"})");
  EXPECT_TRUE(wire::bot_user_json(u, std::nullopt).at("locale").is_null());
}

// Two nodes on one bus: a value noted on one is seen on the other.
TEST(UserLocalesTest, NodesShareValuesOverTheBus) {
  ManualClock clock(kStart);
  events::LocalEventBus bus;
  UserLocales a(clock), b(clock);
  a.share_through(bus);
  b.share_through(bus);
  a.note(id(1), "fr-CA");
  bus.flush();
  EXPECT_EQ(b.current(id(1)), "fr");
  // The newer value wins whichever order the broadcasts arrive in.
  clock.advance_ms(10);
  b.note(id(1), "it");
  bus.flush();
  EXPECT_EQ(a.current(id(1)), "it");
  bus.broadcast(UserLocales::kTopic, id(1).str() + " es " + std::to_string(kStart));  // older
  bus.flush();
  EXPECT_EQ(a.current(id(1)), "it");
  // Malformed broadcasts change nothing.
  const std::vector<std::string> malformed = {"",
                                              "x",
                                              id(2).str() + " es",
                                              id(2).str() + " 1234 " + std::to_string(kStart + 10),
                                              id(2).str() + " es soon",
                                              "not-a-uuid es " + std::to_string(kStart)};
  for (const auto& bad : malformed) bus.broadcast(UserLocales::kTopic, bad);
  bus.flush();
  EXPECT_FALSE(a.current(id(2)));
  // An unchanged value is re-told at most once a minute: the other node's copy may expire up
  // to that much earlier, never later.
  clock.advance_ms(kTtl - 30000);
  a.note(id(1), "it");  // unchanged for a (it came from b), but a last told the others > 1 min ago
  bus.flush();
  clock.advance_ms(kTtl - 1);
  EXPECT_EQ(b.current(id(1)), "it");
  bus.stop();
}

TEST(UserLocalesTest, ABroadcastOlderThanTheTtlIsIgnored) {
  ManualClock clock(kStart + kTtl * 2);
  events::LocalEventBus bus;
  UserLocales a(clock);
  a.share_through(bus);
  bus.broadcast(UserLocales::kTopic, id(1).str() + " es " + std::to_string(kStart));
  bus.flush();
  EXPECT_FALSE(a.current(id(1)));
  EXPECT_EQ(a.size(), 0u);
  bus.stop();
}

}  // namespace
}  // namespace argon::services
