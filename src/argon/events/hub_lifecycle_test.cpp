// Hub + StreamConnection: membership changes while connected, heartbeats, position saving,
// closing, several streams of one owner, shutdown.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "argon/events/events_test_fixture.hpp"
#include "argon/events/hub.hpp"

namespace argon::events {
namespace {

using testing::EventsTest;
using testing::FakeSink;
using testing::Frame;
using testing::test_id;
using Ids = std::vector<std::string>;
using Positions = std::map<std::string, std::int64_t>;

class HubLifecycleTest : public EventsTest {
 protected:
  const Uuid bot_ = test_id(1, 0xb0);
  const Uuid a_ = test_id(1, 0xa);
  const Uuid c_ = test_id(3, 0xa);  // a space the bot is not in at first
  std::shared_ptr<FakeSink> sink_ = std::make_shared<FakeSink>();

  std::shared_ptr<StreamConnection> open_live(HubOptions options = {}) {
    hub(options);
    auto conn = open(setup(bot_, {a_}), sink_);
    scheduler_.run_all();
    return conn;
  }
  EventRecord join(const Uuid& space, const Uuid& user) {
    boost::json::object user_obj{{"userId", user.str()}, {"username", "x"}};
    boost::json::object p{{"spaceId", space.str()}, {"user", user_obj}};
    return add(space_stream(space), "memberJoin", space, boost::json::serialize(p));
  }
  EventRecord leave(const Uuid& space, const Uuid& user) {
    boost::json::object p{{"spaceId", space.str()}, {"userId", user.str()}};
    return add(space_stream(space), "memberLeave", space, boost::json::serialize(p));
  }
  EventRecord uninstall(const Uuid& space) {
    boost::json::object p{{"spaceId", space.str()}};
    return add(bot_stream(bot_), "botUninstallingFromSpace", space, boost::json::serialize(p));
  }
  std::vector<Frame> heartbeats(const FakeSink& sink) {
    std::vector<Frame> out;
    for (const auto& f : sink.frames())
      if (f.event == "heartbeat") out.push_back(f);
    return out;
  }
};

TEST_F(HubLifecycleTest, MemberJoinOfOwnerFollowsTheSpaceFromTheJoin) {
  auto conn = open_live();
  publish_msg(c_, 1);  // before the join: not for us
  auto j = join(c_, bot_);
  publish({j});
  publish_msg(c_, 3);
  EXPECT_EQ(sink_->ids(), (Ids{eid(c_, 2), eid(c_, 3)}));
  EXPECT_EQ(sink_->frames()[1].event, "memberJoin");
  EXPECT_EQ(conn->cursor().at(space_stream(c_)), 3);
  auto streams = conn->streams();
  EXPECT_NE(std::find(streams.begin(), streams.end(), space_stream(c_)), streams.end());
}

TEST_F(HubLifecycleTest, MemberJoinOfSomeoneElseChangesNothing) {
  auto conn = open_live();
  publish({join(c_, test_id(42))});
  publish_msg(c_, 2);
  EXPECT_TRUE(sink_->ids().empty());
  EXPECT_FALSE(conn->cursor().count(space_stream(c_)));
  // A join in a space already followed is an ordinary event.
  publish({join(a_, test_id(42))});
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1)}));
}

TEST_F(HubLifecycleTest, MemberJoinWhileCatchingUp) {
  msg(a_, 1);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  auto conn = open(std::move(s), sink_);
  publish({join(c_, bot_)});  // before the initial catch-up ran
  msg(c_, 2);
  scheduler_.run_all();
  publish_msg(c_, 3);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(c_, 1), eid(c_, 2), "resumed", eid(c_, 3)}));
}

TEST_F(HubLifecycleTest, MemberLeaveUnfollowsAfterDelivering) {
  auto conn = open_live();
  publish_msg(a_, 1);
  publish({leave(a_, bot_)});
  publish_msg(a_, 3);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
  EXPECT_EQ(sink_->frames().back().event, "memberLeave");
  EXPECT_FALSE(conn->cursor().count(space_stream(a_)));
  EXPECT_EQ(conn->streams(), (Ids{bot_stream(bot_)}));
}

TEST_F(HubLifecycleTest, MemberLeaveOfSomeoneElseKeepsFollowing) {
  auto conn = open_live();
  publish({leave(a_, test_id(42))});
  publish_msg(a_, 2);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
}

