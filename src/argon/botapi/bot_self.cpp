// IBotSelf/v1: the bot's own identity and spaces.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"

namespace argon::botapi {
namespace json = boost::json;

void register_bot_self_routes(http::Router& router, BotServices& s) {
  add_bot_route(router, "GET", "/IBotSelf/v1/GetMe", [&s](http::Request& req) {
    API_TRY(bot, authenticate_bot(req, s.bots));
    std::string bot_id = bot.app.id.str();
    json::value avatar = nullptr;
    if (bot.user.avatar_url) avatar = *bot.user.avatar_url;
    return api::json_response(
        200, json::object{{"botId", bot_id},
                          {"userId", bot.user.id.str()},
                          {"username", bot.user.username},
                          {"displayName", bot.user.display_name},
                          {"avatarUrl", std::move(avatar)},
                          {"email", bot_id + "+" + bot.user.username + "@noreply.argon.gl"}});
  });

  add_bot_route(router, "GET", "/IBotSelf/v1/GetSpaces", [&s](http::Request& req) {
    API_TRY(bot, authenticate_bot(req, s.bots));
    json::array spaces;
    for (const auto& space : s.bots.spaces_of(bot.user.id)) {
      json::value description = nullptr;
      if (space.description) description = *space.description;
      spaces.push_back(json::object{{"spaceId", space.id.str()},
                                    {"name", space.name},
                                    {"description", std::move(description)}});
    }
    return api::json_response(200, json::object{{"spaces", std::move(spaces)}});
  });
}

}  // namespace argon::botapi
