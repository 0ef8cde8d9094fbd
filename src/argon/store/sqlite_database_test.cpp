#include "argon/store/sqlite_database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace argon::store {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("argon_store_" + std::string(info ? info->name() : "x") + "_" +
             std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Polls cond until it holds or the deadline passes (never a fixed sleep).
template <class F>
bool wait_until(F cond, std::chrono::milliseconds deadline = 10s) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteOptions options(int max_batch = 256) {
    SqliteOptions o;
    o.path = (dir_.path() / "data" / "sub" / "argon.db").string();  // parents do not exist yet
    o.read_connections = 4;
    o.max_batch = max_batch;
    return o;
  }
  std::unique_ptr<SqliteDatabase> open(int max_batch = 256) {
    auto db = std::make_unique<SqliteDatabase>(options(max_batch));
    db->migrate({{1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY, tag TEXT UNIQUE);"}});
    return db;
  }
  static std::int64_t count(Database& db, const std::string& where = "1=1") {
    return db.read_now([&](Connection& c) {
      return c.query_one("SELECT COUNT(*) FROM items WHERE " + where)->i64(0);
    });
  }
  static Status insert(Database& db, const std::string& tag) {
    return db.transact_now([&](Connection& c) -> Status {
      c.exec("INSERT INTO items (tag) VALUES ($1)", {tag});
      return {};
    });
  }
  // Holds the writer thread inside a write operation until `queued` operations wait behind it,
  // so that they are all taken as one batch.
  static std::thread gate(SqliteDatabase& db, std::size_t queued) {
    auto started = std::make_shared<std::atomic<bool>>(false);
    std::thread t([&db, queued, started] {
      Status st = db.transact_now([&](Connection&) -> Status {
        *started = true;
        EXPECT_TRUE(wait_until([&] { return db.queued_writes() >= queued; }));
        return {};
      });
      EXPECT_TRUE(st.ok());
    });
    EXPECT_TRUE(wait_until([&] { return started->load(); }));
    return t;
  }

  TempDir dir_;
};

TEST(SqlRowTest, ConvertsCells) {
  Row r({std::monostate{}, std::int64_t{42}, 2.75, std::string("17"), std::string("x")});
  EXPECT_TRUE(r.is_null(0));
  EXPECT_FALSE(r.flag(0));
  EXPECT_EQ(r.opt_i64(0), std::nullopt);
  EXPECT_EQ(r.opt_text(0), std::nullopt);
  EXPECT_THROW(r.i64(0), SqlError);
  EXPECT_EQ(r.i64(1), 42);
  EXPECT_EQ(r.text(1), "42");
  EXPECT_DOUBLE_EQ(r.f64(1), 42.0);
  EXPECT_TRUE(r.flag(1));
  EXPECT_EQ(r.i64(2), 2);  // truncated
  EXPECT_EQ(r.text(2), "2.75");
  EXPECT_EQ(r.i64(3), 17);
  EXPECT_DOUBLE_EQ(r.f64(3), 17.0);
  EXPECT_THROW(r.i64(4), SqlError);
  EXPECT_THROW(r.i64(5), std::out_of_range);
}

TEST_F(SqliteStoreTest, PlaceholdersBindByNameInAnyOrderAndRepeated) {
  auto db = open();
  db->read_now([](Connection& c) {
    auto row = c.query_one("SELECT $2, $1, $1 || $2", {std::string("a"), std::int64_t{7}});
    ASSERT_TRUE(row);
    EXPECT_EQ(row->i64(0), 7);
    EXPECT_EQ(row->text(1), "a");
    EXPECT_EQ(row->text(2), "a7");
    // The same cached statement with other values.
    auto again = c.query_one("SELECT $2, $1, $1 || $2", {std::string("b"), std::int64_t{8}});
    EXPECT_EQ(again->text(2), "b8");
  });
  ASSERT_TRUE(db->transact_now([](Connection& c) -> Status {
                  c.exec("INSERT INTO items (tag, id) VALUES ($2, $1)",
                         {std::int64_t{5}, std::string("five")});
                  return {};
                }).ok());
  EXPECT_EQ(count(*db, "id = 5 AND tag = 'five'"), 1);
  db->read_now([](Connection& c) {
    EXPECT_THROW(c.query("SELECT $1, $2", {std::int64_t{1}}), SqlError);               // too few
    EXPECT_THROW(c.query("SELECT $1", {std::int64_t{1}, std::int64_t{2}}), SqlError);  // too many
    EXPECT_THROW(c.query("SELECT $2", {std::int64_t{1}, std::int64_t{2}}), SqlError);  // $1 unused
    EXPECT_THROW(c.query("SELECT ?", {std::int64_t{1}}), SqlError);
    EXPECT_THROW(c.query("SELECT :name", {std::int64_t{1}}), SqlError);
    EXPECT_THROW(c.query("SELECT 1; SELECT 2"), SqlError);
    EXPECT_EQ(c.query("SELECT 1; -- trailing comment").size(), 1u);
  });
}

TEST_F(SqliteStoreTest, SqliteTreatsDollarNumbersAsNamedParameters) {
  // The engine-level fact the $N mapping relies on: "$2" before "$1" gets its own index, and a
  // repeated "$1" shares one index.
  SqliteConnection c((dir_.path() / "raw.db").string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                     1000);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(c.handle(), "SELECT $2, $1, $1", -1, &stmt, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_bind_parameter_count(stmt), 2);
  EXPECT_EQ(sqlite3_bind_parameter_index(stmt, "$2"), 1);
  EXPECT_EQ(sqlite3_bind_parameter_index(stmt, "$1"), 2);
  EXPECT_STREQ(sqlite3_bind_parameter_name(stmt, 1), "$2");
  sqlite3_finalize(stmt);
}

TEST_F(SqliteStoreTest, ConnectionsAreConfiguredPerOptions) {
  auto o = options();
  o.synchronous_full = false;
  SqliteDatabase db(o);
  ASSERT_TRUE(db.transact_now([](Connection& c) -> Status {
                  EXPECT_EQ(c.query_one("PRAGMA synchronous")->i64(0), 1);  // NORMAL
                  EXPECT_EQ(c.query_one("PRAGMA foreign_keys")->i64(0), 1);
                  EXPECT_EQ(c.query_one("PRAGMA journal_mode")->text(0), "wal");
                  EXPECT_EQ(c.query_one("PRAGMA busy_timeout")->i64(0), 5000);
                  EXPECT_EQ(c.query_one("PRAGMA temp_store")->i64(0), 2);  // MEMORY
                  return {};
                }).ok());
  db.read_now([](Connection& c) {
    EXPECT_EQ(c.query_one("PRAGMA query_only")->i64(0), 1);
    EXPECT_EQ(c.query_one("PRAGMA foreign_keys")->i64(0), 1);
    EXPECT_EQ(c.query_one("PRAGMA temp_store")->i64(0), 2);
  });
  SqliteDatabase full(options());
  ASSERT_TRUE(full.transact_now([](Connection& c) -> Status {
                    EXPECT_EQ(c.query_one("PRAGMA synchronous")->i64(0), 2);  // FULL
                    return {};
                  })
                  .ok());
}

TEST_F(SqliteStoreTest, ValuesRoundTripWithTheirTypes) {
  auto db = open();
  const std::string with_nul("a\0b\xC3\xA9", 5);
  db->read_now([&](Connection& c) {
    auto row =
        c.query_one("SELECT $1, $2, $3, $4, $5, x'00ff', typeof($3)",
                    {std::int64_t{INT64_MAX}, std::int64_t{INT64_MIN}, 0.1, with_nul, sql_null()});
    ASSERT_TRUE(row);
    ASSERT_EQ(row->size(), 7u);
    EXPECT_EQ(row->i64(0), INT64_MAX);
    EXPECT_EQ(row->i64(1), INT64_MIN);
    EXPECT_DOUBLE_EQ(row->f64(2), 0.1);
    EXPECT_EQ(row->text(3), with_nul);
    EXPECT_TRUE(row->is_null(4));
    EXPECT_EQ(row->text(5), std::string("\0\xff", 2));
    EXPECT_EQ(row->text(6), "real");
  });
  ASSERT_TRUE(
      db->transact_now([](Connection& c) -> Status {
          EXPECT_EQ(c.exec("INSERT INTO items (tag) VALUES ('a'), ('b'), ('c')"), 3);
          EXPECT_EQ(c.exec("UPDATE items SET tag = tag || '!' WHERE tag <> $1", {std::string("a")}),
                    2);
          EXPECT_EQ(c.exec("CREATE TABLE other (x INTEGER)"), 0);  // not the last DML's
          EXPECT_EQ(c.exec("DELETE FROM items WHERE tag = 'zzz'"), 0);
          std::vector<SqlValue> params{std::string("b!")};
          EXPECT_EQ(c.query("SELECT id FROM items WHERE tag = $1", params).size(), 1u);
          return {};
        }).ok());
}

TEST_F(SqliteStoreTest, ConnectionCachesStatementsAndResetsAfterErrors) {
  auto path = (dir_.path() / "direct.db").string();
  SqliteConnection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
  c.exec_script("CREATE TABLE t (k TEXT PRIMARY KEY); INSERT INTO t VALUES ('x');");
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(c.exec("INSERT INTO t (k) VALUES ($1)", {std::string("x")}), ConstraintError);
  }
  EXPECT_EQ(c.exec("INSERT INTO t (k) VALUES ($1)", {std::string("y")}), 1);
  EXPECT_EQ(c.query("SELECT k FROM t ORDER BY k").size(), 2u);
  EXPECT_EQ(c.query("SELECT k FROM t ORDER BY k").size(), 2u);
  EXPECT_EQ(c.cached_statements(), 2u);
  EXPECT_FALSE(c.in_transaction());
}

