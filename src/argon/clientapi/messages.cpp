// /api/v1/channels/{channelId}/messages and typing
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

void register_message_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/channels/{channelId}/messages",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(text, in.required_string("text"));
               CO_API_TRY(entities, wire::parse_entities(in.find("entities")));
               CO_API_TRY(random_id, in.optional_int("randomId", INT64_MIN, INT64_MAX));
               CO_API_TRY(reply_to, in.optional_int("replyTo", 1, INT64_MAX));
               services::SendRequest r{channel_id, {text, entities, {}}, random_id, reply_to};
               CO_API_TRY(sent, co_await s.messages.send(person_caller(user), std::move(r)));
               co_return api::json_response(sent.duplicate ? 200 : 201,
                                            json::object{{"messageId", sent.message_id}});
             }));

  router.add("PATCH", "/api/v1/channels/{channelId}/messages/{messageId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               CO_API_TRY(message_id, api::path_int(req, "messageId"));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(text, in.required_string("text"));
               services::EditRequest r;
               r.channel_id = channel_id;
               r.message_id = message_id;
               r.text = text;
               if (in.has("entities")) {
                 CO_API_TRY(entities, wire::parse_entities(in.find("entities")));
                 r.entities = entities;
               }
               CO_API_CHECK(co_await s.messages.edit(person_caller(user), std::move(r)));
               co_return api::no_content();
             }));

  router.add("GET", "/api/v1/channels/{channelId}/messages",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               wire::QueryReader q(req.query);
               CO_API_TRY(from, q.optional_int("from", INT64_MIN, INT64_MAX));
               CO_API_TRY(limit, q.optional_int("limit", INT64_MIN, INT64_MAX));
               services::HistoryRequest request{channel_id, from, limit};
               CO_API_TRY(messages, co_await s.messages.history(person_caller(user), request));
               json::array out;
               for (const auto& m : messages) out.push_back(wire::message_dto_json(m));
               co_return api::json_response(200, json::object{{"messages", std::move(out)}});
             }));

  router.add("POST", "/api/v1/channels/{channelId}/typing",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               CO_API_CHECK(co_await s.typing.start(person_caller(user), channel_id, std::nullopt));
               co_return api::no_content();
             }));

  router.add("DELETE", "/api/v1/channels/{channelId}/typing",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               CO_API_CHECK(co_await s.typing.stop(person_caller(user), channel_id));
               co_return api::no_content();
             }));
}

}  // namespace argon::clientapi
