#include "argon/clientapi/routes.hpp"

#include <array>

#include "argon/api/respond.hpp"
#include "argon/crypto/crypto.hpp"

namespace argon::clientapi {

void register_routes(http::Router& router, ClientServices& s) {
  register_account_routes(router, s);
  register_space_routes(router, s);
  register_archetype_routes(router, s);
  register_channel_routes(router, s);
  register_message_routes(router, s);
  register_reaction_routes(router, s);
  register_app_routes(router, s);
  register_admin_routes(router, s);
  register_admin_user_routes(router, s);
  register_event_routes(router, s);
  register_interaction_routes(router, s);
  register_voice_routes(router, s);
  register_ticket_routes(router, s);
}

namespace {
// A 429 like the Bot API's (DECISIONS.md §8): Retry-After in whole seconds, at least 1.
Error rate_limited(const services::Decision& d) {
  Error e{429, "rate_limited", "Too many requests; slow down."};
  e.retry_after_seconds = services::retry_after_header(d.retry_after_seconds);
  return e;
}

// The limiter's key for a client address: a name-based id of the address text.
Uuid address_key(const std::string& address) {
  auto digest = crypto::sha256_hex("client-address:" + address);
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<std::uint8_t>(std::stoi(digest.substr(2 * i, 2), nullptr, 16));
  return Uuid::v4_from_bytes(bytes);
}

// One request of `key` against the window (the permit's concurrency slot is given back at once:
// people's requests are limited by rate, not by how many run together).
// `policy` names the budget in the limiter and in the rejection counts.
Task<Status> take_permit(ClientServices& s, Uuid key, const char* policy, int permits) {
  if (!s.limiter || permits <= 0) co_return Status{};
  auto outcome = co_await s.limiter->acquire(key, policy, permits);
  if (!outcome.decision.allowed) {
    s.limiter->rejections().add(policy);
    co_return rate_limited(outcome.decision);
  }
  co_return Status{};
}
}  // namespace

Task<Result<User>> authenticate_person(http::Request& request, ClientServices& s) {
  auto token = api::authorization_credentials(request, "Bearer");
  if (!token) co_return Error::unauthorized("Missing or invalid session token.");
  auto user = co_await s.accounts.authenticate(*token);
  if (!user) co_return user;
  request.principal = "user:" + user->id.str();
  Status admitted = co_await admit_person(request, s, *user);
  if (!admitted) co_return admitted.error();
  co_return user;
}

Task<Status> admit_person(http::Request& request, ClientServices& s, const User& user) {
  // Any authenticated request may carry the app's locale (UPSTREAM.md §5).
  if (const auto* locale = request.header("x-argon-locale"))
    s.accounts.note_locale(user.id, *locale);
  Status admitted = co_await take_permit(s, user.id, "client_person", s.person_permits);
  co_return admitted;
}

Task<Status> limit_address(const http::Request& request, ClientServices& s) {
  Uuid key = address_key(request.client_address);
  Status admitted = co_await take_permit(s, key, "client_address", s.address_permits);
  co_return admitted;
}

services::Caller person_caller(const User& user) {
  return services::Caller{user.id, false, {}, false};
}

}  // namespace argon::clientapi
