#include "argon/events/event_log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

#include "argon/events/events_test_fixture.hpp"
#include "argon/store/pg_connection.hpp"

namespace argon::events {
namespace {

using testing::EventsTest;
using testing::test_id;

class EventLogTest : public EventsTest {
 protected:
  std::vector<std::int64_t> seqs(const std::vector<EventRecord>& v) {
    std::vector<std::int64_t> out;
    for (const auto& r : v) out.push_back(r.seq);
    return out;
  }
  std::vector<std::int64_t> gseqs(const std::vector<EventRecord>& v) {
    std::vector<std::int64_t> out;
    for (const auto& r : v) out.push_back(r.gseq);
    return out;
  }
  const Uuid a_ = test_id(1, 0xa);
  const Uuid b_ = test_id(2, 0xb);
  const std::string A = space_stream(a_);
  const std::string B = space_stream(b_);
};

TEST_F(EventLogTest, AppendNumbersPerStreamAndGlobally) {
  auto r1 = add(A, "messageCreate", a_, R"({"n":1})");
  auto r2 = add(A, "messageEdit", a_, R"({"n":2})");
  auto r3 = add(B, "messageCreate", b_, R"({"n":3})");
  auto r4 = add(bot_stream(a_), "botInstallingToSpace", a_, R"({"n":4})");
  auto r5 = add(A, "messageCreate", a_, R"({"n":5})");
  EXPECT_EQ(seqs({r1, r2, r3, r4, r5}), (std::vector<std::int64_t>{1, 2, 1, 1, 3}));
  EXPECT_EQ(gseqs({r1, r2, r3, r4, r5}), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(r2.stream, A);
  EXPECT_EQ(r2.type, "messageEdit");
  EXPECT_EQ(r2.payload, R"({"n":2})");
  EXPECT_EQ(r2.space_id, a_);
  EXPECT_EQ(r2.created_at_ms, testing::kStartMs);
  db_->read_now([&](store::Connection& c) {
    EXPECT_EQ(last_seq(c, A), 3);
    EXPECT_EQ(last_seq(c, B), 1);
    EXPECT_EQ(last_seq(c, "space:unknown"), 0);
    // No global counter row: only the streams' own counters exist.
    EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM event_streams")->i64(0), 3);
    EXPECT_FALSE(c.query_one("SELECT 1 FROM event_streams WHERE stream = '*'"));
  });
}

TEST_F(EventLogTest, AppendSeveralInOneTransaction) {
  auto batch = db_->transact_now([&](store::Connection& c) -> Result<std::vector<EventRecord>> {
    std::vector<EventRecord> out;
    out.push_back(append(c, A, "memberJoin", a_, "{}", 10));
    out.push_back(append(c, B, "memberJoin", b_, "{}", 10));
    out.push_back(append(c, A, "messageCreate", a_, "{}", 10));
    return out;
  });
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(seqs(*batch), (std::vector<std::int64_t>{1, 1, 2}));
  EXPECT_EQ(gseqs(*batch), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST_F(EventLogTest, RolledBackAppendLeavesNoTrace) {
  add(A, "messageCreate", a_, "{}");
  auto failed = db_->transact_now([&](store::Connection& c) -> Status {
    append(c, A, "messageCreate", a_, "{}", 0);
    return Error::internal("boom");
  });
  EXPECT_FALSE(failed.ok());
  auto r = add(A, "messageCreate", a_, "{}");
  EXPECT_EQ(r.seq, 2);  // the stream's numbering has no gap
  // gseq only orders: SQLite reuses the rolled-back key, a PostgreSQL identity skips it.
  EXPECT_GE(r.gseq, 2);
}

TEST_F(EventLogTest, ReadAfterAndFind) {
  for (int i = 0; i < 3; ++i) add(A, "messageCreate", a_, "{\"i\":" + std::to_string(i) + "}");
  add(B, "messageCreate", b_, "{}");
  db_->read_now([&](store::Connection& c) {
    EXPECT_EQ(seqs(read_after(c, A, 0, 10)), (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(seqs(read_after(c, A, 1, 10)), (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(seqs(read_after(c, A, 1, 1)), (std::vector<std::int64_t>{2}));
    EXPECT_TRUE(read_after(c, A, 3, 10).empty());
    EXPECT_TRUE(read_after(c, "space:nobody", 0, 10).empty());
    auto all = read_after(c, A, 0, 10);
    EXPECT_EQ(all[1].payload, R"({"i":1})");
    auto two = find(c, A, 2);
    ASSERT_TRUE(two);
    EXPECT_EQ(two->gseq, 2);
    EXPECT_EQ(two->payload, R"({"i":1})");
    EXPECT_FALSE(find(c, A, 9));
    EXPECT_FALSE(find(c, B, 2));
  });
}

TEST_F(EventLogTest, ReadAfterGlobalMergesInCommitOrder) {
  auto c_stream = space_stream(test_id(3, 0xc));
  add(A, "messageCreate", a_, "{}");         // g1
  add(B, "messageCreate", b_, "{}");         // g2
  add(c_stream, "messageCreate", a_, "{}");  // g3
  add(A, "messageCreate", a_, "{}");         // g4
  add(B, "messageCreate", b_, "{}");         // g5
  db_->read_now([&](store::Connection& c) {
    auto all = read_after_global(c, {A, B}, 0, 100);
    EXPECT_EQ(gseqs(all), (std::vector<std::int64_t>{1, 2, 4, 5}));
    EXPECT_EQ(seqs(all), (std::vector<std::int64_t>{1, 1, 2, 2}));
    EXPECT_EQ(gseqs(read_after_global(c, {A, B}, 2, 100)), (std::vector<std::int64_t>{4, 5}));
    EXPECT_EQ(gseqs(read_after_global(c, {A, B}, 0, 2)), (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(gseqs(read_after_global(c, {B}, 0, 100)), (std::vector<std::int64_t>{2, 5}));
    EXPECT_TRUE(read_after_global(c, {}, 0, 100).empty());
    EXPECT_TRUE(read_after_global(c, {A, B, c_stream}, 5, 100).empty());
  });
}

TEST_F(EventLogTest, PositionsAtGseq) {
  add(A, "messageCreate", a_, "{}");  // A1 g1
  add(A, "messageCreate", a_, "{}");  // A2 g2
  add(B, "messageCreate", b_, "{}");  // B1 g3
  add(A, "messageCreate", a_, "{}");  // A3 g4
  auto none = space_stream(test_id(9));
  db_->read_now([&](store::Connection& c) {
    using P = std::map<std::string, std::int64_t>;
    EXPECT_EQ(positions_at_gseq(c, {A, B, none}, 3), (P{{A, 2}, {B, 1}, {none, 0}}));
    EXPECT_EQ(positions_at_gseq(c, {A, B}, 0), (P{{A, 0}, {B, 0}}));
    EXPECT_EQ(positions_at_gseq(c, {A, B}, 1), (P{{A, 1}, {B, 0}}));
    EXPECT_EQ(positions_at_gseq(c, {A, B}, 100), (P{{A, 3}, {B, 1}}));
    EXPECT_TRUE(positions_at_gseq(c, {}, 3).empty());
  });
}

// Waits (at most 20 s) until done() holds; false when it never did.
bool wait_until(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// The soak's finding (docs/benchmarks.md, "Soak"): two operations of different streams where the
// one that appended first commits last. Events are delivered in commit order, so gseq, by which
// a single event id positions the other streams (positions_at_gseq), must follow commit order:
// B's event, committed first, comes first, and a resume from it must not count A's as seen.
// (With gseq taken when the row was appended, A's came first and a resume from B skipped it.)
// Only PostgreSQL runs two write transactions at once.
TEST_F(EventLogTest, GseqFollowsCommitOrderNotAppendOrder) {
  if (db_->engine() != "postgres") GTEST_SKIP() << "one writer: append order is commit order";
  std::atomic<bool> a_appended{false}, b_committed{false};
  std::vector<EventRecord> a_events;
  std::thread first([&] {
    auto a = db_->transact_now([&](store::Connection& c) -> Status {
      a_events.clear();
      a_events.push_back(reserve(c, A, "messageCreate", a_, "{}", 0));
      c.before_commit([&](store::Connection& conn) { write_reserved(conn, a_events); });
      a_appended = true;
      if (!wait_until([&] { return b_committed.load(); })) return Error::internal("B never came");
      return {};
    });
    EXPECT_TRUE(a.ok());
  });
  ASSERT_TRUE(wait_until([&] { return a_appended.load(); }));
  std::vector<EventRecord> b_events;
  auto b = db_->transact_now([&](store::Connection& c) -> Status {
    b_events.clear();
    b_events.push_back(reserve(c, B, "messageCreate", b_, "{}", 0));
    c.before_commit([&](store::Connection& conn) { write_reserved(conn, b_events); });
    return {};
  });
  b_committed = true;
  first.join();
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(a_events.size(), 1u);
  ASSERT_EQ(b_events.size(), 1u);
  EXPECT_LT(b_events[0].gseq, a_events[0].gseq);
  db_->read_now([&](store::Connection& c) {
    using P = std::map<std::string, std::int64_t>;
    EXPECT_EQ(positions_at_gseq(c, {A, B}, b_events[0].gseq), (P{{A, 0}, {B, 1}}));
    EXPECT_EQ(positions_at_gseq(c, {A, B}, a_events[0].gseq), (P{{A, 1}, {B, 1}}));
    EXPECT_EQ(gseqs(read_after_global(c, {A, B}, 0, 10)),
              (std::vector<std::int64_t>{b_events[0].gseq, a_events[0].gseq}));
  });
}

// Between its INSERTs and its COMMIT an operation holds the gseq lock, so no other transaction
// (another node's included) can take a gseq meanwhile and commit before it.
TEST_F(EventLogTest, GseqLockIsHeldFromTheInsertsToCommit) {
  if (db_->engine() != "postgres") GTEST_SKIP() << "PostgreSQL only";
  const char* url = std::getenv("ARGON_TEST_PG_URL");
  ASSERT_TRUE(url && *url);
  store::PgConnection other(url);  // stands for another node
  const std::int64_t other_pid = other.query_one("SELECT pg_backend_pid()")->i64(0);
  std::atomic<bool> inserted{false}, other_locked{false};
  std::vector<EventRecord> events;
  std::thread node([&] {
    ASSERT_TRUE(wait_until([&] { return inserted.load(); }));
    other.command("BEGIN");
    other.exec("SELECT pg_advisory_xact_lock($1)", {gseq_lock_key()});
    other_locked = true;
    other.command("COMMIT");
  });
  store::PgConnection watcher(url);
  auto done = db_->transact_now([&](store::Connection& c) -> Status {
    events.clear();
    events.push_back(reserve(c, A, "messageCreate", a_, "{}", 0));
    c.before_commit([&](store::Connection& conn) { write_reserved(conn, events); });
    c.before_commit([&](store::Connection&) {
      inserted = true;
      // The other transaction waits for the lock this one holds.
      EXPECT_TRUE(wait_until([&] {
        return watcher
                   .query_one("SELECT COUNT(*) FROM pg_locks WHERE pid = $1 AND NOT granted",
                              {other_pid})
                   ->i64(0) > 0;
      }));
      EXPECT_FALSE(other_locked.load());
    });
    return {};
  });
  node.join();
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(other_locked.load());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_GT(events[0].gseq, 0);
}

TEST_F(EventLogTest, SaveAndLoadPositionsWithNotBefore) {
  Uuid owner = test_id(7), other = test_id(8);
  using P = std::map<std::string, std::int64_t>;
  auto save = [&](const Uuid& who, const P& cursor, std::int64_t now) {
    ASSERT_TRUE(db_->transact_now([&](store::Connection& c) -> Status {
                     save_positions(c, who, cursor, now);
                     return {};
                   })
                    .ok());
  };
  save(owner, {{A, 3}, {B, 1}}, 1000);
  save(owner, {{A, 5}}, 2000);  // upserts A, leaves B
  save(other, {{A, 1}}, 3000);
  auto load = [&](const Uuid& who, std::int64_t not_before) {
    return db_->read_now([&](store::Connection& c) { return load_positions(c, who, not_before); });
  };
  EXPECT_EQ(load(owner, 0), (P{{A, 5}, {B, 1}}));
  EXPECT_EQ(load(owner, 1000), (P{{A, 5}, {B, 1}}));  // at not_before is kept
  EXPECT_EQ(load(owner, 1001), (P{{A, 5}}));
  EXPECT_EQ(load(owner, 2001), P{});
  EXPECT_EQ(load(other, 0), (P{{A, 1}}));
  EXPECT_EQ(load(test_id(99), 0), P{});
}

TEST_F(EventLogTest, PruneRemovesOldEventsButKeepsCounters) {
  clock_.set_ms(100);
  add(A, "messageCreate", a_, "{}");
  clock_.set_ms(200);
  add(A, "messageCreate", a_, "{}");
  clock_.set_ms(300);
  add(B, "messageCreate", b_, "{}");
  auto removed = db_->transact_now(
      [&](store::Connection& c) -> Result<std::int64_t> { return prune(c, 250); });
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2);
  db_->read_now([&](store::Connection& c) {
    EXPECT_TRUE(read_after(c, A, 0, 10).empty());
    EXPECT_EQ(read_after(c, B, 0, 10).size(), 1u);
    EXPECT_EQ(last_seq(c, A), 2);
  });
  auto next = add(A, "messageCreate", a_, "{}");
  EXPECT_EQ(next.seq, 3);   // numbering never restarts
  EXPECT_EQ(next.gseq, 4);  // nor does the log's key (AUTOINCREMENT / identity never reuse)
}

}  // namespace
}  // namespace argon::events

namespace argon::events {
namespace {
using testing::EventsTest;

// Many connections appending to ONE stream at once (on PostgreSQL a pool of 4 connections, each
// transaction taking the stream's row lock): every event gets a distinct seq, 1..N with no gap,
// and the log's order (gseq) agrees with seq.
TEST_F(EventsTest, ConcurrentAppendsToOneStreamKeepAGaplessSequence) {
  const std::string stream = space_stream(testing::test_id(7, 0xa));
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = db_->transact_now([&](store::Connection& c) -> Result<EventRecord> {
          return append(c, stream, "messageCreate", std::nullopt, "{}", 0);
        });
        if (!r) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = db_->read_now([&](store::Connection& c) { return read_after(c, stream, 0, 1000); });
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, static_cast<std::int64_t>(i + 1));
    if (i > 0) EXPECT_GT(all[i].gseq, all[i - 1].gseq);
  }
  EXPECT_EQ(db_->read_now([&](store::Connection& c) { return last_seq(c, stream); }),
            kThreads * kEach);
}

}  // namespace
}  // namespace argon::events
