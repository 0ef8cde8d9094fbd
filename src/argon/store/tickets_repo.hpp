#pragma once
// Single-use tickets for the browser's EventSource (services/tickets.hpp): kept in the store so a
// ticket taken through one node is accepted by any other.
#include <cstdint>
#include <optional>
#include <string>

#include "argon/domain/model.hpp"
#include "argon/store/sql.hpp"

namespace argon::store::tickets {

struct StoredTicket {
  Uuid user_id;
  std::string session_hash;  // the session the ticket was taken with
  std::int64_t expires_at_ms = 0;
};

void insert(Connection& c, const std::string& ticket_hash, const Uuid& user_id,
            const std::string& session_hash, std::int64_t expires_at_ms);
// Removes the ticket and returns what it was (nullopt: unknown, or already used).
std::optional<StoredTicket> take(Connection& c, const std::string& ticket_hash);
// Drops the tickets that expired at or before now_ms; returns how many.
std::int64_t prune(Connection& c, std::int64_t now_ms);

}  // namespace argon::store::tickets
