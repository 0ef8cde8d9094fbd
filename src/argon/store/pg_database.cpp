#include "argon/store/pg_database.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>

namespace argon::store {
namespace {

// The database whose pool this thread serves (close() from it would wait for itself).
thread_local const PgDatabase* t_pool_of = nullptr;

// After a failed reconnect, attempts fail fast for this long instead of each waiting for a
// connect of its own: a down server costs callers a quick 503, not connect_timeout apiece.
constexpr std::chrono::milliseconds kReconnectHoldoff{500};

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t steady_ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void run_hooks(std::vector<std::function<void()>> hooks) {
  for (auto& hook : hooks) {
    try {
      hook();
    } catch (const std::exception& e) {
      spdlog::error("store: after-commit hook threw: {}", e.what());
    } catch (...) {
      spdlog::error("store: after-commit hook threw");
    }
  }
}

}  // namespace

std::unique_ptr<Database> open_postgres(const PostgresOptions& options) {
  return std::make_unique<PgDatabase>(options);
}

std::int64_t PgDatabase::migration_lock_key() {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (char c : std::string_view("argon.migrations")) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h);
}

PgDatabase::PgDatabase(const PostgresOptions& options)
    : options_(options), label_(PgConnection::redacted(options.url)) {
  if (options_.url.empty()) throw SqlError("postgres: a connection URL is required");
  options_.pool_size = std::max(1, options_.pool_size);
  options_.retry.max_attempts = std::max(1, options_.retry.max_attempts);
  options_.connect_timeout_seconds = std::max(1, options_.connect_timeout_seconds);
  options_.statement_timeout_ms = std::max(0, options_.statement_timeout_ms);

  // All at once, at start: a server that is not there stops the node from starting.
  for (int i = 0; i < options_.pool_size; ++i) {
    connections_.push_back(std::make_unique<PgConnection>(
        options_.url, options_.connect_timeout_seconds, options_.statement_timeout_ms));
  }
  try {
    for (auto& conn : connections_) {
      threads_.emplace_back([this, c = conn.get()] { worker_loop(*c); });
    }
  } catch (...) {
    close();
    throw;
  }
}

PgDatabase::~PgDatabase() {
  try {
    close();
  } catch (const std::exception& e) {
    spdlog::error("store: close failed: {}", e.what());
  }
}

bool PgDatabase::on_pool_thread() const {
  return t_pool_of == this;
}

// ---- the queue ---------------------------------------------------------------------------------

bool PgDatabase::enqueue(Job& job) {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return false;
    queue_.push_back(std::move(job));
  }
  queue_cv_.notify_one();
  return true;
}

void PgDatabase::submit_transaction(const TransactionFn* fn,
                                    std::function<void(TransactionOutcome)> done) {
  Job job;
  job.transaction = fn;
  job.done_transaction = std::move(done);
  if (!enqueue(job)) {
    TransactionOutcome closed;
    closed.status = store_unavailable_error();
    job.done_transaction(std::move(closed));
  }
}

void PgDatabase::submit_read(const ReadFn* fn, std::function<void(std::exception_ptr)> done) {
  Job job;
  job.read = fn;
  job.done_read = std::move(done);
  if (!enqueue(job)) {
    job.done_read(std::make_exception_ptr(StoreUnavailable("store is closed")));
  }
}

void PgDatabase::read_here(const ReadFn&) {
  throw std::logic_error("argon::store: PostgreSQL reads run on the pool (reads_here() is false)");
}

void PgDatabase::worker_loop(PgConnection& conn) {
  t_pool_of = this;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and every queued job is done
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (job.transaction) {
      TransactionOutcome outcome = run_transaction(conn, *job.transaction);
      job.done_transaction(std::move(outcome));
    } else {
      std::exception_ptr error = run_read(conn, *job.read);
      job.done_read(error);
    }
  }
}

// ---- attempts ----------------------------------------------------------------------------------

void PgDatabase::ensure_connected(PgConnection& conn) {
  if (conn.ok()) return;
  const std::int64_t now = steady_ns_now();
  if (now < reconnect_after_ns_.load()) {
    throw StoreUnavailable("postgres: " + label_ + " is unreachable (reconnecting shortly)");
  }
  try {
    conn.reset();
  } catch (const StoreUnavailable&) {
    reconnect_after_ns_.store(
        now + std::chrono::duration_cast<std::chrono::nanoseconds>(kReconnectHoldoff).count());
    throw;
  }
  reconnect_after_ns_.store(0);
  spdlog::info("store: reconnected to {}", label_);
}

void PgDatabase::abandon_attempt(PgConnection& conn) {
  conn.take_after_commit();  // hooks of a rolled-back attempt never run
  conn.drop_before_commit();
  if (!conn.ok() || !conn.in_transaction()) return;
  try {
    conn.command("ROLLBACK");
  } catch (const std::exception& e) {
    // The connection broke meanwhile: the server rolls back by itself; the next attempt
    // reconnects.
    spdlog::warn("store: ROLLBACK failed: {}", e.what());
  }
}

// A random wait in [0, base·2^attempt], at most max_backoff: concurrent losers spread out.
void PgDatabase::backoff(int attempt) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  using std::chrono::microseconds;
  const auto base = std::chrono::duration_cast<microseconds>(options_.retry.base_backoff).count();
  const auto cap = std::chrono::duration_cast<microseconds>(options_.retry.max_backoff).count();
  const std::int64_t bound = std::min<std::int64_t>(cap, base << std::min(attempt, 30));
  if (bound <= 0) return;
  std::uniform_int_distribution<std::int64_t> pick(0, bound);
  std::this_thread::sleep_for(microseconds(pick(rng)));
}

