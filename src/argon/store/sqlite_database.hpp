#pragma once
// SQLite engine for Database (DESIGN.md "Threads"): one writer thread owning the only write
// connection and committing queued write operations in groups, plus a pool of read connections
// used on the callers' threads.
//
// Semantics beyond database.hpp:
// - Group commit: the writer thread takes up to max_batch queued transactions and runs them in
//   ONE SQLite transaction, each inside its own savepoint. An operation that fails (error result,
//   exception) is rolled back to its savepoint alone: nothing it wrote remains, the others
//   commit. A retryable failure re-runs the operation at once inside the same batch. Every
//   operation's `done` is called only after the batch's COMMIT, and the after-commit hooks of
//   the batch's committed operations run first, in commit order, on the writer thread.
// - If a batch's BEGIN or COMMIT fails, nothing of it was written: every operation gets 503
//   (the database is locked by another process beyond busy_timeout) or 500.
// - Reads run on the caller's thread on a pooled read connection (reads_here()); read_here()
//   blocks while all read connections are lent out. A read nested in a read on the same thread
//   throws std::logic_error (it could exhaust the pool and deadlock); so do migrate()/close()
//   called on the writer thread.
// - After close(): transactions complete with 503; reads and migrate() throw SqlError.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "argon/store/database.hpp"
#include "argon/store/sqlite_connection.hpp"

namespace argon::store {

class SqliteDatabase final : public Database {
 public:
  // Opens the writer and reader connections and starts the writer thread. Throws SqlError.
  explicit SqliteDatabase(const SqliteOptions& options);
  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  std::string_view engine() const override { return "sqlite"; }
  void submit_transaction(const TransactionFn* fn,
                          std::function<void(TransactionOutcome)> done) override;
  bool reads_here() const override { return true; }
  void read_here(const ReadFn& fn) override;
  void submit_read(const ReadFn* fn, std::function<void(std::exception_ptr)> done) override;
  void migrate(const std::vector<Migration>& migrations) override;
  void close() override;

  // Successful group commits so far (one per batch of write operations).
  std::uint64_t commit_count() const { return commit_count_.load(); }
  // Write operations queued and not yet taken by the writer thread.
  std::size_t queued_writes() const;
  // Highest applied migration version, 0 if none (reads schema_migrations).
  int schema_version();
  const SqliteOptions& options() const { return options_; }
  // Copies the database as it is at one moment into a new file `path` (SQLite's online backup
  // API, all pages in one step on a read connection of the pool): writers go on committing
  // meanwhile (WAL), the copy holds exactly what was committed when it began. The copy is written
  // under `path`.partial and renamed into place once complete, in rollback-journal mode (one
  // self-contained file); then `PRAGMA integrity_check` runs on it. Returns that check's verdict
  // ("ok" when sound). Throws SqlError (the partial file removed) when `path` exists or the
  // copy fails.
  std::string backup_to(const std::string& path);

 private:
  // Where the writer thread hands an exclusive job's outcome to its (blocking) caller.
  struct Completion {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::exception_ptr exception;
    void finish(std::exception_ptr ex);
    void wait();  // rethrows the job's exception
  };
  struct Job {
    const TransactionFn* transaction = nullptr;                         // an operation, or
    const std::function<void(SqliteConnection&)>* exclusive = nullptr;  // a job run alone
    std::function<void(TransactionOutcome)> done;                       // for an operation
    Completion* completion = nullptr;                                   // for an exclusive job
  };

  void writer_loop();
  void run_batch(std::vector<Job>& batch);
  void run_exclusive(Job& job);
  bool enqueue(Job& job);
  void run_exclusive_on_writer(const std::function<void(SqliteConnection&)>& fn);
  void apply_migrations(SqliteConnection& conn, const std::vector<Migration>& migrations);
  bool on_writer_thread() const { return std::this_thread::get_id() == writer_id_; }

  SqliteOptions options_;
  std::unique_ptr<SqliteConnection> writer_;
  std::thread writer_thread_;
  std::thread::id writer_id_;

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  std::size_t queued_writes_ = 0;
  bool stopping_ = false;

  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;  // every reader, for close()
  std::vector<SqliteConnection*> idle_readers_;
  bool readers_closed_ = false;

  std::mutex close_mutex_;
  bool closed_ = false;
  std::atomic<std::uint64_t> commit_count_{0};
};

}  // namespace argon::store
