// Services against a real SQLite store: bot applications, tokens, installation, verification.
#include "argon/domain/bot_token.hpp"
#include "argon/services/services_test_fixture.hpp"

namespace argon::services::testing {
namespace {

using BotsTest = HomeSpaceTest;

// ---------------------------------------------------------------------------------------------
// Bots

TEST_F(BotsTest, CreateAppIssuesAWellFormedToken) {
  auto r = sync_wait(bots_.create_app(alice_.id, {"Helper", "Helper_Bot", std::nullopt}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->app.bot_username, "helper_bot");
  EXPECT_EQ(r->app.owner_id, alice_.id);
  auto token = BotToken::parse(r->token);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(r->token.substr(0, 32), r->app.id.hex());
  EXPECT_EQ(r->token[32], ':');
  EXPECT_EQ(token->secret.size(), 43u);

  auto user = sync_wait(accounts_.get_user(r->app.bot_user_id));
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->flags, user_flag::kBot);
  EXPECT_EQ(user->display_name, "Helper");

  auto apps = sync_wait(bots_.list_apps(alice_.id));
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0].id, r->app.id);
  EXPECT_FALSE(apps[0].is_verified);
  EXPECT_TRUE(sync_wait(bots_.list_apps(bob_.id)).empty());
}

TEST_F(BotsTest, CreateAppRejectsTakenAndBadUsernames) {
  ASSERT_TRUE(sync_wait(bots_.create_app(alice_.id, {"Helper", "helper_bot"})).ok());
  auto taken = sync_wait(bots_.create_app(bob_.id, {"Other", "HELPER_bot"}));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().status, 409);
  EXPECT_EQ(taken.error().code, "username_taken");
  auto person_name = sync_wait(bots_.create_app(bob_.id, {"Other", "alice"}));
  ASSERT_FALSE(person_name.ok());
  EXPECT_EQ(person_name.error().code, "invalid_username");
  auto no_suffix = sync_wait(bots_.create_app(bob_.id, {"Other", "helper"}));
  ASSERT_FALSE(no_suffix.ok());
  EXPECT_EQ(no_suffix.error().status, 400);
  EXPECT_EQ(no_suffix.error().code, "invalid_username");
  EXPECT_EQ(rows("bot_apps"), 1);
}

TEST_F(BotsTest, AuthenticateAndRotate) {
  auto created = sync_wait(bots_.create_app(alice_.id, {"Helper", "helper_bot"}));
  ASSERT_TRUE(created.ok());
  auto who = sync_wait(bots_.authenticate(created->token));
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->app.id, created->app.id);
  EXPECT_EQ(who->user.id, created->app.bot_user_id);
  Caller c = who->caller();
  EXPECT_TRUE(c.is_bot);
  EXPECT_EQ(c.app_id, created->app.id);
  EXPECT_FALSE(c.is_verified);

  EXPECT_EQ(sync_wait(bots_.rotate_token(bob_.id, created->app.id)).error().code, "not_found");
  auto rotated = sync_wait(bots_.rotate_token(alice_.id, created->app.id));
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(*rotated, created->token);
  auto old = sync_wait(bots_.authenticate(created->token));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().status, 401);
  EXPECT_TRUE(sync_wait(bots_.authenticate(*rotated)).ok());

  for (const std::string& bad :
       {std::string("garbage"), std::string(""), created->app.id.hex() + ":" + std::string(43, 'A'),
        random_.uuid().hex() + ":" + created->token.substr(33)}) {
    auto r = sync_wait(bots_.authenticate(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().status, 401);
    EXPECT_EQ(r.error().code, "unauthorized");
  }
}

TEST_F(BotsTest, AuthCacheSeesChangesFromElsewhereAfterItsTtl) {
  auto created = sync_wait(bots_.create_app(alice_.id, {"Helper", "helper_bot"}));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(sync_wait(bots_.authenticate(created->token)).ok());
  // Another process (the operator CLI) suspends the bot directly in the store.
  ASSERT_TRUE(db_->transact_now([&](store::Connection& c) -> Status {
                   c.exec("UPDATE users SET flags = $1 WHERE id = $2",
                          {user_flag::kBot | user_flag::kBanned, created->app.bot_user_id.str()});
                   return {};
                 })
                  .ok());
  clock_.advance_ms(ctx_.limits.bot_auth_cache_ms);
  auto later = sync_wait(bots_.authenticate(created->token));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().status, 401);
}

