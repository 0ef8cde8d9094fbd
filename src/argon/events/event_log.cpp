#include "argon/events/event_log.hpp"

#include <string_view>

#include "argon/store/accounts_repo.hpp"

namespace argon::events {

namespace {
constexpr const char* kSelect =
    "SELECT stream, seq, gseq, type, space_id, payload, created_at FROM events";
EventRecord record_from(const store::Row& r) {
  return {r.text(0), r.i64(1), r.i64(2), r.text(3), store::opt_uuid_cell(r, 4),
          r.text(5), r.i64(6)};
}
}  // namespace

EventRecord reserve(store::Connection& c, std::string stream, std::string type,
                    std::optional<Uuid> space_id, std::string payload, std::int64_t now_ms) {
  // Upsert-and-increment works on SQLite and PostgreSQL alike and holds the stream's row lock
  // until the transaction ends: appenders of one stream queue here, others never meet.
  auto row = c.query_one(
      "INSERT INTO event_streams (stream, last_seq) VALUES ($1, 1)"
      " ON CONFLICT (stream) DO UPDATE SET last_seq = event_streams.last_seq + 1"
      " RETURNING last_seq",
      {stream});
  return EventRecord{std::move(stream), row->i64(0),        0,     std::move(type),
                     space_id,          std::move(payload), now_ms};
}

void write_reserved(store::Connection& c, std::vector<EventRecord>& records) {
  if (records.empty()) return;
  if (c.engine() == "postgres") {
    // Until this transaction ends (after COMMIT made it visible), no other one, of any node,
    // takes gseqs: they follow the order in which the transactions commit.
    c.exec("SELECT pg_advisory_xact_lock($1)", {gseq_lock_key()});
  }
  for (auto& rec : records) {
    auto key = c.query_one(
        "INSERT INTO events (stream, seq, type, space_id, payload, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING gseq",
        {rec.stream, rec.seq, rec.type, store::sql_opt_uuid(rec.space_id), rec.payload,
         rec.created_at_ms});
    rec.gseq = key->i64(0);
  }
}

EventRecord append(store::Connection& c, std::string stream, std::string type,
                   std::optional<Uuid> space_id, std::string payload, std::int64_t now_ms) {
  std::vector<EventRecord> one;
  one.push_back(
      reserve(c, std::move(stream), std::move(type), space_id, std::move(payload), now_ms));
  write_reserved(c, one);
  return std::move(one.front());
}

std::int64_t gseq_lock_key() {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (char ch : std::string_view("argon.events.gseq")) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h);
}

std::vector<EventRecord> read_after(store::Connection& c, const std::string& stream,
                                    std::int64_t after_seq, int limit) {
  std::vector<EventRecord> out;
  for (const auto& r :
       // A stream's seqs have no gap, so the next `limit` events are (after, after + limit]: the
       // upper bound keeps this a range scan of (stream, seq) whatever the planner knows.
       c.query(std::string(kSelect) +
                   " WHERE stream = $1 AND seq > $2 AND seq <= CAST($2 AS BIGINT) + CAST($3 AS "
                   "BIGINT) ORDER BY seq LIMIT $3",
               {stream, after_seq, std::int64_t{limit}}))
    out.push_back(record_from(r));
  return out;
}

std::vector<EventRecord> read_after_global(store::Connection& c,
                                           const std::vector<std::string>& streams,
                                           std::int64_t after_gseq, int limit) {
  std::vector<EventRecord> out;
  if (streams.empty()) return out;
  // Streams are bound as parameters $3..$N (no engine-specific array syntax).
  std::string sql = std::string(kSelect) + " WHERE gseq > $1 AND stream IN (";
  std::vector<store::SqlValue> params{after_gseq, std::int64_t{limit}};
  for (std::size_t i = 0; i < streams.size(); ++i) {
    sql += (i ? ", $" : "$") + std::to_string(i + 3);
    params.emplace_back(streams[i]);
  }
  sql += ") ORDER BY gseq LIMIT $2";
  for (const auto& r : c.query(sql, params)) out.push_back(record_from(r));
  return out;
}

std::vector<EventRecord> read_gseq_range(store::Connection& c, std::int64_t after_gseq,
                                         std::int64_t upto_gseq, int limit) {
  std::vector<EventRecord> out;
  for (const auto& r :
       c.query(std::string(kSelect) + " WHERE gseq > $1 AND gseq <= $2 ORDER BY gseq LIMIT $3",
               {after_gseq, upto_gseq, std::int64_t{limit}}))
    out.push_back(record_from(r));
  return out;
}

std::int64_t last_gseq(store::Connection& c) {
  auto row = c.query_one("SELECT MAX(gseq) FROM events");
  return row && !row->is_null(0) ? row->i64(0) : 0;
}

std::optional<EventRecord> find(store::Connection& c, const std::string& stream, std::int64_t seq) {
  auto row = c.query_one(std::string(kSelect) + " WHERE stream = $1 AND seq = $2", {stream, seq});
  if (!row) return std::nullopt;
  return record_from(*row);
}

std::int64_t last_seq(store::Connection& c, const std::string& stream) {
  auto row = c.query_one("SELECT last_seq FROM event_streams WHERE stream = $1", {stream});
  return row ? row->i64(0) : 0;
}

std::map<std::string, std::int64_t> last_seqs(store::Connection& c,
                                              const std::vector<std::string>& streams) {
  std::map<std::string, std::int64_t> out;
  if (streams.empty()) return out;
  std::string sql = "SELECT stream, last_seq FROM event_streams WHERE stream IN (";
  std::vector<store::SqlValue> params;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    sql += (i ? ", $" : "$") + std::to_string(i + 1);
    params.emplace_back(streams[i]);
  }
  sql += ")";
  for (const auto& r : c.query(sql, params)) out[r.text(0)] = r.i64(1);
  return out;
}

std::int64_t prune(store::Connection& c, std::int64_t older_than_ms) {
  return c.exec("DELETE FROM events WHERE created_at < $1", {older_than_ms});
}

}  // namespace argon::events

namespace argon::events {

std::map<std::string, std::int64_t> positions_at_gseq(store::Connection& c,
                                                      const std::vector<std::string>& streams,
                                                      std::int64_t gseq) {
  std::map<std::string, std::int64_t> out;
  for (const auto& stream : streams) {
    auto row =
        c.query_one("SELECT MAX(seq) FROM events WHERE stream = $1 AND gseq <= $2", {stream, gseq});
    out[stream] = row && !row->is_null(0) ? row->i64(0) : 0;
  }
  return out;
}

void save_positions(store::Connection& c, const Uuid& owner,
                    const std::map<std::string, std::int64_t>& cursor, std::int64_t now_ms) {
  for (const auto& [stream, seq] : cursor)
    c.exec(
        "INSERT INTO stream_positions (owner_id, stream, seq, updated_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (owner_id, stream) DO UPDATE SET seq = excluded.seq,"
        " updated_at = excluded.updated_at",
        {owner.str(), stream, seq, now_ms});
}

std::map<std::string, std::int64_t> load_positions(store::Connection& c, const Uuid& owner,
                                                   std::int64_t not_before_ms) {
  std::map<std::string, std::int64_t> out;
  for (const auto& r :
       c.query("SELECT stream, seq FROM stream_positions WHERE owner_id = $1 AND updated_at >= $2",
               {owner.str(), not_before_ms}))
    out[r.text(0)] = r.i64(1);
  return out;
}

}  // namespace argon::events
