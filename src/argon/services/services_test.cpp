// Services against a real SQLite store: accounts, spaces, invites, members, archetypes, channels.
// (Messages and typing: services_messages_test.cpp; bots: services_bots_test.cpp.)
#include "argon/services/services_test_fixture.hpp"

namespace argon::services::testing {
namespace {

using AccountsTest = ServicesTest;
using SpacesTest = ServicesTest;

// ---------------------------------------------------------------------------------------------
// Accounts

TEST_F(AccountsTest, RegisterLowercasesAndAuthenticatesTheToken) {
  auto r =
      sync_wait(accounts_.register_person({"Alice", "correct horse", std::string("Alice A.")}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->user.username, "alice");
  EXPECT_EQ(r->user.display_name, "Alice A.");
  EXPECT_EQ(r->user.flags, 0);
  EXPECT_FALSE(r->token.empty());

  auto who = sync_wait(accounts_.authenticate(r->token));
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->id, r->user.id);
  EXPECT_EQ(who->username, "alice");
}

TEST_F(AccountsTest, DisplayNameDefaultsToUsername) {
  User bob = person("Bob");
  EXPECT_EQ(bob.display_name, "bob");
}

TEST_F(AccountsTest, LoginGivesANewWorkingSession) {
  auto reg = sync_wait(accounts_.register_person({"alice", "correct horse", std::nullopt}));
  ASSERT_TRUE(reg.ok());
  auto login = sync_wait(accounts_.login("ALICE", "correct horse"));
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->user.id, reg->user.id);
  EXPECT_NE(login->token, reg->token);
  auto who = sync_wait(accounts_.authenticate(login->token));
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->id, reg->user.id);
  EXPECT_TRUE(sync_wait(accounts_.authenticate(reg->token)).ok());  // the first session stays valid
}

TEST_F(AccountsTest, WrongPasswordOrUnknownUserIsInvalidCredentials) {
  person("alice");
  auto wrong = sync_wait(accounts_.login("alice", "wrong horse"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().status, 401);
  EXPECT_EQ(wrong.error().code, "invalid_credentials");

  auto unknown = sync_wait(accounts_.login("nobody", "correct horse"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().status, 401);
  EXPECT_EQ(unknown.error().code, "invalid_credentials");
}

TEST_F(AccountsTest, BadTokensAreUnauthorized) {
  person("alice");
  for (const char* token : {"", "garbage", "0123456789abcdef"}) {
    auto r = sync_wait(accounts_.authenticate(token));
    ASSERT_FALSE(r.ok()) << token;
    EXPECT_EQ(r.error().status, 401);
    EXPECT_EQ(r.error().code, "unauthorized");
  }
}

TEST_F(AccountsTest, DuplicateUsernameIsTakenCaseInsensitively) {
  person("alice");
  std::int64_t users_before = rows("users");
  auto dup = sync_wait(accounts_.register_person({"ALICE", "another horse", std::nullopt}));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().status, 409);
  EXPECT_EQ(dup.error().code, "username_taken");
  EXPECT_EQ(rows("users"), users_before);
}

TEST_F(AccountsTest, BotNamesAndBadInputAreRejectedForPeople) {
  auto bot = sync_wait(accounts_.register_person({"helper_bot", "correct horse", std::nullopt}));
  ASSERT_FALSE(bot.ok());
  EXPECT_EQ(bot.error().status, 400);
  EXPECT_EQ(bot.error().code, "validation_error");

  auto short_pw = sync_wait(accounts_.register_person({"alice", "1234567", std::nullopt}));
  ASSERT_FALSE(short_pw.ok());
  EXPECT_EQ(short_pw.error().code, "validation_error");
  EXPECT_NE(short_pw.error().message->find("password"), std::string::npos);

  auto bad_name = sync_wait(accounts_.register_person({"a", "correct horse", std::nullopt}));
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().code, "validation_error");

  auto blank_display =
      sync_wait(accounts_.register_person({"alice", "correct horse", std::string(" ")}));
  ASSERT_FALSE(blank_display.ok());
  EXPECT_NE(blank_display.error().message->find("displayName"), std::string::npos);

  EXPECT_EQ(rows("users"), 0);
  EXPECT_EQ(rows("sessions"), 0);
}

