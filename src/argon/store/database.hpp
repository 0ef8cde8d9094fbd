#pragma once
// The store contract (DESIGN.md "Many nodes"): ONE OPERATION = ONE TRANSACTION.
//
//   auto r = co_await db.transact([&](store::Connection& c) -> Result<T> { ... });
//   auto v = co_await db.read([&](store::Connection& c) { return ...; });
//
// transact(fn):
// - fn runs inside a transaction of its own and everything it wrote commits together, or nothing
//   does: an error result, an exception or a failed commit leaves nothing behind.
// - fn may run MORE THAN ONCE: a serialization failure, a deadlock or a lost connection
//   (store::RetryableError, which fn may also throw itself when it lost a race) rolls the
//   attempt back and runs fn again, up to StoreRetryPolicy::max_attempts with jittered backoff;
//   then the result is Error 503 service_unavailable. So fn must reset whatever it fills in
//   (write outputs by assignment, clear collections first).
// - Connection::after_commit(hook) inside fn registers work for after the commit (publishing
//   the operation's events); the engine runs the hooks of committed operations in commit order,
//   on its own thread, before the caller resumes. Hooks of a rolled-back attempt never run.
// - The awaiting coroutine is resumed on its executor once the transaction committed (or
//   failed); no thread of the caller waits meanwhile. An exception thrown by fn (other than a
//   retryable one) is rethrown to the caller.
// read(fn): fn runs on one consistent snapshot and returns a value; it may not write. Engines
//   that read locally (SQLite) run it at once on the caller's thread; others on their own
//   threads. A lost connection is retried like a transaction and then throws StoreUnavailable.
//
// Engines: SQLite (sqlite_database.hpp: one writer thread, operations group-committed behind
// this contract) and PostgreSQL (pg_database.hpp: a pool of libpq connections, one transaction
// per operation, READ COMMITTED with row locks where order matters).
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/result.hpp"
#include "argon/domain/stats.hpp"
#include "argon/domain/task.hpp"
#include "argon/store/sql.hpp"

namespace argon::store {

struct Migration {
  int version;
  std::string name;
  std::string sql;                // a script of statements valid on every engine, unless:
  std::string sqlite_sql = {};    // when set, replaces `sql` on SQLite
  std::string postgres_sql = {};  // when set, replaces `sql` on PostgreSQL
};

// How transactions that hit a serialization failure, a deadlock or a lost connection are retried.
struct StoreRetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_backoff{2};  // attempt n waits a random time in [0, base·2^n]
  std::chrono::milliseconds max_backoff{200};
};

// 503 service_unavailable: the store cannot serve right now (retries exhausted, connection lost).
inline Error store_unavailable_error() {
  return {503, "service_unavailable", "The database is unavailable; try again shortly."};
}

// What an engine reports when a transaction finished.
struct TransactionOutcome {
  Status status;                 // fn's own error, or 503/500 from the engine
  std::exception_ptr exception;  // fn threw (not retryable)
  int attempts = 1;
};

class Database {
 public:
  using TransactionFn = std::function<Status(Connection&)>;
  using ReadFn = std::function<void(Connection&)>;

  virtual ~Database() = default;

  // "sqlite" or "postgres".
  virtual std::string_view engine() const = 0;

  // ---- engine interface (what transact/read are built on) -------------------------------------
  // Runs fn as described above; `done` is called exactly once, on an engine thread, after the
  // commit (or the rollback), with the outcome. fn must stay valid until then.
  virtual void submit_transaction(const TransactionFn* fn,
                                  std::function<void(TransactionOutcome)> done) = 0;
  // true: read_here() may run reads on the calling thread (local engines).
  virtual bool reads_here() const = 0;
  // Runs fn on a read snapshot on the calling thread. Only when reads_here(). Throws on failure.
  virtual void read_here(const ReadFn& fn) = 0;
  // Runs fn on a read snapshot on an engine thread; done(nullptr) or done(exception) once.
  virtual void submit_read(const ReadFn* fn, std::function<void(std::exception_ptr)> done) = 0;

  // Applies migrations not yet applied (tracked in table schema_migrations), in version order,
  // each in its own transaction; several processes starting together apply each one once.
  // Throws SqlError on failure, and when the database is newer than the migrations known.
  virtual void migrate(const std::vector<Migration>& migrations) = 0;
  // Stops accepting work, finishes what was submitted, closes every connection. Idempotent.
  virtual void close() = 0;

  // What the operations did (the metrics read it): how long each transaction took as its caller
  // saw it (queueing, attempts and commit included), and the attempts beyond the first.
  struct Stats {
    DurationHistogram transaction_durations;
    std::atomic<std::uint64_t> retries{0};
  };
  Stats& stats() { return stats_; }

  // ---- the contract --------------------------------------------------------------------------
  // fn: Result<T>(Connection&) or Status(Connection&). Returns fn's result once committed.
  template <class F>
  auto transact(F fn) -> Task<decltype(fn(std::declval<Connection&>()))> {
    using R = decltype(fn(std::declval<Connection&>()));
    std::optional<R> out;
    TransactionFn run = [&](Connection& c) -> Status {
      out.reset();
      out.emplace(fn(c));
      if (!*out) return out->error();
      return {};
    };
    TransactionOutcome outcome = co_await TransactionAwaiter(*this, &run);
    if (outcome.exception) std::rethrow_exception(outcome.exception);
    if (!outcome.status) co_return R(std::move(outcome.status.error()));
    co_return std::move(*out);
  }

