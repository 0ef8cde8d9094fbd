#pragma once
// Connection over one libpq connection (PGconn). Like every Connection it is used by one thread at
// a time (the pool thread that owns it).
//
// - Placeholders `$1..$N` are PostgreSQL's own. Every statement is prepared once per connection
//   (PQprepare, named s1, s2, ...) and then run with PQexecPrepared. Parameter types are left to
//   the server, which infers each from its context (cast in the SQL where the context does not
//   say: `$1::BIGINT + 1`); every parameter is sent as text: integers in decimal, doubles in
//   their shortest round-trip form, NULL for std::monostate.
// - Results come back as text and are converted by column type: integers, OIDs and booleans
//   (0/1) become int64, float and NUMERIC columns double, everything else std::string; NULL is
//   std::monostate.
// - Errors map by SQLSTATE: class 23 -> ConstraintError; 40001 serialization failure and 40P01
//   deadlock -> RetryableError; a broken connection (class 08, 57P01..57P03, no result, or the
//   connection no longer OK) -> StoreUnavailable; anything else -> SqlError.
// - Unlike SQLite, a failed statement aborts the whole open transaction: anything but ROLLBACK
//   fails afterwards (in_failed_transaction()).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "argon/store/sql.hpp"

struct pg_conn;
struct pg_result;

namespace argon::store {

class PgConnection final : public Connection {
 public:
  // conninfo: a postgres:// URL or a "key=value ..." string. connect_timeout (unless the
  // conninfo sets it) and TCP keepalives bound how long a dead server can block a call; the
  // session gets `SET statement_timeout` (0: none). Throws StoreUnavailable when the server
  // cannot be reached, SqlError when the conninfo is invalid.
  explicit PgConnection(const std::string& conninfo, int connect_timeout_seconds = 5,
                        int statement_timeout_ms = 30000);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  std::string_view engine() const override { return "postgres"; }
  std::vector<Row> query(std::string_view sql,
                         std::initializer_list<SqlValue> params = {}) override;
  std::vector<Row> query(std::string_view sql, const std::vector<SqlValue>& params) override;
  std::int64_t exec(std::string_view sql, std::initializer_list<SqlValue> params = {}) override;
  std::int64_t exec(std::string_view sql, const std::vector<SqlValue>& params) override;
  void exec_script(std::string_view sql) override;

  // Runs a statement without parameters and without preparing it (transaction control);
  // returns its command tag ("COMMIT", or "ROLLBACK" when a COMMIT found the transaction failed).
  std::string command(std::string_view sql);

  // The connection is up (as far as libpq knows: a server gone away is noticed at the next call).
  bool ok() const;
  // Reconnects with the same parameters (blocking, bounded by connect_timeout) and sets the
  // session up again; the statement cache starts empty. Throws StoreUnavailable on failure.
  void reset();
  // A transaction is open (idle in it, or failed).
  bool in_transaction() const;
  // The open transaction failed: only ROLLBACK will do.
  bool in_failed_transaction() const;
  // The server process serving this connection.
  int backend_pid() const;
  std::size_t cached_statements() const { return cache_.size(); }
  pg_conn* handle() const { return conn_; }

  // The conninfo, its password hidden, for messages.
  static std::string redacted(const std::string& conninfo);

  // Prepared statements beyond this are all deallocated (dynamic SQL must not grow forever).
  static constexpr std::size_t kMaxCachedStatements = 512;

 private:
  struct ResultDeleter {
    void operator()(pg_result* res) const;
  };
  using PgResult = std::unique_ptr<pg_result, ResultDeleter>;
  struct Prepared {
    std::string name;  // s1, s2, ...
    int params = 0;    // how many $N the server found
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  void set_up_session();
  const Prepared& prepare(std::string_view sql);
  // Runs the statement (prepared on first use) and returns its successful result.
  PgResult run(std::string_view sql, const SqlValue* args, std::size_t n);
  // Throws the error that res (null: no result at all) stands for, unless it is a success.
  void check(const pg_result* res, std::string_view sql);

  pg_conn* conn_ = nullptr;
  std::string label_;  // redacted conninfo
  int statement_timeout_ms_;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> cache_;  // by SQL text
  std::uint64_t next_statement_ = 0;
};

}  // namespace argon::store