TEST_F(AccountsTest, BotsCannotLogInWithAPassword) {
  User owner = person("owner");
  auto app = sync_wait(bots_.create_app(owner.id, {"Helper", "helper_bot", std::nullopt}));
  ASSERT_TRUE(app.ok());
  auto login = sync_wait(accounts_.login("helper_bot", ""));
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.error().code, "invalid_credentials");
}

TEST_F(AccountsTest, CreateUserWithoutPasswordCannotLogIn) {
  auto r = sync_wait(accounts_.create_user("operator1", std::nullopt));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(sync_wait(accounts_.authenticate(r->token)).ok());
  auto login = sync_wait(accounts_.login("operator1", "anything at all"));
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.error().code, "invalid_credentials");
}

// ---------------------------------------------------------------------------------------------
// Spaces

TEST_F(SpacesTest, CreateSpaceHasOwnerDefaultArchetypeAndTwoChannels) {
  User alice = person("alice");
  auto r = sync_wait(spaces_.create_space(alice.id, "Home", std::string("our place")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->space.owner_id, alice.id);
  EXPECT_EQ(r->space.description, "our place");
  EXPECT_TRUE(r->viewer.is_owner);

  ASSERT_EQ(r->archetypes.size(), 1u);
  EXPECT_EQ(r->archetypes[0].name, "everyone");
  EXPECT_TRUE(r->archetypes[0].is_default);
  EXPECT_EQ(r->archetypes[0].permissions, entitlement::kDefaultMember);
  EXPECT_EQ(r->archetypes[0].id, r->space.default_archetype_id);

  ASSERT_EQ(r->channels.size(), 2u);
  EXPECT_EQ(r->channels[0].name, "general");
  EXPECT_EQ(r->channels[0].type, ChannelType::Text);
  EXPECT_EQ(r->channels[1].name, "voice");
  EXPECT_EQ(r->channels[1].type, ChannelType::Voice);

  ASSERT_EQ(r->members.size(), 1u);
  EXPECT_EQ(r->members[0].user_id, alice.id);

  // What the store holds agrees with what create returned.
  auto got = sync_wait(spaces_.get_space(alice.id, r->space.id));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->space.owner_id, alice.id);
  EXPECT_EQ(got->channels.size(), 2u);
  ASSERT_EQ(got->archetypes.size(), 1u);
  EXPECT_EQ(got->archetypes[0].permissions, entitlement::kDefaultMember);
  EXPECT_TRUE(got->viewer.is_owner);
  EXPECT_EQ(got->viewer.mask, entitlement::kDefaultMember);

  auto mine = sync_wait(spaces_.list_spaces(alice.id));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].id, r->space.id);
}

TEST_F(SpacesTest, InvalidSpaceNamesWriteNothing) {
  User alice = person("alice");
  EXPECT_EQ(sync_wait(spaces_.create_space(alice.id, "", std::nullopt)).error().code,
            "validation_error");
  EXPECT_EQ(
      sync_wait(spaces_.create_space(alice.id, std::string(101, 'x'), std::nullopt)).error().code,
      "validation_error");
  EXPECT_EQ(sync_wait(spaces_.create_space(alice.id, "ok", std::string(1025, 'd'))).error().code,
            "validation_error");
  EXPECT_EQ(rows("spaces"), 0);
  EXPECT_EQ(rows("channels"), 0);
}

