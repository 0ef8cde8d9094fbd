#pragma once
// The client API for people, developers and the operator (CLIENT-API.md), under /api/v1.
#include <string>

#include "argon/http/cors.hpp"
#include "argon/http/router.hpp"
#include "argon/services/account_admin.hpp"
#include "argon/services/accounts.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/commands.hpp"
#include "argon/services/interactions.hpp"
#include "argon/services/messages.hpp"
#include "argon/services/rate_limiter.hpp"
#include "argon/services/reactions.hpp"
#include "argon/services/spaces.hpp"
#include "argon/services/streams.hpp"
#include "argon/services/tickets.hpp"
#include "argon/services/voice.hpp"

namespace argon::clientapi {

using argon::Task;

struct ClientServices {
  services::AccountService& accounts;
  services::AccountAdminService& account_admin;
  services::SpaceService& spaces;
  services::MessageService& messages;
  services::ReactionService& reactions;
  services::TypingService& typing;
  services::BotService& bots;
  services::StreamService& streams;
  services::CommandService& commands;
  services::InteractionService& interactions;
  services::VoiceService& voice;
  std::string admin_token;  // empty: the operator routes answer 404
  std::size_t stream_queue_bytes = 256 * 1024;
  AdjustableClock* test_clock = nullptr;  // testing.clock = adjustable: POST /api/v1/admin/clock
  // Request budgets per window (ratelimit.window_seconds): per person on every authenticated
  // route, per client address on register and login. null limiter or 0: unlimited.
  services::RateLimiter* limiter = nullptr;
  int person_permits = 0;
  int address_permits = 0;
  services::TicketService* tickets = nullptr;  // null: no POST /api/v1/auth/tickets, no ?ticket=
};

void register_routes(http::Router& router, ClientServices& s);

// CORS for the client API (http.cors_origins; docs/client-api.md): the requests under /api/v1/
// from `origins` (exact, or "*"; empty = off), the request headers the API reads, and the
// response headers a page may read. For http::ServerOptions::cors.
http::CorsOptions cors_options(std::vector<std::string> origins);

// One registration function per resource file.
void register_account_routes(http::Router& router, ClientServices& s);
void register_space_routes(http::Router& router, ClientServices& s);
void register_archetype_routes(http::Router& router, ClientServices& s);
void register_channel_routes(http::Router& router, ClientServices& s);
void register_message_routes(http::Router& router, ClientServices& s);
void register_reaction_routes(http::Router& router, ClientServices& s);
void register_app_routes(http::Router& router, ClientServices& s);
void register_admin_routes(http::Router& router, ClientServices& s);
void register_admin_user_routes(http::Router& router, ClientServices& s);
void register_event_routes(http::Router& router, ClientServices& s);
void register_interaction_routes(http::Router& router, ClientServices& s);
void register_voice_routes(http::Router& router, ClientServices& s);
void register_ticket_routes(http::Router& router, ClientServices& s);

// `Authorization: Bearer <session token>` → the person (401 unauthorized otherwise). An
// `X-Argon-Locale` header of an authenticated request becomes the person's current locale. The
// request counts against the person's budget (429 rate_limited with Retry-After over it).
Task<Result<User>> authenticate_person(http::Request& request, ClientServices& s);
// For what a browser opens without headers (the live feed): `?ticket=` (tickets.cpp; used up,
// and bound to the session of an `Authorization` header that comes with it), else as above.
Task<Result<User>> authenticate_person_or_ticket(http::Request& request, ClientServices& s);
// The locale header and the person's request budget, for a person authenticated otherwise.
Task<Status> admit_person(http::Request& request, ClientServices& s, const User& user);
// The unauthenticated routes (register, login): counted per client address.
Task<Status> limit_address(const http::Request& request, ClientServices& s);
services::Caller person_caller(const User& user);

// The operator routes: 404 when no operator token is configured (the routes do not exist then),
// 401 on a wrong token; nullopt when the request carries the token.
std::optional<http::Response> check_operator(const http::Request& req,
                                             const std::string& admin_token);

}  // namespace argon::clientapi
