// With a clustered bus the hub also checks the log for events the bus did not bring: an event
// another node committed while this node was disconnected from the bus, or a message the bus
// dropped that no later event revealed.
#include <gtest/gtest.h>

#include "argon/events/events_test_fixture.hpp"
#include "argon/events/hub.hpp"

namespace argon::events {
namespace {

using testing::EventsTest;
using testing::FakeSink;
using testing::test_id;
using Ids = std::vector<std::string>;

// A bus between nodes, as the hub sees one: events published here are delivered (this node's
// own), events committed elsewhere are simply appended to the log without a publish here.
class ClusterBus final : public EventBus {
 public:
  void publish(std::vector<EventRecord> records) override { local_.publish(std::move(records)); }
  SubscriptionId subscribe(Subscriber s) override { return local_.subscribe(std::move(s)); }
  void unsubscribe(SubscriptionId id) override { local_.unsubscribe(id); }
  bool clustered() const override { return true; }
  bool live() const override { return live_; }
  void broadcast(const std::string& t, const std::string& p) override { local_.broadcast(t, p); }
  SubscriptionId on_broadcast(const std::string& t, BroadcastHandler h) override {
    return local_.on_broadcast(t, std::move(h));
  }
  void request(int n, const std::string& t, const std::string& p, std::chrono::milliseconds d,
               ReplyHandler done) override {
    local_.request(n, t, p, d, std::move(done));
  }
  void on_request(const std::string& t, RequestHandler h) override {
    local_.on_request(t, std::move(h));
  }
  void flush() { local_.flush(); }
  bool live_ = true;

 private:
  LocalEventBus local_;
};

class HubRepairTest : public EventsTest {
 protected:
  const Uuid bot_ = test_id(1, 0xb0);
  const Uuid a_ = test_id(1, 0xa);
  ClusterBus cluster_bus_;
  std::unique_ptr<Hub> cluster_hub_;
  std::shared_ptr<FakeSink> sink_ = std::make_shared<FakeSink>();

  void SetUp() override {
    HubOptions o;
    o.repair_interval_ms = 2000;
    o.offline_poll_ms = 250;
    cluster_hub_ = std::make_unique<Hub>(*db_, cluster_bus_, scheduler_, clock_, o);
    sync_wait(cluster_hub_->open(setup(bot_, {a_}), sink_));
    scheduler_.run_all();
  }
  void TearDown() override { cluster_hub_.reset(); }
  // A message committed through this node: published on the bus.
  void here(int n) {
    cluster_bus_.publish({msg(a_, n)});
    cluster_bus_.flush();
  }
};

TEST_F(HubRepairTest, AnEventTheBusNeverBroughtIsReadFromTheLogAtTheNextChecks) {
  here(1);
  msg(a_, 2);  // committed by another node; its bus message was lost, and nothing follows it
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1)}));
  // The first check only notes where the log ends (the event may still be on its way)…
  scheduler_.advance(2000);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1)}));
  // …the next one, finding the stream still behind, reads it from the log.
  scheduler_.advance(2000);
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
  here(3);  // and the stream is live again
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3)}));
}

TEST_F(HubRepairTest, WhileTheBusIsDownTheLogFeedsTheStreamsEveryPollInterval) {
  scheduler_.advance(2000);  // the first check, while live
  cluster_bus_.live_ = false;
  scheduler_.advance(2000);  // the check that sees the bus down switches to polling
  msg(a_, 1);                // other nodes' events, which the bus cannot bring now
  msg(a_, 2);
  scheduler_.advance(250);
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
  msg(a_, 3);
  scheduler_.advance(250);
  scheduler_.run_all();
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3)}));
  // Back to live: events from the bus, no duplicate of what the log already gave.
  cluster_bus_.live_ = true;
  scheduler_.advance(250);
  here(4);
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2), eid(a_, 3), eid(a_, 4)}));
}

// Another node's event committed before one of this node's can arrive after it. Streams must
// get events in commit (gseq) order, which is how a resume from one event id counts them
// (positions_at_gseq): the hub reads the log up to the later event first, and the late message
// is then a duplicate.
TEST_F(HubRepairTest, AnEarlierEventOfAnotherNodeComesFirstThoughItsMessageArrivesLate) {
  // Committed by another node; its bus message is still on its way.
  auto direct = add(bot_stream(bot_), "controlInteraction", std::nullopt, "{}");
  here(1);  // committed after it, through this node
  EXPECT_EQ(sink_->ids(), (Ids{"direct_1", eid(a_, 1)}));
  EXPECT_EQ(cluster_hub_->stats().ordered_from_log.load(), 1u);
  cluster_bus_.publish({direct});  // the late message
  cluster_bus_.flush();
  here(2);
  EXPECT_EQ(sink_->ids(), (Ids{"direct_1", eid(a_, 1), eid(a_, 2)}));
  EXPECT_EQ(cluster_hub_->stats().ordered_from_log.load(), 1u);
}

TEST_F(HubRepairTest, EventsDeliveredLiveCauseNoLogReads) {
  here(1);
  here(2);
  EXPECT_EQ(cluster_hub_->stats().ordered_from_log.load(), 0u);
  int writes = sink_->writes();
  scheduler_.advance(2000);
  scheduler_.advance(2000);
  scheduler_.run_all();
  EXPECT_EQ(sink_->writes(), writes);  // nothing replayed twice
  EXPECT_EQ(sink_->ids(), (Ids{eid(a_, 1), eid(a_, 2)}));
}

}  // namespace
}  // namespace argon::events
