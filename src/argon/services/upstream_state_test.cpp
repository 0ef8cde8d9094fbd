// The runtime side of the newest upstream state (UPSTREAM.md §3–§5): voiceState on the four
// interaction events (the person's voice channel in the event's space, from the one-node rooms
// in memory and from the cluster's rooms in the store), BotUserV1.locale and
// callIncoming.fromLocale from UserLocales, and ready's spaces[] entries.
// Runs on SQLite and, with ARGON_TEST_STORE=postgres, on PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "argon/events/event_log.hpp"
#include "argon/services/commands.hpp"
#include "argon/services/interactions.hpp"
#include "argon/services/services_test_fixture.hpp"
#include "argon/services/streams.hpp"
#include "argon/services/user_locales.hpp"
#include "argon/services/voice.hpp"

namespace argon::services::testing {
namespace {

// People in a space with a bot that has a command and a message with a button and a select.
class UpstreamStateTest : public HomeSpaceTest {
 protected:
  void SetUp() override {
    HomeSpaceTest::SetUp();
    ctx_.locales = &locales_;
    auto created = sync_wait(bots_.create_app(alice_.id, {"Dice", "dice_bot"}));
    ASSERT_TRUE(created.ok());
    ASSERT_TRUE(sync_wait(bots_.install(alice_.id, home_.space.id, created->app.id)).ok());
    auto who = sync_wait(bots_.authenticate(created->token));
    ASSERT_TRUE(who.ok());
    dice_ = *who;
    auto c = sync_wait(commands_.register_command(dice_, {"roll", "Roll", {}, {}, {}}));
    ASSERT_TRUE(c.ok());
    roll_ = c->id;
    Control button;
    button.type = ControlType::kButton;
    button.variant = ButtonVariant::kCallback;
    button.label = "Go";
    button.id = "go";
    Control pick;
    pick.type = ControlType::kStringSelect;
    pick.custom_id = "fruit";
    pick.options = std::vector<SelectOption>{{"Apple", "apple", {}, {}}};
    auto sent = sync_wait(messages_.send(
        dice_.caller(),
        {general_, {"pick", {}, {ControlRow{{button}}, ControlRow{{pick}}}}, {}, {}}));
    ASSERT_TRUE(sent.ok()) << sent.error().message.value_or("");
    message_ = sent->message_id;
    // Another space bob is in, with a voice channel of its own.
    other_ = space_of(eve_, "Elsewhere");
    join(bob_, other_);
    other_voice_ = channel_named(other_, "voice").id;
  }

