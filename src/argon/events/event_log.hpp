#pragma once
// The event log (transactional outbox): every service operation that emits an event appends it
// here in the same store transaction as the change. Streams: `space:{uuid}` for space events,
// `bot:{uuid}` for events sent directly to one bot (install/uninstall, calls), `user:{uuid}` for
// events only one person sees. Each stream numbers its events 1, 2, 3…; event ids on the wire are
// derived from (stream, seq) as DECISIONS.md §7 says.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/uuid.hpp"
#include "argon/store/sql.hpp"

namespace argon::events {

struct EventRecord {
  std::string stream;
  std::int64_t seq = 0;
  std::int64_t gseq = 0;  // position in the whole log, in commit order (resume across streams)
  std::string type;       // camelCase wire name, e.g. "messageCreate"
  std::optional<Uuid> space_id;
  std::string payload;  // the JSON payload exactly as it goes into `data:`
  std::int64_t created_at_ms = 0;
};

std::string space_stream(const Uuid& space_id);
std::string bot_stream(const Uuid& bot_user_id);
std::string user_stream(const Uuid& user_id);

// Appends one event, assigning the next sequence number of its stream. Returns the record.
EventRecord append(store::Connection& c, std::string stream, std::string type,
                   std::optional<Uuid> space_id, std::string payload, std::int64_t now_ms);

// Events of a stream with seq > after_seq, oldest first, at most `limit`.
std::vector<EventRecord> read_after(store::Connection& c, const std::string& stream,
                                    std::int64_t after_seq, int limit);
std::int64_t last_seq(store::Connection& c, const std::string& stream);
// Events of any of `streams` with gseq > after_gseq, in commit order, at most `limit`.
std::vector<EventRecord> read_after_global(store::Connection& c,
                                           const std::vector<std::string>& streams,
                                           std::int64_t after_gseq, int limit);
std::optional<EventRecord> find(store::Connection& c, const std::string& stream, std::int64_t seq);
// Every stream's events with gseq > after_gseq, in commit order (the hub tails the log).
std::vector<EventRecord> read_global_after(store::Connection& c, std::int64_t after_gseq,
                                           int limit);
std::int64_t last_gseq(store::Connection& c);
// For each stream: the highest seq whose gseq <= gseq (0 when none is retained).
std::map<std::string, std::int64_t> positions_at_gseq(store::Connection& c,
                                                      const std::vector<std::string>& streams,
                                                      std::int64_t gseq);

// Where a bot's (or person's) streams stopped, for implicit resume after a disconnect.
void save_positions(store::Connection& c, const Uuid& owner,
                    const std::map<std::string, std::int64_t>& cursor, std::int64_t now_ms);
// Positions saved at or after not_before_ms.
std::map<std::string, std::int64_t> load_positions(store::Connection& c, const Uuid& owner,
                                                   std::int64_t not_before_ms);
// Removes events older than `older_than_ms`; the stream counters stay, so numbering never restarts.
std::int64_t prune(store::Connection& c, std::int64_t older_than_ms);

}  // namespace argon::events
