// Services against a real store (SQLite, or PostgreSQL: test_database.hpp): reactions.
#include <atomic>
#include <thread>

#include "argon/services/reactions.hpp"
#include "argon/services/services_test_fixture.hpp"

namespace argon::services::testing {
namespace {

const std::string kThumbs = "\xF0\x9F\x91\x8D";             // 👍
const std::string kHeart = "\xE2\x9D\xA4";                  // ❤ (no VS16)
const std::string kHeartVs16 = "\xE2\x9D\xA4\xEF\xB8\x8F";  // ❤️

// The first `n` emoji of a run of distinct pictographs (U+1F600…).
std::string nth_emoji(int n) {
  char32_t cp = 0x1F600 + static_cast<char32_t>(n);
  std::string out;
  out += static_cast<char>(0xF0 | (cp >> 18));
  out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out += static_cast<char>(0x80 | (cp & 0x3F));
  return out;
}

class ReactionsTest : public HomeSpaceTest {
 protected:
  void SetUp() override {
    HomeSpaceTest::SetUp();
    auto sent = send(bob_, "react to me");
    ASSERT_TRUE(sent.ok());
    message_ = sent->message_id;
  }
  Status add(const User& u, const std::string& emoji, std::int64_t message = 0) {
    return sync_wait(reactions_.add(caller(u), {general_, message ? message : message_, emoji}));
  }
  Status remove(const User& u, const std::string& emoji) {
    return sync_wait(reactions_.remove(caller(u), {general_, message_, emoji}));
  }
  std::vector<Reaction> list(const User& u) {
    auto r = sync_wait(reactions_.list(caller(u), general_, message_));
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().code);
    return r ? *r : std::vector<Reaction>{};
  }
  template <class R>
  static std::string code(const R& r) {
    return r ? "" : r.error().code;
  }

  ReactionService reactions_{ctx_};
  std::int64_t message_ = 0;
};

TEST_F(ReactionsTest, AddListsCountPreviewAndFirstAppearanceOrder) {
  auto carol = person("carol");
  auto dave = person("dave");
  join(carol, home_);
  join(dave, home_);
  ASSERT_TRUE(add(bob_, kThumbs));
  ASSERT_TRUE(add(alice_, kHeart));
  ASSERT_TRUE(add(carol, kThumbs));
  ASSERT_TRUE(add(dave, kThumbs));
  ASSERT_TRUE(add(alice_, kThumbs));
  auto got = list(alice_);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].emoji, kThumbs);
  EXPECT_EQ(got[0].count, 4);
  ASSERT_EQ(got[0].user_ids.size(), 3u);  // the first three holders, in reaction order
  EXPECT_EQ(got[0].user_ids[0], bob_.id);
  EXPECT_EQ(got[0].user_ids[1], carol.id);
  EXPECT_EQ(got[0].user_ids[2], dave.id);
  EXPECT_EQ(got[1].emoji, kHeart);
  EXPECT_EQ(got[1].count, 1);
}

TEST_F(ReactionsTest, EmojiAreKeptExactlyAsSent) {
  ASSERT_TRUE(add(bob_, kHeart));
  ASSERT_TRUE(add(bob_, kHeartVs16));  // a different reaction, not a duplicate
  auto got = list(bob_);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].emoji, kHeart);
  EXPECT_EQ(got[1].emoji, kHeartVs16);
}

TEST_F(ReactionsTest, EventsCarryTheChangeAndOnlySuccessEmits) {
  std::size_t before = space_log(home_).size();
  ASSERT_TRUE(add(bob_, kThumbs));
  EXPECT_EQ(code(add(bob_, kThumbs)), "already_reacted");
  EXPECT_EQ(code(remove(alice_, kThumbs)), "reaction_not_found");
  ASSERT_TRUE(remove(bob_, kThumbs));
  auto events = space_log(home_);
  ASSERT_EQ(events.size(), before + 2);
  EXPECT_EQ(events[before].type, "reactionAdd");
  EXPECT_EQ(events[before + 1].type, "reactionRemove");
  auto p = payload(events[before]);
  EXPECT_EQ(p.at("spaceId").as_string(), home_.space.id.str());
  EXPECT_EQ(p.at("channelId").as_string(), general_.str());
  EXPECT_EQ(p.at("messageId").as_int64(), message_);
  EXPECT_EQ(p.at("userId").as_string(), bob_.id.str());
  EXPECT_EQ(p.at("emoji").as_string(), kThumbs);
  EXPECT_EQ(payload(events[before + 1]), p);
}

TEST_F(ReactionsTest, RemoveTakesOnlyOwnAndAnEmptiedEmojiRejoinsAtTheEnd) {
  ASSERT_TRUE(add(bob_, kThumbs));
  ASSERT_TRUE(add(alice_, kHeart));
  ASSERT_TRUE(add(alice_, kThumbs));
  EXPECT_EQ(code(remove(bob_, kHeart)), "reaction_not_found");  // alice's, not bob's
  ASSERT_TRUE(remove(bob_, kThumbs));
  auto got = list(bob_);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].emoji, kThumbs);  // alice still holds it: it keeps its place
  EXPECT_EQ(got[0].count, 1);
  ASSERT_TRUE(remove(alice_, kThumbs));
  ASSERT_EQ(list(bob_).size(), 1u);  // the emptied emoji left the list
  ASSERT_TRUE(add(bob_, kThumbs));
  got = list(bob_);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].emoji, kHeart);
  EXPECT_EQ(got[1].emoji, kThumbs);  // back, at the end
  EXPECT_EQ(rows("message_reactions"), 2);
}

