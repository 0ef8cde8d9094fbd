// ISpaces/v1: a space's details and members.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::botapi {
namespace json = boost::json;
using services::UnknownSpace;

void add_spaces_handlers(HandlerTable& table, BotServices& s) {
  table["ISpaces.Get"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(detail,
           co_await s.spaces.get_space(call.bot.user.id, space_id, UnknownSpace::NotAMember));
    co_return api::json_response(
        200, json::object{{"spaceId", detail.space.id.str()},
                          {"name", detail.space.name},
                          {"description", wire::string_or_null(detail.space.description)},
                          {"isCommunity", false}});
  };

  table["ISpaces.GetMember"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(user_id, q.required_uuid("userId"));
    CO_TRY(member, co_await s.spaces.get_member(call.bot.user.id, space_id, user_id,
                                                UnknownSpace::NotAMember,
                                                entitlement_for(RoutePermission::ViewMembers)));
    co_return api::json_response(200, wire::member_json(member));
  };

  table["ISpaces.ListMembers"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(members,
           co_await s.spaces.list_members(call.bot.user.id, space_id, UnknownSpace::NotAMember,
                                          entitlement_for(RoutePermission::ViewMembers)));
    json::array out;
    for (const auto& m : members) out.push_back(wire::member_json(m));
    co_return api::json_response(200, json::object{{"members", std::move(out)}});
  };
}

}  // namespace argon::botapi
