#pragma once
// The store the unit tests of store/, events/ and services/ run on (the same tests on both
// engines): SQLite in the test's temp dir by default; with ARGON_TEST_STORE=postgres, PostgreSQL
// on ARGON_TEST_PG_URL (scripts/with-postgres), in a schema of the test's own that is dropped
// when the database is destroyed. `make unit` runs every such test binary once per engine.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "argon/store/database.hpp"
#include "argon/store/pg_connection.hpp"
#include "argon/store/schema.hpp"

namespace argon::store::testing {

inline bool testing_on_postgres() {
  const char* engine = std::getenv("ARGON_TEST_STORE");
  return engine && std::string(engine) == "postgres";
}

// A PostgreSQL engine in a fresh schema; the schema goes when this is destroyed.
class SchemaDatabase final : public Database {
 public:
  SchemaDatabase(const std::string& base_url, const PostgresOptions& base_options)
      : admin_(base_url) {
    static std::mt19937_64 rng{std::random_device{}()};
    schema_ = "u_" + std::to_string(rng() % 1000000000000ULL);
    admin_.exec_script("CREATE SCHEMA " + schema_);
    PostgresOptions options = base_options;
    options.url = base_url + (base_url.find('?') == std::string::npos ? "?" : "&") +
                  "options=-csearch_path%3D" + schema_;
    inner_ = open_postgres(options);
  }
  ~SchemaDatabase() override {
    close();
    try {
      admin_.exec_script("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception&) {
    }
  }
  std::string_view engine() const override { return inner_->engine(); }
  void submit_transaction(const TransactionFn* fn,
                          std::function<void(TransactionOutcome)> done) override {
    inner_->submit_transaction(fn, std::move(done));
  }
  bool reads_here() const override { return inner_->reads_here(); }
  void read_here(const ReadFn& fn) override { inner_->read_here(fn); }
  void submit_read(const ReadFn* fn, std::function<void(std::exception_ptr)> done) override {
    inner_->submit_read(fn, std::move(done));
  }
  void migrate(const std::vector<Migration>& migrations) override { inner_->migrate(migrations); }
  void close() override { inner_->close(); }

 private:
  PgConnection admin_;
  std::string schema_;
  std::unique_ptr<Database> inner_;
};

// Opens (and migrates) the database of one test.
inline std::unique_ptr<Database> open_test_database(const std::filesystem::path& dir,
                                                    int read_connections = 2) {
  std::unique_ptr<Database> db;
  if (testing_on_postgres()) {
    const char* url = std::getenv("ARGON_TEST_PG_URL");
    if (!url || !*url)
      throw std::runtime_error(
          "ARGON_TEST_STORE=postgres needs ARGON_TEST_PG_URL: run the tests through "
          "scripts/with-postgres (make test does)");
    PostgresOptions o;
    o.pool_size = 4;
    o.retry.base_backoff = std::chrono::milliseconds(1);
    db = std::make_unique<SchemaDatabase>(url, o);
  } else {
    SqliteOptions o;
    o.path = (dir / "argon.db").string();
    o.read_connections = read_connections;
    o.synchronous_full = false;
    db = open_sqlite(o);
  }
  db->migrate(migrations());
  return db;
}

}  // namespace argon::store::testing
