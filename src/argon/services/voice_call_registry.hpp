#pragma once
// The calls (a person calls a bot user, DECISIONS.md §10) as state shared by the nodes: in
// memory on one node (LocalCallRegistry), in the store's `calls` table for several
// (StoreCallRegistry), where a conditional UPDATE moves a call exactly once whichever node asks
// (accept, hang up, the ring timeout of any node's timer or sweep).
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "argon/domain/clock.hpp"
#include "argon/domain/result.hpp"
#include "argon/domain/task.hpp"
#include "argon/domain/uuid.hpp"
#include "argon/store/database.hpp"

namespace argon::services {

enum class CallState { Ringing = 0, Accepted = 1, Ended = 2 };

// A set of states, for transitions: bit 1 << state.
using CallStates = unsigned;
constexpr CallStates call_states(CallState s) {
  return 1u << static_cast<unsigned>(s);
}
constexpr CallStates kCallLive = call_states(CallState::Ringing) | call_states(CallState::Accepted);

struct CallRecord {
  Uuid id;
  Uuid caller;
  Uuid callee;  // the bot user
  CallState state = CallState::Ringing;
  std::int64_t started_at_ms = 0;
  std::int64_t ring_expires_at_ms = 0;
};

// What goes with a call's change (its events), like VoiceChange (voice_rooms.hpp): in the
// change's own transaction (store) or one right after it (in process); an error undoes the
// change. `call` is the call as it was before the change. It may run more than once.
using CallChange = std::function<Status(store::Connection&, const CallRecord& call)>;

class CallRegistry {
 public:
  virtual ~CallRegistry() = default;
  // Records a new call (known to find() at once, before `also` committed); an error from `also`
  // forgets it again.
  virtual Task<Status> create(CallRecord call, CallChange also) = 0;
  virtual Task<std::optional<CallRecord>> find(Uuid id) = 0;
  // Moves the call to `to` if it is in one of `from`: → the call as it was (and `also` ran), or
  // nullopt when it is unknown or in another state (exactly one of concurrent callers moves it).
  virtual Task<Result<std::optional<CallRecord>>> transition(Uuid id, CallStates from, CallState to,
                                                             CallChange also) = 0;
  // The callee's ringing calls, oldest first.
  virtual Task<std::vector<CallRecord>> ringing_for(Uuid callee) = 0;
  // Ends every ringing call whose ring time is over at now_ms (`also` for each, in the same
  // transaction) → those calls. Also forgets calls that ended long ago.
  virtual Task<Result<std::vector<CallRecord>>> expire(std::int64_t now_ms, CallChange also) = 0;
};

class LocalCallRegistry final : public CallRegistry {
 public:
  explicit LocalCallRegistry(store::Database& db) : db_(db) {}

  Task<Status> create(CallRecord call, CallChange also) override;
  Task<std::optional<CallRecord>> find(Uuid id) override;
  Task<Result<std::optional<CallRecord>>> transition(Uuid id, CallStates from, CallState to,
                                                     CallChange also) override;
  Task<std::vector<CallRecord>> ringing_for(Uuid callee) override;
  Task<Result<std::vector<CallRecord>>> expire(std::int64_t now_ms, CallChange also) override;

 private:
  store::Database& db_;
  std::mutex mutex_;
  std::map<Uuid, CallRecord> calls_;
};

// Table calls (id, caller_id, callee_id, state, started_at, ring_expires_at).
class StoreCallRegistry final : public CallRegistry {
 public:
  // Ended calls are forgotten after `keep_ended_ms`.
  explicit StoreCallRegistry(store::Database& db, std::int64_t keep_ended_ms = 3600 * 1000)
      : db_(db), keep_ended_ms_(keep_ended_ms) {}

  Task<Status> create(CallRecord call, CallChange also) override;
  Task<std::optional<CallRecord>> find(Uuid id) override;
  Task<Result<std::optional<CallRecord>>> transition(Uuid id, CallStates from, CallState to,
                                                     CallChange also) override;
  Task<std::vector<CallRecord>> ringing_for(Uuid callee) override;
  Task<Result<std::vector<CallRecord>>> expire(std::int64_t now_ms, CallChange also) override;

 private:
  store::Database& db_;
  std::int64_t keep_ended_ms_;
};

}  // namespace argon::services
