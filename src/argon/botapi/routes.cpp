#include "argon/botapi/routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/contracts/openapi.hpp"

namespace argon::botapi {
namespace json = boost::json;

namespace {
std::string seconds_text(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", seconds < 0 ? 0.0 : seconds);
  return buf;
}

void add_rate_headers(http::Response& response, const services::Decision& d) {
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  response.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
  response.headers.emplace_back("X-RateLimit-Reset-After", seconds_text(d.reset_after_seconds));
}

http::Response rate_limited(const services::Decision& d) {
  json::object body{{"error", "rate_limited"},
                    {"retry_after", d.retry_after_seconds},
                    {"message", d.concurrency ? "Too many concurrent requests for this bot."
                                              : "You are being rate limited."}};
  auto response = api::json_response(429, body);
  response.headers.emplace_back(
      "Retry-After", std::to_string(services::retry_after_header(d.retry_after_seconds)));
  add_rate_headers(response, d);
  return response;
}

// A missing entitlement is reported with the route's permission name, as bots know it.
void name_route_permission(Error& e, const contracts::RouteDecl& route) {
  if (e.code == "missing_permission" && route.permission)
    e.message = "Bot lacks the " + std::string(route_permission_name(*route.permission)) +
                " permission in this space.";
}

int permit_limit(BotServices& s, const contracts::InterfaceDecl& iface) {
  if (auto it = s.permit_overrides.find(iface.name); it != s.permit_overrides.end())
    return it->second;
  return iface.rate_limit_per_minute;
}

// A Bot API request on its way through the pipeline; the stages fill in what they learn.
struct BotRequest {
  http::Request& request;
  const contracts::InterfaceDecl& iface;
  const contracts::RouteDecl& route;
  int limit;                                            // the interface's permits per window
  std::optional<services::BotIdentity> bot;             // the auth stage
  std::optional<services::RateLimiter::Permit> permit;  // the rate-limit stage
  services::Decision decision;
};
using Verdict = std::optional<http::Response>;
using BotPipeline = api::Pipeline<BotRequest>;

// auth → rate limit → privileged (DECISIONS.md §2); then the handler.
BotPipeline bot_pipeline(BotServices& s) {
  BotPipeline p;
  p.stages.push_back({[&s](BotRequest& call) -> Task<Verdict> {
                        auto bot = co_await authenticate_bot(call.request, s.bots);
                        if (!bot) co_return api::error_response(bot.error());
                        call.bot = std::move(*bot);
                        co_return std::nullopt;
                      },
                      nullptr});
  p.stages.push_back({[&s](BotRequest& call) -> Task<Verdict> {
                        auto outcome = co_await s.limiter.acquire(call.bot->app.id, call.iface.name,
                                                                  call.limit);
                        if (!outcome.decision.allowed) {
                          s.limiter.rejections().add(call.iface.name);
                          co_return rate_limited(outcome.decision);
                        }
                        call.decision = outcome.decision;
                        call.permit = std::move(outcome.permit);
                        co_return std::nullopt;
                      },
                      [&s](BotRequest& call, http::Response& response) -> Task<void> {
                        add_rate_headers(response, call.decision);
                        // The slot is free before the answer goes out, so the bot's next request
                        // finds it free (with several nodes that is a store write). A stream took
                        // its permit over.
                        if (call.permit && call.permit->held())
                          co_await s.limiter.release(std::move(*call.permit));
                      }});
  p.stages.push_back({[](BotRequest& call) -> Task<Verdict> {
                        if (call.route.privileged && !call.bot->app.is_verified)
                          co_return api::error_response(Error::forbidden(
                              "not_verified", "This route is only available to verified bots."));
                        co_return std::nullopt;
                      },
                      nullptr});
  p.render_error = [](const BotRequest& call, Error e) {
    return bot_error(call.route, std::move(e));
  };
  return p;
}

Task<http::Response> run_bot_route(const BotPipeline& pipeline,
                                   const contracts::InterfaceDecl& iface,
                                   const contracts::RouteDecl& route, const BotHandler& handler,
                                   int limit, http::Request& req) {
  BotRequest call{req, iface, route, limit, std::nullopt, std::nullopt, {}};
  api::Handler<BotRequest> answer = [&handler](BotRequest& r) -> Task<Result<http::Response>> {
    BotCall bot_call{r.request, *r.bot, r.iface, r.route, r.permit};
    Result<http::Response> response = co_await handler(bot_call);
    co_return response;
  };
  http::Response response = co_await api::run(pipeline, answer, call);
  co_return response;
}

http::AsyncHandler pipeline(BotServices& s, std::shared_ptr<const BotPipeline> p,
                            const contracts::InterfaceDecl& iface,
                            const contracts::RouteDecl& route, BotHandler handler) {
  if (!handler)
    throw std::logic_error("Bot API route " + iface.name + "/" + route.name + " has no handler");
  int limit = permit_limit(s, iface);
  return api::task_handler(
      [p = std::move(p), &iface, &route, handler = std::move(handler), limit](http::Request& req) {
        return run_bot_route(*p, iface, route, handler, limit, req);
      });
}

// On the network thread: only a cached token, answered at once; anything else (status 0) goes
// to the worker pool.
http::Handler inline_get_me(BotServices& s, const contracts::InterfaceDecl& iface) {
  int limit = permit_limit(s, iface);
  return [&s, &iface, limit](http::Request& req) -> http::Response {
    // Only when the limiter's state is in this process (one node): with several nodes the
    // decision needs the store, so the request goes to the workers.
    if (!s.limiter.answers_here()) return http::Response{0, {}, {}, {}};
    auto token = api::authorization_credentials(req, "Bot");
    auto bot = token ? s.bots.cached(*token) : std::nullopt;
    if (!bot) return http::Response{0, {}, {}, {}};
    req.principal = "bot:" + bot->user.id.str();
    auto outcome = s.limiter.acquire_here(bot->app.id, iface.name, limit);
    if (!outcome.decision.allowed) {
      s.limiter.rejections().add(iface.name);
      return rate_limited(outcome.decision);
    }
    http::Response response = get_me_response(*bot);
    add_rate_headers(response, outcome.decision);
    return response;
  };
}

// SubscribeCallTrack left the ICalls draft in 1.8.0, but bots written for 1.7.0 still call it:
// argon keeps answering it (UPSTREAM.md §2.8) outside the contract table, so it is in neither
// GET /api/bot/ nor the OpenAPI document. Same pipeline, same ICalls rate-limit bucket.
const contracts::RouteDecl& subscribe_call_track_route() {
  static const contracts::RouteDecl route{
      .method = "POST",
      .name = "SubscribeCallTrack",
      .description = "Undocumented since Bot API 1.8.0: subscribes to the caller's audio track.",
      .permission = RoutePermission::ConnectVoice,
      .privileged = true};
  return route;
}
}  // namespace

void register_routes(http::Router& router, BotServices& s) {
  HandlerTable table;
  add_bot_self_handlers(table, s);
  add_spaces_handlers(table, s);
  add_channels_handlers(table, s);
  add_archetypes_handlers(table, s);
  add_messages_handlers(table, s);
  add_reactions_handlers(table, s);
  add_typing_handlers(table, s);
  add_events_handlers(table, s);
  add_commands_handlers(table, s);
  add_interactions_handlers(table, s);
  add_voice_handlers(table, s);

  auto shared = std::make_shared<const BotPipeline>(bot_pipeline(s));
  http::RouteOptions ci{.case_insensitive = true};
  for (const auto& iface : contracts::interfaces()) {
    for (const auto& route : iface.routes) {
      BotHandler handler;
      if (auto it = table.find(iface.name + "." + route.name); it != table.end()) {
        handler = it->second;
        table.erase(it);
      }
      std::string path = "/" + iface.name + "/v" + std::to_string(iface.version) + "/" + route.name;
      auto h = pipeline(s, shared, iface, route, handler);
      router.add(route.method, path, h, ci);
      router.add(route.method, "/api/bot" + path, h, ci);
    }
  }
  if (const auto* calls = contracts::find_interface("ICalls", 20260401)) {
    const auto& route = subscribe_call_track_route();
    if (auto it = table.find("ICalls." + route.name); it != table.end()) {
      std::string path = "/ICalls/v20260401/" + route.name;
      auto h = pipeline(s, shared, *calls, route, it->second);
      table.erase(it);
      router.add(route.method, path, h, ci);
      router.add(route.method, "/api/bot" + path, h, ci);
    }
  }
  // A handler whose route is in no descriptor would never be reachable: a mistake in the table.
  if (!table.empty())
    throw std::logic_error("Bot API handler " + table.begin()->first + " matches no route");
  router.add("GET", "/api/bot", [](http::Request&) { return metadata_response(); });
  // The OpenAPI 3.1 document of the same descriptors; public like the metadata.
  router.add("GET", "/api/bot/openapi.json", [](http::Request&) { return openapi_response(); });
}

void register_inline_routes(http::Router& router, BotServices& s) {
  http::RouteOptions ci{.case_insensitive = true};
  const auto* iface = contracts::find_interface("IBotSelf", 1);
  for (const auto& route : iface->routes) {
    if (route.name != "GetMe") continue;  // GetSpaces reads the store
    std::string path = "/" + iface->name + "/v1/" + route.name;
    auto h = inline_get_me(s, *iface);
    router.add(route.method, path, h, ci);
    router.add(route.method, "/api/bot" + path, h, ci);
  }
}

http::Response metadata_response() {
  std::map<std::string, json::array> versions;
  std::map<std::string, int> latest;
  for (const auto& iface : contracts::interfaces()) {
    versions[iface.name].push_back(
        json::object{{"version", iface.version},
                     {"isDeprecated", iface.deprecated},
                     {"sunsetDate", nullptr},
                     {"url", "/api/bot/" + iface.name + "/v" + std::to_string(iface.version)},
                     {"hash", contracts::computed_hash(iface)}});
    latest[iface.name] = std::max(latest[iface.name], iface.version);
  }
  json::array out;
  for (auto& [name, list] : versions)
    out.push_back(json::object{
        {"name", name}, {"latestVersion", latest[name]}, {"versions", std::move(list)}});
  return api::json_response(200, json::object{{"interfaces", std::move(out)}});
}

Task<Result<services::BotIdentity>> authenticate_bot(http::Request& request,
                                                     services::BotService& bots) {
  auto token = api::authorization_credentials(request, "Bot");
  if (!token) co_return Error::unauthorized("Missing or invalid bot token.");
  auto bot = co_await bots.authenticate(*token);
  if (bot) request.principal = "bot:" + bot->user.id.str();
  co_return bot;
}

http::Response openapi_response() {
  // Rendered once: the descriptors never change while the process runs.
  static const std::string body = boost::json::serialize(contracts::openapi_document());
  return http::Response::json(200, body);
}

http::Response empty_ok() {
  return http::Response::empty(200);
}

http::Response bot_error(const contracts::RouteDecl& route, Error error) {
  name_route_permission(error, route);
  return api::error_response(error);
}

}  // namespace argon::botapi
