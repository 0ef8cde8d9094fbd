// Hub + StreamConnection: ready, replay, resumed, live delivery, ordering and back-pressure.
#include "argon/events/hub.hpp"

#include <gtest/gtest.h>

#include "argon/events/events_test_fixture.hpp"

namespace argon::events {
namespace {

using testing::EventsTest;
using testing::FakeSink;
using testing::Frame;
using testing::test_id;
using Ids = std::vector<std::string>;

class HubTest : public EventsTest {
 protected:
  const Uuid bot_ = test_id(1, 0xb0);
  const Uuid a_ = test_id(1, 0xa);
  const Uuid b_ = test_id(2, 0xa);
  std::shared_ptr<FakeSink> sink_ = std::make_shared<FakeSink>();

  std::string direct(std::int64_t seq) { return "direct_" + std::to_string(seq); }
  EventRecord direct_event(int n) {
    return add(bot_stream(bot_), "callIncoming", std::nullopt, "{\"n\":" + std::to_string(n) + "}");
  }
  // Opens a live stream (no start cursor) on spaces A and B and runs its initial catch-up.
  std::shared_ptr<StreamConnection> open_live(HubOptions options = {}) {
    hub(options);
    auto c = open(setup(bot_, {a_, b_}), sink_);
    scheduler_.run_all();
    return c;
  }
};

TEST_F(HubTest, OpenWritesReadyFirstWithPayload) {
  auto s = setup(bot_, {a_});
  s.ready_payload = R"({"intents":5,"spaceIds":["x"]})";
  open(std::move(s), sink_);
  auto frames = sink_->frames();
  ASSERT_EQ(frames.size(), 1u);  // before any scheduler task ran
  EXPECT_EQ(frames[0], (Frame{"ready", "ready", R"({"intents":5,"spaceIds":["x"]})"}));
  EXPECT_EQ(sink_->data(),
            "id: ready\nevent: ready\ndata: {\"intents\":5,\"spaceIds\":[\"x\"]}\n\n");
  scheduler_.run_all();
  EXPECT_EQ(sink_->frames().size(), 1u);  // no start cursor: no replay, no resumed
}

TEST_F(HubTest, NoStartCursorStartsLive) {
  auto old1 = msg(a_, 1);
  auto old2 = msg(a_, 2);
  auto old_direct = direct_event(1);
  auto c = open_live();
  EXPECT_EQ(c->cursor(),
            (Cursor{{bot_stream(bot_), 1}, {space_stream(a_), 2}, {space_stream(b_), 0}}));
  publish({old1, old2, old_direct});  // late publish of events before open: not sent
  EXPECT_TRUE(sink_->ids().empty());
  publish_msg(a_, 3);
  auto d2 = direct_event(2);
  publish({d2});
  publish_msg(b_, 1);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 3), direct(2), eid(b_, 1)}));
  auto frames = sink_->frames();
  EXPECT_EQ(frames[1], (Frame{eid(a_, 3), "messageCreate", R"({"n":3})"}));
  EXPECT_EQ(frames[2], (Frame{"direct_2", "callIncoming", R"({"n":2})"}));
}

TEST_F(HubTest, StartCursorReplaysInCommitOrderThenResumed) {
  msg(a_, 1);       // A1
  direct_event(1);  // direct 1
  msg(b_, 1);       // B1
  msg(a_, 2);       // A2
  direct_event(2);  // direct 2
  msg(b_, 2);       // B2
  auto s =
      setup(bot_, {a_, b_}, {{space_stream(a_), 0}, {space_stream(b_), 0}, {bot_stream(bot_), 1}});
  s.resumed_always = true;
  auto c = open(std::move(s), sink_);
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(),
            (Ids{eid(a_, 1), eid(b_, 1), eid(a_, 2), direct(2), eid(b_, 2), "resumed"}));
  auto frames = sink_->frames();
  EXPECT_EQ(frames.front().event, "ready");
  EXPECT_EQ(frames[1], (Frame{eid(a_, 1), "messageCreate", R"({"n":1})"}));
  EXPECT_EQ(frames.back(), (Frame{"resumed", "resumed", R"({"replayedCount":5})"}));
  EXPECT_EQ(c->cursor(),
            (Cursor{{bot_stream(bot_), 2}, {space_stream(a_), 2}, {space_stream(b_), 2}}));
}

TEST_F(HubTest, StreamMissingFromStartCursorStartsLive) {
  msg(a_, 1);
  msg(b_, 1);
  msg(a_, 2);
  auto s = setup(bot_, {a_, b_}, {{space_stream(a_), 1}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 2), "resumed"}));
  EXPECT_EQ(sink_->frames().back().data, R"({"replayedCount":1})");
}

