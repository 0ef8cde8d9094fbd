#include "argon/store/sqlite_database.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace argon::store {
namespace {

// The database whose read connection this thread currently holds (nested reads are refused).
thread_local const SqliteDatabase* t_reading = nullptr;
// True while the writer thread runs an operation's closure (a transaction nested in it could
// only ever be waited for by the writer itself).
thread_local bool t_in_operation = false;

constexpr const char* kSavepoint = "SAVEPOINT argon_op";
constexpr const char* kRelease = "RELEASE argon_op";
constexpr const char* kRollbackTo = "ROLLBACK TO argon_op";

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void rollback_quietly(SqliteConnection& conn) {
  if (!conn.in_transaction()) return;
  try {
    conn.exec("ROLLBACK");
  } catch (const std::exception& e) {
    spdlog::error("store: ROLLBACK failed: {}", e.what());
  }
}

}  // namespace

std::unique_ptr<Database> open_sqlite(const SqliteOptions& options) {
  return std::make_unique<SqliteDatabase>(options);
}

SqliteDatabase::SqliteDatabase(const SqliteOptions& options) : options_(options) {
  if (options_.path.empty() || options_.path == ":memory:" ||
      options_.path.rfind("file:", 0) == 0) {
    throw SqlError("sqlite: a database file path is required (not '" + options_.path + "')");
  }
  options_.read_connections = std::max(1, options_.read_connections);
  options_.max_batch = std::max(1, options_.max_batch);
  options_.busy_timeout_ms = std::max(0, options_.busy_timeout_ms);

  std::filesystem::path parent = std::filesystem::path(options_.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec)
      throw SqlError("sqlite: cannot create directory " + parent.string() + ": " + ec.message());
  }

  writer_ = std::make_unique<SqliteConnection>(
      options_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options_.busy_timeout_ms);
  auto mode = writer_->query("PRAGMA journal_mode=WAL");
  if (mode.empty() || mode.front().text(0) != "wal") {
    throw SqlError("sqlite: cannot switch " + options_.path + " to WAL mode");
  }
  writer_->exec(options_.synchronous_full ? "PRAGMA synchronous=FULL"
                                          : "PRAGMA synchronous=NORMAL");
  writer_->exec("PRAGMA foreign_keys=ON");
  // Each operation of a group commit runs in a savepoint, whose journal of the pages it changed
  // otherwise spills to a temp file past 64 KiB: a write() per page per batch, ~10 % of the
  // writer's time under a Send load. Kept in memory (bounded by what one batch touches).
  writer_->exec("PRAGMA temp_store=MEMORY");

  for (int i = 0; i < options_.read_connections; ++i) {
    auto conn = std::make_unique<SqliteConnection>(options_.path, SQLITE_OPEN_READWRITE,
                                                   options_.busy_timeout_ms);
    conn->exec("PRAGMA query_only=ON");
    conn->exec("PRAGMA foreign_keys=ON");
    conn->exec("PRAGMA temp_store=MEMORY");  // a sort or transient index stays off the disk
    idle_readers_.push_back(conn.get());
    readers_.push_back(std::move(conn));
  }

  writer_thread_ = std::thread([this] { writer_loop(); });
  writer_id_ = writer_thread_.get_id();
}

SqliteDatabase::~SqliteDatabase() {
  try {
    close();
  } catch (const std::exception& e) {
    spdlog::error("store: close failed: {}", e.what());
  }
}

// ---- reads -------------------------------------------------------------------------------------

