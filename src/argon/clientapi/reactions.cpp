// /api/v1/channels/{channelId}/messages/{messageId}/reactions (UPSTREAM.md §7): the people's side
// of IReactions, with the same rules and codes.
#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/json_in.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
constexpr const char* kPath = "/api/v1/channels/{channelId}/messages/{messageId}/reactions";

// The emoji from the JSON body, or (a DELETE without a body) from ?emoji=.
Result<std::string> read_emoji(const http::Request& req) {
  if (req.body.empty() && req.method == "DELETE") {
    wire::QueryReader q(req.query);
    return q.required_string("emoji");
  }
  auto body = api::body_object(req);
  if (!body) return body.error();
  return wire::ObjectReader(*body).required_string("emoji");
}

Result<services::ReactionTarget> read_target(const http::Request& req) {
  auto channel_id = api::path_uuid(req, "channelId");
  if (!channel_id) return channel_id.error();
  auto message_id = api::path_int(req, "messageId");
  if (!message_id) return message_id.error();
  auto emoji = read_emoji(req);
  if (!emoji) return emoji.error();
  return services::ReactionTarget{*channel_id, *message_id, std::move(*emoji)};
}
}  // namespace

void register_reaction_routes(http::Router& router, ClientServices& s) {
  router.add("POST", kPath, api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(target, read_target(req));
               CO_API_CHECK(co_await s.reactions.add(person_caller(user), std::move(target)));
               co_return api::no_content();
             }));

  router.add("DELETE", kPath, api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(target, read_target(req));
               CO_API_CHECK(co_await s.reactions.remove(person_caller(user), std::move(target)));
               co_return api::no_content();
             }));

  router.add("GET", kPath, api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               CO_API_TRY(message_id, api::path_int(req, "messageId"));
               CO_API_TRY(reactions,
                          co_await s.reactions.list(person_caller(user), channel_id, message_id));
               co_return api::json_response(
                   200, json::object{{"reactions", wire::reactions_json(reactions)}});
             }));
}

}  // namespace argon::clientapi
