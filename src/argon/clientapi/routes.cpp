#include "argon/clientapi/routes.hpp"

#include <array>
#include <boost/json/array.hpp>
#include <map>
#include <memory>
#include <stdexcept>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/crypto/crypto.hpp"

namespace argon::clientapi {

std::string_view access_name(Access access) {
  switch (access) {
    case Access::Anyone:
      return "anyone";
    case Access::Person:
      return "person";
    case Access::Operator:
      return "operator";
    case Access::PersonOrTicket:
      return "person-or-ticket";
  }
  return "?";
}

services::Caller person_caller(const User& user) {
  return services::Caller{user.id, false, {}, false};
}

services::Caller ClientCall::caller() const {
  return person_caller(user());
}
Result<Uuid> ClientCall::path_uuid(std::string_view name) const {
  return api::path_uuid(request, name);
}
Result<std::int64_t> ClientCall::path_int(std::string_view name) const {
  return api::path_int(request, name);
}
Result<boost::json::object> ClientCall::body() const {
  return api::body_object(request);
}

void ClientRoutes::add(std::string method, std::string pattern, Access access,
                       ClientHandler handler) {
  if (pattern.rfind("/api/v1/", 0) != 0 || !handler)
    throw std::logic_error("client route " + method + " " + pattern +
                           ": must be under /api/v1/ and have a handler");
  for (const auto& r : routes_)
    if (r.method == method && r.pattern == pattern)
      throw std::logic_error("client route " + method + " " + pattern + " added twice");
  routes_.push_back(ClientRoute{std::move(method), std::move(pattern), access, std::move(handler)});
}

namespace {
// GET /api/v1/admin/routes: the table itself, for the operator (what each route requires; the
// patterns are the `route` labels of the metrics and the access log).
void add_route_list_route(ClientRoutes& routes) {
  boost::json::array list;
  for (const auto& r : routes.all())
    list.push_back(boost::json::object{
        {"method", r.method}, {"pattern", r.pattern}, {"access", access_name(r.access)}});
  list.push_back(boost::json::object{
      {"method", "GET"}, {"pattern", "/api/v1/admin/routes"}, {"access", "operator"}});
  routes.add("GET", "/api/v1/admin/routes", Access::Operator,
             [list = std::move(list)](ClientCall&) -> Task<Result<http::Response>> {
               co_return api::json_response(200, boost::json::object{{"routes", list}});
             });
}
}  // namespace

ClientRoutes client_routes(ClientServices& s) {
  ClientRoutes routes;
  add_account_routes(routes, s);
  add_space_routes(routes, s);
  add_archetype_routes(routes, s);
  add_channel_routes(routes, s);
  add_message_routes(routes, s);
  add_reaction_routes(routes, s);
  add_app_routes(routes, s);
  add_admin_routes(routes, s);
  add_admin_user_routes(routes, s);
  add_event_routes(routes, s);
  add_interaction_routes(routes, s);
  add_voice_routes(routes, s);
  add_ticket_routes(routes, s);
  add_session_routes(routes, s);
  add_route_list_route(routes);
  return routes;
}

namespace {
using Verdict = std::optional<http::Response>;

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
Task<Verdict> take_permit(ClientServices& s, Uuid key, const char* policy, int permits) {
  if (!s.limiter || permits <= 0) co_return std::nullopt;
  auto outcome = co_await s.limiter->acquire(key, policy, permits);
  if (outcome.decision.allowed) co_return std::nullopt;
  s.limiter->rejections().add(policy);
  co_return api::error_response(rate_limited(outcome.decision));
}

// Access::Anyone: the unauthenticated routes (register, login) count per client address.
Task<Verdict> limit_address(ClientServices& s, ClientCall& call) {
  Uuid key = address_key(call.request.client_address);
  Verdict verdict = co_await take_permit(s, key, "client_address", s.address_permits);
  co_return verdict;
}

// The person found by either way in: named in the logs, and an `X-Argon-Locale` header of an
// authenticated request becomes their current locale (UPSTREAM.md §5).
void admit_person(ClientServices& s, ClientCall& call, User user) {
  call.request.principal = "user:" + user.id.str();
  if (const auto* locale = call.request.header("x-argon-locale"))
    s.accounts.note_locale(user.id, *locale);
  call.person = std::move(user);
}

// Access::Person: the session token → the person (401 otherwise).
Task<Verdict> authenticate_person(ClientServices& s, ClientCall& call) {
  auto token = api::authorization_credentials(call.request, "Bearer");
  if (!token)
    co_return api::error_response(Error::unauthorized("Missing or invalid session token."));
  auto user = co_await s.accounts.authenticate(*token);
  if (!user) co_return api::error_response(user.error());
  admit_person(s, call, std::move(*user));
  co_return std::nullopt;
}

// Access::PersonOrTicket: `?ticket=` when given (and tickets are on), else the session token.
Task<Verdict> authenticate_person_or_ticket(ClientServices& s, ClientCall& call) {
  const std::string* given = call.request.query_param("ticket");
  if (!given || !s.tickets) {
    Verdict verdict = co_await authenticate_person(s, call);
    co_return verdict;
  }
  std::string ticket = *given;
  std::optional<std::string> session = api::authorization_credentials(call.request, "Bearer");
  auto user = co_await s.tickets->redeem(std::move(ticket), std::move(session));
  if (!user) co_return api::error_response(user.error());
  admit_person(s, call, std::move(*user));
  co_return std::nullopt;
}

// The person's request budget, after authentication (429 rate_limited with Retry-After).
Task<Verdict> limit_person(ClientServices& s, ClientCall& call) {
  Verdict verdict = co_await take_permit(s, call.user().id, "client_person", s.person_permits);
  co_return verdict;
}

// Access::Operator: 404 when no operator token is configured (the routes do not exist then),
// 401 on a wrong token.
Task<Verdict> check_operator(ClientServices& s, ClientCall& call) {
  if (s.admin_token.empty())
    co_return api::error_response(Error::not_found("not_found", "No such route."));
  auto token = api::authorization_credentials(call.request, "Bearer");
  if (!token || !crypto::constant_time_equal(*token, s.admin_token))
    co_return api::error_response(Error::unauthorized("Missing or invalid operator token."));
  call.request.principal = "operator";
  co_return std::nullopt;
}

using ClientPipeline = api::Pipeline<ClientCall>;

ClientPipeline pipeline_for(Access access, ClientServices& s) {
  ClientPipeline p;
  p.render_error = [](const ClientCall&, Error e) { return api::error_response(e); };
  auto stage = [&s](Task<Verdict> (*fn)(ClientServices&, ClientCall&)) {
    return api::Stage<ClientCall>{[&s, fn](ClientCall& call) { return fn(s, call); }, nullptr};
  };
  switch (access) {
    case Access::Anyone:
      p.stages.push_back(stage(&limit_address));
      break;
    case Access::Person:
      p.stages.push_back(stage(&authenticate_person));
      p.stages.push_back(stage(&limit_person));
      break;
    case Access::Operator:
      p.stages.push_back(stage(&check_operator));
      break;
    case Access::PersonOrTicket:
      p.stages.push_back(stage(&authenticate_person_or_ticket));
      p.stages.push_back(stage(&limit_person));
      break;
  }
  return p;
}

Task<http::Response> run_route(const ClientPipeline& pipeline, const ClientHandler& handler,
                               http::Request& request) {
  ClientCall call{request, std::nullopt};
  http::Response response = co_await api::run(pipeline, handler, call);
  co_return response;
}
}  // namespace

void register_routes(http::Router& router, ClientServices& s) {
  // One pipeline per access kind, shared by its routes for the server's life.
  std::map<Access, std::shared_ptr<const ClientPipeline>> pipelines;
  for (Access a : {Access::Anyone, Access::Person, Access::Operator, Access::PersonOrTicket})
    pipelines[a] = std::make_shared<const ClientPipeline>(pipeline_for(a, s));
  ClientRoutes table = client_routes(s);
  for (const auto& route : table.all()) {
    auto pipeline = pipelines[route.access];
    router.add(route.method, route.pattern,
               api::task_handler([pipeline, handler = route.handler](http::Request& req) {
                 return run_route(*pipeline, handler, req);
               }));
  }
}

}  // namespace argon::clientapi