TEST_F(SpacesTest, NonMemberAndUnknownSpace) {
  User alice = person("alice");
  User eve = person("eve");
  auto home = space_of(alice);
  auto r = sync_wait(spaces_.get_space(eve.id, home.space.id));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 403);
  EXPECT_EQ(r.error().code, "not_a_member");

  Uuid unknown = random_.uuid();
  auto missing = sync_wait(spaces_.get_space(alice.id, unknown));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().status, 404);
  auto bot_style = sync_wait(spaces_.get_space(alice.id, unknown, UnknownSpace::NotAMember));
  ASSERT_FALSE(bot_style.ok());
  EXPECT_EQ(bot_style.error().code, "not_a_member");
  EXPECT_TRUE(sync_wait(spaces_.list_spaces(eve.id)).empty());
}

// ---------------------------------------------------------------------------------------------
// Invites

TEST_F(SpacesTest, AcceptInviteJoinsAndEmitsMemberJoin) {
  User alice = person("alice");
  User bob = person("bob");
  auto home = space_of(alice);
  auto inv = sync_wait(spaces_.create_invite(alice.id, home.space.id, {}));
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->code.size(), 10u);

  std::size_t sink_before = sink_.size();
  auto joined = sync_wait(spaces_.accept_invite(bob.id, inv->code));
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(*joined, home.space.id);

  auto log = space_log(home);  // the owner's memberJoin (creation), then Bob's
  ASSERT_EQ(log.size(), 2u);
  const auto& joined_event = log[1];
  EXPECT_EQ(joined_event.type, "memberJoin");
  EXPECT_EQ(joined_event.seq, 2);
  auto p = payload(joined_event);
  EXPECT_EQ(p.at("spaceId").as_string(), home.space.id.str());
  EXPECT_EQ(p.at("user").at("userId").as_string(), bob.id.str());
  EXPECT_EQ(p.at("user").at("username").as_string(), "bob");

  ASSERT_EQ(sink_.size(), sink_before + 1);
  EXPECT_EQ(sink_.records().back().type, "memberJoin");
  EXPECT_EQ(sink_.records().back().payload, joined_event.payload);

  auto got = sync_wait(spaces_.get_space(bob.id, home.space.id));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->viewer.is_owner);
  EXPECT_EQ(got->viewer.mask, entitlement::kDefaultMember);
  EXPECT_EQ(got->members.size(), 2u);
}

TEST_F(SpacesTest, CreatingASpaceEmitsTheOwnersMemberJoin) {
  // So an open feed of the owner follows the new space (events::Hub::apply_membership).
  User alice = person("alice");
  std::size_t sink_before = sink_.size();
  auto home = space_of(alice);
  auto log = space_log(home);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].type, "memberJoin");
  EXPECT_EQ(log[0].seq, 1);
  auto p = payload(log[0]);
  EXPECT_EQ(p.at("spaceId").as_string(), home.space.id.str());
  EXPECT_EQ(p.at("user").at("userId").as_string(), alice.id.str());
  EXPECT_EQ(p.at("user").at("username").as_string(), "alice");
  ASSERT_EQ(sink_.size(), sink_before + 1);
  EXPECT_EQ(sink_.records().back().type, "memberJoin");

  // A refused creation writes nothing.
  auto blank = sync_wait(spaces_.create_space(alice.id, "   ", std::nullopt));
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(sink_.size(), sink_before + 1);
}

TEST_F(SpacesTest, InviteMaxUses) {
  User alice = person("alice");
  User bob = person("bob");
  User carol = person("carol");
  auto home = space_of(alice);
  auto inv = sync_wait(spaces_.create_invite(alice.id, home.space.id, {1, std::nullopt}));
  ASSERT_TRUE(inv.ok());
  ASSERT_TRUE(sync_wait(spaces_.accept_invite(bob.id, inv->code)).ok());
  auto second = sync_wait(spaces_.accept_invite(carol.id, inv->code));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().status, 404);
  EXPECT_EQ(second.error().code, "invite_not_found");
  EXPECT_EQ(count_of(space_log(home), "memberJoin"), 2u);  // the owner's and Bob's

  EXPECT_EQ(
      sync_wait(spaces_.create_invite(alice.id, home.space.id, {0, std::nullopt})).error().code,
      "validation_error");
  EXPECT_EQ(
      sync_wait(spaces_.create_invite(alice.id, home.space.id, {1001, std::nullopt})).error().code,
      "validation_error");
}

