// IMessages/v1: Send (entities, controls, replyTo, durable randomId) and History.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::botapi {
namespace json = boost::json;

void add_messages_handlers(HandlerTable& table, BotServices& s) {
  table["IMessages.Send"] = [&s](BotCall& call) {
    BOT_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    BOT_TRY(channel_id, in.required_uuid("channelId"));
    BOT_TRY(text, in.required_string("text"));
    BOT_TRY(random_id, in.optional_int("randomId", INT64_MIN, INT64_MAX));
    BOT_TRY(reply_to, in.optional_int("replyTo", 1, INT64_MAX));
    BOT_TRY(entities, wire::parse_entities(in.find("entities")));
    BOT_TRY(controls, wire::parse_controls(in.find("controls")));
    services::SendRequest r{channel_id, {text, entities, controls}, random_id, reply_to};
    BOT_TRY(sent, s.messages.send(call.caller(), std::move(r)));
    return api::json_response(200, json::object{{"messageId", sent.message_id}});
  };

  table["IMessages.History"] = [&s](BotCall& call) {
    wire::QueryReader q(call.request.query);
    BOT_TRY(channel_id, q.required_uuid("channelId"));
    BOT_TRY(from, q.optional_int("from", INT64_MIN, INT64_MAX));
    BOT_TRY(limit, q.optional_int("limit", INT64_MIN, INT64_MAX));
    BOT_TRY(messages, s.messages.history(call.caller(), {channel_id, from, limit}));
    json::array out;
    for (const auto& m : messages) out.push_back(wire::message_dto_json(m));
    return api::json_response(200, json::object{{"messages", std::move(out)}});
  };
}

}  // namespace argon::botapi
