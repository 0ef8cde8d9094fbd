// /api/v1/spaces, invites and members
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
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
  router.add("POST", "/api/v1/spaces", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(body, api::body_object(req));
    wire::ObjectReader in(body);
    API_TRY(name, in.required_string("name"));
    API_TRY(description, in.optional_string("description"));
    API_TRY(detail, s.spaces.create_space(user.id, name, description));
    return api::json_response(201, detail_json(detail, true));
  });

  router.add("GET", "/api/v1/spaces", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    json::array spaces;
    for (const auto& space : s.spaces.list_spaces(user.id))
      spaces.push_back(wire::space_json(space));
    return api::json_response(200, json::object{{"spaces", std::move(spaces)}});
  });

  router.add("GET", "/api/v1/spaces/{spaceId}", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(detail, s.spaces.get_space(user.id, space_id));
    return api::json_response(200, detail_json(detail, true));
  });

  router.add("POST", "/api/v1/spaces/{spaceId}/invites", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(body, api::body_object(req));
    wire::ObjectReader in(body);
    API_TRY(max_uses, in.optional_int("maxUses", 1, 1000));
    API_TRY(expires, in.optional_int("expiresInSeconds", 60, 2592000));
    API_TRY(invite, s.spaces.create_invite(user.id, space_id, {max_uses, expires}));
    json::value max_uses_json = nullptr, expires_json = nullptr;
    if (invite.max_uses) max_uses_json = *invite.max_uses;
    if (invite.expires_at_ms) expires_json = format_iso8601_ms(*invite.expires_at_ms);
    return api::json_response(201, json::object{{"code", invite.code},
                                                {"spaceId", invite.space_id.str()},
                                                {"maxUses", max_uses_json},
                                                {"expiresAt", expires_json}});
  });

  router.add("POST", "/api/v1/invites/{code}/accept", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    const std::string* code = req.param("code");
    if (!code || code->size() > 64)
      return api::error_response(Error::not_found("invite_not_found", "Invite not found."));
    API_TRY(space_id, s.spaces.accept_invite(user.id, *code));
    return api::json_response(200, json::object{{"spaceId", space_id.str()}});
  });

  router.add("GET", "/api/v1/spaces/{spaceId}/members/{userId}", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(target, api::path_uuid(req, "userId"));
    API_TRY(member, s.spaces.get_member(user.id, space_id, target));
    return api::json_response(200, wire::member_json(member));
  });

  router.add("DELETE", "/api/v1/spaces/{spaceId}/members/{userId}", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(target, api::path_uuid(req, "userId"));
    API_CHECK(s.spaces.remove_member(user.id, space_id, target));
    return api::no_content();
  });

  router.add("PATCH", "/api/v1/spaces/{spaceId}/members/{userId}", [&s](http::Request& req) {
    API_TRY(user, authenticate_person(req, s.accounts));
    API_TRY(space_id, api::path_uuid(req, "spaceId"));
    API_TRY(target, api::path_uuid(req, "userId"));
    API_TRY(body, api::body_object(req));
    wire::ObjectReader in(body);
    API_TRY(display_name, in.required_string("displayName"));
    API_CHECK(s.spaces.update_member(user.id, space_id, target, display_name));
    return api::no_content();
  });
}

}  // namespace argon::clientapi