TEST_F(SpacesTest, InviteExpiresWithTheClock) {
  User alice = person("alice");
  User bob = person("bob");
  User carol = person("carol");
  auto home = space_of(alice);
  auto inv = sync_wait(spaces_.create_invite(alice.id, home.space.id, {std::nullopt, 60}));
  ASSERT_TRUE(inv.ok());
  ASSERT_TRUE(inv->expires_at_ms.has_value());
  EXPECT_EQ(*inv->expires_at_ms, kStartMs + 60000);

  clock_.advance_ms(59999);
  ASSERT_TRUE(sync_wait(spaces_.accept_invite(bob.id, inv->code)).ok());
  clock_.advance_ms(1);
  auto late = sync_wait(spaces_.accept_invite(carol.id, inv->code));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "invite_not_found");

  EXPECT_EQ(
      sync_wait(spaces_.create_invite(alice.id, home.space.id, {std::nullopt, 59})).error().code,
      "validation_error");
}

TEST_F(SpacesTest, AlreadyMemberAndUnknownInvite) {
  User alice = person("alice");
  User bob = person("bob");
  auto home = space_of(alice);
  std::size_t sink_before = sink_.size();
  auto inv = sync_wait(spaces_.create_invite(alice.id, home.space.id, {}));
  ASSERT_TRUE(inv.ok());
  auto again = sync_wait(spaces_.accept_invite(alice.id, inv->code));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().status, 409);
  EXPECT_EQ(again.error().code, "already_member");

  auto unknown = sync_wait(spaces_.accept_invite(bob.id, "nosuchcode"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().status, 404);
  EXPECT_EQ(unknown.error().code, "invite_not_found");

  EXPECT_EQ(space_types(home), std::vector<std::string>{"memberJoin"});  // the creation's only
  EXPECT_EQ(sink_.size(), sink_before);
}

TEST_F(SpacesTest, OnlyMembersCreateInvites) {
  User alice = person("alice");
  User eve = person("eve");
  auto home = space_of(alice);
  auto r = sync_wait(spaces_.create_invite(eve.id, home.space.id, {}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "not_a_member");
  EXPECT_EQ(rows("invites"), 0);
}

// ---------------------------------------------------------------------------------------------
// Members: leave and kick

TEST_F(SpacesTest, KickNeedsKickMember) {
  User alice = person("alice");
  User bob = person("bob");
  User carol = person("carol");
  auto home = space_of(alice);
  join(bob, home);
  join(carol, home);
  std::size_t events_before = space_log(home).size();

  auto denied = sync_wait(spaces_.remove_member(bob.id, home.space.id, carol.id));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().status, 403);
  EXPECT_EQ(denied.error().code, "missing_permission");
  EXPECT_NE(denied.error().message->find("KickMember"), std::string::npos);
  EXPECT_EQ(space_log(home).size(), events_before);

  ASSERT_TRUE(sync_wait(spaces_.remove_member(alice.id, home.space.id, carol.id)).ok());
  auto events = space_log(home);
  ASSERT_EQ(events.size(), events_before + 1);
  EXPECT_EQ(events.back().type, "memberLeave");
  EXPECT_EQ(payload(events.back()).at("userId").as_string(), carol.id.str());
  EXPECT_EQ(sync_wait(spaces_.get_space(carol.id, home.space.id)).error().code, "not_a_member");
}