TEST_F(HubLifecycleTest, TheSpaceStreamsMemberLeaveEndsFollowingNotTheDirectEvent) {
  // The position of a leave is exact only in the space's own stream: the bot's direct
  // botUninstallingFromSpace is delivered, the space is followed until its memberLeave.
  auto conn = open_live();
  publish({uninstall(a_)});
  EXPECT_TRUE(conn->cursor().count(space_stream(a_)));
  publish_msg(a_, 1);
  publish({leave(a_, bot_)});
  publish_msg(a_, 3);
  EXPECT_EQ(sink_->ids(), (Ids{"direct_1", eid(a_, 1), eid(a_, 2)}));
  EXPECT_FALSE(conn->cursor().count(space_stream(a_)));
}

TEST_F(HubLifecycleTest, UninstallBatchDeliversBothThenUnfollows) {
  auto conn = open_live();
  // As BotService::uninstall publishes it: the direct event and the space's memberLeave.
  auto u = uninstall(a_);
  auto l = leave(a_, bot_);
  publish({u, l});
  publish_msg(a_, 2);
  EXPECT_EQ(sink_->ids(), (Ids{"direct_1", eid(a_, 1)}));
}

TEST_F(HubLifecycleTest, MemberLeaveWhileCatchingUpIsStillDelivered) {
  msg(a_, 1);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  auto conn = open(std::move(s), sink_);
  publish({leave(a_, bot_)});  // A2, before the initial catch-up ran
  publish({msg(a_, 3)});       // after the leave: not for us any more
  scheduler_.run_all();
  publish_msg(a_, 4);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), "resumed"}));
  EXPECT_EQ(sink_->frames().back().data, R"({"replayedCount":2})");
  EXPECT_FALSE(conn->cursor().count(space_stream(a_)));
}

TEST_F(HubLifecycleTest, UninstallWhileTransportFullDeliversUpToTheUninstall) {
  HubOptions o;
  o.backoff_ms = 20;
  auto conn = open_live(o);
  sink_->set_full(true);
  publish_msg(a_, 1);  // not taken: catching up
  auto u = uninstall(a_);
  auto l = leave(a_, bot_);
  publish({u, l});
  publish_msg(a_, 3);  // after the uninstall
  sink_->set_full(false);
  scheduler_.advance(20);
  publish_msg(a_, 4);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), "direct_1", eid(a_, 2)}));
  EXPECT_FALSE(conn->cursor().count(space_stream(a_)));
}

TEST_F(HubLifecycleTest, LeaveThenRejoinWhileCatchingUpKeepsFollowing) {
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  auto conn = open(std::move(s), sink_);
  publish({leave(a_, bot_)});  // A1
  publish({join(a_, bot_)});   // A2
  scheduler_.run_all();
  publish_msg(a_, 3);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3)}));
  EXPECT_EQ(conn->cursor().at(space_stream(a_)), 3);
}

TEST_F(HubLifecycleTest, RejoinAfterLeaveFollowsAgain) {
  auto conn = open_live();
  publish({leave(a_, bot_)});
  publish_msg(a_, 2);
  publish({join(a_, bot_)});
  publish_msg(a_, 4);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 3), eid(a_, 4)}));
}

TEST_F(HubLifecycleTest, HeartbeatAfterIdleCarriesCursorAndTimestamp) {
  HubOptions o;
  o.heartbeat_ms = 30000;
  o.sweep_interval_ms = 1000;
  auto conn = open_live(o);
  publish_msg(a_, 1);
  publish_msg(a_, 2);  // last write at kStartMs
  scheduler_.advance(29000);
  EXPECT_TRUE(heartbeats(*sink_).empty());
  scheduler_.advance(1000);
  auto hb = heartbeats(*sink_);
  ASSERT_EQ(hb.size(), 1u);
  EXPECT_EQ(hb[0].id, a_.hex() + ":2,direct:0");
  EXPECT_EQ(hb[0].id, format_cursor(conn->cursor()));
  std::int64_t now = clock_.now_unix_ms();
  EXPECT_EQ(now, testing::kStartMs + 30000);
  EXPECT_EQ(hb[0].data, "{\"timestamp\":" + std::to_string(now - kArgonEpochUnixMs) + "}");
  scheduler_.advance(29000);
  EXPECT_EQ(heartbeats(*sink_).size(), 1u);  // the heartbeat was a write: the timer restarted
  scheduler_.advance(1000);
  EXPECT_EQ(heartbeats(*sink_).size(), 2u);
}