TEST_F(BotsTest, InstallNeedsManageBotsAndEmits) {
  auto created = sync_wait(bots_.create_app(alice_.id, {"Helper", "helper_bot"}));
  ASSERT_TRUE(created.ok());
  const Uuid bot_user = created->app.bot_user_id;
  std::size_t space_before = space_log(home_).size();

  auto denied = sync_wait(bots_.install(bob_.id, home_.space.id, created->app.id));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().status, 403);
  EXPECT_EQ(denied.error().code, "missing_permission");
  EXPECT_NE(denied.error().message->find("ManageBots"), std::string::npos);
  EXPECT_EQ(space_log(home_).size(), space_before);
  EXPECT_TRUE(log(events::bot_stream(bot_user)).empty());

  EXPECT_EQ(sync_wait(bots_.install(alice_.id, home_.space.id, random_.uuid())).error().status,
            404);
  ASSERT_TRUE(sync_wait(bots_.install(alice_.id, home_.space.id, created->app.id)).ok());
  auto direct = log(events::bot_stream(bot_user));
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_EQ(direct[0].stream, "bot:" + bot_user.str());
  EXPECT_EQ(direct[0].type, "botInstallingToSpace");
  EXPECT_EQ(payload(direct[0]).at("spaceId").as_string(), home_.space.id.str());
  auto events = space_log(home_);
  ASSERT_EQ(events.size(), space_before + 1);
  EXPECT_EQ(events.back().type, "memberJoin");
  EXPECT_EQ(payload(events.back()).at("user").at("userId").as_string(), bot_user.str());
  EXPECT_EQ(payload(events.back()).at("user").at("flags").as_int64(), user_flag::kBot);
  auto sunk = sink_.records();
  ASSERT_GE(sunk.size(), 2u);
  EXPECT_EQ(sunk[sunk.size() - 2].type, "botInstallingToSpace");
  EXPECT_EQ(sunk.back().type, "memberJoin");

  auto spaces = sync_wait(bots_.spaces_of(bot_user));
  ASSERT_EQ(spaces.size(), 1u);
  EXPECT_EQ(spaces[0].id, home_.space.id);
  // The bot is a member with the default archetype: it may send.
  auto bot = sync_wait(bots_.authenticate(created->token));
  ASSERT_TRUE(bot.ok());
  EXPECT_TRUE(sync_wait(messages_.send(bot->caller(), {general_, {"beep", {}, {}}})).ok());

  auto again = sync_wait(bots_.install(alice_.id, home_.space.id, created->app.id));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().status, 409);
  EXPECT_EQ(again.error().code, "already_installed");
  EXPECT_EQ(log(events::bot_stream(bot_user)).size(), 1u);
}

TEST_F(BotsTest, ManageBotsArchetypeAllowsInstallAndUninstall) {
  auto created = sync_wait(bots_.create_app(bob_.id, {"Helper", "helper_bot"}));
  ASSERT_TRUE(created.ok());
  auto keepers = sync_wait(spaces_.create_archetype(
      alice_.id, home_.space.id, {std::string("keepers"), 0, entitlement::kManageBots}));
  ASSERT_TRUE(keepers.ok());
  ASSERT_TRUE(
      sync_wait(spaces_.assign_archetype(alice_.id, home_.space.id, bob_.id, keepers->id, true))
          .ok());
  ASSERT_TRUE(sync_wait(bots_.install(bob_.id, home_.space.id, created->app.id)).ok());

  const Uuid bot_user = created->app.bot_user_id;
  ASSERT_TRUE(sync_wait(bots_.uninstall(bob_.id, home_.space.id, created->app.id)).ok());
  auto direct = log(events::bot_stream(bot_user));
  ASSERT_EQ(direct.size(), 2u);
  EXPECT_EQ(direct[1].type, "botUninstallingFromSpace");
  auto events = space_log(home_);
  EXPECT_EQ(events.back().type, "memberLeave");
  EXPECT_EQ(payload(events.back()).at("userId").as_string(), bot_user.str());
  EXPECT_TRUE(sync_wait(bots_.spaces_of(bot_user)).empty());

  auto twice = sync_wait(bots_.uninstall(bob_.id, home_.space.id, created->app.id));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().status, 404);
  EXPECT_EQ(log(events::bot_stream(bot_user)).size(), 2u);
}

TEST_F(BotsTest, SetVerifiedFlipsTheFlag) {
  auto created = sync_wait(bots_.create_app(alice_.id, {"Helper", "helper_bot"}));
  ASSERT_TRUE(created.ok());
  auto v = sync_wait(bots_.set_verified(created->app.id, true));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->is_verified);
  auto user = sync_wait(accounts_.get_user(created->app.bot_user_id));
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->flags, user_flag::kBot | user_flag::kVerified);
  EXPECT_TRUE(sync_wait(bots_.list_apps(alice_.id))[0].is_verified);
  auto who = sync_wait(bots_.authenticate(created->token));
  ASSERT_TRUE(who.ok());
  EXPECT_TRUE(who->caller().is_verified);

  auto u = sync_wait(bots_.set_verified_by_username("HELPER_BOT", false));
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->is_verified);
  EXPECT_EQ(sync_wait(accounts_.get_user(created->app.bot_user_id))->flags, user_flag::kBot);
  EXPECT_FALSE(sync_wait(bots_.authenticate(created->token))->caller().is_verified);

  EXPECT_EQ(sync_wait(bots_.set_verified(random_.uuid(), true)).error().status, 404);
  EXPECT_EQ(sync_wait(bots_.set_verified_by_username("nobody_bot", true)).error().status, 404);
  EXPECT_EQ(sync_wait(bots_.set_verified_by_username("alice", true)).error().status, 404);
}

TEST_F(BotsTest, KickedBotHearsOfItDirectly) {
  auto created = sync_wait(bots_.create_app(alice_.id, {"Helper", "helper_bot"}));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(sync_wait(bots_.install(alice_.id, home_.space.id, created->app.id)).ok());
  ASSERT_TRUE(
      sync_wait(spaces_.remove_member(alice_.id, home_.space.id, created->app.bot_user_id)).ok());
  auto direct = log(events::bot_stream(created->app.bot_user_id));
  ASSERT_EQ(direct.size(), 2u);
  EXPECT_EQ(direct[1].type, "botUninstallingFromSpace");
}

}  // namespace
}  // namespace argon::services::testing