void SqliteDatabase::read_here(const ReadFn& fn) {
  if (t_reading == this) {
    throw std::logic_error("argon::store: read nested in a read on the same thread");
  }
  SqliteConnection* conn = nullptr;
  {
    std::unique_lock lock(readers_mutex_);
    readers_cv_.wait(lock, [&] { return readers_closed_ || !idle_readers_.empty(); });
    if (readers_closed_) throw SqlError("store is closed");
    conn = idle_readers_.back();
    idle_readers_.pop_back();
  }
  struct Return {
    SqliteDatabase* self;
    SqliteConnection* conn;
    const SqliteDatabase* previous;
    ~Return() {
      t_reading = previous;
      {
        std::lock_guard lock(self->readers_mutex_);
        self->idle_readers_.push_back(conn);
      }
      self->readers_cv_.notify_all();
    }
  } give_back{this, conn, t_reading};
  t_reading = this;

  rollback_quietly(*conn);  // a connection never goes back mid-transaction, but be sure
  conn->exec("BEGIN");      // deferred: the snapshot is taken at the first read and kept
  try {
    fn(*conn);
    conn->exec("COMMIT");
  } catch (...) {
    rollback_quietly(*conn);
    throw;
  }
}

void SqliteDatabase::submit_read(const ReadFn* fn, std::function<void(std::exception_ptr)> done) {
  std::exception_ptr error;
  try {
    read_here(*fn);
  } catch (...) {
    error = std::current_exception();
  }
  done(error);
}

// ---- writes ------------------------------------------------------------------------------------

void SqliteDatabase::Completion::finish(std::exception_ptr ex) {
  std::lock_guard lock(mutex);
  exception = std::move(ex);
  done = true;
  cv.notify_one();  // under the lock: the caller cannot destroy *this before we are done
}

void SqliteDatabase::Completion::wait() {
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return done; });
  if (exception) std::rethrow_exception(std::move(exception));
}

bool SqliteDatabase::enqueue(Job& job) {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return false;
    queue_.push_back(std::move(job));
    if (queue_.back().transaction) ++queued_writes_;
  }
  queue_cv_.notify_one();
  return true;
}

void SqliteDatabase::submit_transaction(const TransactionFn* fn,
                                        std::function<void(TransactionOutcome)> done) {
  if (t_in_operation && on_writer_thread()) {
    throw std::logic_error(
        "argon::store: a transaction started inside another transaction (one operation = one "
        "transaction)");
  }
  Job job{fn, nullptr, std::move(done), nullptr};
  if (!enqueue(job)) {
    TransactionOutcome closed;
    closed.status = store_unavailable_error();
    job.done(std::move(closed));
  }
}

std::size_t SqliteDatabase::queued_writes() const {
  std::lock_guard lock(queue_mutex_);
  return queued_writes_;
}

void SqliteDatabase::writer_loop() {
  std::vector<Job> batch;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and every queued job is done
      if (queue_.front().exclusive) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      } else {
        while (!queue_.empty() && queue_.front().transaction &&
               batch.size() < static_cast<std::size_t>(options_.max_batch)) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
          --queued_writes_;
        }
      }
    }
    if (batch.front().exclusive) {
      run_exclusive(batch.front());
    } else {
      run_batch(batch);
    }
  }
}

