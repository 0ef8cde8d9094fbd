#include "argon/botapi/routes.hpp"

#include "argon/api/respond.hpp"
#include "argon/domain/bot_token.hpp"

namespace argon::botapi {

void register_routes(http::Router& router, BotServices& s) {
  register_bot_self_routes(router, s);
}

void add_bot_route(http::Router& router, const std::string& method, const std::string& path,
                   http::Handler handler) {
  http::RouteOptions ci{.case_insensitive = true};
  router.add(method, path, handler, ci);
  router.add(method, "/api/bot" + path, std::move(handler), ci);
}

namespace {
bool is_interface_segment(const std::string& s) {
  return s.size() > 1 && (s[0] == 'I' || s[0] == 'i');
}
}  // namespace

bool rewrite_path_token(http::Request& req) {
  auto& seg = req.segments;
  std::size_t at;
  if (seg.size() >= 4 && looks_like_bot_token(seg[0]) && is_interface_segment(seg[1])) {
    at = 0;
  } else if (seg.size() >= 6 && http::iequals_ascii(seg[0], "api") &&
             http::iequals_ascii(seg[1], "bot") && looks_like_bot_token(seg[2]) &&
             is_interface_segment(seg[3])) {
    at = 2;
  } else {
    return false;
  }
  std::string token = seg[at];
  seg.erase(seg.begin() + static_cast<std::ptrdiff_t>(at));
  std::string path;
  for (const auto& s : seg) path += "/" + s;
  req.path = path;
  bool replaced = false;
  for (auto& [name, value] : req.headers)
    if (name == "authorization") {
      value = "Bot " + token;
      replaced = true;
    }
  if (!replaced) req.headers.emplace_back("authorization", "Bot " + token);
  return true;
}

Result<services::BotIdentity> authenticate_bot(const http::Request& request,
                                               services::BotService& bots) {
  auto token = api::authorization_credentials(request, "Bot");
  if (!token) return Error::unauthorized("Missing or invalid bot token.");
  return bots.authenticate(*token);
}

}  // namespace argon::botapi