TEST_F(SqliteStoreTest, ConstraintViolationsAreConstraintErrors) {
  auto db = open();
  db->migrate({{1, "items", ""},
               {2, "children",
                "CREATE TABLE children (id INTEGER PRIMARY KEY, "
                "item_id INTEGER NOT NULL REFERENCES items(id));"}});
  ASSERT_TRUE(insert(*db, "dup").ok());
  EXPECT_THROW((void)insert(*db, "dup"), ConstraintError);  // UNIQUE
  auto run = [&](const char* sql) {
    return db->transact_now([&](Connection& c) -> Status {
      c.exec(sql);
      return {};
    });
  };
  EXPECT_THROW((void)run("INSERT INTO items (id, tag) VALUES (1, 'pk')"), ConstraintError);
  EXPECT_THROW((void)run("INSERT INTO children (item_id) VALUES (999)"), ConstraintError);  // FK
  EXPECT_THROW((void)run("INSERT INTO children (item_id) VALUES (NULL)"), ConstraintError);
  try {
    (void)run("INSERT INTO nowhere VALUES (1)");
    ADD_FAILURE() << "no exception";
  } catch (const ConstraintError&) {
    ADD_FAILURE() << "not a constraint";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("no such table"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("INSERT INTO nowhere"), std::string::npos) << e.what();
  }
  EXPECT_EQ(count(*db), 1);
}

