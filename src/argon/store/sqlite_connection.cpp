#include "argon/store/sqlite_connection.hpp"

#include <sqlite3.h>

#include <cctype>
#include <utility>
#include <variant>

namespace argon::store {
namespace {

constexpr std::size_t kMaxSqlInMessage = 1000;
constexpr long kMaxPlaceholder = 32766;  // SQLite's default SQLITE_MAX_VARIABLE_NUMBER

std::string sql_for_message(std::string_view sql) {
  if (sql.size() <= kMaxSqlInMessage) return std::string(sql);
  return std::string(sql.substr(0, kMaxSqlInMessage)) + "...";
}

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c)) && c != ';') return false;
  }
  return true;
}

[[noreturn]] void throw_for(int rc, const std::string& message) {
  if ((rc & 0xff) == SQLITE_CONSTRAINT) throw ConstraintError(message);
  // Another process holds the lock beyond busy_timeout: worth another try, later.
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) throw RetryableError(message);
  throw SqlError(message);
}

// Parses a parameter name "$N" (N >= 1); returns 0 for anything else.
int placeholder_number(const char* name) {
  if (name == nullptr || name[0] != '$' || name[1] == '\0' || name[1] == '0') return 0;
  long n = 0;
  for (const char* p = name + 1; *p; ++p) {
    if (*p < '0' || *p > '9') return 0;
    n = n * 10 + (*p - '0');
    if (n > kMaxPlaceholder) return 0;
  }
  return static_cast<int>(n);
}

// Resets the statement and drops its bindings however the call ends.
struct ResetGuard {
  sqlite3_stmt* stmt;
  ~ResetGuard() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

SqlValue read_column(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, col);
    case SQLITE_TEXT: {
      auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      int n = sqlite3_column_bytes(stmt, col);
      return std::string(p ? p : "", static_cast<std::size_t>(n));
    }
    case SQLITE_BLOB: {
      auto p = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      int n = sqlite3_column_bytes(stmt, col);
      return std::string(p ? p : "", p ? static_cast<std::size_t>(n) : 0);
    }
    default:
      return std::monostate{};
  }
}

// Once, before the library initializes (the first open): SQLite's memory statistics, which argon
// never reads, take a global mutex around every allocation it makes (about a tenth of the
// writer's time under a Send load). Too late if something opened a database before: harmless.
void configure_library() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path, int flags, int busy_timeout_ms) {
  if (sqlite3_threadsafe() == 0) throw SqlError("sqlite: library built without thread support");
  configure_library();
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqlError("sqlite: cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

SqliteConnection::~SqliteConnection() {
  clear_cache();
  sqlite3_close_v2(db_);
}

void SqliteConnection::clear_cache() {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s.stmt);
  cache_.clear();
}

bool SqliteConnection::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

void SqliteConnection::fail(int rc, std::string_view sql) const {
  int code = sqlite3_extended_errcode(db_);
  if (code == SQLITE_OK) code = rc;
  throw_for(code, std::string("sqlite: ") + sqlite3_errmsg(db_) + " [" + sqlite3_errstr(code) +
                      "] in: " + sql_for_message(sql));
}

SqliteConnection::Statement& SqliteConnection::prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  // No statement is ever mid-execution between calls (results are materialized), so dropping
  // the whole cache is safe.
  if (cache_.size() >= kMaxCachedStatements) clear_cache();

  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) fail(rc, sql);
  if (stmt == nullptr) throw SqlError("sqlite: empty statement: " + sql_for_message(sql));
  Statement s;
  s.stmt = stmt;
  try {
    std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
    if (!is_blank(rest)) {
      // Only comments may follow the statement.
      sqlite3_stmt* next = nullptr;
      int rc2 = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &next, nullptr);
      sqlite3_finalize(next);
      if (rc2 != SQLITE_OK || next != nullptr) {
        throw SqlError("sqlite: several statements in one call (use exec_script): " +
                       sql_for_message(sql));
      }
    }
    int count = sqlite3_bind_parameter_count(stmt);
    std::vector<bool> used;
    for (int idx = 1; idx <= count; ++idx) {
      const char* name = sqlite3_bind_parameter_name(stmt, idx);
      int n = placeholder_number(name);
      if (n == 0) {
        throw SqlError(std::string("sqlite: placeholder '") + (name ? name : "?") +
                       "' is not of the form $1..$N in: " + sql_for_message(sql));
      }
      s.arg_of_index.push_back(n - 1);
      if (static_cast<std::size_t>(n) > used.size()) used.resize(n, false);
      used[n - 1] = true;
    }
    for (std::size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) {
        throw SqlError("sqlite: placeholder $" + std::to_string(i + 1) +
                       " is never used in: " + sql_for_message(sql));
      }
    }
    s.arg_count = static_cast<int>(used.size());
  } catch (...) {
    sqlite3_finalize(stmt);
    throw;
  }
  return cache_.emplace(std::string(sql), std::move(s)).first->second;
}

