// /api/v1/auth/*, /api/v1/me
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::clientapi {
namespace json = boost::json;

namespace {
constexpr std::string_view kStatusNames[] = {"offline", "online",     "away",        "inGame",
                                             "listen",  "touchGrass", "doNotDisturb"};
constexpr std::string_view kActivityNames[] = {"game", "software", "streaming", "listen"};
}  // namespace

void register_account_routes(http::Router& router, ClientServices& s) {
  router.add("POST", "/api/v1/auth/register",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_CHECK(co_await limit_address(req, s));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(username, in.required_string("username"));
               CO_API_TRY(password, in.required_string("password"));
               CO_API_TRY(display_name, in.optional_string("displayName"));
               CO_API_TRY(invite_code, in.optional_string("inviteCode"));
               services::RegisterRequest request{username, password, display_name, invite_code};
               CO_API_TRY(grant, co_await s.accounts.register_person(std::move(request)));
               co_return api::json_response(201,
                                            json::object{{"userId", grant.user.id.str()},
                                                         {"username", grant.user.username},
                                                         {"displayName", grant.user.display_name},
                                                         {"token", grant.token}});
             }));

  router.add("POST", "/api/v1/auth/login",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_CHECK(co_await limit_address(req, s));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(username, in.required_string("username"));
               CO_API_TRY(password, in.required_string("password"));
               CO_API_TRY(grant, co_await s.accounts.login(username, password, req.client_address));
               co_return api::json_response(
                   200, json::object{{"userId", grant.user.id.str()}, {"token", grant.token}});
             }));

  router.add(
      "GET", "/api/v1/me", api::task_handler([&s](http::Request& req) -> Task<http::Response> {
        CO_API_TRY(user, co_await authenticate_person(req, s));
        co_return api::json_response(
            200,
            json::object{{"userId", user.id.str()},
                         {"username", user.username},
                         {"displayName", user.display_name},
                         {"flags", user.flags},
                         {"locale", wire::string_or_null(s.accounts.current_locale(user.id))}});
      }));

  router.add("PUT", "/api/v1/me/presence",
             api::task_handler([&s](http::Request& req) -> Task<http::Response> {
               CO_API_TRY(user, co_await authenticate_person(req, s));
               CO_API_TRY(body, api::body_object(req));
               wire::ObjectReader in(body);
               CO_API_TRY(status, in.required_enum("status", kStatusNames));
               Presence presence;
               presence.status = static_cast<PresenceStatus>(status);
               CO_API_TRY(activity_obj, in.optional_object("activity"));
               if (activity_obj) {
                 wire::ObjectReader act(*activity_obj, "activity");
                 CO_API_TRY(kind, act.required_enum("kind", kActivityNames));
                 CO_API_TRY(title, act.required_string("titleName"));
                 if (title.empty() || title.size() > 128)
                   co_return api::error_response(
                       Error::validation("activity.titleName: must be 1..128 characters"));
                 presence.activity = Activity{static_cast<ActivityKind>(kind), title,
                                              static_cast<std::uint32_t>(0)};
               }
               CO_API_CHECK(co_await s.accounts.set_presence(user.id, presence));
               co_return api::no_content();
             }));
}

}  // namespace argon::clientapi
