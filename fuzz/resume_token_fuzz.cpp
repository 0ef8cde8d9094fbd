// The SSE resume token: the Last-Event-ID header or lastEventId query parameter a bot or person
// reconnects with (botapi/events.cpp, clientapi/events.cpp → StreamService), parsed by
// events::parse_resume_token: a heartbeat cursor "{spaceHex}:{seq},…,direct:{seq}" or one event
// id "{spaceHex}_{seq}" / "direct_{seq}" / "user_{seq}".
//
// Input: the header's value. Parsed as a bot's token (own stream bot:…) and as a person's
// (user:…).
//
// Invariants:
//  - a parsed cursor re-serialises (format_cursor) to text that parses back to the same cursor
//    and re-serialises to the same text byte for byte (the canonical form is a fixed point);
//  - every stream in a cursor is a space stream (space:{uuid}) or the connection's own stream,
//    every seq is >= 0;
//  - an event id names a space stream or the own stream, with seq >= 0;
//  - the empty token, "0", "ready" and "resumed" (and surrounding blanks) give an empty token.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "argon/events/event_log.hpp"
#include "argon/events/stream_ids.hpp"
#include "fuzz_check.hpp"

namespace {

using argon::events::Cursor;
using argon::fuzz::quoted;

void check_stream(const std::string& stream, const std::string& own, std::string_view text) {
  if (stream == own) return;
  FUZZ_CHECK(stream.starts_with("space:"), stream + " from " + quoted(text));
  auto id = argon::Uuid::parse(std::string_view(stream).substr(6));
  FUZZ_CHECK(id && argon::events::space_stream(*id) == stream, stream + " from " + quoted(text));
}

void check(std::string_view text, const std::string& own) {
  const argon::events::ResumeToken token = argon::events::parse_resume_token(text, own);
  for (const auto& [stream, seq] : token.cursor) {
    check_stream(stream, own, text);
    FUZZ_CHECK(seq >= 0, quoted(text));
  }
  if (token.event) {
    FUZZ_CHECK(token.cursor.empty(), quoted(text));
    check_stream(token.event->first, own, text);
    FUZZ_CHECK(token.event->second >= 0, quoted(text));
  }
  const std::string formatted = argon::events::format_cursor(token.cursor);
  const auto again = argon::events::parse_resume_token(formatted, own);
  FUZZ_CHECK(again.cursor == token.cursor && !again.event,
             quoted(text) + " formats as " + quoted(formatted) + ", which parses differently");
  FUZZ_CHECK(argon::events::format_cursor(again.cursor) == formatted, quoted(formatted));
}

bool blank(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::string bot =
      argon::events::bot_stream(*argon::Uuid::parse("11111111-2222-4333-8444-555555555555"));
  static const std::string person =
      argon::events::user_stream(*argon::Uuid::parse("66666666-7777-4888-9999-aaaaaaaaaaaa"));
  check(text, bot);
  check(text, person);

  std::string_view trimmed = text;
  while (!trimmed.empty() && blank(trimmed.front())) trimmed.remove_prefix(1);
  while (!trimmed.empty() && blank(trimmed.back())) trimmed.remove_suffix(1);
  if (trimmed.empty() || trimmed == "0" || trimmed == "ready" || trimmed == "resumed")
    FUZZ_CHECK(argon::events::parse_resume_token(text, bot).empty(), quoted(text));
  return 0;
}
