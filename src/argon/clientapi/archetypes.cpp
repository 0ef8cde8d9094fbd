// /api/v1/spaces/{spaceId}/archetypes and their assignment to members
#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
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

void register_archetype_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/spaces/{spaceId}/archetypes",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(body, api::body_object(req));
               CO_API_TRY(fields, read_fields(body));
               CO_API_TRY(archetype, co_await s.spaces.create_archetype(user.id, space_id, fields));
               co_return api::json_response(201, wire::archetype_json(archetype, true));
             }));

  router.add("PATCH", "/api/v1/spaces/{spaceId}/archetypes/{archetypeId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(archetype_id, api::path_uuid(req, "archetypeId"));
               CO_API_TRY(body, api::body_object(req));
               CO_API_TRY(fields, read_fields(body));
               CO_API_TRY(archetype, co_await s.spaces.update_archetype(user.id, space_id,
                                                                        archetype_id, fields));
               co_return api::json_response(200, wire::archetype_json(archetype, true));
             }));

  for (bool assign : {true, false}) {
    router.add(assign ? "PUT" : "DELETE",
               "/api/v1/spaces/{spaceId}/members/{userId}/archetypes/{archetypeId}",
               api::task_handler([&s, assign](http::Request& req) -> Task<http::Response> {
                 CO_API_TRY(user, co_await authenticate_person(req, s));
                 CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
                 CO_API_TRY(target, api::path_uuid(req, "userId"));
                 CO_API_TRY(archetype_id, api::path_uuid(req, "archetypeId"));
                 CO_API_CHECK(co_await s.spaces.assign_archetype(user.id, space_id, target,
                                                                 archetype_id, assign));
                 co_return api::no_content();
               }));
  }
}

}  // namespace argon::clientapi