TEST_F(SqliteStoreTest, FailedOperationInABatchRollsBackAloneWhileTheRestCommits) {
  auto db = open();
  ASSERT_TRUE(insert(*db, "taken").ok());
  constexpr int kThreads = 16;
  const auto commits_before = db->commit_count();
  std::thread g = gate(*db, kThreads);
  std::vector<std::thread> threads;
  std::vector<int> outcome(kThreads, -1);  // 0 ok, 1 error value, 2 exception
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const std::string tag = "t" + std::to_string(i);
      try {
        Result<std::int64_t> r = db->transact_now([&](Connection& c) -> Result<std::int64_t> {
          c.exec("INSERT INTO items (tag) VALUES ($1)", {tag});
          switch (i % 4) {
            case 0:
              return Error::conflict("nope", "returned error");
            case 1:
              throw std::runtime_error("thrown");
            case 2:
              c.exec("INSERT INTO items (tag) VALUES ('taken')");  // ConstraintError
              return std::int64_t{0};
            default:
              return c.query_one("SELECT last_insert_rowid()")->i64(0);
          }
        });
        outcome[i] = r.ok() ? 0 : 1;
        if (!r.ok()) {
          EXPECT_EQ(r.error().code, "nope");
        }
      } catch (const std::exception&) {
        outcome[i] = 2;
      }
    });
  }
  for (auto& t : threads) t.join();
  g.join();
  // The gate's batch plus exactly one batch holding all 16 operations.
  EXPECT_EQ(db->commit_count() - commits_before, 2u);
  for (int i = 0; i < kThreads; ++i) {
    const std::string tag = "t" + std::to_string(i);
    const int expected = i % 4 == 3 ? 0 : (i % 4 == 0 ? 1 : 2);
    EXPECT_EQ(outcome[i], expected) << tag;
    EXPECT_EQ(count(*db, "tag = '" + tag + "'"), i % 4 == 3 ? 1 : 0) << tag;
  }
  EXPECT_EQ(count(*db), 1 + kThreads / 4);
}