TEST_F(HubTest, StartCursorPastTheEndStartsAtTheEnd) {
  msg(a_, 1);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 999}});  // a bogus or foreign position
  s.resumed_always = true;
  auto c = open(std::move(s), sink_);
  scheduler_.run_all();
  EXPECT_EQ(c->cursor().at(space_stream(a_)), 1);
  publish_msg(a_, 2);
  EXPECT_EQ(sink_->ids(), (Ids{"resumed", eid(a_, 2)}));
}

TEST_F(HubTest, ResumedAlwaysWithNothingToReplay) {
  msg(a_, 1);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 1}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  scheduler_.run_all();
  auto frames = sink_->frames();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1], (Frame{"resumed", "resumed", R"({"replayedCount":0})"}));
}

TEST_F(HubTest, ResumedIfReplayedOnlyWhenSomethingWasReplayed) {
  msg(a_, 1);
  msg(a_, 2);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 2}});
  s.resumed_if_replayed = true;
  open(std::move(s), sink_);
  scheduler_.run_all();
  EXPECT_EQ(sink_->frames().size(), 1u);  // ready only

  auto sink2 = std::make_shared<FakeSink>();
  auto s2 = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s2.resumed_if_replayed = true;
  open(std::move(s2), sink2);
  scheduler_.run_all();
  EXPECT_EQ(sink2->ids(), (Ids{eid(a_, 1), eid(a_, 2), "resumed"}));
  EXPECT_EQ(sink2->frames().back().data, R"({"replayedCount":2})");
}

TEST_F(HubTest, ReplayedCountExcludesFilteredEvents) {
  msg(a_, 1);
  add(space_stream(a_), "typingStart", a_, "{}");
  msg(a_, 3);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  s.filter = [](const EventRecord& r) { return r.type != "typingStart"; };
  auto c = open(std::move(s), sink_);
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 3), "resumed"}));
  EXPECT_EQ(sink_->frames().back().data, R"({"replayedCount":2})");
  EXPECT_EQ(c->cursor().at(space_stream(a_)), 3);
}

TEST_F(HubTest, FilterDropsLiveEventsButCursorAdvances) {
  hub();
  auto s = setup(bot_, {a_});
  s.filter = [](const EventRecord& r) { return r.type != "typingStart"; };
  auto c = open(std::move(s), sink_);
  scheduler_.run_all();
  publish_msg(a_, 1);
  auto typing = add(space_stream(a_), "typingStart", a_, "{}");
  publish({typing});
  EXPECT_EQ(c->cursor().at(space_stream(a_)), 2);
  publish_msg(a_, 3);  // no gap: continues after the filtered event
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 3)}));
  EXPECT_EQ(scheduler_.size(), 1u);  // only the hub's sweep: no catch-up was needed
}

TEST_F(HubTest, PublishDuringCatchUpIsDeliveredOnceWithoutGap) {
  for (int i = 1; i <= 3; ++i) msg(a_, i);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  publish_msg(a_, 4);  // before the catch-up ran: held, and also in the log
  scheduler_.run_all();
  publish_msg(a_, 5);
  EXPECT_EQ(sink_->ids(),
            (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3), eid(a_, 4), "resumed", eid(a_, 5)}));
  EXPECT_EQ(sink_->frames()[5].data, R"({"replayedCount":4})");
}

TEST_F(HubTest, PublishBetweenCatchUpBatches) {
  HubOptions o;
  o.catchup_batch = 2;
  hub(o);
  for (int i = 1; i <= 5; ++i) msg(a_, i);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  ASSERT_TRUE(scheduler_.run_next());  // first batch: A1, A2
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
  publish_msg(a_, 6);
  scheduler_.run_all();
  publish_msg(a_, 7);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3), eid(a_, 4), eid(a_, 5),
                               eid(a_, 6), "resumed", eid(a_, 7)}));
  EXPECT_EQ(sink_->frames()[7].data, R"({"replayedCount":6})");
}

TEST_F(HubTest, BatchedReplayKeepsCommitOrderAcrossStreams) {
  HubOptions o;
  o.catchup_batch = 2;
  hub(o);
  msg(a_, 1);  // g1
  msg(a_, 2);  // g2
  msg(b_, 1);  // g3
  msg(a_, 3);  // g4
  msg(b_, 2);  // g5
  msg(a_, 4);  // g6
  auto s = setup(bot_, {a_, b_}, {{space_stream(a_), 0}, {space_stream(b_), 0}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(b_, 1), eid(a_, 3), eid(b_, 2),
                               eid(a_, 4), "resumed"}));
  EXPECT_EQ(sink_->frames().back().data, R"({"replayedCount":6})");
}

