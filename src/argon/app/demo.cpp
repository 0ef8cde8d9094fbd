#include "argon/app/demo.hpp"

#include <cstdio>

namespace argon::app {
namespace {
// "demo" on a fresh data dir; a numbered variant when a previous demo took the name.
std::string free_name(Runtime& rt, const std::string& base, std::uint32_t salt) {
  return salt == 0 ? base : base + std::to_string(salt % 10000);
}
}  // namespace

int run_demo(Runtime& rt, const std::string& listen) {
  std::string base_url = "http://" + listen;
  std::string password = crypto::random_token(rt.context().random, 12);
  Result<services::SessionGrant> person = Error::internal();
  std::string suffix_user, suffix_bot;
  for (std::uint32_t attempt = 0; attempt < 5; ++attempt) {
    std::uint32_t salt = 0;
    if (attempt > 0) {
      std::array<std::uint8_t, 4> b{};
      rt.context().random.fill(b);
      salt = (b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) | 1;
    }
    person = sync_wait(
        rt.accounts().register_person({free_name(rt, "demo", salt), password, "Demo Person"}));
    if (person || person.error().code != "username_taken") {
      suffix_user = person ? person->user.username : "";
      suffix_bot = salt == 0 ? "demo_bot" : "demo" + std::to_string(salt % 10000) + "_bot";
      break;
    }
  }
  if (!person) {
    std::fprintf(stderr, "argon demo: %s\n", person.error().message.value_or("").c_str());
    return 1;
  }
  auto space =
      sync_wait(rt.spaces().create_space(person->user.id, "Demo space", "Seeded by argon demo"));
  if (!space) return 1;
  auto app = sync_wait(rt.bots().create_app(person->user.id, {"Demo Bot", suffix_bot, "Demo Bot"}));
  if (!app) {
    std::fprintf(stderr, "argon demo: %s\n", app.error().message.value_or("").c_str());
    return 1;
  }
  auto installed = sync_wait(rt.bots().install(person->user.id, space->space.id, app->app.id));
  if (!installed) return 1;

  std::printf("argon demo seeded\n");
  std::printf("person: %s  password: %s\n", person->user.username.c_str(), password.c_str());
  std::printf("person token: %s\n", person->token.c_str());
  std::printf("space: %s  (general channel %s)\n", space->space.id.str().c_str(),
              space->channels.front().id.str().c_str());
  std::printf("bot: %s  app id: %s\n", app->app.bot_username.c_str(), app->app.id.str().c_str());
  std::printf("bot token: %s\n\n", app->token.c_str());
  // What to run next: the server on this data (the demo only wrote to it), then the lines below.
  const std::string store_url = rt.config().str("store.url");
  std::string database_flag;
  if (!store_url.empty()) database_flag = " --database '" + redacted_url(store_url) + "'";
  std::printf(
      "next, start the server on this data (unless it already runs):\n  argon serve "
      "--data-dir '%s'%s --listen %s\n",
      rt.config().str("server.data_dir").c_str(), database_flag.c_str(), listen.c_str());
  if (!store_url.empty() && store_url.find('@') != std::string::npos)
    std::printf("  (with the real password in place of *** in --database)\n");
  std::printf("then, in another terminal:\n\n");
  std::printf("try the bot:\n  curl -s -H 'Authorization: Bot %s' %s/IBotSelf/v1/GetMe\n",
              app->token.c_str(), base_url.c_str());
  std::printf("try the person:\n  curl -s -H 'Authorization: Bearer %s' %s/api/v1/spaces\n",
              person->token.c_str(), base_url.c_str());
  std::printf(
      "post as the person:\n  curl -s -H 'Authorization: Bearer %s' -H 'Content-Type: "
      "application/json' \\\n"
      "    -d '{\"text\":\"hello bot\"}' %s/api/v1/channels/%s/messages\n",
      person->token.c_str(), base_url.c_str(), space->channels.front().id.str().c_str());
  std::printf("listen as the bot:\n  curl -sN -H 'Authorization: Bot %s' %s/IEvents/v1/Stream\n",
              app->token.c_str(), base_url.c_str());
  std::printf(
      "  or, in Node with npm eventsource@2: new EventSource('%s/IEvents/v1/Stream', "
      "{headers: {Authorization: 'Bot %s'}})\n",
      base_url.c_str(), app->token.c_str());
  return 0;
}

}  // namespace argon::app