TEST_F(SqliteStoreTest, ConcurrentMixedOperationsKeepExactlyTheSuccessfulOnes) {
  auto db = open();
  constexpr int kThreads = 16, kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const bool fail = (t + i) % 3 == 0;
        Status st = db->transact_now([&](Connection& c) -> Status {
          c.exec("INSERT INTO items (tag) VALUES ($1)",
                 {std::string(fail ? "bad" : "ok") + std::to_string(t * 1000 + i)});
          if (fail) return Error::internal("planned");
          return {};
        });
        EXPECT_EQ(st.ok(), !fail);
      }
    });
  }
  for (auto& t : threads) t.join();
  int expected_ok = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i) expected_ok += (t + i) % 3 != 0;
  EXPECT_EQ(count(*db, "tag LIKE 'ok%'"), expected_ok);
  EXPECT_EQ(count(*db, "tag LIKE 'bad%'"), 0);
  EXPECT_LT(db->commit_count(), static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_F(SqliteStoreTest, GroupCommitBatchesConcurrentWrites) {
  auto db = open();
  constexpr int kThreads = 16, kWrites = 200;
  const auto commits_before = db->commit_count();
  std::atomic<int> next{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i; (i = next.fetch_add(1)) < kWrites;) {
        EXPECT_TRUE(insert(*db, "w" + std::to_string(i)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto commits = db->commit_count() - commits_before;
  std::printf("[ figures  ] %d writes from %d threads: %llu commits, %.0f writes/s (FULL sync)\n",
              kWrites, kThreads, static_cast<unsigned long long>(commits), kWrites / secs);
  EXPECT_EQ(count(*db), kWrites);
  EXPECT_LE(commits, static_cast<std::uint64_t>(kWrites / 2));
}

TEST_F(SqliteStoreTest, GroupCommitRespectsMaxBatch) {
  auto db = open(/*max_batch=*/8);
  const auto commits_before = db->commit_count();
  std::thread g = gate(*db, 32);
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] { EXPECT_TRUE(insert(*db, "m" + std::to_string(i)).ok()); });
  }
  for (auto& t : threads) t.join();
  g.join();
  EXPECT_EQ(db->commit_count() - commits_before, 1u + 32 / 8);
  EXPECT_EQ(count(*db), 32);
}

TEST_F(SqliteStoreTest, ReadsSeeWritesOnceTheWriteReturns) {
  auto db = open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string tag = "r" + std::to_string(t) + "_" + std::to_string(i);
        auto id = db->transact_now([&](Connection& c) -> Result<std::int64_t> {
          c.exec("INSERT INTO items (tag) VALUES ($1)", {tag});
          return c.query_one("SELECT last_insert_rowid()")->i64(0);
        });
        ASSERT_TRUE(id.ok());
        auto got = db->read_now([&](Connection& c) {
          return c.query_one("SELECT tag FROM items WHERE id = $1", {*id});
        });
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->text(0), tag);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(count(*db), 160);
}

