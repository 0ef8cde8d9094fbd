// Services against a real store (SQLite, or PostgreSQL: test_database.hpp): messages and typing.
#include <atomic>
#include <set>
#include <thread>

#include "argon/services/services_test_fixture.hpp"

namespace argon::services::testing {
namespace {

using MessagesTest = HomeSpaceTest;
using TypingTest = HomeSpaceTest;

// ---------------------------------------------------------------------------------------------
// Messages

// Many sends with the same randomId at once (on PostgreSQL from several pooled connections, the
// losers of the race retried by the store): exactly one message, and every caller is told its id.
TEST_F(MessagesTest, ConcurrentSendsWithOneRandomIdMakeOneMessage) {
  std::size_t events_before = space_log(home_).size();
  constexpr int kSenders = 8;
  std::vector<std::thread> threads;
  std::vector<Result<SendResult>> results(kSenders, Error::internal());
  for (int i = 0; i < kSenders; ++i)
    threads.emplace_back([&, i] { results[i] = send(bob_, "once", 31337); });
  for (auto& t : threads) t.join();
  std::set<std::int64_t> ids;
  int fresh = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error().code;
    ids.insert(r->message_id);
    fresh += r->duplicate ? 0 : 1;
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(rows("messages"), 1);
  EXPECT_EQ(space_log(home_).size(), events_before + 1);
}

// Joins racing for the last use of an invite: exactly max_uses of them get in.
TEST_F(MessagesTest, ConcurrentJoinsNeverExceedAnInvitesMaxUses) {
  CreateInviteRequest one_use;
  one_use.max_uses = 1;
  auto invite = sync_wait(spaces_.create_invite(alice_.id, home_.space.id, one_use));
  ASSERT_TRUE(invite.ok());
  std::vector<User> people;
  for (int i = 0; i < 6; ++i) people.push_back(person("racer" + std::to_string(i)));
  std::vector<std::thread> threads;
  std::atomic<int> joined{0}, refused{0};
  for (const auto& p : people)
    threads.emplace_back([&, p] {
      auto r = sync_wait(spaces_.accept_invite(p.id, invite->code));
      if (r) {
        ++joined;
      } else if (r.error().code == "invite_not_found") {
        ++refused;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(joined.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(rows("members"), 3);  // alice, bob, and the one racer who got in
}

TEST_F(MessagesTest, SendStoresAndEmitsMessageCreate) {
  std::size_t before = space_log(home_).size();
  auto r = send(bob_, "hello world");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->duplicate);
  EXPECT_GT(r->message_id, std::int64_t{1} << 53);
  EXPECT_EQ(SnowflakeGenerator::timestamp_ms_of(r->message_id), kStartMs);

  auto events = space_log(home_);
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events.back().type, "messageCreate");
  auto p = payload(events.back());
  EXPECT_EQ(p.at("channelId").as_string(), general_.str());
  EXPECT_EQ(p.at("message").at("messageId").as_int64(), r->message_id);
  EXPECT_EQ(sink_.records().back().type, "messageCreate");
  EXPECT_EQ(sink_.records().back().seq, events.back().seq);

  auto h = sync_wait(messages_.history(caller(alice_), {general_}));
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].text, "hello world");
  EXPECT_EQ((*h)[0].creator_id, bob_.id);
  EXPECT_EQ((*h)[0].space_id, home_.space.id);
  EXPECT_EQ((*h)[0].created_at_ms, kStartMs);
}

TEST_F(MessagesTest, HistoryIsNewestFirstWithExclusiveFrom) {
  std::vector<std::int64_t> sent;
  for (int i = 0; i < 5; ++i) {
    auto r = send(alice_, "m" + std::to_string(i));
    ASSERT_TRUE(r.ok());
    sent.push_back(r->message_id);
    clock_.advance_ms(1);
  }
  EXPECT_EQ(ids(sync_wait(messages_.history(caller(bob_), {general_}))),
            (std::vector<std::int64_t>{sent[4], sent[3], sent[2], sent[1], sent[0]}));
  EXPECT_EQ(ids(sync_wait(messages_.history(caller(bob_), {general_, sent[3]}))),
            (std::vector<std::int64_t>{sent[2], sent[1], sent[0]}));
  EXPECT_EQ(ids(sync_wait(messages_.history(caller(bob_), {general_, sent[3], 2}))),
            (std::vector<std::int64_t>{sent[2], sent[1]}));
  EXPECT_EQ(ids(sync_wait(messages_.history(caller(bob_), {general_, std::nullopt, 0}))),
            (std::vector<std::int64_t>{sent[4]}));  // clamped up to 1
  EXPECT_EQ(ids(sync_wait(messages_.history(caller(bob_), {general_, std::nullopt, -7}))),
            (std::vector<std::int64_t>{sent[4]}));
  EXPECT_TRUE(ids(sync_wait(messages_.history(caller(bob_), {general_, sent[0]}))).empty());
}

TEST_F(MessagesTest, HistoryLimitDefaultsTo50AndClampsAt100) {
  for (int i = 0; i < 105; ++i) ASSERT_TRUE(send(alice_, "x").ok());
  EXPECT_EQ(ids(sync_wait(messages_.history(caller(bob_), {general_}))).size(), 50u);
  EXPECT_EQ(ids(sync_wait(messages_.history(caller(bob_), {general_, std::nullopt, 1000}))).size(),
            100u);
  EXPECT_EQ(ids(sync_wait(messages_.history(caller(bob_), {general_, std::nullopt, 100}))).size(),
            100u);
}

TEST_F(MessagesTest, RandomIdMakesSendIdempotentWithinRetention) {
  auto first = send(bob_, "once", 42);
  ASSERT_TRUE(first.ok());
  clock_.advance_ms(1000);
  auto again = send(bob_, "once", 42);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->message_id, first->message_id);
  EXPECT_EQ(count_of(space_log(home_), "messageCreate"), 1u);
  EXPECT_EQ(sink_.count("messageCreate"), 1u);
  EXPECT_EQ(rows("messages"), 1);

