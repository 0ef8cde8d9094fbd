#pragma once
// State that operations keep outside the store (DESIGN.md "Many nodes"), behind interfaces: one
// node uses the in-process implementations (local_state.hpp); a cluster plugs in shared ones
// (the store, the bus, or one owning node) without touching the services. Voice rooms have
// theirs in voice_rooms.hpp.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "argon/domain/task.hpp"
#include "argon/domain/uuid.hpp"

namespace argon::services {

// Who is typing where, with the expiry timer of DECISIONS.md §9: exactly one typingStop per
// typing session, whether it ends by Stop or by expiry, whichever node sees either.
class TypingTimers {
 public:
  struct Key {
    Uuid channel_id;
    Uuid user_id;
    auto operator<=>(const Key&) const = default;
  };
  // Called once when a session expires (no arm/disarm for expiry_ms); emits the typingStop.
  using OnExpire = std::function<void(const Key& key, const Uuid& space_id)>;

  virtual ~TypingTimers() = default;
  virtual void set_on_expire(OnExpire on_expire) = 0;
  // Starts a session or re-arms it (a newer Start supersedes the older timer).
  virtual Task<void> arm(Key key, Uuid space_id, std::int64_t expiry_ms) = 0;
  // Ends the session: its space when there was one (the caller emits the stop), else nullopt
  // (never started, already stopped or expired: no second stop).
  virtual Task<std::optional<Uuid>> disarm(Key key) = 0;
  // Sessions in progress (tests, metrics; may read the store).
  virtual std::size_t active() const = 0;
};

// How many event streams each bot has open: Online while at least one is (DECISIONS.md §7).
class PresenceCounter {
 public:
  virtual ~PresenceCounter() = default;
  // Adds delta (+1 opened, -1 closed) to the owner's open streams (this node's, counted with
  // every other node's); returns the count after, across all nodes.
  virtual Task<int> add(Uuid owner, int delta) = 0;
  virtual int count(const Uuid& owner) const = 0;
};

}  // namespace argon::services
