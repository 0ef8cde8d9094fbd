// /api/v1/spaces/{spaceId}/channels
#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
constexpr std::string_view kChannelTypes[] = {"text", "voice", "announcement"};
}

void register_channel_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/spaces/{spaceId}/channels",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(name, in.required_string("name"));
               CO_API_TRY(description, in.optional_string("description"));
               CO_API_TRY(type, in.optional_enum("channelType", kChannelTypes));
               services::CreateChannelRequest r{
                   name, description, static_cast<ChannelType>(type.value_or(0)), std::nullopt};
               CO_API_TRY(channel, co_await s.spaces.create_channel(user.id, space_id, r));
               co_return api::json_response(201, wire::channel_json(channel));
             }));

  router.add("DELETE", "/api/v1/spaces/{spaceId}/channels/{channelId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(channel_id, api::path_uuid(req, "channelId"));
               CO_API_CHECK(co_await s.spaces.delete_channel(user.id, space_id, channel_id));
               co_return api::no_content();
             }));
}

}  // namespace argon::clientapi
