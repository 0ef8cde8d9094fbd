#pragma once
// Opening live event streams for bots (IEvents/Stream) and people (/api/v1/events): which
// streams they follow, where they resume (DECISIONS.md §7), what they may see (intents), and a
// bot's presence (Online while at least one of its streams is open).
#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>

#include "argon/events/hub.hpp"
#include "argon/services/accounts.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/shared_state.hpp"

namespace argon::services {

struct StreamLimits {
  std::int64_t resume_window_ms = 600000;  // how long a disconnected stream's position is kept
};

// One entry of the bot's `ready.spaces` (UPSTREAM.md §3): {spaceId, grantedEntitlements (the
// bot's effective mask there, a u64 integer), pendingApproval (always false: no approval flow, so
// botEntitlementsUpdated is never sent)}.
boost::json::object ready_space_json(const Uuid& space_id, Entitlements granted);

class StreamService {
 public:
  // presence: null = an in-process LocalPresenceCounter.
  StreamService(Context& ctx, events::Hub& hub, AccountService& accounts, StreamLimits limits,
                PresenceCounter* presence = nullptr);
  ~StreamService();

  // `intents` must already be valid (see parse_intents). Privileged bits are dropped for
  // unverified bots; `ready` reports the effective mask.
  Task<std::shared_ptr<events::StreamConnection>> open_bot(BotIdentity bot, std::int64_t intents,
                                                           std::optional<std::string> resume,
                                                           std::shared_ptr<events::FrameSink> sink,
                                                           std::function<void()> on_closed);
  Task<std::shared_ptr<events::StreamConnection>> open_person(
      User person, std::optional<std::string> resume, std::shared_ptr<events::FrameSink> sink,
      std::function<void()> on_closed);
  // The same in two steps, so that what can fail (the store being unavailable) fails before the
  // HTTP response is committed to 200: prepare reads which streams to follow and from where;
  // attach registers the stream with the hub once the response started.
  Task<events::StreamSetup> prepare_bot(BotIdentity bot, std::int64_t intents,
                                        std::optional<std::string> resume);
  Task<std::shared_ptr<events::StreamConnection>> attach_bot(
      events::StreamSetup setup, std::shared_ptr<events::FrameSink> sink,
      std::function<void()> on_closed);
  Task<events::StreamSetup> prepare_person(User person, std::optional<std::string> resume);
  Task<std::shared_ptr<events::StreamConnection>> attach_person(
      events::StreamSetup setup, std::shared_ptr<events::FrameSink> sink,
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
  Task<Start> resume_position(const Uuid& owner, const std::string& own_stream,
                              const std::vector<std::string>& streams,
                              const std::optional<std::string>& resume);
  // Online when the bot's first stream opens, Offline when its last one closes.
  Task<void> bot_opened(Uuid bot_user_id);
  void bot_closed(Uuid bot_user_id);
  Task<Status> bot_left(Uuid bot_user_id);

 public:
  // A bot whose last stream went away (also when a dead node's streams are counted out).
  Task<Status> go_offline(Uuid bot_user_id);
  // At a stop: waits (at most `limit`) until the closed streams are counted out of presence, so
  // that counting out this node afterwards does not count them twice. False on the limit.
  bool wait_presence_settled(std::chrono::milliseconds limit) const;

 private:
  Context& ctx_;
  events::Hub& hub_;
  AccountService& accounts_;
  StreamLimits limits_;
  std::unique_ptr<PresenceCounter> owned_presence_;
  PresenceCounter& presence_;
  std::atomic<int> presence_updates_pending_{0};  // bot_left() started, not finished
};

}  // namespace argon::services
