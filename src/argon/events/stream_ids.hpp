#pragma once
// Event ids and resume tokens on the wire (DECISIONS.md §7):
//   space events   {spaceId as 32 hex}_{seq}
//   direct events  direct_{seq}          (a bot's own stream)
//   person events  user_{seq}            (a person's own stream; people's feed only)
//   heartbeat id   a cursor: {spaceHex}:{seq},… plus direct:{seq} / user:{seq}, or "0"
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "argon/domain/uuid.hpp"
#include "argon/events/event_log.hpp"

namespace argon::events {

using Cursor = std::map<std::string, std::int64_t>;  // stream → last seq processed

std::string wire_event_id(const EventRecord& record);
// The SSE frame of one event: `id:`, `event:`, `data:` (the payload on one line), blank line.
std::string sse_frame(std::string_view id, std::string_view event, std::string_view data);
std::string format_cursor(const Cursor& cursor);

struct ResumeToken {
  Cursor cursor;                                              // a heartbeat cursor
  std::optional<std::pair<std::string, std::int64_t>> event;  // a single event id
  bool empty() const { return cursor.empty() && !event; }
};
// `own_stream` is the connection's direct stream (bot:{id} or user:{id}). Unparseable tokens,
// `ready`, `resumed` and `0` give an empty token (the server-kept position applies).
ResumeToken parse_resume_token(std::string_view text, const std::string& own_stream);

}  // namespace argon::events
