// NodeRegistry (nodes.hpp): node id leases in the store's `nodes` table, with several "nodes"
// (registries) on one database. Time is the fixture's ManualClock; each registry has a
// FakeScheduler of its own, so a test runs one node's heartbeat by firing its pending task. On
// SQLite and, with ARGON_TEST_STORE=postgres, on PostgreSQL (test_database.hpp).
#include "argon/services/nodes.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "argon/services/services_test_fixture.hpp"
#include "argon/store/nodes_repo.hpp"

namespace argon::services::testing {
namespace {

constexpr NodeSettings kSettings{30000, 5000};  // lease_ms, heartbeat_ms

// One node: its registry and the scheduler its heartbeats are scheduled on (declared first: the
// registry cancels its task when it is destroyed).
struct Node {
  Node(store::Database& db, const Clock& clock, Random& random)
      : registry(db, clock, random, &scheduler, kSettings) {}
  // Runs the one pending heartbeat, as the timer would.
  void beat() {
    auto pending = scheduler.pending();
    ASSERT_EQ(pending.size(), 1u) << "node " << registry.node_id() << ": no heartbeat scheduled";
    EXPECT_EQ(scheduler.task(pending[0]).delay_ms, kSettings.heartbeat_ms);
    ASSERT_TRUE(scheduler.fire(pending[0]));
  }
  FakeScheduler scheduler;
  NodeRegistry registry;
};

class NodeRegistryTest : public ServicesTest {
 protected:
  std::unique_ptr<Node> node() { return std::make_unique<Node>(*db_, clock_, random_); }
  // A node that claimed `wanted` (the lowest free id when nullopt) and started its heartbeat.
  std::unique_ptr<Node> started(std::optional<int> wanted = std::nullopt,
                                std::function<void()> lost = {}) {
    auto n = node();
    n->registry.claim(wanted);
    n->registry.start(std::move(lost));
    return n;
  }
  std::vector<int> live(NodeRegistry& r) { return sync_wait(r.live_node_ids()); }
  std::vector<store::nodes::NodeRow> node_rows() {
    return db_->read_now([](store::Connection& c) { return store::nodes::list(c); });
  }
  std::vector<int> row_ids() {
    std::vector<int> out;
    for (const auto& r : node_rows()) out.push_back(r.node_id);
    return out;
  }
};

using Ids = std::vector<int>;

TEST_F(NodeRegistryTest, ClaimWithoutAnIdTakesTheLowestFreeOne) {
  auto a = node(), b = node();
  EXPECT_EQ(a->registry.node_id(), -1);
  EXPECT_EQ(a->registry.claim(std::nullopt), 0);
  EXPECT_EQ(a->registry.node_id(), 0);
  EXPECT_EQ(b->registry.claim(std::nullopt), 1);
  EXPECT_EQ(b->registry.node_id(), 1);
  EXPECT_NE(a->registry.instance(), b->registry.instance());
  // A gap is filled first.
  a->registry.release();
  auto c = node(), d = node();
  EXPECT_EQ(c->registry.claim(std::nullopt), 0);
  EXPECT_EQ(d->registry.claim(std::nullopt), 2);
  auto rows = node_rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].instance, c->registry.instance());
  EXPECT_EQ(rows[0].started_at_ms, kStartMs);
  EXPECT_EQ(rows[0].heartbeat_at_ms, kStartMs);
  EXPECT_EQ(rows[1].instance, b->registry.instance());
}

TEST_F(NodeRegistryTest, ClaimWithoutAnIdTakesTheIdOfANodeWhoseLeaseRanOut) {
  auto a = started(), b = started();
  ASSERT_EQ(a->registry.node_id(), 0);
  ASSERT_EQ(b->registry.node_id(), 1);
  clock_.advance_ms(20000);
  b->beat();  // b renews; a stays silent
  clock_.advance_ms(kSettings.lease_ms - 20000 + 1);
  EXPECT_EQ(row_ids(), (Ids{0, 1}));  // a is dead, but its row is still there
  auto c = node();
  EXPECT_EQ(c->registry.claim(std::nullopt), 0);
  EXPECT_EQ(live(c->registry), (Ids{0, 1}));
  auto rows = node_rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].instance, c->registry.instance());
  EXPECT_EQ(rows[0].started_at_ms, kStartMs + kSettings.lease_ms + 1);
}

