#include "argon/services/tickets.hpp"

#include "argon/services/accounts.hpp"
#include "argon/store/accounts_repo.hpp"
#include "argon/store/tickets_repo.hpp"

namespace argon::services {

namespace {
std::string ticket_hash(std::string_view ticket) {
  return crypto::sha256_hex(std::string("ticket:").append(ticket));
}
}  // namespace

Task<Result<IssuedTicket>> TicketService::issue(Uuid user_id, std::string session_token) {
  IssuedTicket issued;
  issued.ticket = crypto::random_token(ctx_.random);
  const std::int64_t now = ctx_.now_ms();
  issued.expires_at_ms = now + kLifetimeMs;
  const std::string hash = ticket_hash(issued.ticket);
  const std::string session_hash = session_token_hash(session_token);
  Status stored = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    store::tickets::prune(c, now);  // expired ones go with the next issue: the table stays small
    store::tickets::insert(c, hash, user_id, session_hash, issued.expires_at_ms);
    return {};
  });
  if (!stored) co_return stored.error();
  co_return issued;
}

Task<Result<User>> TicketService::redeem(std::string ticket,
                                         std::optional<std::string> session_token) {
  if (ticket.empty() || ticket.size() > 256)
    co_return Error::unauthorized("Missing or invalid ticket.");
  const std::string hash = ticket_hash(ticket);
  const std::int64_t now = ctx_.now_ms();
  std::optional<std::string> expected_session;
  if (session_token) expected_session = session_token_hash(*session_token);
  // A rejected ticket is used up too (the transaction commits its removal either way).
  auto found = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::optional<User>> {
    auto stored = store::tickets::take(c, hash);
    if (!stored || stored->expires_at_ms <= now) return std::optional<User>{};
    if (expected_session && *expected_session != stored->session_hash) return std::optional<User>{};
    auto holder = store::sessions::user_for(c, stored->session_hash);
    if (!holder || *holder != stored->user_id)  // the session is gone (account disabled)
      return std::optional<User>{};
    return store::users::find(c, stored->user_id);
  });
  if (!found) co_return found.error();
  if (!*found) co_return Error::unauthorized("Missing, used, expired or invalid ticket.");
  co_return **found;
}

}  // namespace argon::services