TEST_F(ReactionsTest, TwentyDistinctEmojiAtMostButExistingOnesStayOpen) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(add(bob_, nth_emoji(i))) << i;
  EXPECT_EQ(code(add(bob_, nth_emoji(20))), "reaction_limit_reached");
  EXPECT_EQ(add(bob_, nth_emoji(20)).error().status, 422);
  EXPECT_TRUE(add(alice_, nth_emoji(3)));                       // an existing emoji: always allowed
  EXPECT_EQ(code(add(bob_, nth_emoji(3))), "already_reacted");  // the duplicate check first
  EXPECT_EQ(list(bob_).size(), 20u);
}

// Adds of new emoji racing at 19 (on PostgreSQL from several pooled connections): one wins.
TEST_F(ReactionsTest, ConcurrentAddsNeverPassTheCap) {
  for (int i = 0; i < 19; ++i) ASSERT_TRUE(add(bob_, nth_emoji(i)));
  constexpr int kRacers = 6;
  std::vector<std::thread> threads;
  std::atomic<int> added{0}, refused{0};
  for (int i = 0; i < kRacers; ++i)
    threads.emplace_back([&, i] {
      auto r = add(i % 2 ? alice_ : bob_, nth_emoji(19 + i));
      if (r) {
        ++added;
      } else if (r.error().code == "reaction_limit_reached") {
        ++refused;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.load(), 1);
  EXPECT_EQ(refused.load(), kRacers - 1);
  EXPECT_EQ(list(bob_).size(), 20u);
}

TEST_F(ReactionsTest, ChecksInOrder) {
  EXPECT_EQ(code(add(bob_, "")), "validation_error");
  EXPECT_EQ(code(add(bob_, "thumbs")), "validation_error");
  EXPECT_EQ(code(add(bob_, kThumbs + kThumbs)), "validation_error");
  // validation before existence: an unknown channel with a bad emoji is still a 400
  EXPECT_EQ(code(sync_wait(reactions_.add(caller(bob_), {Uuid{}, message_, "x"}))),
            "validation_error");
  EXPECT_EQ(code(sync_wait(reactions_.add(caller(bob_), {Uuid{}, message_, kThumbs}))),
            "channel_not_found");
  EXPECT_EQ(code(add(eve_, kThumbs)), "not_a_member");
  EXPECT_EQ(code(sync_wait(reactions_.add(caller(bob_), {voice_, message_, kThumbs}))),
            "not_text_channel");
  EXPECT_EQ(code(add(bob_, kThumbs, message_ + 1)), "message_not_found");
  EXPECT_EQ(code(sync_wait(reactions_.list(caller(eve_), general_, message_))), "not_a_member");
  EXPECT_EQ(code(sync_wait(reactions_.list(caller(bob_), general_, message_ + 1))),
            "message_not_found");
  EXPECT_EQ(rows("message_reactions"), 0);
}

TEST_F(ReactionsTest, AMessageOfAnotherChannelIsNotFound) {
  auto other = sync_wait(spaces_.create_channel(alice_.id, home_.space.id,
                                                {"other", std::nullopt, ChannelType::Text}));
  ASSERT_TRUE(other.ok()) << other.error().code;
  auto r = sync_wait(reactions_.add(caller(bob_), {other->id, message_, kThumbs}));
  EXPECT_EQ(code(r), "message_not_found");
}

TEST_F(ReactionsTest, HistoryAndBatchGetCarryReactions) {
  auto second = send(alice_, "second");
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(add(bob_, kThumbs));
  auto history = sync_wait(messages_.history(caller(bob_), {general_, std::nullopt, 10}));
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_TRUE((*history)[0].reactions.empty());  // newest first: "second"
  ASSERT_EQ((*history)[1].reactions.size(), 1u);
  EXPECT_EQ((*history)[1].reactions[0].emoji, kThumbs);

  std::vector<std::int64_t> ids{second->message_id, 424242, message_, second->message_id};
  auto batch = sync_wait(reactions_.batch_get(caller(bob_), general_, ids));
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 2u);  // request order, unknown left out, duplicates collapsed
  EXPECT_EQ((*batch)[0].message_id, second->message_id);
  EXPECT_TRUE((*batch)[0].reactions.empty());
  EXPECT_EQ((*batch)[1].message_id, message_);
  EXPECT_EQ((*batch)[1].reactions.size(), 1u);
  EXPECT_EQ(code(sync_wait(reactions_.batch_get(caller(eve_), general_, ids))), "not_a_member");
}

TEST_F(ReactionsTest, BatchGetReadsTheFirstFiftyIdsOnly) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(1000 + i);
  ids.push_back(message_);  // the 51st: ignored
  auto batch = sync_wait(reactions_.batch_get(caller(bob_), general_, ids));
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->empty());
}

}  // namespace
}  // namespace argon::services::testing