  boost::json::object last_bot_event(const std::string& type) {
    auto events = log(events::bot_stream(dice_.user.id));
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->type == type) return payload(*it);
    ADD_FAILURE() << "no " << type;
    return {};
  }
  // Runs all four interactions as `who` and returns their events' voiceState.
  std::vector<boost::json::value> voice_states(InteractionService& interactions, const User& who) {
    std::vector<boost::json::value> out;
    auto invoked = sync_wait(interactions.invoke_command(who.id, general_, roll_, {}));
    EXPECT_TRUE(invoked.ok()) << invoked.error().code;
    out.push_back(last_bot_event("commandInteraction").at("voiceState"));
    EXPECT_TRUE(sync_wait(interactions.click(who.id, message_, "go")).ok());
    out.push_back(last_bot_event("controlInteraction").at("voiceState"));
    EXPECT_TRUE(sync_wait(interactions.select(who.id, message_, "fruit", {"apple"})).ok());
    out.push_back(last_bot_event("selectInteraction").at("voiceState"));
    auto shown = sync_wait(interactions.show_modal(dice_, *invoked, modal()));
    EXPECT_TRUE(shown.ok());
    EXPECT_TRUE(
        sync_wait(interactions.submit_modal(who.id, *shown, {{"name", {"Bo"}, true, false}})).ok());
    out.push_back(last_bot_event("modalSubmit").at("voiceState"));
    return out;
  }
  static ModalDefinition modal() {
    ModalComponent name;
    name.type = ModalComponentType::kTextInput;
    name.custom_id = "name";
    name.label = "Name";
    name.style = TextInputStyle::kShort;
    return ModalDefinition{"feedback", "Feedback", {name}};
  }
  static boost::json::value slot(const Uuid& channel, std::int64_t joined_at_ms) {
    return boost::json::object{
        {"channelId", channel.str()}, {"joinedAt", format_iso8601_ms(joined_at_ms)}, {"state", 0}};
  }
  void expect_all(const std::vector<boost::json::value>& states, const boost::json::value& want) {
    ASSERT_EQ(states.size(), 4u);
    for (std::size_t i = 0; i < states.size(); ++i)
      EXPECT_EQ(states[i], want) << "interaction " << i << ": "
                                 << boost::json::serialize(states[i]);
  }
  // Where the rooms are: in memory (one node) or in the store (several nodes).
  std::unique_ptr<VoiceRooms> rooms(bool in_store) {
    if (in_store) return std::make_unique<StoreVoiceRooms>(*db_, clock_, 30000);
    return std::make_unique<LocalVoiceRooms>(*db_, clock_, 1);
  }
  void check_voice_state(bool in_store) {
    auto voice = rooms(in_store);
    InteractionService interactions(ctx_, voice.get());
    expect_all(voice_states(interactions, bob_), nullptr);
    // In a voice channel of another space: does not count.
    clock_.advance_ms(1000);
    ASSERT_TRUE(*sync_wait(voice->join(voice_room(other_.space.id, other_voice_), bob_.id, {})));
    expect_all(voice_states(interactions, bob_), nullptr);
    // In this space's voice channel: the slot, since the join.
    clock_.advance_ms(1000);
    const std::int64_t joined = clock_.now_unix_ms();
    ASSERT_TRUE(*sync_wait(voice->join(voice_room(home_.space.id, voice_), bob_.id, {})));
    clock_.advance_ms(5000);
    expect_all(voice_states(interactions, bob_), slot(voice_, joined));
    expect_all(voice_states(interactions, alice_), nullptr);  // only the interacting person's
    // A second voice channel of the space joined later: the latest join is the slot.
    auto lounge = sync_wait(spaces_.create_channel(
        alice_.id, home_.space.id, {"lounge", std::nullopt, ChannelType::Voice, std::nullopt}));
    ASSERT_TRUE(lounge.ok()) << lounge.error().code;
    clock_.advance_ms(1000);
    const std::int64_t later = clock_.now_unix_ms();
    ASSERT_TRUE(*sync_wait(voice->join(voice_room(home_.space.id, lounge->id), bob_.id, {})));
    expect_all(voice_states(interactions, bob_), slot(lounge->id, later));
    ASSERT_TRUE(*sync_wait(voice->leave(voice_room(home_.space.id, lounge->id), bob_.id, {})));
    auto before_leave = log(events::bot_stream(dice_.user.id));
    ASSERT_TRUE(*sync_wait(voice->leave(voice_room(home_.space.id, voice_), bob_.id, {})));
    expect_all(voice_states(interactions, bob_), nullptr);
    // The snapshot stays with the event: the log (what a replay reads) is unchanged.
    auto after = log(events::bot_stream(dice_.user.id));
    ASSERT_GE(after.size(), before_leave.size());
    for (std::size_t i = 0; i < before_leave.size(); ++i)
      EXPECT_EQ(after[i].payload, before_leave[i].payload);
    EXPECT_EQ(payload(before_leave.back()).at("voiceState"), slot(lounge->id, later));
  }