TEST_F(NodeRegistryTest, AnExplicitIdHeldByALiveNodeCannotBeClaimedUntilItsLeaseRunsOut) {
  auto a = started(7);
  EXPECT_EQ(a->registry.node_id(), 7);
  auto b = node();
  try {
    b->registry.claim(7);
    ADD_FAILURE() << "claimed an id held by a live node";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("node id 7"), std::string::npos) << e.what();
  }
  EXPECT_EQ(b->registry.node_id(), -1);
  // Silent exactly lease_ms: still live.
  clock_.advance_ms(kSettings.lease_ms);
  EXPECT_THROW(b->registry.claim(7), std::runtime_error);
  EXPECT_EQ(live(b->registry), (Ids{7}));
  // One ms more: dead, the id can be taken.
  clock_.advance_ms(1);
  EXPECT_EQ(live(b->registry), Ids{});
  EXPECT_EQ(b->registry.claim(7), 7);
  auto rows = node_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].instance, b->registry.instance());
  EXPECT_EQ(rows[0].heartbeat_at_ms, kStartMs + kSettings.lease_ms + 1);
  // An unused explicit id is simply taken.
  auto c = node();
  EXPECT_EQ(c->registry.claim(NodeRegistry::kMaxNodeId), NodeRegistry::kMaxNodeId);
}

TEST_F(NodeRegistryTest, ClaimingWithoutAnIdFailsWhenEveryIdIsHeldByALiveNode) {
  auto filled = db_->transact_now([&](store::Connection& c) -> Status {
    for (int id = 0; id <= NodeRegistry::kMaxNodeId; ++id)
      store::nodes::claim(c, id, "other-" + std::to_string(id), "", kStartMs, kStartMs - 1);
    return {};
  });
  ASSERT_TRUE(filled.ok());
  auto a = node();
  try {
    a->registry.claim(std::nullopt);
    ADD_FAILURE() << "claimed an id while all are held";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("every node id"), std::string::npos) << e.what();
  }
  EXPECT_EQ(a->registry.node_id(), -1);
  a->registry.release();  // nothing claimed: nothing to give back, no row touched
  EXPECT_EQ(node_rows().size(), static_cast<std::size_t>(NodeRegistry::kMaxNodeId + 1));
}

TEST_F(NodeRegistryTest, ReleaseFreesTheIdAtOnceAndIsIdempotent) {
  int lost = 0;
  auto a = started(3, [&] { ++lost; });
  ASSERT_EQ(a->scheduler.pending().size(), 1u);
  a->registry.release();
  EXPECT_TRUE(a->scheduler.pending().empty());  // no more heartbeats
  EXPECT_EQ(row_ids(), Ids{});
  EXPECT_NO_THROW(a->registry.release());
  // Free at once: no need to wait for the lease.
  auto b = started(3);
  EXPECT_EQ(b->registry.node_id(), 3);
  EXPECT_EQ(live(b->registry), (Ids{3}));
  // Releasing again (and destroying) the old holder leaves the new holder's row alone.
  a->registry.release();
  a.reset();
  EXPECT_EQ(live(b->registry), (Ids{3}));
  ASSERT_EQ(node_rows().size(), 1u);
  EXPECT_EQ(node_rows()[0].instance, b->registry.instance());
  EXPECT_EQ(lost, 0);
  // The destructor releases.
  b.reset();
  EXPECT_EQ(row_ids(), Ids{});
}

