#pragma once
// Messages and typing, one operation for people and bots alike.
#include <memory>
#include <vector>

#include "argon/domain/message_content.hpp"
#include "argon/services/access.hpp"
#include "argon/services/context.hpp"
#include "argon/services/shared_state.hpp"

namespace argon::services {

struct SendRequest {
  Uuid channel_id;
  MessageContent content;
  std::optional<std::int64_t> random_id;
  std::optional<std::int64_t> reply_to;
};

struct SendResult {
  std::int64_t message_id = 0;
  bool duplicate = false;  // an earlier send with the same randomId
};

struct EditRequest {
  Uuid channel_id;  // nil = any channel (people address a message by id only)
  std::int64_t message_id = 0;
  std::optional<std::string> text;                  // nullopt keeps
  std::optional<std::vector<Entity>> entities;      // nullopt keeps
  std::optional<std::vector<ControlRow>> controls;  // nullopt keeps, empty clears
};

struct HistoryRequest {
  Uuid channel_id;
  std::optional<std::int64_t> from;   // exclusive upper bound
  std::optional<std::int64_t> limit;  // default 50, clamped 1..100
};

class MessageService {
 public:
  explicit MessageService(Context& ctx) : ctx_(ctx) {}

  // Needs SendMessages in a text channel. Emits messageCreate unless it is a duplicate.
  Task<Result<SendResult>> send(const Caller& caller, SendRequest request);
  // Own messages only (404 message_not_found otherwise). Emits messageEdit.
  Task<Status> edit(const Caller& caller, EditRequest request);
  // Needs ReadHistory. Newest first.
  Task<Result<std::vector<Message>>> history(const Caller& caller, HistoryRequest request);

  // Drops randomId keys older than the retention (run periodically).
  Task<std::int64_t> prune_dedupe_keys();

 private:
  Context& ctx_;
};

enum class TypingKind { Typing, Thinking, Uploading, Searching };
std::optional<TypingKind> parse_typing_kind(std::string_view name);
std::string_view typing_kind_wire(TypingKind kind);  // "TYPING", … (DECISIONS.md §3)

// typingStart on every Start, one typingStop on Stop or after the expiry (DECISIONS.md §9). Who
// is typing lives behind the TypingTimers seam (shared_state.hpp).
class TypingService {
 public:
  // timers: null = an in-process LocalTypingTimers on ctx.scheduler.
  explicit TypingService(Context& ctx, TypingTimers* timers = nullptr);
  ~TypingService();

  // kind: nullopt for people (events carry null), a kind for bots.
  Task<Status> start(Caller caller, Uuid channel_id, std::optional<TypingKind> kind);
  Task<Status> stop(Caller caller, Uuid channel_id);
  std::size_t active_count() const;

 private:
  using Key = TypingTimers::Key;
  Task<Status> emit_stop(Key key, Uuid space_id);

  Context& ctx_;
  std::unique_ptr<TypingTimers> owned_timers_;
  TypingTimers& timers_;
};

}  // namespace argon::services