  // Another sender, or another randomId, is another message.
  auto other_sender = send(alice_, "once", 42);
  ASSERT_TRUE(other_sender.ok());
  EXPECT_NE(other_sender->message_id, first->message_id);
  auto other_id = send(bob_, "once", 43);
  ASSERT_TRUE(other_id.ok());
  EXPECT_FALSE(other_id->duplicate);

  // Once the retention has passed the key no longer de-duplicates.
  clock_.advance_ms(ctx_.limits.random_id_retention_ms);
  auto later = send(bob_, "once", 42);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->duplicate);
  EXPECT_NE(later->message_id, first->message_id);
  EXPECT_EQ(count_of(space_log(home_), "messageCreate"), 4u);
  // ...and the new message is what the key now points at.
  auto repeat = send(bob_, "once", 42);
  ASSERT_TRUE(repeat.ok());
  EXPECT_TRUE(repeat->duplicate);
  EXPECT_EQ(repeat->message_id, later->message_id);
}

TEST_F(MessagesTest, PruneDropsExpiredRandomIdKeys) {
  ASSERT_TRUE(send(bob_, "a", 1).ok());
  clock_.advance_ms(ctx_.limits.random_id_retention_ms / 2);
  ASSERT_TRUE(send(bob_, "b", 2).ok());
  clock_.advance_ms(ctx_.limits.random_id_retention_ms / 2 + 1);
  EXPECT_EQ(sync_wait(messages_.prune_dedupe_keys()), 1);
  EXPECT_EQ(rows("message_dedupe"), 1);
}

TEST_F(MessagesTest, ReplyToMustBeAMessageOfThisChannel) {
  auto news = sync_wait(spaces_.create_channel(alice_.id, home_.space.id, {"news"}));
  ASSERT_TRUE(news.ok());
  auto elsewhere = sync_wait(messages_.send(caller(alice_), {news->id, {"over there", {}, {}}}));
  ASSERT_TRUE(elsewhere.ok());
  auto target = send(alice_, "question?");
  ASSERT_TRUE(target.ok());

  auto reply = send(bob_, "answer", std::nullopt, target->message_id);
  ASSERT_TRUE(reply.ok());
  auto h = sync_wait(messages_.history(caller(bob_), {general_, std::nullopt, 1}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[0].reply_to, target->message_id);

  std::size_t events_before = space_log(home_).size();
  auto cross = send(bob_, "answer", std::nullopt, elsewhere->message_id);
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code, "validation_error");
  EXPECT_NE(cross.error().message->find("replyTo"), std::string::npos);
  auto missing = send(bob_, "answer", std::nullopt, 12345);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "validation_error");
  EXPECT_EQ(space_log(home_).size(), events_before);
  EXPECT_EQ(rows("messages"), 3);
}

