// IArchetypes/v1: roles of a space; permission masks only for bots holding ManageArchetype.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::botapi {
namespace json = boost::json;
using services::UnknownSpace;

void add_archetypes_handlers(HandlerTable& table, BotServices& s) {
  table["IArchetypes.List"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(view,
           co_await s.spaces.list_archetypes(call.bot.user.id, space_id, UnknownSpace::NotAMember));
    json::array out;
    for (const auto& a : view.archetypes)
      out.push_back(wire::archetype_json(a, view.permissions_visible));
    co_return api::json_response(200, json::object{{"archetypes", std::move(out)}});
  };

  table["IArchetypes.Get"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(archetype_id, q.required_uuid("archetypeId"));
    CO_TRY(view, co_await s.spaces.get_archetype(call.bot.user.id, space_id, archetype_id,
                                                 UnknownSpace::NotAMember));
    co_return api::json_response(
        200, wire::archetype_json(view.archetypes.front(), view.permissions_visible));
  };

  table["IArchetypes.ListMembers"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    wire::QueryReader q(call.request.query);
    CO_TRY(space_id, q.required_uuid("spaceId"));
    CO_TRY(archetype_id, q.required_uuid("archetypeId"));
    CO_TRY(members, co_await s.spaces.archetype_members(
                        call.bot.user.id, space_id, archetype_id, UnknownSpace::NotAMember,
                        entitlement_for(RoutePermission::ViewMembers)));
    json::array out;
    for (const auto& m : members)
      out.push_back(json::object{
          {"userId", m.user_id.str()}, {"username", m.username}, {"displayName", m.display_name}});
    co_return api::json_response(
        200, json::object{{"archetypeId", archetype_id.str()}, {"members", std::move(out)}});
  };
}

}  // namespace argon::botapi
