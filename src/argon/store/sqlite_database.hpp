#pragma once
// SQLite engine for Database (DESIGN.md "Threads"): one writer thread owning the only write
// connection and committing queued write operations in groups, plus a pool of read connections
// used on the callers' threads.
//
// Semantics beyond database.hpp:
// - A write closure that THROWS is rolled back to its savepoint like one returning an error, and
//   the exception is rethrown from write_raw() in the caller's thread (an exception means a bug or
//   an unrecoverable failure: it must stay loud, not become a quiet 500 value).
// - write_raw()/migrate()/close() called on the writer thread itself (from inside a write closure
// or the
//   after-commit hook) throws std::logic_error instead of deadlocking; so does read_raw() nested
//   in read_raw() on the same thread and database (it could exhaust the pool and deadlock).
// - After close(): write_raw() returns Error::internal("store is closed"); read_raw() and
//   migrate() throw SqlError.
// - If a batch's COMMIT fails, the batch is rolled back and every operation in it gets
//   Error::internal (nothing of it was written). Likewise if SQLite itself ends the transaction
//   inside an operation (I/O error, disk full) or a closure runs COMMIT/ROLLBACK (never do that).
// - migrate() runs on the writer thread between batches, each migration in its own transaction.
// - Read pool: read_raw() blocks while all read connections are lent out.
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

  void read_raw(const std::function<void(Connection&)>& fn) override;
  Status write_raw(const std::function<Status(Connection&)>& fn) override;
  void migrate(const std::vector<Migration>& migrations) override;
  void set_after_commit(std::function<void()> hook) override;
  void close() override;

  // Successful group commits so far (one per batch of write operations).
  std::uint64_t commit_count() const { return commit_count_.load(); }
  // Write operations queued and not yet taken by the writer thread.
  std::size_t queued_writes() const;
  // Highest applied migration version, 0 if none (reads schema_migrations).
  int schema_version();
  const SqliteOptions& options() const { return options_; }

 private:
  // Where the writer thread hands a job's outcome to the caller, who owns it (on its stack) and
  // waits on it. Handing the exception_ptr over by move under the mutex means the exception is
  // released on the caller's thread only.
  struct Completion {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    Status status;
    std::exception_ptr exception;
    void finish(Status st, std::exception_ptr ex);
    Status wait();  // rethrows the job's exception
  };
  struct Job {
    const std::function<Status(Connection&)>* write = nullptr;          // a write operation, or
    const std::function<void(SqliteConnection&)>* exclusive = nullptr;  // a job run alone
    Completion* completion = nullptr;                                   // nulled once finished
  };
  struct Outcome {
    Status status;
    std::exception_ptr exception;
  };

  void writer_loop();
  void run_batch(std::vector<Job>& batch);
  void run_exclusive(Job& job);
  Status enqueue_and_wait(Job job);
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

  std::mutex hook_mutex_;
  std::function<void()> after_commit_;

  std::mutex close_mutex_;
  bool closed_ = false;
  std::atomic<std::uint64_t> commit_count_{0};
};

}  // namespace argon::store