TEST_F(HubLifecycleTest, HeartbeatIdIsZeroWhenNothingIsFollowed) {
  HubOptions o;
  o.heartbeat_ms = 5000;
  hub(o);
  auto s = setup(bot_, {});
  s.streams.clear();
  open(std::move(s), sink_);
  scheduler_.advance(5000);
  auto hb = heartbeats(*sink_);
  ASSERT_EQ(hb.size(), 1u);
  EXPECT_EQ(hb[0].id, "0");
}

TEST_F(HubLifecycleTest, NoHeartbeatWhileEventsFlow) {
  HubOptions o;
  o.heartbeat_ms = 30000;
  open_live(o);
  for (int i = 1; i <= 8; ++i) {
    scheduler_.advance(10000);
    publish_msg(a_, i);
  }
  EXPECT_TRUE(heartbeats(*sink_).empty());
  EXPECT_EQ(sink_->ids().size(), 8u);
}

TEST_F(HubLifecycleTest, ClosedRunsOnClosedOnceViaTheScheduler) {
  auto s = setup(bot_, {a_});
  int closed_calls = 0;
  s.on_closed = [&] { ++closed_calls; };
  hub();
  auto conn = open(std::move(s), sink_);
  scheduler_.run_all();
  publish_msg(a_, 1);
  EXPECT_EQ(hub().open_streams(), 1u);
  EXPECT_EQ(hub().streams_of(bot_), 1u);

  hub().closed(conn);
  EXPECT_EQ(closed_calls, 0);  // not on the caller's thread
  EXPECT_EQ(hub().open_streams(), 0u);
  EXPECT_EQ(hub().streams_of(bot_), 0u);
  hub().closed(conn);  // idempotent
  scheduler_.run_all();
  EXPECT_EQ(closed_calls, 1);
  hub().closed(conn);
  scheduler_.run_all();
  EXPECT_EQ(closed_calls, 1);

  publish_msg(a_, 2);  // unsubscribed: nothing more is written
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1)}));
  EXPECT_EQ(saved(bot_), (Positions{{bot_stream(bot_), 0}, {space_stream(a_), 1}}));
}

TEST_F(HubLifecycleTest, ClosedSavesPositionOfJoinedSpacesAndUnsubscribesThem) {
  hub();
  auto conn = open(setup(bot_, {a_}), sink_);
  scheduler_.run_all();
  publish({join(c_, bot_)});
  hub().closed(conn);
  scheduler_.run_all();
  publish_msg(c_, 2);
  EXPECT_EQ(sink_->ids(), (Ids{eid(c_, 1)}));
  EXPECT_EQ(saved(bot_),
            (Positions{{bot_stream(bot_), 0}, {space_stream(a_), 0}, {space_stream(c_), 1}}));
}

TEST_F(HubLifecycleTest, ClosedWhileCatchingUpStopsTheReplay) {
  msg(a_, 1);
  auto s = setup(bot_, {a_}, {{space_stream(a_), 0}});
  s.resumed_always = true;
  hub();
  auto conn = open(std::move(s), sink_);
  hub().closed(conn);
  scheduler_.run_all();
  EXPECT_TRUE(sink_->ids().empty());
  EXPECT_EQ(saved(bot_), (Positions{{bot_stream(bot_), 0}, {space_stream(a_), 0}}));
}

TEST_F(HubLifecycleTest, SweepSavesPositionsOfALiveStream) {
  HubOptions o;
  o.sweep_interval_ms = 1000;
  o.position_save_ms = 15000;
  open_live(o);
  EXPECT_TRUE(saved(bot_).empty());
  scheduler_.advance(1000);  // the starting position is saved at the first sweep
  EXPECT_EQ(saved(bot_), (Positions{{bot_stream(bot_), 0}, {space_stream(a_), 0}}));
  publish_msg(a_, 1);
  scheduler_.advance(14000);
  EXPECT_EQ(saved(bot_).at(space_stream(a_)), 0);  // not due yet
  scheduler_.advance(1000);
  EXPECT_EQ(saved(bot_).at(space_stream(a_)), 1);
  auto at = db_->read_now([&](store::Connection& c) {
    return c
        .query_one("SELECT updated_at FROM stream_positions WHERE stream = $1", {space_stream(a_)})
        ->i64(0);
  });
  EXPECT_EQ(at, clock_.now_unix_ms());
}