TEST_F(SpacesTest, KickableWithAnArchetypeButNotTheOwner) {
  User alice = person("alice");
  User bob = person("bob");
  User carol = person("carol");
  auto home = space_of(alice);
  join(bob, home);
  join(carol, home);
  auto mods = sync_wait(spaces_.create_archetype(
      alice.id, home.space.id, {std::string("mods"), 0, entitlement::kKickMember, false}));
  ASSERT_TRUE(mods.ok());
  ASSERT_TRUE(
      sync_wait(spaces_.assign_archetype(alice.id, home.space.id, bob.id, mods->id, true)).ok());

  auto owner = sync_wait(spaces_.remove_member(bob.id, home.space.id, alice.id));
  ASSERT_FALSE(owner.ok());
  EXPECT_EQ(owner.error().status, 403);
  EXPECT_TRUE(sync_wait(spaces_.remove_member(bob.id, home.space.id, carol.id)).ok());
  auto stranger = sync_wait(spaces_.remove_member(bob.id, home.space.id, carol.id));
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().status, 404);
}

TEST_F(SpacesTest, OwnerCannotLeaveButMembersCan) {
  User alice = person("alice");
  User bob = person("bob");
  auto home = space_of(alice);
  join(bob, home);

  auto owner = sync_wait(spaces_.remove_member(alice.id, home.space.id, alice.id));
  ASSERT_FALSE(owner.ok());
  EXPECT_EQ(owner.error().code, "owner_cannot_leave");
  EXPECT_TRUE(sync_wait(spaces_.get_space(alice.id, home.space.id)).ok());

  ASSERT_TRUE(sync_wait(spaces_.remove_member(bob.id, home.space.id, bob.id)).ok());
  EXPECT_EQ(space_types(home),
            (std::vector<std::string>{"memberJoin", "memberJoin", "memberLeave"}));
  EXPECT_TRUE(sync_wait(spaces_.list_spaces(bob.id)).empty());
}

TEST_F(SpacesTest, UpdateMemberDisplayName) {
  User alice = person("alice");
  User bob = person("bob");
  auto home = space_of(alice);
  join(bob, home);
  ASSERT_TRUE(
      sync_wait(spaces_.update_member(bob.id, home.space.id, bob.id, std::string("Bobby"))).ok());
  auto m = sync_wait(spaces_.get_member(alice.id, home.space.id, bob.id));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->display_name, "Bobby");
  auto events = space_log(home);
  EXPECT_EQ(events.back().type, "memberUpdate");
  EXPECT_EQ(payload(events.back()).at("user").at("displayName").as_string(), "Bobby");

  auto other =
      sync_wait(spaces_.update_member(bob.id, home.space.id, alice.id, std::string("Boss")));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "missing_permission");
}

// ---------------------------------------------------------------------------------------------
// Archetypes and channels

