// IChannels/v1: list, create, delete channels.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::botapi {
namespace json = boost::json;
using services::UnknownSpace;

namespace {
constexpr std::string_view kChannelTypes[] = {"text", "voice", "announcement"};
}

void add_channels_handlers(HandlerTable& table, BotServices& s) {
  table["IChannels.List"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(channels,
           co_await s.spaces.list_channels(call.bot.user.id, space_id, UnknownSpace::NotAMember));
    json::array out;
    for (const auto& c : channels) out.push_back(wire::bot_channel_json(c));
    co_return api::json_response(200, json::object{{"channels", std::move(out)}});
  };

  table["IChannels.Create"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(space_id, in.required_uuid("spaceId"));
    CO_TRY(name, in.required_string("name"));
    CO_TRY(description, in.optional_string("description"));
    CO_TRY(type, in.required_enum("channelType", kChannelTypes));
    CO_TRY(group_id, in.optional_uuid("groupId"));
    services::CreateChannelRequest r{name, description, static_cast<ChannelType>(type), group_id};
    CO_TRY(channel, co_await s.spaces.create_channel(call.bot.user.id, space_id, r,
                                                     UnknownSpace::NotAMember));
    co_return api::json_response(200, wire::bot_channel_json(channel));
  };

  table["IChannels.Delete"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(channel_id, q.required_uuid("channelId"));
    CO_CHECK(co_await s.spaces.delete_channel(call.bot.user.id, space_id, channel_id,
                                              UnknownSpace::NotAMember));
    co_return api::json_response(200, json::object{{"deleted", true}});
  };
}

}  // namespace argon::botapi
