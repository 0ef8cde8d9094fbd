// IBotSelf/v1: the bot's own identity and spaces.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::botapi {
namespace json = boost::json;

void add_bot_self_handlers(HandlerTable& table, BotServices& s) {
  table["IBotSelf.GetMe"] = [](BotCall& call) {
    const auto& bot = call.bot;
    std::string bot_id = bot.app.id.str();
    return api::json_response(
        200, json::object{{"botId", bot_id},
                          {"userId", bot.user.id.str()},
                          {"username", bot.user.username},
                          {"displayName", bot.user.display_name},
                          {"avatarUrl", wire::string_or_null(bot.user.avatar_url)},
                          {"email", bot_id + "+" + bot.user.username + "@noreply.argon.gl"}});
  };

  table["IBotSelf.GetSpaces"] = [&s](BotCall& call) {
    json::array spaces;
    for (const auto& space : s.bots.spaces_of(call.bot.user.id))
      spaces.push_back(json::object{{"spaceId", space.id.str()},
                                    {"name", space.name},
                                    {"description", wire::string_or_null(space.description)}});
    return api::json_response(200, json::object{{"spaces", std::move(spaces)}});
  };
}

}  // namespace argon::botapi
