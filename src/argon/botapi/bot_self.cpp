// IBotSelf/v1: the bot's own identity and spaces.
#include <boost/json/array.hpp>

#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::botapi {
namespace json = boost::json;

http::Response get_me_response(const services::BotIdentity& bot) {
  std::string bot_id = bot.app.id.str();
  return api::json_response(
      200, json::object{{"botId", bot_id},
                        {"userId", bot.user.id.str()},
                        {"username", bot.user.username},
                        {"displayName", bot.user.display_name},
                        {"avatarUrl", wire::string_or_null(bot.user.avatar_url)},
                        {"email", bot_id + "+" + bot.user.username + "@noreply.argon.gl"}});
}

void add_bot_self_handlers(HandlerTable& table, BotServices& s) {
  table["IBotSelf.GetMe"] = [](BotCall& call) -> Task<Result<http::Response>> {
    co_return get_me_response(call.bot);
  };

  table["IBotSelf.GetSpaces"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    json::array spaces;
    auto found = co_await s.bots.spaces_of(call.bot.user.id);
    for (const auto& space : found)
      spaces.push_back(json::object{{"spaceId", space.id.str()},
                                    {"name", space.name},
                                    {"description", wire::string_or_null(space.description)}});
    co_return api::json_response(200, json::object{{"spaces", std::move(spaces)}});
  };
}

}  // namespace argon::botapi