TEST_F(MessagesTest, AccessErrors) {
  auto voice = sync_wait(messages_.send(caller(bob_), {voice_, {"hi", {}, {}}}));
  ASSERT_FALSE(voice.ok());
  EXPECT_EQ(voice.error().status, 400);
  EXPECT_EQ(voice.error().code, "not_text_channel");

  auto stranger = send(eve_, "hi");
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().status, 403);
  EXPECT_EQ(stranger.error().code, "not_a_member");

  auto unknown = sync_wait(messages_.send(caller(bob_), {random_.uuid(), {"hi", {}, {}}}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().status, 404);
  EXPECT_EQ(unknown.error().code, "channel_not_found");

  EXPECT_EQ(sync_wait(messages_.history(caller(eve_), {general_})).error().code, "not_a_member");
  EXPECT_EQ(sync_wait(messages_.history(caller(bob_), {voice_})).error().code, "not_text_channel");
  EXPECT_EQ(sync_wait(messages_.history(caller(bob_), {random_.uuid()})).error().code,
            "channel_not_found");

  EXPECT_EQ(rows("messages"), 0);
  EXPECT_EQ(count_of(space_log(home_), "messageCreate"), 0u);
}

TEST_F(MessagesTest, MissingSendMessagesIsForbidden) {
  auto stripped = sync_wait(spaces_.update_archetype(
      alice_.id, home_.space.id, home_.space.default_archetype_id,
      {std::nullopt, std::nullopt, entitlement::kDefaultMember & ~entitlement::kSendMessages}));
  ASSERT_TRUE(stripped.ok());
  auto r = send(bob_, "hi");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 403);
  EXPECT_EQ(r.error().code, "missing_permission");
  EXPECT_NE(r.error().message->find("SendMessages"), std::string::npos);
  EXPECT_TRUE(send(alice_, "owners may").ok());  // the owner has everything
  EXPECT_EQ(rows("messages"), 1);
}