TEST_F(SpacesTest, ArchetypeGrantsManageChannels) {
  User alice = person("alice");
  User bob = person("bob");
  auto home = space_of(alice);
  join(bob, home);

  auto denied = sync_wait(spaces_.create_channel(bob.id, home.space.id, {"news"}));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, "missing_permission");
  EXPECT_NE(denied.error().message->find("ManageChannels"), std::string::npos);

  auto no_manage = sync_wait(spaces_.create_archetype(bob.id, home.space.id, {std::string("x")}));
  ASSERT_FALSE(no_manage.ok());
  EXPECT_EQ(no_manage.error().code, "missing_permission");

  auto mods = sync_wait(spaces_.create_archetype(
      alice.id, home.space.id,
      {std::string("mods"), 0x00ff00, entitlement::kManageChannels, true}));
  ASSERT_TRUE(mods.ok());
  EXPECT_EQ(mods->permissions, entitlement::kManageChannels);
  EXPECT_FALSE(mods->is_default);
  EXPECT_EQ(space_types(home).back(), "archetypeCreate");
  // Events never reveal permissions.
  EXPECT_TRUE(payload(space_log(home).back()).at("archetype").at("permissions").is_null());

  ASSERT_TRUE(
      sync_wait(spaces_.assign_archetype(alice.id, home.space.id, bob.id, mods->id, true)).ok());
  EXPECT_EQ(space_types(home).back(), "memberUpdate");
  auto member = sync_wait(spaces_.get_member(alice.id, home.space.id, bob.id));
  ASSERT_TRUE(member.ok());
  EXPECT_EQ(member->archetype_ids, (std::vector<Uuid>{home.space.default_archetype_id, mods->id}));

  auto news =
      sync_wait(spaces_.create_channel(bob.id, home.space.id, {"news", std::string("updates")}));
  ASSERT_TRUE(news.ok());
  EXPECT_EQ(news->type, ChannelType::Text);
  auto events = space_log(home);
  EXPECT_EQ(events.back().type, "channelCreate");
  EXPECT_EQ(payload(events.back()).at("channel").at("channelId").as_string(), news->id.str());
  EXPECT_EQ(payload(events.back()).at("channel").at("name").as_string(), "news");

  // Taking the permission away from the archetype takes it from its holders.
  auto updated = sync_wait(spaces_.update_archetype(alice.id, home.space.id, mods->id,
                                                    {std::nullopt, std::nullopt, Entitlements{0}}));
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->permissions, 0u);
  EXPECT_EQ(updated->name, "mods");
  EXPECT_EQ(space_types(home).back(), "archetypeUpdate");
  EXPECT_EQ(sync_wait(spaces_.create_channel(bob.id, home.space.id, {"more"})).error().code,
            "missing_permission");

  // So does unassigning.
  ASSERT_TRUE(sync_wait(spaces_.update_archetype(
                            alice.id, home.space.id, mods->id,
                            {std::nullopt, std::nullopt, entitlement::kManageChannels}))
                  .ok());
  ASSERT_TRUE(
      sync_wait(spaces_.assign_archetype(alice.id, home.space.id, bob.id, mods->id, false)).ok());
  EXPECT_EQ(space_types(home).back(), "memberUpdate");
  EXPECT_EQ(sync_wait(spaces_.create_channel(bob.id, home.space.id, {"more"})).error().code,
            "missing_permission");
}

TEST_F(SpacesTest, ArchetypeValidation) {
  User alice = person("alice");
  User bob = person("bob");
  auto home = space_of(alice);
  join(bob, home);
  std::size_t before = space_log(home).size();
  EXPECT_EQ(sync_wait(spaces_.create_archetype(alice.id, home.space.id, {})).error().code,
            "validation_error");
  EXPECT_EQ(sync_wait(spaces_.create_archetype(alice.id, home.space.id, {std::string("  ")}))
                .error()
                .code,
            "validation_error");
  EXPECT_EQ(sync_wait(spaces_.create_archetype(alice.id, home.space.id,
                                               {std::string("x"), 0, Entitlements{1} << 63}))
                .error()
                .code,
            "validation_error");
  auto unknown = sync_wait(spaces_.update_archetype(alice.id, home.space.id, random_.uuid(), {}));
  EXPECT_EQ(unknown.error().status, 404);
  // The default archetype belongs to everyone: it cannot be assigned.
  auto def = sync_wait(spaces_.assign_archetype(alice.id, home.space.id, bob.id,
                                                home.space.default_archetype_id, true));
  EXPECT_EQ(def.error().code, "validation_error");
  EXPECT_EQ(space_log(home).size(), before);
  EXPECT_EQ(rows("archetypes"), 1);
}

