// /api/v1/spaces/{spaceId}/archetypes and their assignment to members
#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
Result<services::ArchetypeFields> read_fields(const json::object& body) {
  wire::ObjectReader in(body);
  services::ArchetypeFields f;
  auto name = in.optional_string("name");
  if (!name) return name.error();
  f.name = *name;
  auto colour = in.optional_int("colour", INT32_MIN, INT32_MAX);
  if (!colour) return colour.error();
  if (*colour) f.colour = static_cast<std::int32_t>(**colour);
  auto permissions = in.optional_int("permissions", 0, INT64_MAX);
  if (!permissions) return permissions.error();
  if (*permissions) f.permissions = static_cast<Entitlements>(**permissions);
  auto mentionable = in.optional_bool("isMentionable");
  if (!mentionable) return mentionable.error();
  f.is_mentionable = *mentionable;
  return f;
}
}  // namespace

void add_archetype_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("POST", "/api/v1/spaces/{spaceId}/archetypes", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(body, call.body());
               CO_TRY(fields, read_fields(body));
               CO_TRY(archetype,
                      co_await s.spaces.create_archetype(call.user().id, space_id, fields));
               co_return api::json_response(201, wire::archetype_json(archetype, true));
             });

  routes.add("PATCH", "/api/v1/spaces/{spaceId}/archetypes/{archetypeId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(archetype_id, call.path_uuid("archetypeId"));
               CO_TRY(body, call.body());
               CO_TRY(fields, read_fields(body));
               CO_TRY(archetype, co_await s.spaces.update_archetype(call.user().id, space_id,
                                                                    archetype_id, fields));
               co_return api::json_response(200, wire::archetype_json(archetype, true));
             });

  for (bool assign : {true, false}) {
    routes.add(assign ? "PUT" : "DELETE",
               "/api/v1/spaces/{spaceId}/members/{userId}/archetypes/{archetypeId}", Access::Person,
               [&s, assign](ClientCall& call) -> Task<Result<http::Response>> {
                 CO_TRY(space_id, call.path_uuid("spaceId"));
                 CO_TRY(target, call.path_uuid("userId"));
                 CO_TRY(archetype_id, call.path_uuid("archetypeId"));
                 CO_CHECK(co_await s.spaces.assign_archetype(call.user().id, space_id, target,
                                                             archetype_id, assign));
                 co_return api::no_content();
               });
  }
}

}  // namespace argon::clientapi