TransactionOutcome PgDatabase::run_transaction(PgConnection& conn, const TransactionFn& fn) {
  for (int attempt = 1;; ++attempt) {
    TransactionOutcome o;
    o.attempts = attempt;
    conn.take_after_commit();  // a clean slate, whatever ran on this connection before
    conn.drop_before_commit();
    try {
      // Released when this attempt ends, whichever way.
      std::unique_lock<std::mutex> commit_order(commit_order_mutex_, std::defer_lock);
      ensure_connected(conn);
      conn.command("BEGIN");  // READ COMMITTED unless fn says otherwise first
      Status status;
      try {
        status = fn(conn);
      } catch (const RetryableError&) {
        throw;  // below: roll back and try again
      } catch (...) {
        o.exception = std::current_exception();
      }
      if (o.exception || !status) {
        abandon_attempt(conn);
        if (!o.exception) o.status = std::move(status);
        return o;
      }
      if (conn.has_before_commit() && !conn.in_failed_transaction()) {
        commit_order.lock();
        conn.run_before_commit();
      }
      // A statement failed and fn went on: PostgreSQL has already doomed the transaction, so
      // COMMIT would quietly roll back.
      if (conn.in_failed_transaction() || conn.command("COMMIT") != "COMMIT") {
        abandon_attempt(conn);
        spdlog::error("store: a statement failed inside a transaction that went on; rolled back");
        o.status = Error::internal();
        return o;
      }
      run_hooks(conn.take_after_commit());
      return o;
    } catch (const RetryableError& e) {
      abandon_attempt(conn);
      if (attempt >= options_.retry.max_attempts) {
        spdlog::warn("store: transaction gave up after {} attempts: {}", attempt, e.what());
        o.status = store_unavailable_error();
        return o;
      }
      retries_.fetch_add(1);
      backoff(attempt);
    } catch (const ConstraintError&) {  // a deferred constraint, checked by COMMIT
      abandon_attempt(conn);
      o.exception = std::current_exception();
      return o;
    } catch (const std::exception& e) {  // BEGIN or COMMIT failed for good
      abandon_attempt(conn);
      spdlog::error("store: transaction failed: {}", e.what());
      o.status = Error::internal();
      return o;
    }
  }
}

std::exception_ptr PgDatabase::run_read(PgConnection& conn, const ReadFn& fn) {
  for (int attempt = 1;; ++attempt) {
    conn.take_after_commit();
    try {
      ensure_connected(conn);
      // One snapshot for every statement of fn; a write fails.
      conn.command("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      fn(conn);
      conn.command("COMMIT");
      conn.take_after_commit();  // a read has nothing to publish
      return nullptr;
    } catch (const RetryableError& e) {
      abandon_attempt(conn);
      if (attempt >= options_.retry.max_attempts) {
        spdlog::warn("store: read gave up after {} attempts: {}", attempt, e.what());
        return std::make_exception_ptr(StoreUnavailable(
            "postgres: read gave up after " + std::to_string(attempt) + " attempts: " + e.what()));
      }
      retries_.fetch_add(1);
      backoff(attempt);
    } catch (...) {
      abandon_attempt(conn);
      return std::current_exception();
    }
  }
}

// ---- migrations --------------------------------------------------------------------------------

void PgDatabase::migrate(const std::vector<Migration>& migrations) {
  // A connection of its own, without statement_timeout: waiting for another process's
  // migrations (the lock) or building an index may take long.
  PgConnection conn(options_.url, options_.connect_timeout_seconds, 0);
  const std::string key = std::to_string(migration_lock_key());
  // Session-level: held across the migrations' transactions, released if the connection dies.
  conn.command("SELECT pg_advisory_lock(" + key + ")");
  try {
    apply_migrations(conn, migrations);
  } catch (...) {
    try {
      if (conn.ok()) {
        if (conn.in_transaction()) conn.command("ROLLBACK");
        conn.command("SELECT pg_advisory_unlock(" + key + ")");
      }
    } catch (const std::exception& e) {
      spdlog::warn("store: releasing the migration lock failed: {}", e.what());
    }
    throw;
  }
  conn.command("SELECT pg_advisory_unlock(" + key + ")");
}

void PgDatabase::apply_migrations(PgConnection& conn, const std::vector<Migration>& migrations) {
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
    throw SqlError("store: database " + label_ + " has schema version " +
                   std::to_string(*applied.rbegin()) + ", newer than this binary knows (" +
                   std::to_string(highest_known) + "); refusing to use it");
  }

  for (const Migration* m : sorted) {
    if (applied.count(m->version)) continue;
    try {
      conn.command("BEGIN");
      conn.exec_script(m->postgres_sql.empty() ? m->sql : m->postgres_sql);
      conn.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                {std::int64_t{m->version}, m->name, unix_ms_now()});
      conn.command("COMMIT");
    } catch (const std::exception& e) {
      if (conn.ok() && conn.in_transaction()) {
        try {
          conn.command("ROLLBACK");
        } catch (const std::exception&) {
        }
      }
      throw SqlError("store: migration " + std::to_string(m->version) + " " + m->name +
                     " failed: " + e.what());
    }
    spdlog::info("store: applied migration {} {}", m->version, m->name);
  }
}

// ---- shutdown ----------------------------------------------------------------------------------

void PgDatabase::close() {
  if (on_pool_thread()) {
    throw std::logic_error("argon::store: close() called on a pool thread");
  }
  std::lock_guard close_lock(close_mutex_);
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();  // each drains the queue first
  }
  threads_.clear();
  connections_.clear();  // PQfinish
}

}  // namespace argon::store
