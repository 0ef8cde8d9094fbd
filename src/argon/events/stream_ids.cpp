#include "argon/events/stream_ids.hpp"

#include <charconv>
#include <vector>

namespace argon::events {
namespace {
std::optional<std::int64_t> parse_seq(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// "space:{uuid}" for a 32-hex space id, the own stream for "direct"/"user".
std::optional<std::string> stream_of(std::string_view key, const std::string& own_stream) {
  if (key == "direct" || key == "user") return own_stream;
  auto id = Uuid::parse(key);
  if (!id || key.size() != 32) return std::nullopt;
  return space_stream(*id);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

// The stream names of event_log.hpp (here, with the other wire names, so that the resume token
// parser links without the store: fuzz/resume_token_fuzz.cpp).
std::string space_stream(const Uuid& space_id) {
  return "space:" + space_id.str();
}
std::string bot_stream(const Uuid& bot_user_id) {
  return "bot:" + bot_user_id.str();
}
std::string user_stream(const Uuid& user_id) {
  return "user:" + user_id.str();
}

std::string wire_event_id(const EventRecord& r) {
  std::string_view stream(r.stream);
  if (stream.starts_with("space:") && r.space_id)
    return r.space_id->hex() + "_" + std::to_string(r.seq);
  if (stream.starts_with("space:")) {
    if (auto id = Uuid::parse(stream.substr(6))) return id->hex() + "_" + std::to_string(r.seq);
  }
  if (stream.starts_with("bot:")) return "direct_" + std::to_string(r.seq);
  return "user_" + std::to_string(r.seq);
}

std::string sse_frame(std::string_view id, std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(id.size() + event.size() + data.size() + 24);
  out.append("id: ")
      .append(id)
      .append("\nevent: ")
      .append(event)
      .append("\ndata: ")
      .append(data)
      .append("\n\n");
  return out;
}

std::string format_cursor(const Cursor& cursor) {
  // Space positions first, as DECISIONS.md §7 writes them; the own stream (direct:/user:) last.
  std::string spaces, own;
  for (const auto& [stream, seq] : cursor) {
    std::string_view s(stream);
    if (s.starts_with("space:")) {
      auto id = Uuid::parse(s.substr(6));
      if (!id) continue;
      if (!spaces.empty()) spaces.push_back(',');
      spaces.append(id->hex()).append(":").append(std::to_string(seq));
    } else {
      own.append(s.starts_with("bot:") ? "direct:" : "user:").append(std::to_string(seq));
    }
  }
  if (!own.empty()) spaces.append(spaces.empty() ? "" : ",").append(own);
  return spaces.empty() ? "0" : spaces;
}

ResumeToken parse_resume_token(std::string_view text, const std::string& own_stream) {
  ResumeToken token;
  text = trim(text);
  if (text.empty() || text == "ready" || text == "resumed" || text == "0") return token;
  if (text.find(':') != std::string_view::npos) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find(',', start);
      std::string_view part = trim(
          text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      auto colon = part.find(':');
      if (colon != std::string_view::npos) {
        auto stream = stream_of(part.substr(0, colon), own_stream);
        auto seq = parse_seq(part.substr(colon + 1));
        if (stream && seq) token.cursor[*stream] = *seq;
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    return token;
  }
  auto underscore = text.rfind('_');
  if (underscore == std::string_view::npos) return token;
  auto stream = stream_of(text.substr(0, underscore), own_stream);
  auto seq = parse_seq(text.substr(underscore + 1));
  if (stream && seq) token.event = std::make_pair(*stream, *seq);
  return token;
}

}  // namespace argon::events
