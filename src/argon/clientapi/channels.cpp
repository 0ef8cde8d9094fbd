// /api/v1/spaces/{spaceId}/channels
#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
constexpr std::string_view kChannelTypes[] = {"text", "voice", "announcement"};
}

void add_channel_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("POST", "/api/v1/spaces/{spaceId}/channels", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(name, in.required_string("name"));
               CO_TRY(description, in.optional_string("description"));
               CO_TRY(type, in.optional_enum("channelType", kChannelTypes));
               services::CreateChannelRequest r{
                   name, description, static_cast<ChannelType>(type.value_or(0)), std::nullopt};
               CO_TRY(channel, co_await s.spaces.create_channel(call.user().id, space_id, r));
               co_return api::json_response(201, wire::channel_json(channel));
             });

  routes.add("DELETE", "/api/v1/spaces/{spaceId}/channels/{channelId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(channel_id, call.path_uuid("channelId"));
               CO_CHECK(co_await s.spaces.delete_channel(call.user().id, space_id, channel_id));
               co_return api::no_content();
             });
}

}  // namespace argon::clientapi