  UserLocales locales_{clock_};
  CommandService commands_{ctx_};
  BotIdentity dice_;
  Uuid roll_;
  std::int64_t message_ = 0;
  SpaceDetail other_;
  Uuid other_voice_;
};

TEST_F(UpstreamStateTest, VoiceStateFromOneNodesRoomsInMemory) {
  check_voice_state(false);
}

TEST_F(UpstreamStateTest, VoiceStateFromTheClustersRoomsInTheStore) {
  check_voice_state(true);
}

TEST_F(UpstreamStateTest, WithoutVoiceRoomsVoiceStateIsNull) {
  InteractionService interactions(ctx_);
  expect_all(voice_states(interactions, bob_), nullptr);
}

TEST_F(UpstreamStateTest, VoiceStateFollowsAPersonsJoinAndLeaveThroughTheVoiceService) {
  VoiceSettings settings;
  settings.secret = "0123456789abcdef0123456789abcdef";
  VoiceService voice(ctx_, settings);
  voice.set_public_base("http://localhost:1");
  InteractionService interactions(ctx_, &voice.rooms());
  const std::int64_t joined = clock_.now_unix_ms();
  ASSERT_TRUE(sync_wait(voice.person_join(bob_.id, voice_)).ok());
  expect_all(voice_states(interactions, bob_), slot(voice_, joined));
  // joinedAt is the voiceJoin's time.
  for (const auto& r : space_log(home_))
    if (r.type == "voiceJoin") EXPECT_EQ(r.created_at_ms, joined);
  ASSERT_TRUE(sync_wait(voice.person_leave(bob_.id, voice_)).ok());
  expect_all(voice_states(interactions, bob_), nullptr);
  EXPECT_EQ(count_of(space_log(home_), "voiceLeave"), 1u);
}

// ---- locale --------------------------------------------------------------------------------

TEST_F(UpstreamStateTest, EveryUserObjectABotReceivesCarriesTheLocale) {
  locales_.note(bob_.id, "pt-BR");
  ASSERT_TRUE(send(bob_, "olá").ok());
  ASSERT_TRUE(send(alice_, "hi").ok());
  auto events = space_log(home_);
  auto sender_of = [&](const std::string& text) {
    for (const auto& r : events)
      if (r.type == "messageCreate" && payload(r).at("message").at("text").as_string() == text)
        return payload(r).at("message").at("sender").as_object();
    ADD_FAILURE() << text;
    return boost::json::object{};
  };
  EXPECT_EQ(sender_of("olá").at("locale").as_string(), "pt");
  EXPECT_TRUE(sender_of("hi").at("locale").is_null());

  // Interaction user, presence, member update, voice.
  InteractionService interactions(ctx_);
  ASSERT_TRUE(sync_wait(interactions.invoke_command(bob_.id, general_, roll_, {})).ok());
  EXPECT_EQ(last_bot_event("commandInteraction").at("user").at("locale").as_string(), "pt");
  Presence online;
  online.status = PresenceStatus::Online;
  ASSERT_TRUE(sync_wait(accounts_.set_presence(bob_.id, online)).ok());
  VoiceSettings settings;
  settings.secret = "0123456789abcdef0123456789abcdef";
  VoiceService voice(ctx_, settings);
  voice.set_public_base("http://localhost:1");
  ASSERT_TRUE(sync_wait(voice.person_join(bob_.id, voice_)).ok());
  auto newcomer = person("carol");
  locales_.note(newcomer.id, "jp");
  join(newcomer, home_);
  std::map<std::string, std::string> seen;
  for (const auto& r : space_log(home_)) {
    auto p = payload(r);
    if (!p.contains("user")) continue;
    auto user = p.at("user").as_object();
    if (user.at("userId").as_string() != bob_.id.str() &&
        user.at("userId").as_string() != newcomer.id.str())
      continue;
    seen[r.type] =
        user.at("locale").is_null() ? "<null>" : std::string(user.at("locale").as_string());
  }
  EXPECT_EQ(seen["presenceUpdate"], "pt");
  EXPECT_EQ(seen["voiceJoin"], "pt");
  EXPECT_EQ(seen["memberJoin"], "ja");

  // The caller's locale at ring time.
  auto call = sync_wait(voice.start_call(bob_.id, dice_.user.id));
  ASSERT_TRUE(call.ok()) << call.error().code;
  EXPECT_EQ(last_bot_event("callIncoming"),
            boost::json::parse(R"({"callId":")" + call->str() + R"(","fromUserId":")" +
                               bob_.id.str() + R"(","fromLocale":"pt"})"));
  auto quiet = sync_wait(voice.start_call(alice_.id, dice_.user.id));
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(last_bot_event("callIncoming").at("fromLocale").is_null());

  // 30 minutes after the last request that carried it: gone.
  clock_.advance_ms(UserLocales::kDefaultTtlMs);
  ASSERT_TRUE(send(bob_, "later").ok());
  events = space_log(home_);
  EXPECT_TRUE(sender_of("later").at("locale").is_null());
  EXPECT_FALSE(accounts_.current_locale(bob_.id));
}

TEST_F(UpstreamStateTest, AccountsNoteTheHeaderValue) {
  accounts_.note_locale(bob_.id, "ZH_Hant");
  EXPECT_EQ(accounts_.current_locale(bob_.id), "zh");
  accounts_.note_locale(bob_.id, "1234");  // invalid: left alone
  accounts_.note_locale(bob_.id, "");
  EXPECT_EQ(accounts_.current_locale(bob_.id), "zh");
  ctx_.locales = nullptr;  // a runtime without the cache: nothing is kept
  accounts_.note_locale(bob_.id, "de");
  EXPECT_FALSE(accounts_.current_locale(bob_.id));
}

// ---- ready ---------------------------------------------------------------------------------

TEST(ReadySpaceTest, GrantedEntitlementsIsAnExactUnsignedInteger) {
  const Uuid space = *Uuid::parse("0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_EQ(boost::json::serialize(ready_space_json(space, 0)),
            R"({"spaceId":"0f8fad5b-d9cb-469f-a165-70867728950e","grantedEntitlements":0,)"
            R"("pendingApproval":false})");
  const Entitlements high = entitlement::kManageServer | entitlement::kViewChannel;
  EXPECT_NE(boost::json::serialize(ready_space_json(space, high))
                .find(R"("grantedEntitlements":36028797018963969,)"),
            std::string::npos);
  EXPECT_NE(boost::json::serialize(ready_space_json(space, ~Entitlements{0}))
                .find(R"("grantedEntitlements":18446744073709551615,)"),
            std::string::npos);
}

}  // namespace
}  // namespace argon::services::testing