  // fn: T(Connection&). Returns what fn returned.
  template <class F>
  auto read(F fn) -> Task<decltype(fn(std::declval<Connection&>()))> {
    using T = decltype(fn(std::declval<Connection&>()));
    if constexpr (std::is_void_v<T>) {
      ReadFn run = [&](Connection& c) { fn(c); };
      co_await ReadAwaiter(*this, &run);
    } else {
      std::optional<T> out;
      ReadFn run = [&](Connection& c) {
        out.reset();
        out.emplace(fn(c));
      };
      co_await ReadAwaiter(*this, &run);
      co_return std::move(*out);
    }
  }

  // Blocking forms for threads that may wait: the CLI, start-up, background maintenance and
  // tests. Never from a request handler or a network thread.
  template <class F>
  auto transact_now(F fn) {
    return sync_wait(transact(std::move(fn)));
  }
  template <class F>
  auto read_now(F fn) {
    if (reads_here()) {
      using T = decltype(fn(std::declval<Connection&>()));
      if constexpr (std::is_void_v<T>) {
        read_here([&](Connection& c) { fn(c); });
      } else {
        std::optional<T> out;
        read_here([&](Connection& c) { out.emplace(fn(c)); });
        return std::move(*out);
      }
    } else {
      return sync_wait(read(std::move(fn)));
    }
  }
  // Runs every fn at once, each on its own read snapshot, and waits for all of them (blocking,
  // like read_now): on engine threads in parallel, or one after the other on the calling thread
  // when reads_here(). Rethrows the first failure once all have finished.
  void read_all_now(const std::vector<ReadFn>& fns) {
    if (reads_here()) {
      for (const auto& fn : fns) read_here(fn);
      return;
    }
    std::mutex mutex;
    std::condition_variable finished;
    std::size_t left = fns.size();
    std::exception_ptr failure;
    for (const auto& fn : fns) {
      submit_read(&fn, [&](std::exception_ptr e) {
        std::lock_guard lock(mutex);
        if (e && !failure) failure = e;
        if (--left == 0) finished.notify_all();
      });
    }
    std::unique_lock lock(mutex);
    finished.wait(lock, [&] { return left == 0; });
    if (failure) std::rethrow_exception(failure);
  }

 private:
  // Awaiters have constructors on purpose: GCC 12 miscompiles aggregate (brace-initialised)
  // temporaries inside a co_await expression (task.hpp).
  struct TransactionAwaiter {
    TransactionAwaiter(Database& d, const TransactionFn* f) : db(d), fn(f) {}
    Database& db;
    const TransactionFn* fn;
    TransactionOutcome outcome;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      Executor* executor = current_executor();
      const auto started = std::chrono::steady_clock::now();
      // The last thing done here: once submitted, this frame may be resumed on another thread.
      db.submit_transaction(fn, [this, h, executor, started](TransactionOutcome o) {
        db.stats_.transaction_durations.observe_us(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count());
        if (o.attempts > 1)
          db.stats_.retries.fetch_add(static_cast<std::uint64_t>(o.attempts - 1),
                                      std::memory_order_relaxed);
        outcome = std::move(o);
        resume_on(executor, h);
      });
    }
    TransactionOutcome await_resume() { return std::move(outcome); }
  };
  struct ReadAwaiter {
    ReadAwaiter(Database& d, const ReadFn* f) : db(d), fn(f) {}
    Database& db;
    const ReadFn* fn;
    std::exception_ptr error;
    bool await_ready() {
      if (!db.reads_here()) return false;
      db.read_here(*fn);  // throws straight to the caller
      return true;
    }
    void await_suspend(std::coroutine_handle<> h) {
      Executor* executor = current_executor();
      db.submit_read(fn, [this, h, executor](std::exception_ptr e) {
        error = e;
        resume_on(executor, h);
      });
    }
    void await_resume() {
      if (error) std::rethrow_exception(error);
    }
  };
  Stats stats_;
};

struct SqliteOptions {
  std::string path;          // database file; ":memory:" is not supported (WAL needs a file)
  int read_connections = 8;  // size of the read pool
  int busy_timeout_ms = 5000;
  int max_batch = 256;           // most write operations per group commit
  bool synchronous_full = true;  // FULL: a commit survives power loss; NORMAL when false
  StoreRetryPolicy retry;
};

// Opens (creating if needed) a SQLite database in WAL mode with foreign keys on.
std::unique_ptr<Database> open_sqlite(const SqliteOptions& options);

struct PostgresOptions {
  std::string url;    // postgres://user@host:port/db?options=... or "host=... dbname=..."
  int pool_size = 8;  // connections, each on a thread of its own
  StoreRetryPolicy retry;
  int connect_timeout_seconds = 5;   // unless the url sets connect_timeout
  int statement_timeout_ms = 30000;  // per session; 0: none
};

// Connects the pool to a PostgreSQL server (pg_database.hpp). Throws SqlError when the server
// cannot be reached: a node refuses to start without its store.
std::unique_ptr<Database> open_postgres(const PostgresOptions& options);

}  // namespace argon::store
