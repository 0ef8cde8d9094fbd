#pragma once
// The store's execution model (DESIGN.md "Threads"): reads run on pooled read connections on the
// calling thread; every write operation is a closure executed on the ONE writer thread inside its
// own savepoint, and concurrent write operations are committed together (group commit). A write
// returns only after its batch is durably committed. A closure that fails (returns an error or
// throws) is rolled back to its savepoint alone: nothing it wrote remains, the rest of the batch
// commits.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/result.hpp"
#include "argon/store/sql.hpp"

namespace argon::store {

struct Migration {
  int version;
  std::string name;
  std::string sql;  // a script of statements valid on every engine
};

class Database {
 public:
  virtual ~Database() = default;

  // Runs fn with a read connection (one consistent snapshot for fn's duration). Thread-safe;
  // blocks the caller (call from worker threads, never from network threads).
  virtual void read_raw(const std::function<void(Connection&)>& fn) = 0;
  // Queues fn for the writer thread and blocks until its batch has committed (or fn failed).
  virtual Status write_raw(const std::function<Status(Connection&)>& fn) = 0;
  // Applies migrations not yet applied (tracked in table schema_migrations), in version order,
  // each in its own transaction. Throws SqlError on failure.
  virtual void migrate(const std::vector<Migration>& migrations) = 0;
  // Called on the writer thread after each committed batch (the event hub wakes its streams).
  virtual void set_after_commit(std::function<void()> hook) = 0;
  // Stops accepting writes, finishes queued ones, closes every connection. Idempotent.
  virtual void close() = 0;

  template <class F>
  auto read(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
    using T = decltype(fn(std::declval<Connection&>()));
    if constexpr (std::is_void_v<T>) {
      read_raw([&](Connection& c) { fn(c); });
    } else {
      std::optional<T> out;
      read_raw([&](Connection& c) { out.emplace(fn(c)); });
      return std::move(*out);
    }
  }

  // fn: Result<T>(Connection&). Returns fn's result once committed, or its error (rolled back).
  template <class F>
  auto write(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
    using R = decltype(fn(std::declval<Connection&>()));
    std::optional<R> out;
    Status st = write_raw([&](Connection& c) -> Status {
      out.emplace(fn(c));
      if (!*out) return out->error();
      return {};
    });
    if (!st) return st.error();
    return std::move(*out);
  }
};

struct SqliteOptions {
  std::string path;          // database file; ":memory:" is not supported (WAL needs a file)
  int read_connections = 8;  // size of the read pool
  int busy_timeout_ms = 5000;
  int max_batch = 256;           // most write operations per group commit
  bool synchronous_full = true;  // FULL: a commit survives power loss; NORMAL when false
};

// Opens (creating if needed) a SQLite database in WAL mode with foreign keys on.
std::unique_ptr<Database> open_sqlite(const SqliteOptions& options);

}  // namespace argon::store
