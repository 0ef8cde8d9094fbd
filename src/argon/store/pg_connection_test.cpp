// PgConnection against a real server: values, placeholders, errors, the statement cache and a
// broken connection. Run through scripts/with-postgres (pg_test_support.hpp).
#include "argon/store/pg_connection.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "argon/store/pg_test_support.hpp"

namespace argon::store {
namespace {

using pgtest::PgTest;

class PgConnectionTest : public PgTest {};

TEST_F(PgConnectionTest, ValuesRoundTripWithTheirTypes) {
  auto c = connect();
  EXPECT_EQ(c->engine(), "postgres");
  EXPECT_EQ(c->for_update(), " FOR UPDATE");
  c->exec_script(
      "CREATE TABLE v (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, t TEXT, small "
      "SMALLINT, n INTEGER, b BOOLEAN, num NUMERIC, r REAL)");
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t low = std::numeric_limits<std::int64_t>::min();
  const std::string utf8 =
      "h\xC3\xA9llo w\xC3\xB6rld \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x89";
  const std::vector<double> doubles = {0.1, 1.0 / 3.0, 1e300, -2.5e-300, 123456789.125, -0.0};
  std::int64_t id = 0;
  for (double d : doubles) {
    c->exec("INSERT INTO v (id, i, d, t) VALUES ($1, $2, $3, $4)", {++id, big, d, utf8});
  }
  c->exec("INSERT INTO v (id, i, d, t) VALUES ($1, $2, $3, $4)", {++id, low, 2.0, std::string()});
  c->exec(
      "INSERT INTO v (id, i, d, t, small, n, b, num, r) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "$8, $9)",
      {++id, sql_null(), sql_null(), sql_null(), sql_null(), sql_null(), sql_null(), sql_null(),
       sql_null()});
  c->exec("INSERT INTO v (id, small, n, b, num, r) VALUES ($1, $2, $3, $4, $5, $6)",
          {++id, std::int64_t{-7}, std::int64_t{2147483647}, std::string("true"), 12.5, 0.5});

  auto rows = c->query("SELECT i, d, t FROM v WHERE id <= $1 ORDER BY id",
                       {static_cast<std::int64_t>(doubles.size())});
  ASSERT_EQ(rows.size(), doubles.size());
  for (std::size_t k = 0; k < doubles.size(); ++k) {
    EXPECT_EQ(rows[k].i64(0), big);
    EXPECT_EQ(rows[k].f64(1), doubles[k]) << k;  // exactly: shortest round-trip text both ways
    EXPECT_EQ(std::signbit(rows[k].f64(1)), std::signbit(doubles[k])) << k;
    EXPECT_EQ(rows[k].text(2), utf8);
  }
  auto low_row = c->query_one("SELECT i, d, t FROM v WHERE id = $1", {std::int64_t{7}});
  ASSERT_TRUE(low_row);
  EXPECT_EQ(low_row->i64(0), low);
  EXPECT_EQ(low_row->text(2), "");
  EXPECT_FALSE(low_row->is_null(2));  // '' is not NULL on PostgreSQL

  auto nulls = c->query_one("SELECT i, d, t, small, n, b, num, r FROM v WHERE id = 8");
  ASSERT_TRUE(nulls);
  for (std::size_t k = 0; k < nulls->size(); ++k) EXPECT_TRUE(nulls->is_null(k)) << k;
  EXPECT_EQ(nulls->opt_i64(0), std::nullopt);
  EXPECT_EQ(nulls->opt_text(2), std::nullopt);

  auto typed = c->query_one("SELECT small, n, b, num, r, id::TEXT FROM v WHERE id = 9");
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->i64(0), -7);
  EXPECT_EQ(typed->i64(1), 2147483647);
  EXPECT_EQ(typed->i64(2), 1);  // BOOLEAN -> 0/1
  EXPECT_TRUE(typed->flag(2));
  EXPECT_EQ(typed->f64(3), 12.5);  // NUMERIC -> double
  EXPECT_EQ(typed->f64(4), 0.5);   // REAL -> double
  EXPECT_EQ(typed->text(5), "9");

  // Types without a number become text: JSON, UUID, timestamps.
  auto other = c->query_one(
      "SELECT '{\"a\": 1}'::jsonb, '6f1c1b8e-1d55-4d53-9f2e-0c5a1b2c3d4e'::uuid, FALSE, "
      "COUNT(*) FROM v");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->text(0), "{\"a\": 1}");
  EXPECT_EQ(other->text(1), "6f1c1b8e-1d55-4d53-9f2e-0c5a1b2c3d4e");
  EXPECT_EQ(other->i64(2), 0);
  EXPECT_EQ(other->i64(3), 9);  // COUNT(*) is BIGINT

  // A NUL byte cannot travel as text: refused before it is silently cut short.
  EXPECT_THROW(c->exec("INSERT INTO v (id, t) VALUES (100, $1)", {std::string("a\0b", 3)}),
               SqlError);
}

