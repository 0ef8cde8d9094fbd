// Base domain types: Uuid, ISO-8601 timestamps, snowflake ids, bot tokens, permissions, names.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

#include "argon/domain/bot_token.hpp"
#include "argon/domain/clock.hpp"
#include "argon/domain/names.hpp"
#include "argon/domain/permissions.hpp"
#include "argon/domain/random.hpp"
#include "argon/domain/snowflake.hpp"
#include "argon/domain/uuid.hpp"

namespace argon {
namespace {

// ---------------------------------------------------------------------------------------------
// Uuid

TEST(Uuid, ParsesDashedLowercase) {
  auto id = Uuid::parse("0123abcd-4567-89ef-0123-456789abcdef");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->bytes()[0], 0x01);
  EXPECT_EQ(id->bytes()[1], 0x23);
  EXPECT_EQ(id->bytes()[2], 0xab);
  EXPECT_EQ(id->bytes()[15], 0xef);
  EXPECT_EQ(id->str(), "0123abcd-4567-89ef-0123-456789abcdef");
}

TEST(Uuid, ParsesDashedUppercaseAndWritesLowercase) {
  auto upper = Uuid::parse("0123ABCD-4567-89EF-0123-456789ABCDEF");
  auto lower = Uuid::parse("0123abcd-4567-89ef-0123-456789abcdef");
  ASSERT_TRUE(upper && lower);
  EXPECT_EQ(*upper, *lower);
  EXPECT_EQ(upper->str(), "0123abcd-4567-89ef-0123-456789abcdef");
}

TEST(Uuid, ParsesBare32Hex) {
  auto bare = Uuid::parse("0123ABCD456789ef0123456789abcdef");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->str(), "0123abcd-4567-89ef-0123-456789abcdef");
  EXPECT_EQ(bare->hex(), "0123abcd456789ef0123456789abcdef");
}

TEST(Uuid, RejectsWrongLength) {
  EXPECT_FALSE(Uuid::parse(""));
  EXPECT_FALSE(Uuid::parse("0123abcd456789ef0123456789abcde"));        // 31
  EXPECT_FALSE(Uuid::parse("0123abcd456789ef0123456789abcdef0"));      // 33
  EXPECT_FALSE(Uuid::parse("0123abcd-4567-89ef-0123-456789abcde"));    // 35
  EXPECT_FALSE(Uuid::parse("0123abcd-4567-89ef-0123-456789abcdef0"));  // 37
}

TEST(Uuid, RejectsMisplacedDashes) {
  EXPECT_FALSE(Uuid::parse("0123abc-d4567-89ef-0123-456789abcdef"));
  EXPECT_FALSE(Uuid::parse("0123abcd-456-789ef-0123-456789abcdef"));
  EXPECT_FALSE(Uuid::parse("0123abcd-4567-89ef-01234-56789abcdef"));
  // Right length, dashes at the right places plus one more in a hex position.
  EXPECT_FALSE(Uuid::parse("0123abcd-4567-89ef-0123-45678-abcdef"));
  // Bare form with a dash inside.
  EXPECT_FALSE(Uuid::parse("0123abcd-56789ef0123456789abcdef"));
}

TEST(Uuid, RejectsNonHex) {
  EXPECT_FALSE(Uuid::parse("0123abcg-4567-89ef-0123-456789abcdef"));
  EXPECT_FALSE(Uuid::parse("0123abcd456789ef0123456789abcdeZ"));
  EXPECT_FALSE(Uuid::parse("0123abcd 4567 89ef 0123 456789abcdef"));
}

TEST(Uuid, StrAndHexRoundTrip) {
  SeededRandom random(42);
  for (int i = 0; i < 20; ++i) {
    Uuid id = random.uuid();
    auto from_str = Uuid::parse(id.str());
    auto from_hex = Uuid::parse(id.hex());
    ASSERT_TRUE(from_str && from_hex);
    EXPECT_EQ(*from_str, id);
    EXPECT_EQ(*from_hex, id);
    EXPECT_EQ(id.str().size(), 36u);
    EXPECT_EQ(id.hex().size(), 32u);
  }
}

