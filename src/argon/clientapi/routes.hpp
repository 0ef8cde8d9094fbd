#pragma once
// The client API for people, developers and the operator (CLIENT-API.md), under /api/v1.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "argon/api/pipeline.hpp"
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

// Who may call a route: the first stage of its pipeline (api/pipeline.hpp).
enum class Access {
  Anyone,    // register, login: counted against the client address's budget
  Person,    // `Authorization: Bearer <session token>`; counted against the person's budget
  Operator,  // `Authorization: Bearer <operator token>`; the route is 404 when none is set
  // As Person, or `?ticket=` (tickets.cpp) for what a browser opens without headers (the live
  // feed): the ticket is used up, and bound to the session of an Authorization header sent too.
  PersonOrTicket,
};
std::string_view access_name(Access access);

// What a handler receives once the pipeline let the request through.
struct ClientCall {
  http::Request& request;
  std::optional<User> person;  // set by the Access::Person stage

  // The authenticated person (Access::Person routes only).
  const User& user() const { return *person; }
  services::Caller caller() const;
  // Path parameters and the body, with the error messages of DECISIONS.md §2–3.
  Result<Uuid> path_uuid(std::string_view name) const;
  Result<std::int64_t> path_int(std::string_view name) const;
  Result<boost::json::object> body() const;
};
using ClientHandler = api::Handler<ClientCall>;

// One row of the client API's descriptor table.
struct ClientRoute {
  std::string method;
  std::string pattern;  // as the router matches it; metrics and logs are labelled by it
  Access access;
  ClientHandler handler;
};

// The descriptor table: the resource files add their routes, register_routes puts each on the
// router behind the pipeline its access names.
class ClientRoutes {
 public:
  void add(std::string method, std::string pattern, Access access, ClientHandler handler);
  const std::vector<ClientRoute>& all() const { return routes_; }

 private:
  std::vector<ClientRoute> routes_;
};

// Every route of the client API (for register_routes, tests and docs).
ClientRoutes client_routes(ClientServices& s);
void register_routes(http::Router& router, ClientServices& s);

// CORS for the client API (http.cors_origins; docs/client-api.md): the requests under /api/v1/
// from `origins` (exact, or "*"; empty = off), the request headers the API reads, and the
// response headers a page may read. For http::ServerOptions::cors.
http::CorsOptions cors_options(std::vector<std::string> origins);

// One function per resource file.
void add_account_routes(ClientRoutes& routes, ClientServices& s);
void add_space_routes(ClientRoutes& routes, ClientServices& s);
void add_archetype_routes(ClientRoutes& routes, ClientServices& s);
void add_channel_routes(ClientRoutes& routes, ClientServices& s);
void add_message_routes(ClientRoutes& routes, ClientServices& s);
void add_reaction_routes(ClientRoutes& routes, ClientServices& s);
void add_app_routes(ClientRoutes& routes, ClientServices& s);
void add_admin_routes(ClientRoutes& routes, ClientServices& s);
void add_admin_user_routes(ClientRoutes& routes, ClientServices& s);
void add_event_routes(ClientRoutes& routes, ClientServices& s);
void add_interaction_routes(ClientRoutes& routes, ClientServices& s);
void add_voice_routes(ClientRoutes& routes, ClientServices& s);
void add_ticket_routes(ClientRoutes& routes, ClientServices& s);
void add_session_routes(ClientRoutes& routes, ClientServices& s);

services::Caller person_caller(const User& user);

}  // namespace argon::clientapi
