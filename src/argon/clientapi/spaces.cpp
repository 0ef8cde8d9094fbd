// /api/v1/spaces, invites and members
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
json::object detail_json(const services::SpaceDetail& d, bool with_members) {
  json::object out = wire::space_json(d.space);
  json::array channels, archetypes, members;
  for (const auto& c : d.channels) channels.push_back(wire::channel_json(c));
  // People see permission masks: they manage archetypes through this API.
  for (const auto& a : d.archetypes) archetypes.push_back(wire::archetype_json(a, true));
  for (const auto& m : d.members) members.push_back(wire::member_json(m));
  out["channels"] = std::move(channels);
  out["archetypes"] = std::move(archetypes);
  if (with_members) out["members"] = std::move(members);
  return out;
}
}  // namespace

void register_space_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/spaces",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(name, in.required_string("name"));
               CO_API_TRY(description, in.optional_string("description"));
               CO_API_TRY(detail, co_await s.spaces.create_space(user.id, name, description));
               co_return api::json_response(201, detail_json(detail, true));
             }));

  router.add("GET", "/api/v1/spaces",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               json::array spaces;
               auto mine = co_await s.spaces.list_spaces(user.id);
               for (const auto& space : mine) spaces.push_back(wire::space_json(space));
               co_return api::json_response(200, json::object{{"spaces", std::move(spaces)}});
             }));

  router.add("GET", "/api/v1/spaces/{spaceId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(detail, co_await s.spaces.get_space(user.id, space_id));
               co_return api::json_response(200, detail_json(detail, true));
             }));

  router.add("POST", "/api/v1/spaces/{spaceId}/invites",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(max_uses, in.optional_int("maxUses", 1, 1000));
               CO_API_TRY(expires, in.optional_int("expiresInSeconds", 60, 2592000));
               services::CreateInviteRequest request{max_uses, expires};
               CO_API_TRY(invite, co_await s.spaces.create_invite(user.id, space_id, request));
               json::value max_uses_json = nullptr, expires_json = nullptr;
               if (invite.max_uses) max_uses_json = *invite.max_uses;
               if (invite.expires_at_ms) expires_json = format_iso8601_ms(*invite.expires_at_ms);
               co_return api::json_response(201, json::object{{"code", invite.code},
                                                              {"spaceId", invite.space_id.str()},
                                                              {"maxUses", max_uses_json},
                                                              {"expiresAt", expires_json}});
             }));

  router.add(
      "POST", "/api/v1/invites/{code}/accept",
      api::task_handler([&s](http::Request& req) -> Task<http::Response> {
        CO_API_TRY(user, co_await authenticate_person(req, s));
        const std::string* code = req.param("code");
        if (!code || code->size() > 64)
          co_return api::error_response(Error::not_found("invite_not_found", "Invite not found."));
        CO_API_TRY(space_id, co_await s.spaces.accept_invite(user.id, *code));
        co_return api::json_response(200, json::object{{"spaceId", space_id.str()}});
      }));

  router.add("GET", "/api/v1/spaces/{spaceId}/members/{userId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(target, api::path_uuid(req, "userId"));
               CO_API_TRY(member, co_await s.spaces.get_member(user.id, space_id, target));
               co_return api::json_response(200, wire::member_json(member));
             }));

  router.add("DELETE", "/api/v1/spaces/{spaceId}/members/{userId}",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
               CO_API_TRY(target, api::path_uuid(req, "userId"));
               CO_API_CHECK(co_await s.spaces.remove_member(user.id, space_id, target));
               co_return api::no_content();
             }));

  router.add(
      "PATCH", "/api/v1/spaces/{spaceId}/members/{userId}",
      api::task_handler([&s](http::Request& req) -> Task<http::Response> {
        CO_API_TRY(user, co_await authenticate_person(req, s));
        CO_API_TRY(space_id, api::path_uuid(req, "spaceId"));
        CO_API_TRY(target, api::path_uuid(req, "userId"));
        CO_API_TRY(body, api::body_object(req));
        wire::ObjectReader in(body);
        CO_API_TRY(display_name, in.required_string("displayName"));
        CO_API_CHECK(co_await s.spaces.update_member(user.id, space_id, target, display_name));
        co_return api::no_content();
      }));
}

}  // namespace argon::clientapi