TEST_F(SqliteStoreTest, ReadRunsOnOneSnapshotAndCannotWrite) {
  auto db = open();
  ASSERT_TRUE(insert(*db, "first").ok());
  db->read_now([&](Connection& c) {
    const auto before = c.query_one("SELECT COUNT(*) FROM items")->i64(0);
    ASSERT_TRUE(insert(*db, "second").ok());  // committed by the writer meanwhile
    EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM items")->i64(0), before);
    EXPECT_THROW(c.exec("INSERT INTO items (tag) VALUES ('from a reader')"), SqlError);
    EXPECT_THROW(db->read_now([](Connection&) {}), std::logic_error);  // nested read
  });
  EXPECT_EQ(count(*db), 2);
  // A read that throws gives its connection back in a clean state.
  EXPECT_THROW(db->read_now([](Connection& c) {
    c.query("SELECT 1");
    throw std::runtime_error("reader failed");
  }),
               std::runtime_error);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(count(*db), 2);
}

TEST_F(SqliteStoreTest, DataPersistsAcrossCloseAndReopen) {
  {
    auto db = open();
    ASSERT_TRUE(insert(*db, "kept").ok());
    db->close();
    const fs::path wal = options().path + "-wal";  // checkpointed (and removed) on close
    EXPECT_TRUE(!fs::exists(wal) || fs::file_size(wal) == 0);
  }
  auto db = open();
  EXPECT_EQ(count(*db, "tag = 'kept'"), 1);
  EXPECT_EQ(db->schema_version(), 1);
}

TEST_F(SqliteStoreTest, MigrationsApplyOnceInOrderAndAreRecorded) {
  std::vector<Migration> migrations{
      {2, "b", "INSERT INTO a (v) VALUES ('from 2');"},
      {1, "a", "CREATE TABLE a (v TEXT NOT NULL); CREATE INDEX a_v ON a (v);"},
  };
  std::int64_t first_applied_at = 0;
  {
    SqliteDatabase db(options());
    EXPECT_EQ(db.schema_version(), 0);
    db.migrate(migrations);
    db.migrate(migrations);  // idempotent
    EXPECT_EQ(db.schema_version(), 2);
    db.read_now([&](Connection& c) {
      auto rows = c.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY 1");
      ASSERT_EQ(rows.size(), 2u);
      EXPECT_EQ(rows[0].text(1), "a");
      EXPECT_EQ(rows[1].text(1), "b");
      EXPECT_GT(rows[0].i64(2), 0);
      first_applied_at = rows[0].i64(2);
      EXPECT_EQ(c.query("SELECT v FROM a").size(), 1u);
    });
  }
  SqliteDatabase db(options());
  migrations.push_back({3, "c", "INSERT INTO a (v) VALUES ('from 3');"});
  db.migrate(migrations);
  db.read_now([&](Connection& c) {
    EXPECT_EQ(c.query("SELECT v FROM a").size(), 2u);  // 2 did not run again
    EXPECT_EQ(c.query_one("SELECT applied_at FROM schema_migrations WHERE version = 1")->i64(0),
              first_applied_at);
  });
  // A failing migration is rolled back whole and not recorded.
  migrations.push_back(
      {4, "broken", "CREATE TABLE d (x INTEGER); INSERT INTO nowhere VALUES (1);"});
  EXPECT_THROW(db.migrate(migrations), SqlError);
  EXPECT_EQ(db.schema_version(), 3);
  db.read_now([](Connection& c) {
    EXPECT_FALSE(c.query_one("SELECT 1 FROM sqlite_master WHERE name = 'd'").has_value());
  });
  // The writer still works afterwards.
  ASSERT_TRUE(db.transact_now([](Connection& c) -> Status {
                  c.exec("INSERT INTO a (v) VALUES ('w')");
                  return {};
                }).ok());
}

