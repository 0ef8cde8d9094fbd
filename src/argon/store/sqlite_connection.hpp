#pragma once
// Connection over one sqlite3 handle. Opened with SQLITE_OPEN_NOMUTEX: a connection must be used
// by one thread at a time (the writer thread, or the reader that borrowed it from the pool).
//
// Placeholders are PostgreSQL-style `$1..$N`. SQLite treats `$1` as a *named* parameter, so a
// parameter may appear in any order and any number of times; every statement's parameter names
// are resolved to argument positions once, when it is prepared. A statement must use each of
// $1..$N for the N arguments given (as PostgreSQL requires), or the call throws SqlError.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "argon/store/sql.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace argon::store {

class SqliteConnection final : public Connection {
 public:
  // flags: SQLITE_OPEN_* (SQLITE_OPEN_NOMUTEX is always added). Throws SqlError.
  SqliteConnection(const std::string& path, int flags, int busy_timeout_ms);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  std::string_view engine() const override { return "sqlite"; }
  std::vector<Row> query(std::string_view sql,
                         std::initializer_list<SqlValue> params = {}) override;
  std::vector<Row> query(std::string_view sql, const std::vector<SqlValue>& params) override;
  std::int64_t exec(std::string_view sql, std::initializer_list<SqlValue> params = {}) override;
  std::int64_t exec(std::string_view sql, const std::vector<SqlValue>& params) override;
  void exec_script(std::string_view sql) override;

  // True while a transaction is open (sqlite3_get_autocommit() == 0).
  bool in_transaction() const;
  // Number of prepared statements currently cached.
  std::size_t cached_statements() const { return cache_.size(); }
  sqlite3* handle() const { return db_; }

  // Cached statements beyond this are all finalized (dynamic SQL must not grow memory forever).
  static constexpr std::size_t kMaxCachedStatements = 512;

 private:
  struct Statement {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> arg_of_index;  // SQLite parameter index - 1 -> argument index (0-based)
    int arg_count = 0;              // N: the highest $N, every one of $1..$N used
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Statement& prepare(std::string_view sql);
  template <class F>
  void run(std::string_view sql, const SqlValue* args, std::size_t n, F&& on_row);
  [[noreturn]] void fail(int rc, std::string_view sql) const;
  void clear_cache();

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Statement, StringHash, std::equal_to<>> cache_;
};

}  // namespace argon::store