TEST(Uuid, V4SetsVersionAndVariantBits) {
  std::array<std::uint8_t, 16> ones;
  ones.fill(0xff);
  std::array<std::uint8_t, 16> zeros{};
  for (const auto& bytes : {ones, zeros}) {
    Uuid id = Uuid::v4_from_bytes(bytes);
    EXPECT_EQ(id.bytes()[6] >> 4, 4);
    EXPECT_EQ(id.bytes()[8] & 0xc0, 0x80);
    EXPECT_EQ(id.str()[14], '4');
    EXPECT_TRUE(std::string("89ab").find(id.str()[19]) != std::string::npos);
    // The other bytes are kept.
    EXPECT_EQ(id.bytes()[0], bytes[0]);
    EXPECT_EQ(id.bytes()[15], bytes[15]);
  }
  EXPECT_TRUE(Uuid().is_nil());
  EXPECT_FALSE(Uuid::v4_from_bytes(zeros).is_nil());
}

// ---------------------------------------------------------------------------------------------
// ISO-8601

TEST(Iso8601, Epoch) {
  EXPECT_EQ(format_iso8601_ms(0), "1970-01-01T00:00:00.000Z");
}

TEST(Iso8601, PadsMilliseconds) {
  EXPECT_EQ(format_iso8601_ms(7), "1970-01-01T00:00:00.007Z");
  EXPECT_EQ(format_iso8601_ms(1050), "1970-01-01T00:00:01.050Z");
  EXPECT_EQ(format_iso8601_ms(999), "1970-01-01T00:00:00.999Z");
}

TEST(Iso8601, ArgonEpochAndA2026Date) {
  EXPECT_EQ(format_iso8601_ms(kArgonEpochUnixMs), "2025-01-01T00:00:00.000Z");
  // 2026-04-14T12:00:00.123Z
  EXPECT_EQ(format_iso8601_ms(1776168000123), "2026-04-14T12:00:00.123Z");
}

// ---------------------------------------------------------------------------------------------
// Snowflake

constexpr std::int64_t k2026 = 1776168000000;  // 2026-04-14T12:00:00Z

TEST(Snowflake, MonotonicAndDecodes) {
  ManualClock clock(k2026);
  SnowflakeGenerator gen(clock, 37);
  std::int64_t prev = 0;
  for (int i = 0; i < 50; ++i) {
    std::int64_t id = gen.next();
    EXPECT_GT(id, prev);
    EXPECT_EQ(SnowflakeGenerator::node_of(id), 37);
    EXPECT_EQ(SnowflakeGenerator::timestamp_ms_of(id), clock.now_unix_ms());
    prev = id;
    clock.advance_ms(3);
  }
}

TEST(Snowflake, CurrentDatesExceed2To53) {
  ManualClock clock(k2026);
  SnowflakeGenerator gen(clock, 0);
  EXPECT_GT(gen.next(), std::int64_t{1} << 53);
}

TEST(Snowflake, SameMillisecondIncrementsSequence) {
  ManualClock clock(k2026);
  SnowflakeGenerator gen(clock, 5);
  std::int64_t a = gen.next();
  std::int64_t b = gen.next();
  std::int64_t c = gen.next();
  EXPECT_EQ(b, a + 1);
  EXPECT_EQ(c, b + 1);
  EXPECT_EQ(SnowflakeGenerator::timestamp_ms_of(c), k2026);
}

TEST(Snowflake, SequenceOverflowBorrowsNextMillisecond) {
  ManualClock clock(k2026);
  SnowflakeGenerator gen(clock, 1);
  std::set<std::int64_t> seen;
  std::int64_t prev = 0;
  for (int i = 0; i < (1 << SnowflakeGenerator::kSequenceBits) + 5; ++i) {
    std::int64_t id = gen.next();
    EXPECT_GT(id, prev);
    EXPECT_EQ(SnowflakeGenerator::node_of(id), 1);
    prev = id;
    seen.insert(id);
  }
  EXPECT_EQ(SnowflakeGenerator::timestamp_ms_of(prev), k2026 + 1);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>((1 << SnowflakeGenerator::kSequenceBits) + 5));
}