TEST_F(SpacesTest, ManageServerHolderCanDoEverything) {
  User alice = person("alice");
  User bob = person("bob");
  auto home = space_of(alice);
  join(bob, home);
  auto admins = sync_wait(spaces_.create_archetype(
      alice.id, home.space.id, {std::string("admins"), 0, entitlement::kManageServer}));
  ASSERT_TRUE(admins.ok());
  ASSERT_TRUE(
      sync_wait(spaces_.assign_archetype(alice.id, home.space.id, bob.id, admins->id, true)).ok());
  EXPECT_TRUE(sync_wait(spaces_.create_channel(bob.id, home.space.id, {"ops"})).ok());
  EXPECT_TRUE(
      sync_wait(spaces_.create_archetype(bob.id, home.space.id, {std::string("helpers")})).ok());
}

TEST_F(SpacesTest, DeleteChannelEmitsAndRemovesIt) {
  User alice = person("alice");
  User bob = person("bob");
  auto home = space_of(alice);
  join(bob, home);
  auto news = sync_wait(spaces_.create_channel(alice.id, home.space.id, {"news"}));
  ASSERT_TRUE(news.ok());
  // A channel with messages (and a randomId key) can be deleted too.
  MessageContent content{"hello", {}, {}};
  ASSERT_TRUE(sync_wait(messages_.send(caller(alice), {news->id, content, 7, std::nullopt})).ok());

  auto denied = sync_wait(spaces_.delete_channel(bob.id, home.space.id, news->id));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, "missing_permission");

  ASSERT_TRUE(sync_wait(spaces_.delete_channel(alice.id, home.space.id, news->id)).ok());
  auto events = space_log(home);
  EXPECT_EQ(events.back().type, "channelDelete");
  EXPECT_EQ(payload(events.back()).at("channelId").as_string(), news->id.str());
  EXPECT_EQ(sync_wait(spaces_.get_space(alice.id, home.space.id))->channels.size(), 2u);
  EXPECT_EQ(rows("messages"), 0);

  auto gone = sync_wait(spaces_.delete_channel(alice.id, home.space.id, news->id));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "channel_not_found");
  auto send = sync_wait(messages_.send(caller(alice), {news->id, content}));
  ASSERT_FALSE(send.ok());
  EXPECT_EQ(send.error().code, "channel_not_found");
}

TEST_F(SpacesTest, ChannelOfAnotherSpaceIsNotFound) {
  User alice = person("alice");
  auto home = space_of(alice, "Home");
  auto work = space_of(alice, "Work");
  auto r =
      sync_wait(spaces_.delete_channel(alice.id, home.space.id, channel_named(work, "general").id));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "channel_not_found");
  EXPECT_EQ(sync_wait(spaces_.get_space(alice.id, work.space.id))->channels.size(), 2u);
}

TEST_F(SpacesTest, EventSequencesArePerSpaceStream) {
  User alice = person("alice");
  auto home = space_of(alice, "Home");
  auto work = space_of(alice, "Work");
  ASSERT_TRUE(sync_wait(spaces_.create_channel(alice.id, home.space.id, {"a"})).ok());
  ASSERT_TRUE(sync_wait(spaces_.create_channel(alice.id, work.space.id, {"b"})).ok());
  ASSERT_TRUE(sync_wait(spaces_.create_channel(alice.id, home.space.id, {"c"})).ok());
  auto h = space_log(home);  // each: the creation's memberJoin, then its channels
  auto w = space_log(work);
  ASSERT_EQ(h.size(), 3u);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(h[0].seq, 1);
  EXPECT_EQ(h[1].seq, 2);
  EXPECT_EQ(h[2].seq, 3);
  EXPECT_EQ(w[0].seq, 1);
  EXPECT_EQ(w[1].seq, 2);
  EXPECT_EQ(h[2].space_id, home.space.id);
  auto after_first = db_->read_now([&](store::Connection& c) {
    return events::read_after(c, events::space_stream(home.space.id), 2, 10);
  });
  ASSERT_EQ(after_first.size(), 1u);
  EXPECT_EQ(payload(after_first[0]).at("channel").at("name").as_string(), "c");
}

}  // namespace
}  // namespace argon::services::testing
