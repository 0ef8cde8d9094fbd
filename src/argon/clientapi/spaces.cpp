// /api/v1/spaces, invites and members
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "argon/api/respond.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
// The Bot API's member shape plus what a person's member list shows: the user flags (BOT 1,
// VERIFIED 4, …) and the member's current presence, shaped like presenceUpdate's `presence`.
json::object person_member_json(const Member& m) {
  json::object out = wire::member_json(m);
  out["flags"] = m.user_flags;
  json::value activity = nullptr;
  if (m.presence_activity_json) {
    boost::system::error_code ec;
    auto parsed = json::parse(*m.presence_activity_json, ec);
    if (!ec) activity = std::move(parsed);
  }
  out["presence"] = json::object{{"status", static_cast<std::int64_t>(m.presence_status)},
                                 {"activity", std::move(activity)}};
  return out;
}

json::object detail_json(const services::SpaceDetail& d, bool with_members) {
  json::object out = wire::space_json(d.space);
  json::array channels, archetypes, members;
  for (const auto& c : d.channels) channels.push_back(wire::channel_json(c));
  // People see permission masks: they manage archetypes through this API.
  for (const auto& a : d.archetypes) archetypes.push_back(wire::archetype_json(a, true));
  for (const auto& m : d.members) members.push_back(person_member_json(m));
  out["channels"] = std::move(channels);
  out["archetypes"] = std::move(archetypes);
  if (with_members) out["members"] = std::move(members);
  return out;
}
}  // namespace

void add_space_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add("POST", "/api/v1/spaces", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(name, in.required_string("name"));
               CO_TRY(description, in.optional_string("description"));
               CO_TRY(detail, co_await s.spaces.create_space(call.user().id, name, description));
               co_return api::json_response(201, detail_json(detail, true));
             });

  routes.add("GET", "/api/v1/spaces", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               json::array spaces;
               auto mine = co_await s.spaces.list_spaces(call.user().id);
               for (const auto& space : mine) spaces.push_back(wire::space_json(space));
               co_return api::json_response(200, json::object{{"spaces", std::move(spaces)}});
             });

  routes.add("GET", "/api/v1/spaces/{spaceId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(detail, co_await s.spaces.get_space(call.user().id, space_id));
               co_return api::json_response(200, detail_json(detail, true));
             });

  routes.add("POST", "/api/v1/spaces/{spaceId}/invites", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(body, call.body());
               wire::ObjectReader in(body);
               CO_TRY(max_uses, in.optional_int("maxUses", 1, 1000));
               CO_TRY(expires, in.optional_int("expiresInSeconds", 60, 2592000));
               services::CreateInviteRequest request{max_uses, expires};
               CO_TRY(invite, co_await s.spaces.create_invite(call.user().id, space_id, request));
               json::value max_uses_json = nullptr, expires_json = nullptr;
               if (invite.max_uses) max_uses_json = *invite.max_uses;
               if (invite.expires_at_ms) expires_json = format_iso8601_ms(*invite.expires_at_ms);
               co_return api::json_response(201, json::object{{"code", invite.code},
                                                              {"spaceId", invite.space_id.str()},
                                                              {"maxUses", max_uses_json},
                                                              {"expiresAt", expires_json}});
             });

  routes.add("POST", "/api/v1/invites/{code}/accept", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               const std::string* code = call.request.param("code");
               if (!code || code->size() > 64)
                 co_return Error::not_found("invite_not_found", "Invite not found.");
               CO_TRY(space_id, co_await s.spaces.accept_invite(call.user().id, *code));
               co_return api::json_response(200, json::object{{"spaceId", space_id.str()}});
             });

  routes.add("GET", "/api/v1/spaces/{spaceId}/members/{userId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(target, call.path_uuid("userId"));
               CO_TRY(member, co_await s.spaces.get_member(call.user().id, space_id, target));
               co_return api::json_response(200, person_member_json(member));
             });

  routes.add("DELETE", "/api/v1/spaces/{spaceId}/members/{userId}", Access::Person,
             [&s](ClientCall& call) -> Task<Result<http::Response>> {
               CO_TRY(space_id, call.path_uuid("spaceId"));
               CO_TRY(target, call.path_uuid("userId"));
               CO_CHECK(co_await s.spaces.remove_member(call.user().id, space_id, target));
               co_return api::no_content();
             });

  routes.add(
      "PATCH", "/api/v1/spaces/{spaceId}/members/{userId}", Access::Person,
      [&s](ClientCall& call) -> Task<Result<http::Response>> {
        CO_TRY(space_id, call.path_uuid("spaceId"));
        CO_TRY(target, call.path_uuid("userId"));
        CO_TRY(body, call.body());
        wire::ObjectReader in(body);
        CO_TRY(display_name, in.required_string("displayName"));
        CO_CHECK(co_await s.spaces.update_member(call.user().id, space_id, target, display_name));
        co_return api::no_content();
      });
}

}  // namespace argon::clientapi