TEST_F(MessagesTest, InvalidContentWritesNothingAndEmitsNothing) {
  std::size_t log_before = space_log(home_).size();
  std::size_t sink_before = sink_.size();
  Entity outside;
  outside.type = EntityType::kBold;
  outside.offset = 3;
  outside.length = 10;  // past the end of "hi"
  auto r = sync_wait(messages_.send(caller(bob_), {general_, {"hi", {outside}, {}}, 5}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation_error");
  auto empty = send(bob_, "");
  ASSERT_FALSE(empty.ok());
  auto too_long = send(bob_, std::string(4001, 'x'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_TRUE(send(bob_, std::string(4000, 'x')).ok());

  auto h = sync_wait(messages_.history(caller(bob_), {general_}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 1u);
  EXPECT_EQ(rows("message_dedupe"), 0);
  EXPECT_EQ(space_log(home_).size(), log_before + 1);
  EXPECT_EQ(sink_.size(), sink_before + 1);
}

TEST_F(MessagesTest, EditOwnMessageOnly) {
  auto sent = send(bob_, "typo");
  ASSERT_TRUE(sent.ok());
  clock_.advance_ms(5000);

  EditRequest by_alice{general_, sent->message_id, std::string("hacked")};
  auto denied = sync_wait(messages_.edit(caller(alice_), by_alice));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().status, 404);
  EXPECT_EQ(denied.error().code, "message_not_found");

  auto unknown = sync_wait(messages_.edit(caller(bob_), {general_, 999, std::string("x")}));
  EXPECT_EQ(unknown.error().code, "message_not_found");
  auto wrong_channel = sync_wait(spaces_.create_channel(alice_.id, home_.space.id, {"news"}));
  ASSERT_TRUE(wrong_channel.ok());
  auto moved = sync_wait(
      messages_.edit(caller(bob_), {wrong_channel->id, sent->message_id, std::string("x")}));
  EXPECT_EQ(moved.error().code, "message_not_found");
  EXPECT_EQ(count_of(space_log(home_), "messageEdit"), 0u);

  ASSERT_TRUE(
      sync_wait(messages_.edit(caller(bob_), {general_, sent->message_id, std::string("fixed")}))
          .ok());
  auto events = space_log(home_);
  EXPECT_EQ(events.back().type, "messageEdit");
  auto p = payload(events.back());
  EXPECT_EQ(p.at("messageId").as_int64(), sent->message_id);
  EXPECT_EQ(p.at("text").as_string(), "fixed");
  EXPECT_EQ(p.at("updatedAt").as_string(), format_iso8601_ms(kStartMs + 5000));
  EXPECT_EQ(sink_.records().back().type, "messageEdit");

  auto h = sync_wait(messages_.history(caller(alice_), {general_}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[0].text, "fixed");
  EXPECT_EQ((*h)[0].edited_at_ms, kStartMs + 5000);

  // People address a message by id only (nil channel).
  ASSERT_TRUE(
      sync_wait(messages_.edit(caller(bob_), {Uuid{}, sent->message_id, std::string("again")}))
          .ok());
  EXPECT_EQ((*sync_wait(messages_.history(caller(alice_), {general_})))[0].text, "again");
  EXPECT_EQ(sync_wait(messages_.edit(caller(alice_), {Uuid{}, sent->message_id, std::string("x")}))
                .error()
                .code,
            "message_not_found");
}

TEST_F(MessagesTest, EntitiesAndControlsSurviveStorageAndEdits) {
  Entity bold;
  bold.type = EntityType::kBold;
  bold.offset = 0;
  bold.length = 5;
  Control button;
  button.type = ControlType::kButton;
  button.variant = ButtonVariant::kCallback;
  button.label = "Click me";
  button.id = "btn_hello";
  MessageContent content{"hello there", {bold}, {ControlRow{{button}}}};
  auto sent = sync_wait(messages_.send(caller(bob_), {general_, content}));
  ASSERT_TRUE(sent.ok());
  auto h = sync_wait(messages_.history(caller(alice_), {general_}));
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].entities, content.entities);
  EXPECT_EQ((*h)[0].controls, content.controls);

  // New text without entities drops the old spans and keeps the controls.
  EditRequest text_only{general_, sent->message_id, std::string("hi")};
  ASSERT_TRUE(sync_wait(messages_.edit(caller(bob_), text_only)).ok());
  h = sync_wait(messages_.history(caller(alice_), {general_}));
  EXPECT_TRUE((*h)[0].entities.empty());
  EXPECT_EQ((*h)[0].controls, content.controls);

  // An empty control list clears them.
  EditRequest clear{general_, sent->message_id, std::nullopt, std::nullopt,
                    std::vector<ControlRow>{}};
  ASSERT_TRUE(sync_wait(messages_.edit(caller(bob_), clear)).ok());
  h = sync_wait(messages_.history(caller(alice_), {general_}));
  EXPECT_EQ((*h)[0].text, "hi");
  EXPECT_TRUE((*h)[0].controls.empty());

  // An invalid edit changes nothing and emits nothing.
  std::size_t before = space_log(home_).size();
  EditRequest bad{general_, sent->message_id, std::nullopt, std::vector<Entity>{bold}};
  auto r = sync_wait(messages_.edit(caller(bob_), bad));  // "hi" is shorter than the span
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation_error");
  EXPECT_EQ(space_log(home_).size(), before);
  EXPECT_TRUE((*sync_wait(messages_.history(caller(alice_), {general_})))[0].entities.empty());
}

TEST_F(MessagesTest, PresenceUpdateReachesEverySpaceOfThePerson) {
  auto work = space_of(alice_, "Work");
  Presence p;
  p.status = PresenceStatus::DoNotDisturb;
  p.activity = Activity{ActivityKind::Game, "Chess", 0};
  ASSERT_TRUE(sync_wait(accounts_.set_presence(alice_.id, p)).ok());
  auto home_events = space_log(home_);
  auto work_events = space_log(work);
  ASSERT_EQ(home_events.back().type, "presenceUpdate");
  ASSERT_EQ(work_events.back().type, "presenceUpdate");
  auto payload_home = payload(home_events.back());
  EXPECT_EQ(payload_home.at("user").at("userId").as_string(), alice_.id.str());
  EXPECT_EQ(sink_.count("presenceUpdate"), 2u);
  // bob is only in home.
  ASSERT_TRUE(sync_wait(accounts_.set_presence(bob_.id, p)).ok());
  EXPECT_EQ(count_of(space_log(work), "presenceUpdate"), 1u);
  EXPECT_EQ(count_of(space_log(home_), "presenceUpdate"), 2u);
}

// ---------------------------------------------------------------------------------------------
// Typing

TEST_F(TypingTest, StartEmitsAndExpiryStopsExactlyOnce) {
  ASSERT_TRUE(sync_wait(typing_.start(caller(bob_), general_, std::nullopt)).ok());
  auto events = space_log(home_);
  ASSERT_EQ(events.back().type, "typingStart");
  auto p = payload(events.back());
  EXPECT_EQ(p.at("userId").as_string(), bob_.id.str());
  EXPECT_EQ(p.at("channelId").as_string(), general_.str());
  EXPECT_TRUE(p.at("kind").is_null());
  EXPECT_EQ(typing_.active_count(), 1u);

  auto pending = scheduler_.pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(scheduler_.task(pending[0]).delay_ms, 8000);
  ASSERT_TRUE(scheduler_.fire(pending[0]));
  EXPECT_EQ(count_of(space_log(home_), "typingStop"), 1u);
  EXPECT_EQ(sink_.count("typingStop"), 1u);
  EXPECT_EQ(typing_.active_count(), 0u);

  // A Stop after the expiry has nothing left to stop.
  ASSERT_TRUE(sync_wait(typing_.stop(caller(bob_), general_)).ok());
  EXPECT_EQ(count_of(space_log(home_), "typingStop"), 1u);
}

TEST_F(TypingTest, StopCancelsTheTimer) {
  ASSERT_TRUE(sync_wait(typing_.start(caller(bob_), general_, std::nullopt)).ok());
  auto timer = scheduler_.pending().at(0);
  ASSERT_TRUE(sync_wait(typing_.stop(caller(bob_), general_)).ok());
  EXPECT_TRUE(scheduler_.pending().empty());
  EXPECT_EQ(count_of(space_log(home_), "typingStop"), 1u);
  auto stop = payload(space_log(home_).back());
  EXPECT_EQ(stop.at("userId").as_string(), bob_.id.str());

  // Even if the timer fires anyway (cancel raced with it), there is no second stop.
  EXPECT_TRUE(scheduler_.fire(timer, /*even_if_cancelled=*/true));
  ASSERT_TRUE(sync_wait(typing_.stop(caller(bob_), general_)).ok());
  EXPECT_EQ(count_of(space_log(home_), "typingStop"), 1u);
  EXPECT_EQ(sink_.count("typingStop"), 1u);
}

TEST_F(TypingTest, SecondStartRearms) {
  ASSERT_TRUE(sync_wait(typing_.start(caller(bob_), general_, std::nullopt)).ok());
  auto first = scheduler_.pending().at(0);
  clock_.advance_ms(3000);
  ASSERT_TRUE(sync_wait(typing_.start(caller(bob_), general_, std::nullopt)).ok());
  auto pending = scheduler_.pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_NE(pending[0], first);
  EXPECT_EQ(count_of(space_log(home_), "typingStart"), 2u);

  scheduler_.fire(first, /*even_if_cancelled=*/true);  // the stale timer does nothing
  EXPECT_EQ(count_of(space_log(home_), "typingStop"), 0u);
  EXPECT_EQ(typing_.active_count(), 1u);
  ASSERT_TRUE(scheduler_.fire(pending[0]));
  EXPECT_EQ(count_of(space_log(home_), "typingStop"), 1u);
}

TEST_F(TypingTest, BotsCarryTheirKindAndErrorsEmitNothing) {
  Caller bot{bob_.id, true};
  ASSERT_TRUE(sync_wait(typing_.start(bot, general_, TypingKind::Thinking)).ok());
  EXPECT_EQ(payload(space_log(home_).back()).at("kind").as_string(), "THINKING");
  EXPECT_EQ(parse_typing_kind("searching"), TypingKind::Searching);
  EXPECT_EQ(parse_typing_kind("UPLOADING"), TypingKind::Uploading);
  EXPECT_FALSE(parse_typing_kind("dancing"));

  std::size_t before = space_log(home_).size();
  EXPECT_EQ(sync_wait(typing_.start(caller(eve_), general_, std::nullopt)).error().code,
            "not_a_member");
  EXPECT_EQ(sync_wait(typing_.start(caller(bob_), voice_, std::nullopt)).error().code,
            "not_text_channel");
  EXPECT_EQ(sync_wait(typing_.stop(caller(eve_), general_)).error().code, "not_a_member");
  EXPECT_EQ(space_log(home_).size(), before);
  EXPECT_EQ(scheduler_.scheduled_count(), 1u);
}

}  // namespace
}  // namespace argon::services::testing