// Many passes of small pages, with pages read ahead for the stream that stays behind (in parallel
// snapshots on PostgreSQL; SQLite reads one page per pass): every event once, in commit order.
TEST_F(HubTest, ReadAheadReplayKeepsCommitOrderAndMissesNothing) {
  HubOptions o;
  o.catchup_batch = 3;
  o.catchup_pages_ahead = 2;
  hub(o);
  Ids want;
  int a = 0, b = 0;
  for (int i = 1; i <= 40; ++i) {
    msg(a_, ++a);
    want.push_back(eid(a_, a));
    if (i % 7 == 0) {  // a second, shorter stream interleaved by commit order
      msg(b_, ++b);
      want.push_back(eid(b_, b));
    }
  }
  auto s = setup(bot_, {a_, b_}, {{space_stream(a_), 0}, {space_stream(b_), 0}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  scheduler_.run_all();
  publish_msg(a_, ++a);  // live afterwards
  want.push_back("resumed");
  want.push_back(eid(a_, a));
  EXPECT_EQ(sink_->ids(), want);
}

TEST_F(HubTest, SmallChunksStillReplayEverything) {
  HubOptions o;
  o.catchup_chunk_bytes = 1;  // one frame per write
  hub(o);
  for (int i = 1; i <= 4; ++i) msg(a_, i);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3), eid(a_, 4), "resumed"}));
  EXPECT_EQ(sink_->writes(), 6);  // ready, 4 chunks, resumed
}

TEST_F(HubTest, OutOfOrderPublishDeliversEachOnceInOrder) {
  auto c = open_live();
  publish_msg(a_, 1);
  auto r2 = msg(a_, 2);
  auto r3 = msg(a_, 3);
  publish({r3});  // seq 3 before 2: a gap, nothing written yet
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1)}));
  publish({r2});
  scheduler_.run_all();  // catch-up from the log
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3)}));
  publish({r3});  // duplicates are dropped
  publish({r2});
  publish_msg(a_, 4);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3), eid(a_, 4)}));
  EXPECT_EQ(c->cursor().at(space_stream(a_)), 4);
}

TEST_F(HubTest, OutOfOrderPublishLateEventAfterCatchUp) {
  open_live();
  auto r1 = msg(a_, 1);
  auto r2 = msg(a_, 2);
  publish({r2});
  scheduler_.run_all();  // the log already holds 1 and 2
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
  publish({r1});  // arrives last: already delivered
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
}

TEST_F(HubTest, OutOfOrderWithinOneBatch) {
  open_live();
  auto r1 = msg(a_, 1);
  auto r2 = msg(a_, 2);
  publish({r2, r1});
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
}

TEST_F(HubTest, ACatchUpWhoseLogReadFailsIsRetriedAfterThePollInterval) {
  HubOptions o;
  o.offline_poll_ms = 250;
  open_live(o);
  auto r1 = msg(a_, 1);  // in the log; its publish is late
  auto r2 = msg(a_, 2);
  // The log cannot be read, as during a database outage, when the gap sends the stream there.
  auto rename = [&](const char* sql) {
    auto done = db_->transact_now([&](store::Connection& c) -> Result<bool> {
      c.exec(sql);
      return true;
    });
    ASSERT_TRUE(done.ok());
  };
  rename("ALTER TABLE events RENAME TO events_away");
  publish({r2});
  scheduler_.run_all();  // the catch-up's read fails: logged, and tried again later
  EXPECT_EQ(sink_->ids(), Ids{});
  rename("ALTER TABLE events_away RENAME TO events");
  scheduler_.advance(249);
  EXPECT_EQ(sink_->ids(), Ids{});  // not before the poll interval
  scheduler_.advance(1);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
  publish({r1});       // late: already delivered
  publish_msg(a_, 3);  // and live again
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3)}));
}

TEST_F(HubTest, TransportFullCatchesUpLaterInOrder) {
  HubOptions o;
  o.backoff_ms = 20;
  auto c = open_live(o);
  publish_msg(a_, 1);
  sink_->set_full(true);
  const auto bytes_before = sink_->data();
  publish_msg(a_, 2);  // not taken: switches to catching up with a backoff
  auto delays = scheduler_.delays();
  EXPECT_NE(std::find(delays.begin(), delays.end(), 20), delays.end());
  for (int i = 3; i <= 6; ++i) publish_msg(a_, i);
  scheduler_.advance(20);  // still full: retries later, nothing grows
  scheduler_.advance(20);
  EXPECT_EQ(sink_->data(), bytes_before);
  EXPECT_EQ(c->cursor().at(space_stream(a_)), 1);
  sink_->set_full(false);
  scheduler_.advance(20);
  publish_msg(a_, 7);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3), eid(a_, 4), eid(a_, 5),
                               eid(a_, 6), eid(a_, 7)}));
  EXPECT_EQ(c->cursor().at(space_stream(a_)), 7);
}