TEST_F(SqliteStoreTest, DatabaseFromANewerBinaryIsRefused) {
  {
    SqliteDatabase db(options());
    db.migrate({{1, "a", "CREATE TABLE a (x INTEGER);"}, {5, "e", "CREATE TABLE e (x INTEGER);"}});
  }
  SqliteDatabase db(options());
  try {
    db.migrate({{1, "a", "CREATE TABLE a (x INTEGER);"}});
    ADD_FAILURE() << "accepted a newer schema";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
  EXPECT_THROW(db.migrate({{1, "a", ""}, {1, "again", ""}}), SqlError);  // duplicate versions
}

TEST_F(SqliteStoreTest, AfterCommitHooksRunAfterTheCommitInCommitOrderAndOnlyForSuccesses) {
  auto db = open();
  std::mutex mutex;
  std::vector<std::string> fired;
  auto hooked = [&](const std::string& tag, bool fail) {
    return db->transact_now([&, tag, fail](Connection& c) -> Status {
      c.exec("INSERT INTO items (tag) VALUES ($1)", {tag});
      c.after_commit([&, tag] {
        // Runs after the commit: the row is visible to a fresh read connection.
        std::int64_t seen = count(*db, "tag = '" + tag + "'");
        std::lock_guard lock(mutex);
        fired.push_back(tag + ":" + std::to_string(seen));
      });
      if (fail) return Error::internal("x");
      return {};
    });
  };
  ASSERT_TRUE(hooked("a", false).ok());
  EXPECT_FALSE(hooked("b", true).ok());                     // rolled back: its hook never runs
  EXPECT_THROW((void)hooked("a", false), ConstraintError);  // failed statement: no hook
  ASSERT_TRUE(hooked("c", false).ok());
  // Several operations in one batch: their hooks run in commit order.
  std::thread g = gate(*db, 3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] { EXPECT_TRUE(hooked("g" + std::to_string(i), false).ok()); });
    // Queued in order; the third releases the gate (and the batch may run at once).
    if (i < 2)
      EXPECT_TRUE(
          wait_until([&] { return db->queued_writes() >= static_cast<std::size_t>(i + 1); }));
  }
  for (auto& t : threads) t.join();
  g.join();
  std::lock_guard lock(mutex);
  EXPECT_EQ(fired, (std::vector<std::string>{"a:1", "c:1", "g0:1", "g1:1", "g2:1"}));
}

TEST_F(SqliteStoreTest, RetryableFailureRerunsTheOperationAndThenGivesUpWith503) {
  auto db = open();
  int attempts = 0;
  Status st = db->transact_now([&](Connection& c) -> Status {
    c.exec("INSERT INTO items (tag) VALUES ($1)", {"try" + std::to_string(++attempts)});
    if (attempts < 3) throw RetryableError("lost a race");
    return {};
  });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(count(*db), 1);  // the failed attempts left nothing
  EXPECT_EQ(count(*db, "tag = 'try3'"), 1);

  int tries = 0;
  Status gave_up = db->transact_now([&](Connection& c) -> Status {
    ++tries;
    c.exec("INSERT INTO items (tag) VALUES ('never')");
    throw RetryableError("always");
  });
  ASSERT_FALSE(gave_up.ok());
  EXPECT_EQ(gave_up.error().status, 503);
  EXPECT_EQ(gave_up.error().code, "service_unavailable");
  EXPECT_EQ(tries, options().retry.max_attempts);
  EXPECT_EQ(count(*db, "tag = 'never'"), 0);
}

