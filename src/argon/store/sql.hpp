#pragma once
// The SQL seam between repositories and a database engine. Repositories are written once against
// this interface with PostgreSQL-style `$1..$N` placeholders and SQL that both SQLite and
// PostgreSQL accept; each engine implements Connection.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "argon/domain/result.hpp"

namespace argon::store {

using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;

inline SqlValue sql_null() {
  return std::monostate{};
}
template <class T>
SqlValue sql_opt(const std::optional<T>& v) {
  if (!v) return std::monostate{};
  return SqlValue(*v);
}

// One materialized result row.
class Row {
 public:
  explicit Row(std::vector<SqlValue> cells) : cells_(std::move(cells)) {}
  std::size_t size() const { return cells_.size(); }
  bool is_null(std::size_t i) const { return std::holds_alternative<std::monostate>(cells_.at(i)); }
  std::int64_t i64(std::size_t i) const;  // integer (a real is truncated; text parsed)
  double f64(std::size_t i) const;
  std::string text(std::size_t i) const;  // text (integers are formatted)
  std::optional<std::int64_t> opt_i64(std::size_t i) const {
    return is_null(i) ? std::nullopt : std::optional(i64(i));
  }
  std::optional<std::string> opt_text(std::size_t i) const {
    return is_null(i) ? std::nullopt : std::optional(text(i));
  }
  bool flag(std::size_t i) const { return !is_null(i) && i64(i) != 0; }

 private:
  std::vector<SqlValue> cells_;
};

// Unrecoverable database failure (I/O, corruption, SQL bug): becomes a 500 and is logged.
class SqlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A UNIQUE / PRIMARY KEY / FOREIGN KEY violation, distinguishable so a service can map it.
class ConstraintError : public SqlError {
 public:
  using SqlError::SqlError;
};
// The transaction lost a race and may succeed if run again: a serialization failure or a
// deadlock reported by the engine, or an operation that found its work done concurrently
// (thrown by a repository). Database::transact rolls back and retries (database.hpp).
class RetryableError : public SqlError {
 public:
  using SqlError::SqlError;
};
// The engine cannot be reached (connection lost, server down). Retried like RetryableError;
// becomes 503 service_unavailable when it persists.
class StoreUnavailable : public RetryableError, public UnavailableMarker {
 public:
  using RetryableError::RetryableError;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // "sqlite" or "postgres", for the few statements whose syntax differs (see for_update()).
  virtual std::string_view engine() const = 0;
  // " FOR UPDATE" on engines with row locks (PostgreSQL), "" on SQLite, whose single writer
  // already serialises every write transaction.
  std::string_view for_update() const { return engine() == "postgres" ? " FOR UPDATE" : ""; }
  // Executes one statement with positional $1..$N parameters; returns every result row.
  // Prepared statements are cached per connection by SQL text.
  virtual std::vector<Row> query(std::string_view sql,
                                 std::initializer_list<SqlValue> params = {}) = 0;
  virtual std::vector<Row> query(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  // Executes one statement; returns the number of rows changed.
  virtual std::int64_t exec(std::string_view sql, std::initializer_list<SqlValue> params = {}) = 0;
  virtual std::int64_t exec(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual void exec_script(std::string_view sql) = 0;

  std::optional<Row> query_one(std::string_view sql, std::initializer_list<SqlValue> params = {}) {
    auto rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  // Inside Database::transact: runs hook after fn returned success, as the transaction's last
  // statements before it commits (on this connection; an exception fails the attempt as if fn
  // had thrown it). On PostgreSQL an operation with such hooks commits and runs its after-commit
  // hooks while no other one of this node does (its after-commit hooks run before the next one
  // commits): the event log relies on it (event_log.hpp).
  void before_commit(std::function<void(Connection&)> hook) {
    before_commit_.push_back(std::move(hook));
  }
  // Inside Database::transact: runs hook after the transaction committed (never when it rolls
  // back), on the engine's thread, in commit order with the hooks of other operations.
  void after_commit(std::function<void()> hook) { after_commit_.push_back(std::move(hook)); }

  // Engine side: whether before-commit hooks are registered, running them (once), and dropping
  // those of an attempt that failed.
  bool has_before_commit() const { return !before_commit_.empty(); }
  void run_before_commit() {
    auto hooks = std::exchange(before_commit_, {});
    for (auto& hook : hooks) hook(*this);
  }
  void drop_before_commit() { before_commit_.clear(); }

  // Engine side: the hooks registered so far, and dropping those of a rolled-back attempt.
  std::size_t after_commit_mark() const { return after_commit_.size(); }
  void drop_after_commit_since(std::size_t mark) {
    if (mark < after_commit_.size()) after_commit_.resize(mark);
  }
  std::vector<std::function<void()>> take_after_commit() {
    return std::exchange(after_commit_, {});
  }

 private:
  std::vector<std::function<void(Connection&)>> before_commit_;
  std::vector<std::function<void()>> after_commit_;
};

}  // namespace argon::store