TEST(Snowflake, ClockGoingBackwardsStillIncreases) {
  ManualClock clock(k2026);
  SnowflakeGenerator gen(clock, 9);
  std::int64_t a = gen.next();
  clock.advance_ms(-5000);
  std::int64_t b = gen.next();
  std::int64_t c = gen.next();
  EXPECT_GT(b, a);
  EXPECT_GT(c, b);
  EXPECT_EQ(SnowflakeGenerator::node_of(b), 9);
  clock.advance_ms(10000);
  std::int64_t d = gen.next();
  EXPECT_GT(d, c);
  EXPECT_EQ(SnowflakeGenerator::timestamp_ms_of(d), k2026 + 5000);
}

TEST(Snowflake, AdvancePastAStoredIdFromTheFuture) {
  ManualClock clock(k2026);
  SnowflakeGenerator other(clock, 3);
  clock.advance_ms(60000);
  std::int64_t stored = other.next();  // written while the clock was a minute ahead
  clock.advance_ms(-60000);

  SnowflakeGenerator gen(clock, 3);
  gen.advance_past(stored);
  std::int64_t next = gen.next();
  EXPECT_GT(next, stored);
  EXPECT_EQ(SnowflakeGenerator::node_of(next), 3);
  EXPECT_GT(gen.next(), next);
  // A floor below what the generator already handed out changes nothing.
  std::int64_t before = gen.next();
  gen.advance_past(1);
  EXPECT_EQ(gen.next(), before + 1);
}

TEST(Snowflake, RejectsNodeOutOfRange) {
  ManualClock clock;
  EXPECT_THROW({ SnowflakeGenerator g(clock, -1); }, std::invalid_argument);
  EXPECT_THROW({ SnowflakeGenerator g(clock, SnowflakeGenerator::kMaxNode + 1); },
               std::invalid_argument);
  SnowflakeGenerator max(clock, SnowflakeGenerator::kMaxNode);
  clock.advance_ms(1);
  EXPECT_EQ(SnowflakeGenerator::node_of(max.next()), SnowflakeGenerator::kMaxNode);
}

// ---------------------------------------------------------------------------------------------
// Bot tokens

const std::string kAppHex = "0123abcd456789ef0123456789abcdef";
const std::string kSecret43 = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

TEST(BotTokenParse, ValidTokenRoundTrips) {
  ASSERT_EQ(kSecret43.size(), 43u);
  std::string text = kAppHex + ":" + kSecret43;
  auto token = BotToken::parse(text);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->app_id.hex(), kAppHex);
  EXPECT_EQ(token->secret, kSecret43);
  EXPECT_EQ(token->str(), text);
  EXPECT_TRUE(looks_like_bot_token(text));
}

TEST(BotTokenParse, RejectsWrongHexLength) {
  EXPECT_FALSE(BotToken::parse(kAppHex.substr(0, 31) + ":" + kSecret43));
  EXPECT_FALSE(BotToken::parse(kAppHex + "a:" + kSecret43));
  EXPECT_FALSE(looks_like_bot_token(kAppHex.substr(0, 31) + ":" + kSecret43));
}

TEST(BotTokenParse, RejectsBadSeparator) {
  EXPECT_FALSE(BotToken::parse(kAppHex + "." + kSecret43));
  EXPECT_FALSE(BotToken::parse(kAppHex + kSecret43));
  EXPECT_FALSE(BotToken::parse(kAppHex + ":"));
  EXPECT_FALSE(BotToken::parse("Bot " + kAppHex + ":" + kSecret43));
}

TEST(BotTokenParse, SecretLengthBounds) {
  EXPECT_FALSE(BotToken::parse(kAppHex + ":" + std::string(19, 'a')));
  EXPECT_TRUE(BotToken::parse(kAppHex + ":" + std::string(20, 'a')));
  EXPECT_TRUE(BotToken::parse(kAppHex + ":" + std::string(200, 'a')));
  EXPECT_FALSE(BotToken::parse(kAppHex + ":" + std::string(201, 'a')));
}

TEST(BotTokenParse, RejectsNonBase64UrlCharacters) {
  for (char bad : {'+', '/', '=', ' ', ':', '.'}) {
    std::string secret = kSecret43;
    secret[10] = bad;
    EXPECT_FALSE(BotToken::parse(kAppHex + ":" + secret)) << "char " << bad;
  }
}