TEST_F(HubLifecycleTest, SeveralStreamsOfOneOwnerEachGetEveryEvent) {
  hub();
  auto sink2 = std::make_shared<FakeSink>();
  auto other_sink = std::make_shared<FakeSink>();
  auto c1 = open(setup(bot_, {a_}), sink_);
  auto c2 = open(setup(bot_, {a_}), sink2);
  const Uuid other = test_id(2, 0xb0);
  auto c3 = open(setup(other, {a_}), other_sink);
  scheduler_.run_all();
  EXPECT_EQ(hub().open_streams(), 3u);
  EXPECT_EQ(hub().streams_of(bot_), 2u);
  EXPECT_EQ(hub().streams_of(other), 1u);
  EXPECT_EQ(hub().streams_of(test_id(77)), 0u);

  publish_msg(a_, 1);
  publish({add(bot_stream(bot_), "callIncoming", std::nullopt, "{}")});
  publish_msg(a_, 2);
  Ids want{eid(a_, 1), "direct_1", eid(a_, 2)};
  EXPECT_EQ(sink_->ids(), want);
  EXPECT_EQ(sink2->ids(), want);
  EXPECT_EQ(other_sink->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));

  hub().closed(c1);
  scheduler_.run_all();
  EXPECT_EQ(hub().streams_of(bot_), 1u);
  EXPECT_EQ(hub().open_streams(), 2u);
  publish_msg(a_, 3);
  EXPECT_EQ(sink2->ids().back(), eid(a_, 3));
  EXPECT_EQ(sink_->ids().back(), eid(a_, 2));
}

TEST_F(HubLifecycleTest, MembershipAppliesToEveryStreamOfTheOwner) {
  hub();
  auto sink2 = std::make_shared<FakeSink>();
  open(setup(bot_, {a_}), sink_);
  open(setup(bot_, {a_}), sink2);
  scheduler_.run_all();
  publish({join(c_, bot_)});
  publish_msg(c_, 2);
  EXPECT_EQ(sink_->ids(), (Ids{eid(c_, 1), eid(c_, 2)}));
  EXPECT_EQ(sink2->ids(), (Ids{eid(c_, 1), eid(c_, 2)}));
}

TEST_F(HubLifecycleTest, ShutdownSavesPositionsAndStopsTheSweep) {
  open_live();
  publish_msg(a_, 1);
  publish_msg(a_, 2);
  EXPECT_EQ(scheduler_.size(), 1u);  // the sweep
  hub().shutdown();
  EXPECT_EQ(scheduler_.size(), 0u);
  EXPECT_EQ(saved(bot_), (Positions{{bot_stream(bot_), 0}, {space_stream(a_), 2}}));
  hub().shutdown();  // idempotent
}

// A stream opened after shutdown() (a request still running as the node stops) was kept until
// the hub was destroyed, after the HTTP server: its transport then released a strand of the
// server's io_context that was gone (AddressSanitizer: heap-use-after-free in ~strand_impl).
TEST_F(HubLifecycleTest, AStreamOpenedAfterShutdownIsNotKept) {
  hub().shutdown();
  auto sink = std::make_shared<FakeSink>();
  auto conn = open(setup(bot_, {a_}), sink);
  scheduler_.run_all();
  EXPECT_TRUE(conn->ended());
  EXPECT_EQ(hub().open_streams(), 0u);
  EXPECT_TRUE(sink->frames().empty());
  conn.reset();
  EXPECT_EQ(sink.use_count(), 1) << "the hub still holds the stream's transport";
}

TEST_F(HubLifecycleTest, ClosedSinkStopsDeliveryWithoutRetrying) {
  HubOptions o;
  o.backoff_ms = 20;
  auto conn = open_live(o);
  sink_->close();
  publish_msg(a_, 1);
  EXPECT_EQ(scheduler_.size(), 1u);  // only the sweep: no catch-up retry loop on a closed sink
  hub().closed(conn);
  scheduler_.run_all();
  EXPECT_EQ(hub().open_streams(), 0u);
}

}  // namespace
}  // namespace argon::events
