// /api/v1/channels/{channelId}/messages/{messageId}/reactions (UPSTREAM.md §7): the people's side
// of IReactions, with the same rules and codes.
#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/json_in.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
constexpr const char* kPath = "/api/v1/channels/{channelId}/messages/{messageId}/reactions";

// The emoji from the JSON body, or (a DELETE without a body) from ?emoji=.
Result<std::string> read_emoji(const ClientCall& call) {
  if (call.request.body.empty() && call.request.method == "DELETE") {
    wire::QueryReader q(call.request.query);
    return q.required_string("emoji");
  }
  auto body = call.body();
  if (!body) return body.error();
  return wire::ObjectReader(*body).required_string("emoji");
}

Result<services::ReactionTarget> read_target(const ClientCall& call) {
  auto channel_id = call.path_uuid("channelId");
  if (!channel_id) return channel_id.error();
  auto message_id = call.path_int("messageId");
  if (!message_id) return message_id.error();
  auto emoji = read_emoji(call);
  if (!emoji) return emoji.error();
  return services::ReactionTarget{*channel_id, *message_id, std::move(*emoji)};
}
}  // namespace

void add_reaction_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("POST", kPath, Access::Person, [&s](ClientCall& call) -> Task<Result<http::Response>> {
    CO_TRY(target, read_target(call));
    CO_CHECK(co_await s.reactions.add(call.caller(), std::move(target)));
    co_return api::no_content();
  });

  routes.add("DELETE", kPath, Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(target, read_target(call));
               CO_CHECK(co_await s.reactions.remove(call.caller(), std::move(target)));
               co_return api::no_content();
             });

  routes.add("GET", kPath, Access::Person, [&s](ClientCall& call) -> Task<Result<http::Response>> {
    CO_TRY(channel_id, call.path_uuid("channelId"));
    CO_TRY(message_id, call.path_int("messageId"));
    CO_TRY(reactions, co_await s.reactions.list(call.caller(), channel_id, message_id));
    co_return api::json_response(200, json::object{{"reactions", wire::reactions_json(reactions)}});
  });
}

}  // namespace argon::clientapi
