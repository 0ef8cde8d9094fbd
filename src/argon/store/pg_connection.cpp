#include "argon/store/pg_connection.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <variant>

namespace argon::store {
namespace {

constexpr std::size_t kMaxSqlInMessage = 1000;

// Type OIDs (catalog/pg_type_d.h, stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

std::string sql_for_message(std::string_view sql) {
  if (sql.size() <= kMaxSqlInMessage) return std::string(sql);
  return std::string(sql.substr(0, kMaxSqlInMessage)) + "...";
}

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

SqlValue read_cell(Oid type, const char* p, int len) {
  std::string_view text(p, static_cast<std::size_t>(len));
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && end == text.data() + text.size()) return v;
      break;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && end == text.data() + text.size()) return v;
      return std::strtod(std::string(text).c_str(), nullptr);  // out of range: +-HUGE_VAL or 0
    }
    case kBoolOid:
      return std::int64_t{text == "t" ? 1 : 0};
    default:
      break;
  }
  return std::string(text);
}

// Text form of a parameter; nullptr for NULL. `buffer` holds numbers' digits.
const char* param_text(const SqlValue& v, std::string& buffer, std::string_view sql) {
  return std::visit(
      [&](const auto& x) -> const char* {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, std::string>) {
          // Text parameters end at their first NUL; PostgreSQL text cannot hold one anyway.
          if (std::memchr(x.data(), '\0', x.size()) != nullptr) {
            throw SqlError("postgres: a text parameter contains a NUL byte in: " +
                           sql_for_message(sql));
          }
          return x.c_str();
        } else {
          char digits[32];
          // Shortest form that parses back to the same double (inf and nan are understood too).
          auto [end, ec] = std::to_chars(digits, digits + sizeof digits, x);
          buffer.assign(digits, end);
          return buffer.c_str();
        }
      },
      v);
}

std::vector<Row> rows_of(const PGresult* res) {
  const int nrows = PQntuples(res);
  const int ncols = PQnfields(res);
  std::vector<Oid> types(static_cast<std::size_t>(ncols));
  for (int c = 0; c < ncols; ++c) types[c] = PQftype(res, c);
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(nrows));
  for (int r = 0; r < nrows; ++r) {
    std::vector<SqlValue> cells;
    cells.reserve(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(res, r, c)) {
        cells.emplace_back(std::monostate{});
      } else {
        cells.push_back(read_cell(types[c], PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
    }
    rows.emplace_back(std::move(cells));
  }
  return rows;
}

// Rows changed (or returned) by the statement, from its command tag; 0 for those without a count.
std::int64_t affected(const PGresult* res) {
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(res));
  std::int64_t n = 0;
  if (tuples != nullptr && tuples[0] != '\0')
    std::from_chars(tuples, tuples + std::strlen(tuples), n);
  return n;
}

}  // namespace

void PgConnection::ResultDeleter::operator()(pg_result* res) const {
  PQclear(res);
}

std::string PgConnection::redacted(const std::string& conninfo) {
  std::string out = conninfo;
  // postgres://user:secret@host/...
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    auto start = scheme + 3;
    auto at = out.find('@', start);
    auto slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=secret, as a key=value pair or a URL parameter
  for (std::size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    auto start = pos + 9;
    auto end = out.find_first_of("& ", start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

PgConnection::PgConnection(const std::string& conninfo, int connect_timeout_seconds,
                           int statement_timeout_ms)
    : label_(redacted(conninfo)), statement_timeout_ms_(std::max(0, statement_timeout_ms)) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (parsed == nullptr) {
    std::string why = error ? trimmed(error) : "out of memory";
    PQfreemem(error);
    throw SqlError("postgres: invalid connection string " + label_ + ": " + why);
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && o->val[0] != '\0') params.emplace_back(o->keyword, o->val);
  }
  PQconninfoFree(parsed);
  // What the URL leaves unsaid: a dead server must not block a connect or a call for long.
  auto set_default = [&](const char* key, std::string value) {
    for (const auto& [k, v] : params) {
      if (k == key) return;
    }
    params.emplace_back(key, std::move(value));
  };
  set_default("connect_timeout", std::to_string(std::max(1, connect_timeout_seconds)));
  set_default("keepalives", "1");
  set_default("keepalives_idle", "10");
  set_default("keepalives_interval", "5");
  set_default("keepalives_count", "3");
  set_default("tcp_user_timeout", "20000");  // ms of unacknowledged sends before giving up
  set_default("client_encoding", "UTF8");
  set_default("fallback_application_name", "argon");

  std::vector<const char*> keys, values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn_ == nullptr) throw SqlError("postgres: out of memory connecting to " + label_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreUnavailable("postgres: cannot connect to " + label_ + ": " + why);
  }
  // NOTICEs (e.g. "drop cascades to ...") go to the debug log, not to stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char* message) { spdlog::debug("postgres: {}", trimmed(message)); },
      nullptr);
  try {
    set_up_session();
  } catch (...) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void PgConnection::set_up_session() {
  command("SET statement_timeout = " + std::to_string(statement_timeout_ms_));
}