TEST_F(NodeRegistryTest, HeartbeatsRenewTheLeaseOnTheScheduler) {
  int lost = 0;
  auto a = started(std::nullopt, [&] { ++lost; });
  auto other = node();
  for (int i = 0; i < 10; ++i) {  // 10 heartbeats cover well over one lease
    clock_.advance_ms(kSettings.heartbeat_ms);
    a->beat();
  }
  ASSERT_GT(10 * kSettings.heartbeat_ms, kSettings.lease_ms);
  EXPECT_EQ(live(other->registry), (Ids{0}));
  EXPECT_EQ(node_rows()[0].heartbeat_at_ms, kStartMs + 10 * kSettings.heartbeat_ms);
  EXPECT_EQ(node_rows()[0].started_at_ms, kStartMs);
  EXPECT_THROW(other->registry.claim(0), std::runtime_error);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(a->scheduler.pending().size(), 1u);  // the next one
}

TEST_F(NodeRegistryTest, LiveNodeIdsListsTheNodesWhoseLeaseIsCurrent) {
  auto a = started(), b = started(), c = started(5);
  EXPECT_EQ(live(a->registry), (Ids{0, 1, 5}));
  clock_.advance_ms(20000);
  a->beat();
  c->beat();
  clock_.advance_ms(kSettings.lease_ms - 20000);  // b's lease ends now: still live
  EXPECT_EQ(live(b->registry), (Ids{0, 1, 5}));
  clock_.advance_ms(1);
  EXPECT_EQ(live(b->registry), (Ids{0, 5}));  // every registry sees the same
  EXPECT_EQ(live(a->registry), (Ids{0, 5}));
  EXPECT_EQ(row_ids(), (Ids{0, 1, 5}));  // dead, but nobody cleaned up yet
  c->registry.release();
  EXPECT_EQ(live(a->registry), (Ids{0}));
}

TEST_F(NodeRegistryTest, PublicUrlIsKnownForLiveNodesOnly) {
  auto a = started(), b = started();
  EXPECT_EQ(sync_wait(b->registry.public_url_of(0)), "");  // not recorded yet
  a->registry.set_public_url("https://a.example:8443");
  b->registry.set_public_url("https://b.example");
  EXPECT_EQ(sync_wait(b->registry.public_url_of(0)), "https://a.example:8443");
  EXPECT_EQ(sync_wait(a->registry.public_url_of(1)), "https://b.example");
  EXPECT_EQ(sync_wait(a->registry.public_url_of(2)), "");   // unknown
  EXPECT_EQ(sync_wait(a->registry.public_url_of(-1)), "");  // not an id
  a->registry.set_public_url("https://a2.example");         // changed
  EXPECT_EQ(sync_wait(b->registry.public_url_of(0)), "https://a2.example");

  // a goes silent: its URL is no longer given out.
  clock_.advance_ms(kSettings.lease_ms);
  b->beat();
  EXPECT_EQ(sync_wait(b->registry.public_url_of(0)), "https://a2.example");
  clock_.advance_ms(1);
  EXPECT_EQ(sync_wait(b->registry.public_url_of(0)), "");
  EXPECT_EQ(sync_wait(b->registry.public_url_of(1)), "https://b.example");

  // Another node took a's id: a's writes no longer reach the row.
  auto c = started(0);
  EXPECT_EQ(sync_wait(b->registry.public_url_of(0)), "");  // claimed with no URL yet
  c->registry.set_public_url("https://c.example");
  a->registry.set_public_url("https://stale.example");
  EXPECT_EQ(sync_wait(b->registry.public_url_of(0)), "https://c.example");

  // Released: unknown.
  b->registry.release();
  EXPECT_EQ(sync_wait(c->registry.public_url_of(1)), "");
}