TEST_F(PgConnectionTest, PlaceholdersAreReusedAndTakenInAnyOrder) {
  auto c = connect();
  auto row = c->query_one("SELECT $2::TEXT || '-' || $1::TEXT || '-' || $2::TEXT",
                          {std::string("a"), std::string("b")});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->text(0), "b-a-b");

  c->exec_script("CREATE TABLE p (a BIGINT, b TEXT, c BIGINT)");
  // Where the context does not tell a parameter's type, the SQL must (types are inferred).
  EXPECT_THROW(c->exec("INSERT INTO p (b, a, c) VALUES ($2, $1, $1 + $3)",
                       {std::int64_t{40}, std::string("x"), std::int64_t{2}}),
               SqlError);
  c->exec("INSERT INTO p (b, a, c) VALUES ($2, $1, $1::BIGINT + $3)",
          {std::int64_t{40}, std::string("x"), std::int64_t{2}});
  row = c->query_one("SELECT a, b, c FROM p WHERE b = $1 AND a = $2",
                     {std::string("x"), std::int64_t{40}});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->i64(0), 40);
  EXPECT_EQ(row->text(1), "x");
  EXPECT_EQ(row->i64(2), 42);

  // A wrong number of arguments is refused with a clear message, and nothing runs.
  try {
    c->query("SELECT a FROM p WHERE a = $1 AND b = $2", {std::int64_t{1}});
    FAIL() << "expected SqlError";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("takes 2 parameters, 1 given"), std::string::npos)
        << e.what();
  }
  // The same statement with the right count still works (the cache holds it).
  EXPECT_EQ(
      c->query("SELECT a FROM p WHERE a = $1 AND b = $2", {std::int64_t{40}, std::string("x")})
          .size(),
      1u);
}

TEST_F(PgConnectionTest, ConstraintViolationsAreConstraintErrors) {
  auto c = connect();
  c->exec_script(
      "CREATE TABLE parent (id BIGINT PRIMARY KEY, tag TEXT UNIQUE NOT NULL);"
      "CREATE TABLE child (parent_id BIGINT NOT NULL REFERENCES parent(id));"
      "INSERT INTO parent VALUES (1, 'one');");
  const std::string insert = "INSERT INTO parent (id, tag) VALUES ($1, $2)";
  try {
    c->exec(insert, {std::int64_t{2}, std::string("one")});
    FAIL() << "expected ConstraintError";
  } catch (const ConstraintError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("[23505]"), std::string::npos) << what;
    EXPECT_NE(what.find(insert), std::string::npos) << what;  // the SQL is in the message
  }
  EXPECT_THROW(c->exec(insert, {std::int64_t{1}, std::string("other")}), ConstraintError);  // PK
  EXPECT_THROW(c->exec(insert, {std::int64_t{3}, sql_null()}), ConstraintError);  // NOT NULL
  EXPECT_THROW(c->exec("INSERT INTO child VALUES ($1)", {std::int64_t{99}}), ConstraintError);
  // Not a constraint, not retryable: a plain SqlError.
  try {
    c->exec("INSERT INTO nowhere VALUES (1)");
    FAIL() << "expected SqlError";
  } catch (const ConstraintError&) {
    FAIL() << "not a constraint";
  } catch (const RetryableError&) {
    FAIL() << "not retryable";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("[42P01]"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(c->ok());
}

TEST_F(PgConnectionTest, ExecReturnsRowsAffected) {
  auto c = connect();
  EXPECT_EQ(c->exec("CREATE TABLE e (k BIGINT PRIMARY KEY, v BIGINT)"), 0);
  EXPECT_EQ(c->exec("INSERT INTO e VALUES (1, 0), (2, 0), (3, 1)"), 3);
  EXPECT_EQ(c->exec("UPDATE e SET v = v + 1 WHERE v = $1", {std::int64_t{0}}), 2);
  EXPECT_EQ(c->exec("UPDATE e SET v = 9 WHERE k = $1", {std::int64_t{42}}), 0);
  EXPECT_EQ(c->exec("INSERT INTO e VALUES ($1, 0) ON CONFLICT (k) DO NOTHING", {std::int64_t{1}}),
            0);
  EXPECT_EQ(c->exec("DELETE FROM e WHERE k >= $1", {std::int64_t{2}}), 2);
  EXPECT_EQ(c->query("SELECT k FROM e").size(), 1u);
}

TEST_F(PgConnectionTest, ScriptsRunSeveralStatementsQueriesOnlyOne) {
  auto c = connect();
  c->exec_script("CREATE TABLE s (k BIGINT); INSERT INTO s VALUES (1); INSERT INTO s VALUES (2);");
  EXPECT_EQ(c->query_one("SELECT COUNT(*) FROM s")->i64(0), 2);
  EXPECT_THROW(c->query("SELECT 1; SELECT 2"), SqlError);
  // A failing script stops at its error; run in a transaction, nothing of it stays.
  c->command("BEGIN");
  EXPECT_THROW(c->exec_script("INSERT INTO s VALUES (3); INSERT INTO nowhere VALUES (1);"),
               SqlError);
  EXPECT_TRUE(c->in_failed_transaction());
  EXPECT_EQ(c->command("COMMIT"), "ROLLBACK");  // what PostgreSQL does with a failed transaction
  EXPECT_FALSE(c->in_transaction());
  EXPECT_EQ(c->query_one("SELECT COUNT(*) FROM s")->i64(0), 2);
}

TEST_F(PgConnectionTest, StatementsAreCachedAndTheCacheIsBounded) {
  auto c = connect();
  c->exec_script("CREATE TABLE k (v BIGINT)");
  c->query("SELECT v FROM k WHERE v = $1", {std::int64_t{1}});
  c->query("SELECT v FROM k WHERE v = $1", {std::int64_t{2}});
  EXPECT_EQ(c->cached_statements(), 1u);
  c->exec("INSERT INTO k VALUES ($1)", {std::int64_t{1}});
  EXPECT_EQ(c->cached_statements(), 2u);
  for (std::size_t i = 0; i < PgConnection::kMaxCachedStatements + 5; ++i) {
    auto row = c->query_one("SELECT $1::BIGINT + " + std::to_string(i), {std::int64_t{1}});
    ASSERT_EQ(row->i64(0), static_cast<std::int64_t>(i) + 1);
  }
  EXPECT_LE(c->cached_statements(), PgConnection::kMaxCachedStatements);
  auto server_side = c->query_one("SELECT COUNT(*) FROM pg_prepared_statements");
  EXPECT_EQ(server_side->i64(0), static_cast<std::int64_t>(c->cached_statements()));
  EXPECT_EQ(c->query("SELECT v FROM k WHERE v = $1", {std::int64_t{1}}).size(), 1u);
}

TEST_F(PgConnectionTest, AStaleCachedStatementIsForgottenAndRetryable) {
  auto c = connect();
  c->exec_script("CREATE TABLE w (a BIGINT); INSERT INTO w VALUES (1)");
  EXPECT_EQ(c->query("SELECT * FROM w").size(), 1u);
  c->exec_script("ALTER TABLE w ADD COLUMN b TEXT");
  // The cached plan's result type changed: the server refuses it; the next call re-prepares.
  EXPECT_THROW(c->query("SELECT * FROM w"), RetryableError);
  auto rows = c->query("SELECT * FROM w");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].size(), 2u);
}