TEST_F(HubTest, TransportFullDuringInitialReplay) {
  HubOptions o;
  o.backoff_ms = 20;
  hub(o);
  for (int i = 1; i <= 3; ++i) msg(a_, i);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  sink_->set_full(true);
  scheduler_.run_all();
  EXPECT_TRUE(sink_->ids().empty());
  publish_msg(a_, 4);
  sink_->set_full(false);
  scheduler_.advance(20);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3), eid(a_, 4), "resumed"}));
  EXPECT_EQ(sink_->frames().back().data, R"({"replayedCount":4})");
}

// A transport that refuses chunks now and then: every replayed event still arrives exactly once,
// in order, and replayedCount counts only what was sent.
TEST_F(HubTest, RefusedReplayChunksAreResentNotSkipped) {
  HubOptions o;
  o.backoff_ms = 20;
  o.catchup_chunk_bytes = 1;  // one frame per chunk
  hub(o);
  const int n = 30;
  for (int i = 1; i <= n; ++i) msg(a_, i);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  sink_->refuse_every(3);
  open(std::move(s), sink_);
  for (int round = 0; round < 200 && sink_->ids().size() < static_cast<std::size_t>(n + 1); ++round)
    scheduler_.advance(20);
  Ids expected;
  for (int i = 1; i <= n; ++i) expected.push_back(eid(a_, i));
  expected.push_back("resumed");
  EXPECT_EQ(sink_->ids(), expected);
  EXPECT_EQ(sink_->frames().back().data, R"({"replayedCount":30})");
}

TEST_F(HubTest, PendingOverflowStillDeliversEverythingFromTheLog) {
  HubOptions o;
  o.catchup_batch = 2;
  o.max_pending = 3;
  hub(o);
  for (int i = 1; i <= 4; ++i) msg(a_, i);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  open(std::move(s), sink_);
  ASSERT_TRUE(scheduler_.run_next());                // A1, A2; more to read
  for (int i = 5; i <= 12; ++i) publish_msg(a_, i);  // more than max_pending held live events
  scheduler_.run_all();
  publish_msg(a_, 13);
  Ids want;
  for (int i = 1; i <= 12; ++i) want.push_back(eid(a_, i));
  want.push_back("resumed");
  want.push_back(eid(a_, 13));
  EXPECT_EQ(sink_->ids(), want);
}

// A stalled client is retried ever less often (each retry reads the log); one that was merely
// busy is retried at once again after it took everything.
TEST_F(HubTest, RetriesOfAFullTransportBackOffDoublingUpToTheMax) {
  HubOptions o;
  o.backoff_ms = 1;
  o.backoff_max_ms = 8;
  open_live(o);
  auto retry_delay = [&] {
    std::int64_t least = -1;  // the pending catch-up's delay (the sweep's is 1000 ms)
    for (auto d : scheduler_.delays())
      if (d < o.sweep_interval_ms && (least < 0 || d < least)) least = d;
    return least;
  };
  sink_->set_full(true);
  publish_msg(a_, 1);
  std::vector<std::int64_t> seen{retry_delay()};
  for (int i = 0; i < 4; ++i) {
    scheduler_.advance(seen.back());  // retried, still full
    seen.push_back(retry_delay());
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 4, 8, 8}));
  EXPECT_TRUE(sink_->ids().empty());
  sink_->set_full(false);
  scheduler_.advance(8);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1)}));
  sink_->set_full(true);  // full again later: back to the shortest delay
  publish_msg(a_, 2);
  EXPECT_EQ(retry_delay(), 1);
  sink_->set_full(false);
  scheduler_.advance(1);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
}

TEST_F(HubTest, PendingOverflowWhileTransportFull) {
  HubOptions o;
  o.max_pending = 2;
  o.backoff_ms = 20;
  o.backoff_max_ms = 20;
  open_live(o);
  sink_->set_full(true);
  for (int i = 1; i <= 10; ++i) publish_msg(a_, i);
  scheduler_.advance(20);
  sink_->set_full(false);
  scheduler_.advance(20);
  Ids want;
  for (int i = 1; i <= 10; ++i) want.push_back(eid(a_, i));
  EXPECT_EQ(sink_->ids(), want);
}

TEST_F(HubTest, StreamsOfOtherSpacesAreNotDelivered) {
  open_live();
  publish_msg(test_id(9, 0xa), 1);
  publish({add(bot_stream(test_id(5)), "callIncoming", std::nullopt, "{}")});
  EXPECT_TRUE(sink_->ids().empty());
}

}  // namespace
}  // namespace argon::events