TEST(BotTokenParse, AcceptsUppercaseHex) {
  auto token = BotToken::parse("0123ABCD456789EF0123456789ABCDEF:" + kSecret43);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->app_id.hex(), kAppHex);
  EXPECT_EQ(token->str(), kAppHex + ":" + kSecret43);  // written back lowercase
}

// ---------------------------------------------------------------------------------------------
// Permissions

TEST(Permissions, RoutePermissionMappingOfDecisions5) {
  EXPECT_EQ(entitlement_for(RoutePermission::SendMessages), 1ull << 5);
  EXPECT_EQ(entitlement_for(RoutePermission::ReadMessages), 1ull << 1);
  EXPECT_EQ(entitlement_for(RoutePermission::ManageChannels), 1ull << 50);
  EXPECT_EQ(entitlement_for(RoutePermission::KickMembers), 1ull << 44);
  EXPECT_EQ(entitlement_for(RoutePermission::ViewMembers), 1ull << 0);
  EXPECT_EQ(entitlement_for(RoutePermission::ConnectVoice), 1ull << 20);
  EXPECT_EQ(entitlement_for(RoutePermission::AddReactions), 1ull << 8);  // UPSTREAM.md §2.2
  EXPECT_EQ(entitlement::kManageServer, 1ull << 55);
  EXPECT_EQ(entitlement::kManageArchetype, 1ull << 51);
}

TEST(Permissions, RoutePermissionNamesRoundTrip) {
  for (auto p :
       {RoutePermission::SendMessages, RoutePermission::ReadMessages,
        RoutePermission::ManageChannels, RoutePermission::KickMembers, RoutePermission::ViewMembers,
        RoutePermission::ConnectVoice, RoutePermission::AddReactions}) {
    auto parsed = parse_route_permission(route_permission_name(p));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_FALSE(parse_route_permission("ManageEverything"));
}

TEST(Permissions, PlainMemberHasOnlyItsBits) {
  MemberPermissions p{entitlement::kDefaultMember, false};
  EXPECT_FALSE(p.administrator());
  EXPECT_TRUE(p.has(entitlement::kSendMessages));
  EXPECT_TRUE(p.has(entitlement::kReadHistory));
  EXPECT_FALSE(p.has(entitlement::kManageChannels));
  EXPECT_FALSE(p.has(entitlement::kKickMember));
  EXPECT_FALSE(p.has(entitlement::kManageBots));
}

TEST(Permissions, OwnerAndManageServerBypass) {
  MemberPermissions owner{0, true};
  EXPECT_TRUE(owner.administrator());
  EXPECT_TRUE(owner.has(entitlement::kManageChannels | entitlement::kKickMember));
  EXPECT_TRUE(owner.has_any(entitlement::kBanMember));

  MemberPermissions admin{entitlement::kManageServer, false};
  EXPECT_TRUE(admin.administrator());
  EXPECT_TRUE(admin.has(entitlement::kManageChannels));
  EXPECT_TRUE(admin.has(entitlement::kKickMember | entitlement::kManageBots));
}

TEST(Permissions, HasNeedsEveryBitOfAMask) {
  MemberPermissions p{entitlement::kSendMessages | entitlement::kReadHistory, false};
  EXPECT_TRUE(p.has(entitlement::kSendMessages | entitlement::kReadHistory));
  EXPECT_FALSE(p.has(entitlement::kSendMessages | entitlement::kManageChannels));
  EXPECT_TRUE(p.has_any(entitlement::kSendMessages | entitlement::kManageChannels));
  EXPECT_FALSE(p.has_any(entitlement::kManageChannels | entitlement::kKickMember));
}

TEST(Permissions, EntitlementNames) {
  EXPECT_EQ(entitlement_name(entitlement::kManageChannels), "ManageChannels");
  EXPECT_EQ(entitlement_name(entitlement::kKickMember), "KickMember");
  EXPECT_EQ(entitlement_name(entitlement::kSendMessages), "SendMessages");
  EXPECT_EQ(entitlement_name(entitlement::kUseAsio), "UseASIO");
  EXPECT_EQ(entitlement_name(entitlement::kManageMessages), "ManageMessages");
  EXPECT_EQ(entitlement_name(1ull << 3), "");  // unassigned bit
  EXPECT_EQ(entitlement_name(entitlement::kSendMessages | entitlement::kReadHistory), "");
}

// ---------------------------------------------------------------------------------------------
// Names

TEST(Names, PersonUsernameLengthBounds) {
  EXPECT_FALSE(validate_person_username("a"));
  EXPECT_TRUE(validate_person_username("ab"));
  EXPECT_TRUE(validate_person_username(std::string(32, 'a')));
  auto too_long = validate_person_username(std::string(33, 'a'));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, "validation_error");
  EXPECT_EQ(too_long.error().status, 400);
  EXPECT_NE(too_long.error().message->find("username"), std::string::npos);
}

