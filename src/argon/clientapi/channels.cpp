// /api/v1/spaces/{spaceId}/channels
#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
constexpr std::string_view kChannelTypes[] = {"text", "voice", "announcement"};
}

void register_channel_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/spaces/{spaceId}/channels", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(body, api::body_object(req));
    wire::ObjectReader in(body);
    API_TRY(name, in.required_string("name"));
    API_TRY(description, in.optional_string("description"));
    API_TRY(type, in.optional_enum("channelType", kChannelTypes));
    services::CreateChannelRequest r{name, description, static_cast<ChannelType>(type.value_or(0)),
                                     std::nullopt};
    API_TRY(channel, s.spaces.create_channel(user.id, space_id, r));
    return api::json_response(201, wire::channel_json(channel));
  });

  router.add("DELETE", "/api/v1/spaces/{spaceId}/channels/{channelId}", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(channel_id, api::path_uuid(req, "channelId"));
    API_CHECK(s.spaces.delete_channel(user.id, space_id, channel_id));
    return api::no_content();
  });
}

}  // namespace argon::clientapi