template <class F>
void SqliteConnection::run(std::string_view sql, const SqlValue* args, std::size_t n, F&& on_row) {
  Statement& s = prepare(sql);
  if (n != static_cast<std::size_t>(s.arg_count)) {
    throw SqlError("sqlite: statement takes " + std::to_string(s.arg_count) + " parameters, " +
                   std::to_string(n) + " given: " + sql_for_message(sql));
  }
  sqlite3_stmt* stmt = s.stmt;
  ResetGuard guard{stmt};
  for (std::size_t idx = 0; idx < s.arg_of_index.size(); ++idx) {
    const SqlValue& v = args[s.arg_of_index[idx]];
    int i = static_cast<int>(idx) + 1;
    // The arguments outlive the statement's execution (reset by the guard), so no copies.
    int rc = std::visit(
        [&](const auto& x) -> int {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return sqlite3_bind_null(stmt, i);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(stmt, i, x);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(stmt, i, x);
          } else {
            return sqlite3_bind_text64(stmt, i, x.data(), x.size(), SQLITE_STATIC, SQLITE_UTF8);
          }
        },
        v);
    if (rc != SQLITE_OK) fail(rc, sql);
  }
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      on_row(stmt);
    } else if (rc == SQLITE_DONE) {
      break;
    } else {
      fail(rc, sql);
    }
  }
}

std::vector<Row> SqliteConnection::query(std::string_view sql,
                                         std::initializer_list<SqlValue> params) {
  std::vector<Row> rows;
  run(sql, params.begin(), params.size(), [&](sqlite3_stmt* stmt) {
    int n = sqlite3_column_count(stmt);
    std::vector<SqlValue> cells;
    cells.reserve(n);
    for (int c = 0; c < n; ++c) cells.push_back(read_column(stmt, c));
    rows.emplace_back(std::move(cells));
  });
  return rows;
}

std::vector<Row> SqliteConnection::query(std::string_view sql,
                                         const std::vector<SqlValue>& params) {
  std::vector<Row> rows;
  run(sql, params.data(), params.size(), [&](sqlite3_stmt* stmt) {
    int n = sqlite3_column_count(stmt);
    std::vector<SqlValue> cells;
    cells.reserve(n);
    for (int c = 0; c < n; ++c) cells.push_back(read_column(stmt, c));
    rows.emplace_back(std::move(cells));
  });
  return rows;
}

// Rows changed by this statement, not counting trigger or foreign-key actions; 0 for statements
// that change no rows (DDL, SELECT, transaction control), whatever ran before them.
std::int64_t SqliteConnection::exec(std::string_view sql, std::initializer_list<SqlValue> params) {
  sqlite3_int64 before = sqlite3_total_changes64(db_);
  run(sql, params.begin(), params.size(), [](sqlite3_stmt*) {});
  return sqlite3_total_changes64(db_) == before ? 0 : sqlite3_changes64(db_);
}

std::int64_t SqliteConnection::exec(std::string_view sql, const std::vector<SqlValue>& params) {
  sqlite3_int64 before = sqlite3_total_changes64(db_);
  run(sql, params.data(), params.size(), [](sqlite3_stmt*) {});
  return sqlite3_total_changes64(db_) == before ? 0 : sqlite3_changes64(db_);
}

void SqliteConnection::exec_script(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    int code = sqlite3_extended_errcode(db_);
    if (code == SQLITE_OK) code = rc;
    throw_for(code, "sqlite: " + msg + " [" + sqlite3_errstr(code) +
                        "] in script: " + sql_for_message(sql));
  }
}

}  // namespace argon::store