TEST(Names, PersonUsernameAlphabet) {
  EXPECT_TRUE(validate_person_username("alice.b_2"));
  EXPECT_FALSE(validate_person_username("Alice"));  // callers lowercase first
  EXPECT_FALSE(validate_person_username("al ice"));
  EXPECT_FALSE(validate_person_username("al-ice"));
  EXPECT_FALSE(validate_person_username("alicé"));
  EXPECT_EQ(to_lower_ascii("AlIcE_9"), "alice_9");
}

TEST(Names, PersonUsernameMayNotEndInBot) {
  auto r = validate_person_username("helper_bot");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "validation_error");
  EXPECT_TRUE(validate_person_username("helperbot"));
  EXPECT_TRUE(validate_person_username("_bot_x"));
}

TEST(Names, BotUsernameRequiresBotSuffix) {
  EXPECT_TRUE(validate_bot_username("helper_bot"));
  for (const char* bad : {"helper", "helperbot", "_bot", "Helper_bot", "x", "a b_bot"}) {
    auto r = validate_bot_username(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_username") << bad;
    EXPECT_EQ(r.error().status, 400);
  }
  EXPECT_FALSE(validate_bot_username(std::string(29, 'a') + "_bot"));  // 33
  EXPECT_TRUE(validate_bot_username(std::string(28, 'a') + "_bot"));   // 32
}

TEST(Names, PasswordBounds) {
  EXPECT_FALSE(validate_password(std::string(7, 'p')));
  EXPECT_TRUE(validate_password(std::string(8, 'p')));
  EXPECT_TRUE(validate_password(std::string(1024, 'p')));
  auto r = validate_password(std::string(1025, 'p'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "validation_error");
}

TEST(Names, NameBlankAndLengthInCodePoints) {
  EXPECT_TRUE(validate_name("general", "name"));
  EXPECT_FALSE(validate_name("", "name"));
  EXPECT_FALSE(validate_name("   \t", "name"));
  EXPECT_FALSE(validate_name("\xe3\x80\x80", "name"));  // U+3000 ideographic space
  EXPECT_TRUE(validate_name(std::string(100, 'n'), "name"));
  EXPECT_FALSE(validate_name(std::string(101, 'n'), "name"));

  std::string emoji = "\xf0\x9f\x98\x80";  // U+1F600: 4 bytes, 1 code point, 2 UTF-16 units
  std::string hundred, hundred_one;
  for (int i = 0; i < 100; ++i) hundred += emoji;
  hundred_one = hundred + emoji;
  EXPECT_TRUE(validate_name(hundred, "name"));
  auto r = validate_name(hundred_one, "name");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "validation_error");
  EXPECT_NE(r.error().message->find("name"), std::string::npos);
}

TEST(Names, NameRejectsInvalidUtf8AndHonoursMax) {
  EXPECT_FALSE(validate_name("ab\xff", "name"));
  EXPECT_TRUE(validate_name(std::string(64, 'd'), "displayName", kDisplayNameMax));
  EXPECT_FALSE(validate_name(std::string(65, 'd'), "displayName", kDisplayNameMax));
}

TEST(Names, DescriptionBounds) {
  EXPECT_TRUE(validate_description(""));
  EXPECT_TRUE(validate_description(std::string(1024, 'd')));
  EXPECT_FALSE(validate_description(std::string(1025, 'd')));
  EXPECT_FALSE(validate_description("bad \xc0\xaf utf8"));
}

}  // namespace
}  // namespace argon
