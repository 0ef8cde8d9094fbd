#include "argon/botapi/path_token.hpp"

#include "argon/domain/bot_token.hpp"

namespace argon::botapi {
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
  for (const auto& part : seg) path += "/" + part;
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

}  // namespace argon::botapi