void SqliteDatabase::run_batch(std::vector<Job>& batch) {
  std::vector<TransactionOutcome> out(batch.size());
  // Nothing of the batch is written: every operation that had not failed on its own fails.
  auto abort_batch = [&](const std::string& why, bool busy) {
    spdlog::error("store: write batch of {} rolled back: {}", batch.size(), why);
    rollback_quietly(*writer_);
    writer_->take_after_commit();
    for (auto& o : out) {
      if (!o.exception && o.status.ok())
        o.status = busy ? store_unavailable_error() : Error::internal();
    }
  };

  bool aborted = false;
  try {
    writer_->exec("BEGIN IMMEDIATE");
  } catch (const std::exception& e) {
    // SQLITE_BUSY beyond busy_timeout: another process holds the write lock.
    abort_batch(std::string("BEGIN failed: ") + e.what(),
                dynamic_cast<const RetryableError*>(&e) != nullptr);
    aborted = true;
  }
  for (std::size_t i = 0; i < batch.size() && !aborted; ++i) {
    TransactionOutcome& o = out[i];
    for (int attempt = 1;; ++attempt) {
      o = TransactionOutcome{};
      o.attempts = attempt;
      const std::size_t hooks = writer_->after_commit_mark();
      writer_->drop_before_commit();
      try {
        writer_->exec(kSavepoint);
      } catch (const std::exception& e) {
        abort_batch(std::string("SAVEPOINT failed: ") + e.what(), false);
        aborted = true;
        break;
      }
      bool retry = false;
      t_in_operation = true;
      try {
        o.status = (*batch[i].transaction)(*writer_);
        // The operation's last statements, inside its savepoint (one writer: commit order).
        if (o.status.ok()) writer_->run_before_commit();
      } catch (const RetryableError& e) {
        retry = attempt < options_.retry.max_attempts;
        if (!retry) {
          spdlog::warn("store: operation gave up after {} attempts: {}", attempt, e.what());
          o.status = store_unavailable_error();
        }
      } catch (...) {
        o.exception = std::current_exception();
      }
      t_in_operation = false;
      const bool ok = !retry && !o.exception && o.status.ok();
      try {
        // SQLite rolls the whole transaction back by itself on some errors (I/O, disk full, ...);
        // a closure could also have ended it. Either way the batch is lost.
        if (!writer_->in_transaction()) {
          throw SqlError("the batch's transaction ended inside a write operation");
        }
        if (!ok) {
          writer_->exec(kRollbackTo);
          writer_->drop_after_commit_since(hooks);
        }
        writer_->exec(kRelease);
      } catch (const std::exception& e) {
        abort_batch(e.what(), false);
        aborted = true;
        break;
      }
      if (!retry) break;
    }
  }
  std::vector<std::function<void()>> hooks;
  if (!aborted) {
    try {
      writer_->exec("COMMIT");
      commit_count_.fetch_add(1);
      hooks = writer_->take_after_commit();
    } catch (const std::exception& e) {
      abort_batch(std::string("COMMIT failed: ") + e.what(),
                  dynamic_cast<const RetryableError*>(&e) != nullptr);
    }
  }
  // Committed: publish (in commit order), then let every caller learn its outcome.
  for (auto& hook : hooks) {
    try {
      hook();
    } catch (const std::exception& e) {
      spdlog::error("store: after-commit hook threw: {}", e.what());
    } catch (...) {
      spdlog::error("store: after-commit hook threw");
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto done = std::move(batch[i].done);
    done(std::move(out[i]));
  }
}

void SqliteDatabase::run_exclusive(Job& job) {
  std::exception_ptr ex;
  try {
    (*job.exclusive)(*writer_);
  } catch (...) {
    rollback_quietly(*writer_);
    ex = std::current_exception();
  }
  writer_->take_after_commit();
  std::exchange(job.completion, nullptr)->finish(std::move(ex));
}

void SqliteDatabase::run_exclusive_on_writer(const std::function<void(SqliteConnection&)>& fn) {
  if (on_writer_thread()) {
    throw std::logic_error("argon::store: exclusive writer job requested on the writer thread");
  }
  Completion completion;
  Job job{nullptr, &fn, {}, &completion};
  if (!enqueue(job)) throw SqlError("store is closed");
  completion.wait();
}

// ---- migrations --------------------------------------------------------------------------------

void SqliteDatabase::migrate(const std::vector<Migration>& migrations) {
  // Runs on the writer thread between batches, so no write operation interleaves with it.
  run_exclusive_on_writer([&](SqliteConnection& conn) { apply_migrations(conn, migrations); });
}

void SqliteDatabase::apply_migrations(SqliteConnection& conn,
                                      const std::vector<Migration>& migrations) {
  std::vector<const Migration*> sorted;
  for (const auto& m : migrations) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [](const Migration* a, const Migration* b) { return a->version < b->version; });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i]->version <= 0) {
      throw SqlError("store: migration versions must be positive: " + sorted[i]->name);
    }
    if (i > 0 && sorted[i]->version == sorted[i - 1]->version) {
      throw SqlError("store: duplicate migration version " + std::to_string(sorted[i]->version));
    }
  }

  conn.exec_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  std::set<std::int64_t> applied;
  for (const Row& row : conn.query("SELECT version FROM schema_migrations")) {
    applied.insert(row.i64(0));
  }
  const std::int64_t highest_known = sorted.empty() ? 0 : sorted.back()->version;
  if (!applied.empty() && *applied.rbegin() > highest_known) {
    throw SqlError("store: database " + options_.path + " has schema version " +
                   std::to_string(*applied.rbegin()) + ", newer than this binary knows (" +
                   std::to_string(highest_known) + "); refusing to use it");
  }

  for (const Migration* m : sorted) {
    if (applied.count(m->version)) continue;
    try {
      conn.exec("BEGIN IMMEDIATE");
      conn.exec_script(m->sqlite_sql.empty() ? m->sql : m->sqlite_sql);
      conn.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                {std::int64_t{m->version}, m->name, unix_ms_now()});
      conn.exec("COMMIT");
    } catch (const std::exception& e) {
      rollback_quietly(conn);
      throw SqlError("store: migration " + std::to_string(m->version) + " " + m->name +
                     " failed: " + e.what());
    }
    spdlog::info("store: applied migration {} {}", m->version, m->name);
  }
}

