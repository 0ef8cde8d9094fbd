#pragma once
// PostgreSQL engine for Database (DESIGN.md "Many nodes"): a pool of threads, each owning one
// libpq connection (PgConnection) and taking operations from one shared queue.
//
// Semantics beyond database.hpp:
// - A transaction is BEGIN (READ COMMITTED) / fn / COMMIT on one pooled connection. Operations
//   that must not interleave take row locks (Connection::for_update()); fn may also ask for more
//   with `SET TRANSACTION ISOLATION LEVEL ...` as its first statement.
// - Retried (rolled back, jittered backoff, fn runs again) on RetryableError from fn or COMMIT:
//   serialization failures, deadlocks and lost connections (StoreUnavailable; the connection is
//   re-opened first). After StoreRetryPolicy::max_attempts: 503. A COMMIT whose connection broke
//   is in doubt (it may have committed); it is retried like the rest, so fn must be idempotent
//   where that matters (as repositories are through their unique keys).
// - A failed statement aborts the whole PostgreSQL transaction (SQLite only undoes the
//   statement): an fn that catches a store error and then returns success gets 500.
// - After-commit hooks run on the pool thread right after that operation's COMMIT, in the order
//   registered, then `done` is called. Operations committing on different connections at the
//   same time have no order between them; per-stream event numbering is what orders events.
// - Reads run on pool threads (reads_here() is false) in a REPEATABLE READ READ ONLY
//   transaction, retried like transactions on a lost connection, then StoreUnavailable.
// - A lost server never blocks a caller for long: connect_timeout, TCP keepalives and
//   statement_timeout bound every call; while reconnecting fails, the pool fails operations
//   fast (503) instead of trying to connect for each attempt, and recovers by itself.
// - After close(): transactions complete at once with 503, reads with StoreUnavailable;
//   migrate() still works (it uses a connection of its own).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "argon/store/database.hpp"
#include "argon/store/pg_connection.hpp"

namespace argon::store {

class PgDatabase final : public Database {
 public:
  // Connects every pool connection and starts the pool. Throws SqlError (StoreUnavailable when
  // the server cannot be reached).
  explicit PgDatabase(const PostgresOptions& options);
  ~PgDatabase() override;
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  std::string_view engine() const override { return "postgres"; }
  void submit_transaction(const TransactionFn* fn,
                          std::function<void(TransactionOutcome)> done) override;
  bool reads_here() const override { return false; }
  void read_here(const ReadFn& fn) override;  // throws std::logic_error: reads use the pool
  void submit_read(const ReadFn* fn, std::function<void(std::exception_ptr)> done) override;
  void migrate(const std::vector<Migration>& migrations) override;
  void close() override;

  // Attempts that were retried so far (all operations together).
  std::uint64_t retries() const { return retries_.load(); }
  std::size_t pool_size() const { return static_cast<std::size_t>(options_.pool_size); }
  const PostgresOptions& options() const { return options_; }

  // The advisory lock key that serialises migrate() across processes: FNV-1a of
  // "argon.migrations".
  static std::int64_t migration_lock_key();

 private:
  struct Job {
    const TransactionFn* transaction = nullptr;  // a transaction, or
    const ReadFn* read = nullptr;                // a read
    std::function<void(TransactionOutcome)> done_transaction;
    std::function<void(std::exception_ptr)> done_read;
  };

  bool enqueue(Job& job);
  void worker_loop(PgConnection& conn);
  TransactionOutcome run_transaction(PgConnection& conn, const TransactionFn& fn);
  std::exception_ptr run_read(PgConnection& conn, const ReadFn& fn);
  // Makes conn usable before an attempt: reconnects a broken one. Throws StoreUnavailable.
  void ensure_connected(PgConnection& conn);
  // After a failed attempt: rolls back what is open, if the connection is still there.
  void abandon_attempt(PgConnection& conn);
  void backoff(int attempt) const;
  void apply_migrations(PgConnection& conn, const std::vector<Migration>& migrations);
  bool on_pool_thread() const;

  PostgresOptions options_;
  std::string label_;  // the url without its password
  std::vector<std::unique_ptr<PgConnection>> connections_;
  std::vector<std::thread> threads_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;

  std::mutex close_mutex_;
  // Held by an operation with before-commit hooks from them through COMMIT and its after-commit
  // hooks: this node's such operations commit and publish one at a time, in commit order.
  std::mutex commit_order_mutex_;
  bool closed_ = false;
  std::atomic<std::uint64_t> retries_{0};
  // Until when (steady clock, ns) reconnecting is not tried again after a failure.
  std::atomic<std::int64_t> reconnect_after_ns_{0};
};

}  // namespace argon::store
