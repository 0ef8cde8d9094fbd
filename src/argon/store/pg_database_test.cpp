// The PostgreSQL engine behind the store contract (database.hpp), against a real server: run
// through scripts/with-postgres, which sets ARGON_TEST_PG_URL (pg_test_support.hpp).
#include "argon/store/pg_database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "argon/store/pg_test_support.hpp"
#include "argon/store/schema.hpp"

namespace argon::store {
namespace {

using namespace std::chrono_literals;
using pgtest::Latch;
using pgtest::PgTest;
using pgtest::Watchdog;

class PgDatabaseTest : public PgTest {
 protected:
  std::unique_ptr<PgDatabase> open_items(int pool_size = 4, int max_attempts = 5) {
    auto db = open(pool_size, max_attempts);
    db->migrate({{1, "items",
                  "CREATE TABLE items (id BIGSERIAL PRIMARY KEY, tag TEXT UNIQUE);"
                  "CREATE TABLE counters (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
                  "INSERT INTO counters VALUES (1, 0), (2, 0);",
                  "", ""}});
    return db;
  }
  static std::int64_t count(Database& db, const std::string& where = "TRUE") {
    return db.read_now([&](Connection& c) {
      return c.query_one("SELECT COUNT(*) FROM items WHERE " + where)->i64(0);
    });
  }
  static std::int64_t counter(Database& db, std::int64_t id) {
    return db.read_now([&](Connection& c) {
      return c.query_one("SELECT n FROM counters WHERE id = $1", {id})->i64(0);
    });
  }
  static Status insert(Database& db, const std::string& tag) {
    return sync_wait(db.transact([&](Connection& c) -> Status {
      c.exec("INSERT INTO items (tag) VALUES ($1)", {tag});
      return {};
    }));
  }
};

TEST_F(PgDatabaseTest, TransactionsCommitAndReadsSeeThem) {
  auto db = open_items();
  EXPECT_EQ(db->engine(), "postgres");
  EXPECT_FALSE(db->reads_here());
  EXPECT_EQ(db->pool_size(), 4u);
  auto id = sync_wait(db->transact([&](Connection& c) -> Result<std::int64_t> {
    return c.query_one("INSERT INTO items (tag) VALUES ($1) RETURNING id", {std::string("a")})
        ->i64(0);
  }));
  ASSERT_TRUE(id);
  EXPECT_GT(*id, 0);
  EXPECT_EQ(count(*db), 1);
  EXPECT_THROW(db->read_here([](Connection&) {}), std::logic_error);
  // A read cannot write, and its errors reach the caller.
  EXPECT_THROW(db->read_now([](Connection& c) { c.exec("DELETE FROM items"); }), SqlError);
  EXPECT_THROW(db->read_now([](Connection&) -> int { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_EQ(count(*db), 1);
}

TEST_F(PgDatabaseTest, AnErrorResultLeavesNothingBehind) {
  auto db = open_items();
  auto r = db->transact_now([&](Connection& c) -> Result<int> {
    c.exec("INSERT INTO items (tag) VALUES ('x')");
    c.exec("UPDATE counters SET n = 5 WHERE id = 1");
    return Error::conflict("nope", "Not today.");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 409);
  EXPECT_EQ(count(*db), 0);
  EXPECT_EQ(counter(*db, 1), 0);
}

TEST_F(PgDatabaseTest, AThrowingTransactionRethrowsAndLeavesNothingBehind) {
  auto db = open_items();
  ASSERT_TRUE(insert(*db, "taken"));
  EXPECT_THROW(db->transact_now([&](Connection& c) -> Status {
    c.exec("INSERT INTO items (tag) VALUES ('first')");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  // A constraint violation thrown by a statement reaches the caller as itself.
  EXPECT_THROW(db->transact_now([&](Connection& c) -> Status {
    c.exec("INSERT INTO items (tag) VALUES ('second')");
    c.exec("INSERT INTO items (tag) VALUES ('taken')");
    return {};
  }),
               ConstraintError);
  EXPECT_EQ(count(*db), 1);
  // A failed statement that fn swallows dooms the transaction on PostgreSQL: 500, nothing kept.
  auto r = db->transact_now([&](Connection& c) -> Status {
    c.exec("INSERT INTO items (tag) VALUES ('third')");
    try {
      c.exec("INSERT INTO items (tag) VALUES ('taken')");
    } catch (const ConstraintError&) {
    }
    return {};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 500);
  EXPECT_EQ(count(*db), 1);
  EXPECT_TRUE(insert(*db, "after"));  // the pool is fine
}

TEST_F(PgDatabaseTest, AfterCommitHooksRunAfterTheCommitInOrderAndNeverOnRollback) {
  auto db = open_items();
  auto observer = connect();  // sees only what is committed
  std::mutex mutex;
  std::vector<std::string> ran;
  auto note = [&](std::string s) {
    std::lock_guard lock(mutex);
    ran.push_back(std::move(s));
  };
  auto r = db->transact_now([&](Connection& c) -> Status {
    c.exec("INSERT INTO items (tag) VALUES ('hooked')");
    c.after_commit([&] {
      auto seen = observer->query_one("SELECT COUNT(*) FROM items WHERE tag = 'hooked'");
      note(seen->i64(0) == 1 ? "1:committed" : "1:not committed");
    });
    c.after_commit([&] { note("2"); });
    c.after_commit([&] { note("3"); });
    return {};
  });
  ASSERT_TRUE(r);
  // Every hook ran before the caller resumed.
  EXPECT_EQ(ran, (std::vector<std::string>{"1:committed", "2", "3"}));

  ran.clear();
  auto failed = db->transact_now([&](Connection& c) -> Status {
    c.after_commit([&] { note("error result"); });
    return Error::conflict("x", "y");
  });
  EXPECT_FALSE(failed);
  EXPECT_THROW(db->transact_now([&](Connection& c) -> Status {
    c.after_commit([&] { note("thrown"); });
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  ASSERT_TRUE(insert(*db, "plain"));  // a later operation on the same pool runs no stale hook
  EXPECT_TRUE(ran.empty()) << ran.front();
}

TEST_F(PgDatabaseTest, ARetryableFailureRunsFnAgainWithoutTheFirstAttempt) {
  auto db = open_items();
  int attempts = 0;
  std::vector<std::string> hooks;
  auto r = db->transact_now([&](Connection& c) -> Result<int> {
    ++attempts;
    c.exec("INSERT INTO items (tag) VALUES ($1)", {"attempt" + std::to_string(attempts)});
    c.after_commit([&, n = attempts] { hooks.push_back("hook" + std::to_string(n)); });
    if (attempts == 1) throw RetryableError("lost a race");
    return attempts;
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 2);
  EXPECT_EQ(count(*db), 1);
  EXPECT_EQ(count(*db, "tag = 'attempt2'"), 1);
  EXPECT_EQ(hooks, std::vector<std::string>{"hook2"});
  EXPECT_EQ(db->retries(), 1u);
}

TEST_F(PgDatabaseTest, ARealSerializationFailureIsRetriedAndNoUpdateIsLost) {
  auto db = open_items();
  Latch both_read(2);
  auto increment = [&] {
    int attempt = 0;
    return db->transact_now([&](Connection& c) -> Status {
      ++attempt;
      c.exec("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
      std::int64_t n = c.query_one("SELECT n FROM counters WHERE id = 1")->i64(0);
      if (attempt == 1 && !both_read.arrive_and_wait()) throw std::runtime_error("no partner");
      c.exec("UPDATE counters SET n = $1 WHERE id = 1", {n + 1});
      return {};
    });
  };
  Watchdog watchdog(60s, "serialization test");
  Status a, b;
  std::thread ta([&] { a = increment(); });
  std::thread tb([&] { b = increment(); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(counter(*db, 1), 2);  // both read 0; the loser saw 40001 and ran again
  EXPECT_GE(db->retries(), 1u);
}

TEST_F(PgDatabaseTest, ExhaustedRetriesBecome503) {
  auto db = open_items(2, 3);
  int calls = 0;
  auto r = db->transact_now([&](Connection& c) -> Status {
    ++calls;
    c.exec("INSERT INTO items (tag) VALUES ('never')");
    throw RetryableError("always loses");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 503);
  EXPECT_EQ(r.error().code, "service_unavailable");
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(db->retries(), 2u);
  EXPECT_EQ(count(*db), 0);

  auto unavailable = db->transact_now(
      [&](Connection&) -> Status { throw StoreUnavailable("pretend the server left"); });
  ASSERT_FALSE(unavailable);
  EXPECT_EQ(unavailable.error().status, 503);
  // A read that keeps failing ends as StoreUnavailable.
  EXPECT_THROW(db->read_now([](Connection&) -> int { throw RetryableError("again"); }),
               StoreUnavailable);
}

TEST_F(PgDatabaseTest, ADeadlockIsResolvedByRetrying) {
  auto db = open_items();
  Latch both_locked(2);
  auto lock_both = [&](std::int64_t first, std::int64_t second) {
    int attempt = 0;
    return db->transact_now([&](Connection& c) -> Status {
      ++attempt;
      c.exec("UPDATE counters SET n = n + 1 WHERE id = $1", {first});
      if (attempt == 1 && !both_locked.arrive_and_wait()) throw std::runtime_error("no partner");
      c.exec("UPDATE counters SET n = n + 1 WHERE id = $1", {second});
      return {};
    });
  };
  Watchdog watchdog(60s, "deadlock test");
  Status a, b;
  std::thread ta([&] { a = lock_both(1, 2); });
  std::thread tb([&] { b = lock_both(2, 1); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(counter(*db, 1), 2);
  EXPECT_EQ(counter(*db, 2), 2);
  EXPECT_GE(db->retries(), 1u);  // the victim of 40P01 ran again
}

TEST_F(PgDatabaseTest, ConcurrentIncrementsOfOneRowAreExact) {
  auto db = open_items(8);
  constexpr int kThreads = 8, kEach = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = db->transact_now([&](Connection& c) -> Status {
          c.exec("UPDATE counters SET n = n + 1 WHERE id = 1");
          return {};
        });
        if (!r) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(counter(*db, 1), kThreads * kEach);
}

TEST_F(PgDatabaseTest, TwoDatabasesMigratingAtOnceApplyEachMigrationOnce) {
  const std::vector<Migration> migrations = {
      {1, "log", "CREATE TABLE log (version BIGINT NOT NULL); INSERT INTO log VALUES (1);", "", ""},
      {2, "more", "", "", "INSERT INTO log VALUES (2); SELECT pg_sleep(0.2);"},
      {3, "last", "INSERT INTO log VALUES (3);", "", ""},
  };
  auto a = open(1);
  auto b = open(1);
  Latch go(2);
  std::exception_ptr ea, eb;
  std::thread ta([&] {
    go.arrive_and_wait();
    try {
      a->migrate(migrations);
    } catch (...) {
      ea = std::current_exception();
    }
  });
  std::thread tb([&] {
    go.arrive_and_wait();
    try {
      b->migrate(migrations);
    } catch (...) {
      eb = std::current_exception();
    }
  });
  ta.join();
  tb.join();
  EXPECT_FALSE(ea);
  EXPECT_FALSE(eb);
  auto c = connect();
  EXPECT_EQ(c->query_one("SELECT COUNT(*), SUM(version) FROM log")->i64(0), 3);
  auto applied = c->query("SELECT version, name FROM schema_migrations ORDER BY version");
  ASSERT_EQ(applied.size(), 3u);
  EXPECT_EQ(applied[1].text(1), "more");
  a->migrate(migrations);  // nothing left to do
  EXPECT_EQ(c->query_one("SELECT COUNT(*) FROM log")->i64(0), 3);
}

TEST_F(PgDatabaseTest, AFailedMigrationLeavesNothingAndReleasesTheLock) {
  auto db = open(1);
  EXPECT_THROW(db->migrate({{1, "ok", "CREATE TABLE fine (v BIGINT);", "", ""},
                            {2, "bad", "CREATE TABLE half (v BIGINT); SELEC 1;", "", ""}}),
               SqlError);
  auto c = connect();
  EXPECT_EQ(c->query_one("SELECT COUNT(*) FROM schema_migrations")->i64(0), 1);
  EXPECT_TRUE(c->query_one("SELECT to_regclass('half')")->is_null(0));  // NULL: no such table
  // Another migrate does not wait for a lock the failed one kept.
  Watchdog watchdog(30s, "migrate after a failed one");
  auto other = open(1);
  other->migrate({{1, "ok", "CREATE TABLE fine (v BIGINT);", "", ""},
                  {2, "fixed", "CREATE TABLE half (v BIGINT);", "", ""}});
  EXPECT_EQ(c->query_one("SELECT COUNT(*) FROM schema_migrations")->i64(0), 2);
}

TEST_F(PgDatabaseTest, ADatabaseNewerThanTheKnownMigrationsIsRefused) {
  open(1)->migrate({{1, "a", "CREATE TABLE a (v BIGINT);", "", ""},
                    {2, "b", "CREATE TABLE b (v BIGINT);", "", ""}});
  auto older = open(1);
  try {
    older->migrate({{1, "a", "CREATE TABLE a (v BIGINT);", "", ""}});
    FAIL() << "expected SqlError";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("has schema version 2, newer than this binary knows (1)"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(PgDatabaseTest, TheRealSchemaAppliesOnPostgres) {
  auto db = open(2);
  ASSERT_NO_THROW(db->migrate(migrations()));
  ASSERT_NO_THROW(db->migrate(migrations()));  // idempotent
  auto version = db->read_now([](Connection& c) {
    return c.query_one("SELECT MAX(version), COUNT(*) FROM schema_migrations")->i64(0);
  });
  EXPECT_EQ(version, migrations().back().version);
  // The event log numbers its rows itself (migration 2's identity column).
  auto gseqs = db->transact_now([](Connection& c) -> Result<std::vector<std::int64_t>> {
    std::vector<std::int64_t> out;
    for (int seq = 1; seq <= 2; ++seq) {
      out.push_back(c.query_one("INSERT INTO events (stream, seq, type, space_id, payload, "
                                "created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING gseq",
                                {std::string("space:x"), std::int64_t{seq}, std::string("t"),
                                 sql_null(), std::string("{}"), std::int64_t{1}})
                        ->i64(0));
    }
    c.exec("INSERT INTO users (id, username, display_name, created_at) VALUES ($1, $2, $3, $4)",
           {std::string("u1"), std::string("alice"), std::string("Alice"), std::int64_t{1}});
    return out;
  });
  ASSERT_TRUE(gseqs);
  ASSERT_EQ(gseqs->size(), 2u);
  EXPECT_EQ((*gseqs)[0], 1);  // an empty log starts at 1 (setval with is_called = false)
  EXPECT_LT((*gseqs)[0], (*gseqs)[1]);
}

TEST_F(PgDatabaseTest, CloseFinishesQueuedWorkThenRefusesNewWork) {
  auto db = open_items(2);
  constexpr int kJobs = 100;
  std::vector<Database::TransactionFn> fns;
  for (int i = 0; i < kJobs; ++i) {
    fns.emplace_back([i](Connection& c) -> Status {
      c.exec("INSERT INTO items (tag) VALUES ($1)", {"job" + std::to_string(i)});
      return {};
    });
  }
  std::atomic<int> ok{0}, done{0};
  for (const auto& fn : fns) {
    db->submit_transaction(&fn, [&](TransactionOutcome o) {
      if (o.status && !o.exception) ok.fetch_add(1);
      done.fetch_add(1);
    });
  }
  {
    Watchdog watchdog(60s, "close()");
    db->close();
  }
  EXPECT_EQ(done.load(), kJobs);
  EXPECT_EQ(ok.load(), kJobs);
  EXPECT_EQ(connect()->query_one("SELECT COUNT(*) FROM items")->i64(0), kJobs);

  auto late = db->transact_now([](Connection&) -> Status { return {}; });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().status, 503);
  EXPECT_THROW(db->read_now([](Connection&) { return 1; }), StoreUnavailable);
  db->close();  // idempotent
}

TEST_F(PgDatabaseTest, TerminatedBackendsAreReconnectedByRetrying) {
  // A database of its own: terminating its backends touches no other test.
  const std::string dbname = "t_" + pgtest::random_suffix();
  admin_->exec_script("CREATE DATABASE " + dbname);
  struct Drop {
    PgConnection* admin;
    std::string name;
    ~Drop() {
      try {
        if (!admin->ok()) admin->reset();
        admin->exec_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
  } drop{admin_.get(), dbname};
  const std::string url = pgtest::conninfo_with(base_url_, {{"dbname", dbname}});
  PostgresOptions o = options(4);
  o.url = url;
  Watchdog watchdog(60s, "lost-server test");
  auto db = std::make_unique<PgDatabase>(o);
  db->migrate({{1, "items", "CREATE TABLE items (tag TEXT);", "", ""}});
  ASSERT_TRUE(insert(*db, "before"));

  PgConnection killer(url);  // of the same database: current_database() is the test's
  auto killed = killer.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid()");
  EXPECT_GE(killed.size(), 1u);
  // Every pool connection is dead now; each operation notices, reconnects and runs again.
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(insert(*db, "after" + std::to_string(i)));
  EXPECT_EQ(count(*db), 9);
  EXPECT_GE(db->retries(), 1u);
  db->close();
}

TEST_F(PgDatabaseTest, AServerThatVanishesGives503QuicklyAndThePoolRecovers) {
  const std::string port = admin_->query_one("SELECT current_setting('port')")->text(0);
  pgtest::TcpProxy proxy(std::stoi(port));
  PostgresOptions o = options(2, 4);
  o.url = pgtest::conninfo_with(
      url_,
      {{"host", "127.0.0.1"}, {"hostaddr", "127.0.0.1"}, {"port", std::to_string(proxy.port())}});
  auto db = std::make_unique<PgDatabase>(o);
  db->migrate({{1, "items", "CREATE TABLE items (tag TEXT);", "", ""}});
  ASSERT_TRUE(insert(*db, "before"));

  Watchdog watchdog(60s, "vanishing-server test");
  proxy.stop();
  auto started = std::chrono::steady_clock::now();
  auto down = insert(*db, "while down");
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().status, 503);
  EXPECT_THROW(count(*db), StoreUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);

  proxy.start();
  bool recovered = false;
  for (auto until = std::chrono::steady_clock::now() + 20s;
       !recovered && std::chrono::steady_clock::now() < until;) {
    recovered = static_cast<bool>(insert(*db, "back"));
    if (!recovered) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(recovered);
  EXPECT_EQ(count(*db, "tag = 'while down'"), 0);
  EXPECT_EQ(count(*db, "tag = 'back'"), 1);
}

}  // namespace
}  // namespace argon::store
