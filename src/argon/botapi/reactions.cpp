// IReactions/v1 (Bot API 1.8, UPSTREAM.md §2): Add, Remove, List, BatchGet.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/json_in.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::botapi {
namespace json = boost::json;

namespace {

Result<services::ReactionTarget> read_target(const json::object& body) {
  wire::ObjectReader in(body);
  auto channel_id = in.required_uuid("channelId");
  if (!channel_id) return channel_id.error();
  auto message_id = in.required_int("messageId", 1, INT64_MAX);
  if (!message_id) return message_id.error();
  auto emoji = in.required_string("emoji");
  if (!emoji) return emoji.error();
  return services::ReactionTarget{*channel_id, *message_id, std::move(*emoji)};
}

// Remove also takes the three fields as query parameters when it has no body (UPSTREAM §2.1).
Result<services::ReactionTarget> read_target(const wire::QueryReader& q) {
  auto channel_id = q.required_uuid("channelId");
  if (!channel_id) return channel_id.error();
  auto message_id = q.required_int("messageId", 1, INT64_MAX);
  if (!message_id) return message_id.error();
  auto emoji = q.required_string("emoji");
  if (!emoji) return emoji.error();
  return services::ReactionTarget{*channel_id, *message_id, std::move(*emoji)};
}

Result<std::vector<std::int64_t>> read_message_ids(const wire::ObjectReader& in) {
  const json::value* ids = in.find("messageIds");
  if (!ids || !ids->is_array()) return Error::validation("messageIds: an array of message ids");
  std::vector<std::int64_t> out;
  std::size_t i = 0;
  for (const auto& v : ids->as_array()) {
    auto id = wire::read_int(v, "messageIds[" + std::to_string(i++) + "]", 1, INT64_MAX);
    if (!id) return id.error();
    out.push_back(*id);
  }
  return out;
}

}  // namespace

void add_reactions_handlers(HandlerTable& table, BotServices& s) {
  table["IReactions.Add"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    CO_TRY(target, read_target(body));
    CO_CHECK(co_await s.reactions.add(call.caller(), std::move(target)));
    co_return empty_ok();
  };

  table["IReactions.Remove"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    std::optional<services::ReactionTarget> target;
    if (call.request.body.empty()) {
      wire::QueryReader q(call.request.query);
      CO_TRY(from_query, read_target(q));
      target = std::move(from_query);
    } else {
      CO_TRY(body, api::body_object(call.request));
      CO_TRY(from_body, read_target(body));
      target = std::move(from_body);
    }
    CO_CHECK(co_await s.reactions.remove(call.caller(), std::move(*target)));
    co_return empty_ok();
  };

  table["IReactions.List"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(channel_id, q.required_uuid("channelId"));
    CO_TRY(message_id, q.required_int("messageId", 1, INT64_MAX));
    CO_TRY(reactions, co_await s.reactions.list(call.caller(), channel_id, message_id));
    co_return api::json_response(200, json::object{{"reactions", wire::reactions_json(reactions)}});
  };

  table["IReactions.BatchGet"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(channel_id, in.required_uuid("channelId"));
    CO_TRY(ids, read_message_ids(in));
    CO_TRY(messages, co_await s.reactions.batch_get(call.caller(), channel_id, std::move(ids)));
    json::array out;
    for (const auto& m : messages)
      out.push_back(json::object{{"messageId", m.message_id},
                                 {"reactions", wire::reactions_json(m.reactions)}});
    co_return api::json_response(200, json::object{{"messages", std::move(out)}});
  };
}

}  // namespace argon::botapi