TEST_F(PgConnectionTest, ABrokenConnectionIsStoreUnavailableAndResetReconnects) {
  auto c = connect();
  c->exec_script("CREATE TABLE b (v BIGINT); INSERT INTO b VALUES (7)");
  EXPECT_EQ(c->query_one("SELECT v FROM b")->i64(0), 7);
  const int old_pid = c->backend_pid();
  admin_->query("SELECT pg_terminate_backend($1)", {std::int64_t{old_pid}});
  EXPECT_THROW(c->query("SELECT v FROM b"), StoreUnavailable);
  EXPECT_FALSE(c->ok());
  EXPECT_THROW(c->query("SELECT v FROM b"), StoreUnavailable);  // stays down until reset()
  c->reset();
  EXPECT_TRUE(c->ok());
  EXPECT_NE(c->backend_pid(), old_pid);
  EXPECT_EQ(c->query_one("SELECT v FROM b")->i64(0), 7);  // statements prepared afresh
  // The session is set up again: statement_timeout applies.
  EXPECT_EQ(c->query_one("SHOW statement_timeout")->text(0), "30s");
}

TEST_F(PgConnectionTest, StatementTimeoutEndsALongStatement) {
  PgConnection c(url_, 5, 200);
  auto started = std::chrono::steady_clock::now();
  try {
    c.query("SELECT pg_sleep(10)");
    FAIL() << "expected SqlError";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("[57014]"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(c.ok());
}

TEST_F(PgConnectionTest, OpeningAgainstNoServerFailsClearlyAndQuickly) {
  // A port nothing listens on: bound, then closed again.
  int port = 0;
  {
    pgtest::TcpProxy probe(1);
    port = probe.port();
  }
  PostgresOptions o;
  o.url = "postgres://argon:secret@127.0.0.1:" + std::to_string(port) + "/argon";
  o.pool_size = 2;
  auto started = std::chrono::steady_clock::now();
  try {
    (void)open_postgres(o);
    FAIL() << "expected SqlError";
  } catch (const SqlError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("cannot connect to postgres://argon:***@127.0.0.1"), std::string::npos)
        << what;
    EXPECT_EQ(what.find("secret"), std::string::npos) << what;  // no password in messages
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_THROW(PgConnection("postgres://[bad"), SqlError);
  EXPECT_EQ(PgConnection::redacted("host=h password=pw dbname=d"), "host=h password=*** dbname=d");
}

}  // namespace
}  // namespace argon::store