bool PgConnection::ok() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

void PgConnection::reset() {
  cache_.clear();  // the server forgets a session's prepared statements with the session
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    throw StoreUnavailable("postgres: cannot reconnect to " + label_ + ": " +
                           trimmed(PQerrorMessage(conn_)));
  }
  set_up_session();
}

bool PgConnection::in_transaction() const {
  auto s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

bool PgConnection::in_failed_transaction() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

int PgConnection::backend_pid() const {
  return PQbackendPID(conn_);
}

void PgConnection::check(const pg_result* res, std::string_view sql) {
  ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (res &&
      (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)) {
    return;
  }
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  std::string message;
  if (const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr) {
    message = primary;
    if (const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) {
      message += std::string(" (") + detail + ")";
    }
  } else {
    message = trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    if (message.empty()) message = "unexpected result " + std::string(PQresStatus(status));
  }
  message = "postgres: " + message + (code.empty() ? "" : " [" + code + "]") +
            " in: " + sql_for_message(sql);

  // 08P01 (protocol violation) leaves the connection usable: an error like any other.
  const bool broken = !ok() || res == nullptr || (code.rfind("08", 0) == 0 && code != "08P01") ||
                      code == "57P01" || code == "57P02" || code == "57P03";
  if (broken) throw StoreUnavailable(message);
  if (code.rfind("23", 0) == 0) throw ConstraintError(message);
  if (code == "40001" || code == "40P01") throw RetryableError(message);
  // The server's copy of a cached statement went stale (its tables changed shape) or away:
  // forget it, so that the transaction's next attempt prepares it afresh.
  if ((code == "0A000" && message.find("cached plan") != std::string::npos) || code == "26000") {
    if (auto it = cache_.find(sql); it != cache_.end()) cache_.erase(it);
    throw RetryableError(message);
  }
  throw SqlError(message);
}

std::string PgConnection::command(std::string_view sql) {
  PgResult res(PQexec(conn_, std::string(sql).c_str()));
  check(res.get(), sql);
  return PQcmdStatus(res.get());
}

void PgConnection::exec_script(std::string_view sql) {
  // The simple query protocol runs every statement of the script; the first error ends it.
  PgResult res(PQexec(conn_, std::string(sql).c_str()));
  check(res.get(), sql);
}

const PgConnection::Prepared& PgConnection::prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  // No statement is mid-execution between calls (results are materialized): dropping them all
  // is safe.
  if (cache_.size() >= kMaxCachedStatements) {
    command("DEALLOCATE ALL");
    cache_.clear();
  }
  std::string text(sql);
  std::string name = "s";  // (not `"s" + to_string()`: GCC 12 warns falsely, -Wrestrict)
  name += std::to_string(++next_statement_);
  PgResult res(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
  check(res.get(), sql);
  // Learn how many parameters the server found, to refuse a wrong count with a clear message.
  PgResult described(PQdescribePrepared(conn_, name.c_str()));
  check(described.get(), sql);
  Prepared p{std::move(name), PQnparams(described.get())};
  return cache_.emplace(std::move(text), std::move(p)).first->second;
}

PgConnection::PgResult PgConnection::run(std::string_view sql, const SqlValue* args,
                                         std::size_t n) {
  if (!ok()) throw StoreUnavailable("postgres: connection to " + label_ + " lost");
  const Prepared& p = prepare(sql);
  if (n != static_cast<std::size_t>(p.params)) {
    throw SqlError("postgres: statement takes " + std::to_string(p.params) + " parameters, " +
                   std::to_string(n) + " given: " + sql_for_message(sql));
  }
  std::vector<std::string> buffers(n);
  std::vector<const char*> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = param_text(args[i], buffers[i], sql);
  PgResult res(PQexecPrepared(conn_, p.name.c_str(), static_cast<int>(n), values.data(), nullptr,
                              nullptr, 0));
  check(res.get(), sql);
  return res;
}

std::vector<Row> PgConnection::query(std::string_view sql, std::initializer_list<SqlValue> params) {
  return rows_of(run(sql, params.begin(), params.size()).get());
}

std::vector<Row> PgConnection::query(std::string_view sql, const std::vector<SqlValue>& params) {
  return rows_of(run(sql, params.data(), params.size()).get());
}

std::int64_t PgConnection::exec(std::string_view sql, std::initializer_list<SqlValue> params) {
  return affected(run(sql, params.begin(), params.size()).get());
}

std::int64_t PgConnection::exec(std::string_view sql, const std::vector<SqlValue>& params) {
  return affected(run(sql, params.data(), params.size()).get());
}

}  // namespace argon::store