TEST_F(NodeRegistryTest, DeadNodeHooksRunWithTheExpiredIdsBeforeTheirRowsGo) {
  auto a = started(), b = started(), c = started(), d = started(9);
  ASSERT_EQ(row_ids(), (Ids{0, 1, 2, 9}));
  std::vector<Ids> seen, rows_during_hook;
  int other_hook = 0;
  a->registry.on_dead_nodes([&](const Ids& dead) {
    seen.push_back(dead);
    rows_during_hook.push_back(row_ids());
    throw std::runtime_error("a failing hook does not stop the others");
  });
  a->registry.on_dead_nodes([&](const Ids&) { ++other_hook; });
  // Nobody is dead yet: the hooks do not run.
  clock_.advance_ms(kSettings.heartbeat_ms);
  a->beat();
  EXPECT_TRUE(seen.empty());
  // c renews its lease; b and d go silent until their leases run out.
  clock_.advance_ms(15000);
  c->beat();
  clock_.advance_ms(kSettings.lease_ms - 15000 - kSettings.heartbeat_ms + 1);
  a->beat();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (Ids{1, 9}));
  EXPECT_EQ(rows_during_hook[0], (Ids{0, 1, 2, 9}));  // the hooks ran first
  EXPECT_EQ(other_hook, 1);
  EXPECT_EQ(row_ids(), (Ids{0, 2}));  // then the rows went
  EXPECT_EQ(a->scheduler.pending().size(), 1u);

  // Once: the next heartbeat finds nobody dead.
  clock_.advance_ms(kSettings.heartbeat_ms);
  a->beat();
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(other_hook, 1);

  // The dead node's id is free again (lowest first).
  auto e = node();
  EXPECT_EQ(e->registry.claim(std::nullopt), 1);

  // A hook registered on another survivor runs on that survivor's heartbeats too.
  Ids c_saw;
  c->registry.on_dead_nodes([&](const Ids& dead) { c_saw = dead; });
  clock_.advance_ms(kSettings.lease_ms + 1);  // everyone is silent now
  c->beat();
  EXPECT_EQ(c_saw, (Ids{0, 1}));
  EXPECT_EQ(row_ids(), (Ids{2}));
}

TEST_F(NodeRegistryTest, LostRunsWhenAnotherNodeTookThisNodesIdOver) {
  int a_lost = 0, b_lost = 0;
  auto a = started(5, [&] { ++a_lost; });
  // a stalls (a long pause, a network partition) beyond its lease; b takes its id.
  clock_.advance_ms(kSettings.lease_ms + 1);
  auto b = started(5, [&] { ++b_lost; });
  EXPECT_EQ(b->registry.node_id(), 5);
  b->registry.set_public_url("https://b.example");
  // a's late heartbeat finds its id gone: it must stop, and beats no more.
  a->beat();
  EXPECT_EQ(a_lost, 1);
  EXPECT_TRUE(a->scheduler.pending().empty());
  // b's row is untouched, and stays b's when a gives up.
  ASSERT_EQ(node_rows().size(), 1u);
  EXPECT_EQ(node_rows()[0].instance, b->registry.instance());
  EXPECT_EQ(node_rows()[0].heartbeat_at_ms, kStartMs + kSettings.lease_ms + 1);
  a.reset();
  EXPECT_EQ(live(b->registry), (Ids{5}));
  EXPECT_EQ(sync_wait(b->registry.public_url_of(5)), "https://b.example");
  clock_.advance_ms(kSettings.heartbeat_ms);
  b->beat();
  EXPECT_EQ(b_lost, 0);
  EXPECT_EQ(a_lost, 1);
}

TEST_F(NodeRegistryTest, ANodeWhoseRowASurvivorRemovedIsLostOnItsNextHeartbeat) {
  int b_lost = 0;
  auto a = started();
  auto b = started(std::nullopt, [&] { ++b_lost; });
  clock_.advance_ms(kSettings.lease_ms + 1);
  a->beat();  // b is dead to a: its row goes
  EXPECT_EQ(row_ids(), (Ids{0}));
  b->beat();  // b was only late: its id may be someone else's now
  EXPECT_EQ(b_lost, 1);
  EXPECT_TRUE(b->scheduler.pending().empty());
}

TEST_F(NodeRegistryTest, WithoutASchedulerStartSchedulesNothing) {
  NodeRegistry r(*db_, clock_, random_, nullptr, kSettings);
  EXPECT_EQ(r.claim(std::nullopt), 0);
  r.start([] {});
  r.release();
  EXPECT_EQ(row_ids(), Ids{});
}

}  // namespace
}  // namespace argon::services::testing
