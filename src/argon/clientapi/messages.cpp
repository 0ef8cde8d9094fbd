// /api/v1/channels/{channelId}/messages and typing
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void add_message_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("POST", "/api/v1/channels/{channelId}/messages", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(channel_id, call.path_uuid("channelId"));
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(text, in.required_string("text"));
               CO_TRY(entities, wire::parse_entities(in.find("entities")));
               CO_TRY(random_id, in.optional_int("randomId", INT64_MIN, INT64_MAX));
               CO_TRY(reply_to, in.optional_int("replyTo", 1, INT64_MAX));
               services::SendRequest r{channel_id, {text, entities, {}}, random_id, reply_to};
               CO_TRY(sent, co_await s.messages.send(call.caller(), std::move(r)));
               co_return api::json_response(sent.duplicate ? 200 : 201,
                                            json::object{{"messageId", sent.message_id}});
             });

  routes.add("PATCH", "/api/v1/channels/{channelId}/messages/{messageId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(channel_id, call.path_uuid("channelId"));
               CO_TRY(message_id, call.path_int("messageId"));
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(text, in.required_string("text"));
               services::EditRequest r;
               r.channel_id = channel_id;
               r.message_id = message_id;
               r.text = text;
               if (in.has("entities")) {
                 CO_TRY(entities, wire::parse_entities(in.find("entities")));
                 r.entities = entities;
               }
               CO_CHECK(co_await s.messages.edit(call.caller(), std::move(r)));
               co_return api::no_content();
             });

  routes.add("GET", "/api/v1/channels/{channelId}/messages", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(channel_id, call.path_uuid("channelId"));
               wire::QueryReader q(call.request.query);
               CO_TRY(from, q.optional_int("from", INT64_MIN, INT64_MAX));
               CO_TRY(limit, q.optional_int("limit", INT64_MIN, INT64_MAX));
               services::HistoryRequest request{channel_id, from, limit};
               CO_TRY(messages, co_await s.messages.history(call.caller(), request));
               json::array out;
               for (const auto& m : messages) out.push_back(wire::message_dto_json(m));
               co_return api::json_response(200, json::object{{"messages", std::move(out)}});
             });

  routes.add("POST", "/api/v1/channels/{channelId}/typing", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(channel_id, call.path_uuid("channelId"));
               CO_CHECK(co_await s.typing.start(call.caller(), channel_id, std::nullopt));
               co_return api::no_content();
             });

  routes.add("DELETE", "/api/v1/channels/{channelId}/typing", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(channel_id, call.path_uuid("channelId"));
               CO_CHECK(co_await s.typing.stop(call.caller(), channel_id));
               co_return api::no_content();
             });
}

}  // namespace argon::clientapi
