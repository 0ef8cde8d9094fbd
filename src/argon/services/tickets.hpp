#pragma once
// Browser auth for what cannot send `Authorization` (EventSource): a person with a session takes a
// ticket, a short-lived single-use capability bound to that session, and passes it as ?ticket=.
// Tickets live in the store (hashed, like session tokens): any node accepts a ticket another node
// issued, and using it removes it everywhere at once.
#include <cstdint>
#include <string>

#include "argon/domain/model.hpp"
#include "argon/services/context.hpp"

namespace argon::services {

struct IssuedTicket {
  std::string ticket;  // shown once: only its hash is stored
  std::int64_t expires_at_ms = 0;
};

class TicketService {
 public:
  static constexpr std::int64_t kLifetimeMs = 30'000;

  explicit TicketService(Context& ctx) : ctx_(ctx) {}

  // A ticket for the person holding `session_token` (already authenticated as `user_id`).
  Task<Result<IssuedTicket>> issue(Uuid user_id, std::string session_token);
  // Uses the ticket up and returns the person. 401 unauthorized when the ticket is unknown,
  // already used, expired, or its session is gone; when `session_token` is given (the request also
  // carries a session) it must be the session the ticket was taken with.
  Task<Result<User>> redeem(std::string ticket, std::optional<std::string> session_token);

 private:
  Context& ctx_;
};

}  // namespace argon::services
