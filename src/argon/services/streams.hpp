#pragma once
// Opening live event streams for bots (IEvents/Stream) and people (/api/v1/events): which
// streams they follow, where they resume (DECISIONS.md §7), what they may see (intents), and a
// bot's presence (Online while at least one of its streams is open).
#include <map>
#include <memory>
#include <mutex>

#include "argon/events/hub.hpp"
#include "argon/services/accounts.hpp"
#include "argon/services/bots.hpp"

namespace argon::services {

struct StreamLimits {
  std::int64_t resume_window_ms = 600000;  // how long a disconnected stream's position is kept
};

class StreamService {
 public:
  StreamService(Context& ctx, events::Hub& hub, AccountService& accounts, StreamLimits limits)
      : ctx_(ctx), hub_(hub), accounts_(accounts), limits_(limits) {}

  // `intents` must already be valid (see parse_intents). Privileged bits are dropped for
  // unverified bots; `ready` reports the effective mask.
  std::shared_ptr<events::StreamConnection> open_bot(const BotIdentity& bot, std::int64_t intents,
                                                     const std::optional<std::string>& resume,
                                                     std::shared_ptr<events::FrameSink> sink,
                                                     std::function<void()> on_closed);
  std::shared_ptr<events::StreamConnection> open_person(const User& person,
                                                        const std::optional<std::string>& resume,
                                                        std::shared_ptr<events::FrameSink> sink,
                                                        std::function<void()> on_closed);
  void closed(const std::shared_ptr<events::StreamConnection>& connection) {
    hub_.closed(connection);
  }

  // The `intents` query value: absent → every non-privileged intent (12253); otherwise a
  // non-negative integer with at least one known bit, or 0 (lifecycle only); else 403
  // missing_intents.
  static Result<std::int64_t> parse_intents(const std::string* text);
  static std::int64_t effective_intents(std::int64_t requested, bool verified);

 private:
  struct Start {
    events::Cursor cursor;
    bool resumed_always = false;
    bool resumed_if_replayed = false;
  };
  Start resume_position(const Uuid& owner, const std::string& own_stream,
                        const std::vector<std::string>& streams,
                        const std::optional<std::string>& resume);
  void bot_presence(const Uuid& bot_user_id, int delta);

  Context& ctx_;
  events::Hub& hub_;
  AccountService& accounts_;
  StreamLimits limits_;
  std::mutex presence_mutex_;
  std::map<Uuid, int> open_streams_;  // bot user id → open streams on this node
};

}  // namespace argon::services