int SqliteDatabase::schema_version() {
  int version = 0;
  read_here([&](Connection& c) {
    auto table = c.query_one(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    if (!table) return;
    auto row = c.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (row) version = static_cast<int>(row->i64(0));
  });
  return version;
}

// ---- backup ------------------------------------------------------------------------------------

std::string SqliteDatabase::backup_to(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) || ec)
    throw SqlError("sqlite: backup: " + path + " exists already");
  const std::string partial = path + ".partial";
  std::filesystem::remove(partial, ec);
  try {
    {
      SqliteConnection dest(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            options_.busy_timeout_ms);
      // The source is a pooled read connection inside its read transaction: one snapshot.
      read_here([&](Connection& c) {
        auto& source = static_cast<SqliteConnection&>(c);
        sqlite3_backup* backup =
            sqlite3_backup_init(dest.handle(), "main", source.handle(), "main");
        if (!backup)
          throw SqlError("sqlite: backup: " + std::string(sqlite3_errmsg(dest.handle())));
        int rc = SQLITE_OK;
        for (int attempt = 0; attempt < 1000; ++attempt) {
          rc = sqlite3_backup_step(backup, -1);
          if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        sqlite3_backup_finish(backup);
        if (rc != SQLITE_DONE)
          throw SqlError("sqlite: backup: " + std::string(sqlite3_errstr(rc)) + ": " +
                         sqlite3_errmsg(dest.handle()));
      });
      dest.query("PRAGMA journal_mode=DELETE");
    }
    std::filesystem::rename(partial, path);
  } catch (...) {
    std::filesystem::remove(partial, ec);
    std::filesystem::remove(partial + "-journal", ec);
    throw;
  }
  SqliteConnection check(path, SQLITE_OPEN_READONLY, options_.busy_timeout_ms);
  std::string verdict;
  for (const auto& row : check.query("PRAGMA integrity_check"))
    verdict += (verdict.empty() ? "" : "; ") + row.text(0);
  return verdict;
}

// ---- shutdown ----------------------------------------------------------------------------------

void SqliteDatabase::close() {
  if (on_writer_thread()) {
    throw std::logic_error("argon::store: close() called on the writer thread");
  }
  std::lock_guard close_lock(close_mutex_);
  if (closed_) return;
  closed_ = true;

  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();  // drains the queue first

  {
    std::unique_lock lock(readers_mutex_);
    readers_closed_ = true;
    readers_cv_.notify_all();  // waiting readers give up
    readers_cv_.wait(lock, [&] { return idle_readers_.size() == readers_.size(); });
    idle_readers_.clear();
    readers_.clear();
  }

  try {
    writer_->query("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const std::exception& e) {
    spdlog::warn("store: final checkpoint failed: {}", e.what());
  }
  writer_.reset();
}

}  // namespace argon::store
