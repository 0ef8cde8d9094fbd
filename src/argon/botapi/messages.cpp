// IMessages/v1: Send (entities, controls, replyTo, durable randomId) and History.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::botapi {
namespace json = boost::json;

Result<services::SendRequest> read_send_request(const boost::json::object& body) {
  wire::ObjectReader in(body);
  auto channel_id = in.required_uuid("channelId");
  if (!channel_id) return channel_id.error();
  auto text = in.required_string("text");
  if (!text) return text.error();
  auto random_id = in.optional_int("randomId", INT64_MIN, INT64_MAX);
  if (!random_id) return random_id.error();
  auto reply_to = in.optional_int("replyTo", 1, INT64_MAX);
  if (!reply_to) return reply_to.error();
  auto entities = wire::parse_entities(in.find("entities"));
  if (!entities) return entities.error();
  auto controls = wire::parse_controls(in.find("controls"));
  if (!controls) return controls.error();
  return services::SendRequest{
      *channel_id, {*text, std::move(*entities), std::move(*controls)}, *random_id, *reply_to};
}

void add_messages_handlers(HandlerTable& table, BotServices& s) {
  table["IMessages.Send"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    CO_TRY(request, read_send_request(body));
    CO_TRY(sent, co_await s.messages.send(call.caller(), std::move(request)));
    co_return api::json_response(200, json::object{{"messageId", sent.message_id}});
  };

  table["IMessages.History"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(channel_id, q.required_uuid("channelId"));
    CO_TRY(from, q.optional_int("from", INT64_MIN, INT64_MAX));
    CO_TRY(limit, q.optional_int("limit", INT64_MIN, INT64_MAX));
    services::HistoryRequest request{channel_id, from, limit};
    CO_TRY(messages, co_await s.messages.history(call.caller(), request));
    json::array out;
    for (const auto& m : messages) out.push_back(wire::message_dto_json(m));
    co_return api::json_response(200, json::object{{"messages", std::move(out)}});
  };
}

}  // namespace argon::botapi