TEST_F(SqliteStoreTest, WritesAfterCloseFailCleanlyAndQueuedWritesAreDrained) {
  auto db = open();
  std::thread g = gate(*db, 8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { EXPECT_TRUE(insert(*db, "q" + std::to_string(i)).ok()); });
  }
  ASSERT_TRUE(wait_until([&] { return db->queued_writes() >= 8 || db->commit_count() > 1; }));
  db->close();  // the 8 accepted writes still commit
  for (auto& t : threads) t.join();
  g.join();
  db->close();  // idempotent
  Status st = insert(*db, "late");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().status, 503);
  EXPECT_EQ(st.error().code, "service_unavailable");
  EXPECT_THROW(db->read_now([](Connection&) {}), SqlError);
  EXPECT_THROW(db->migrate({}), SqlError);
  db.reset();
  auto again = open();
  EXPECT_EQ(count(*again, "tag LIKE 'q%'"), 8);
}

TEST_F(SqliteStoreTest, ExceptionsInsideWritesAreRethrownAndTheWriterSurvives) {
  auto db = open();
  EXPECT_THROW((void)db->transact_now([](Connection& c) -> Status {
    c.exec("INSERT INTO items (tag) VALUES ('doomed')");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  // A transaction nested in a transaction is refused instead of deadlocking.
  EXPECT_THROW((void)db->transact_now([&](Connection& c) -> Status {
    c.exec("INSERT INTO items (tag) VALUES ('outer')");
    return db->transact_now([](Connection&) -> Status { return {}; });
  }),
               std::logic_error);
  // A closure that ends the batch's transaction itself fails without breaking the writer.
  Status st = db->transact_now([](Connection& c) -> Status {
    c.exec("COMMIT");
    return {};
  });
  EXPECT_FALSE(st.ok());
  ASSERT_TRUE(insert(*db, "alive").ok());
  EXPECT_EQ(count(*db), 1);
  EXPECT_EQ(count(*db, "tag = 'alive'"), 1);
}

TEST_F(SqliteStoreTest, RejectsInMemoryDatabases) {
  SqliteOptions o;
  o.path = ":memory:";
  EXPECT_THROW(SqliteDatabase db(o), SqlError);
  EXPECT_TRUE(open_sqlite(options()) != nullptr);
}

}  // namespace
}  // namespace argon::store

namespace argon::store {
namespace {

// argon backup: a consistent copy while another thread keeps writing.
TEST_F(SqliteStoreTest, BackupCopiesACommittedSnapshotWhileWritesGoOn) {
  auto db = open();
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(insert(*db, "before" + std::to_string(i)).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      EXPECT_TRUE(insert(*db, "during" + std::to_string(i)).ok());
      ++written;
    }
  });
  ASSERT_TRUE(wait_until([&] { return written.load() >= 20; }));
  const std::string copy = (dir_.path() / "backup" / "argon.db").string();
  fs::create_directories(dir_.path() / "backup");
  std::string verdict = db->backup_to(copy);
  stop = true;
  writer.join();
  EXPECT_EQ(verdict, "ok");
  EXPECT_FALSE(fs::exists(copy + ".partial"));
  EXPECT_FALSE(fs::exists(copy + "-wal"));  // one self-contained file

  SqliteOptions o = options();
  o.path = copy;
  SqliteDatabase restored(o);
  EXPECT_EQ(count(restored, "tag LIKE 'before%'"), 200);
  std::int64_t during = count(restored, "tag LIKE 'during%'");
  EXPECT_GE(during, 20);  // what committed before the backup began
  EXPECT_LE(during, written.load());
  // Every row up to the last one copied, none missing in between (a snapshot, not a mix).
  std::int64_t max_id = restored.read_now(
      [](Connection& c) { return c.query_one("SELECT MAX(id) FROM items")->i64(0); });
  EXPECT_EQ(count(restored), max_id);
  EXPECT_EQ(restored.schema_version(), 1);

  // An existing file is never overwritten.
  EXPECT_THROW(db->backup_to(copy), SqlError);
  EXPECT_EQ(count(restored, "tag LIKE 'before%'"), 200);
}

}  // namespace
}  // namespace argon::store
