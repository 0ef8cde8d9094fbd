#include "argon/store/tickets_repo.hpp"

#include "argon/store/accounts_repo.hpp"

namespace argon::store::tickets {

void insert(Connection& c, const std::string& ticket_hash, const Uuid& user_id,
            const std::string& session_hash, std::int64_t expires_at_ms) {
  c.exec(
      "INSERT INTO auth_tickets (ticket_hash, user_id, session_hash, expires_at)"
      " VALUES ($1, $2, $3, $4)",
      {ticket_hash, sql_uuid(user_id), session_hash, expires_at_ms});
}

std::optional<StoredTicket> take(Connection& c, const std::string& ticket_hash) {
  auto row = c.query_one(
      "DELETE FROM auth_tickets WHERE ticket_hash = $1 RETURNING user_id, session_hash, expires_at",
      {ticket_hash});
  if (!row) return std::nullopt;
  return StoredTicket{uuid_cell(*row, 0), row->text(1), row->i64(2)};
}

std::int64_t prune(Connection& c, std::int64_t now_ms) {
  return c.exec("DELETE FROM auth_tickets WHERE expires_at <= $1", {now_ms});
}

}  // namespace argon::store::tickets
