#include "argon/services/voice_call_registry.hpp"

#include <algorithm>

namespace argon::services {

// ---- LocalCallRegistry -------------------------------------------------------------------------

Task<Status> LocalCallRegistry::create(CallRecord call, CallChange also) {
  {
    std::lock_guard lock(mutex_);
    calls_[call.id] = call;
  }
  if (!also) co_return Status{};
  auto done = co_await db_.transact([&](store::Connection& c) { return also(c, call); });
  if (!done) {
    std::lock_guard lock(mutex_);
    calls_.erase(call.id);
  }
  co_return done;
}

Task<std::optional<CallRecord>> LocalCallRegistry::find(Uuid id) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(id);
  if (it == calls_.end()) co_return std::nullopt;
  co_return it->second;
}

Task<Result<std::optional<CallRecord>>> LocalCallRegistry::transition(Uuid id, CallStates from,
                                                                      CallState to,
                                                                      CallChange also) {
  CallRecord before;
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(id);
    if (it == calls_.end() || (from & call_states(it->second.state)) == 0)
      co_return std::optional<CallRecord>();
    before = it->second;
    it->second.state = to;
  }
  if (also) {
    auto done = co_await db_.transact([&](store::Connection& c) { return also(c, before); });
    if (!done) {
      std::lock_guard lock(mutex_);
      if (auto it = calls_.find(id); it != calls_.end() && it->second.state == to)
        it->second.state = before.state;
      co_return done.error();
    }
  }
  co_return std::optional<CallRecord>(before);
}

Task<std::vector<CallRecord>> LocalCallRegistry::ringing_for(Uuid callee) {
  std::vector<CallRecord> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, call] : calls_)
      if (call.callee == callee && call.state == CallState::Ringing) out.push_back(call);
  }
  std::sort(out.begin(), out.end(), [](const CallRecord& a, const CallRecord& b) {
    return a.started_at_ms < b.started_at_ms;
  });
  co_return out;
}

Task<Result<std::vector<CallRecord>>> LocalCallRegistry::expire(std::int64_t now_ms,
                                                                CallChange also) {
  std::vector<Uuid> due;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, call] : calls_)
      if (call.state == CallState::Ringing && call.ring_expires_at_ms <= now_ms) due.push_back(id);
  }
  std::vector<CallRecord> ended;
  for (const Uuid& id : due) {
    auto moved = co_await transition(id, call_states(CallState::Ringing), CallState::Ended, also);
    if (!moved) co_return moved.error();
    if (*moved) ended.push_back(**moved);
  }
  co_return ended;
}

// ---- StoreCallRegistry -------------------------------------------------------------------------

namespace {
constexpr const char* kSelectCall =
    "SELECT id, caller_id, callee_id, state, started_at, ring_expires_at FROM calls";

std::optional<CallRecord> call_of(const store::Row& r) {
  auto id = Uuid::parse(r.text(0));
  auto caller = Uuid::parse(r.text(1));
  auto callee = Uuid::parse(r.text(2));
  if (!id || !caller || !callee) return std::nullopt;
  return CallRecord{*id, *caller, *callee, static_cast<CallState>(r.i64(3)), r.i64(4), r.i64(5)};
}
}  // namespace

Task<Status> StoreCallRegistry::create(CallRecord call, CallChange also) {
  auto done = co_await db_.transact([&](store::Connection& c) -> Status {
    c.exec(
        "INSERT INTO calls (id, caller_id, callee_id, state, started_at, ring_expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        {call.id.str(), call.caller.str(), call.callee.str(),
         std::int64_t{static_cast<int>(call.state)}, call.started_at_ms, call.ring_expires_at_ms});
    if (also) return also(c, call);
    return {};
  });
  co_return done;
}

Task<std::optional<CallRecord>> StoreCallRegistry::find(Uuid id) {
  auto out = co_await db_.read([&](store::Connection& c) -> std::optional<CallRecord> {
    auto row = c.query_one(std::string(kSelectCall) + " WHERE id = $1", {id.str()});
    if (!row) return std::nullopt;
    return call_of(*row);
  });
  co_return out;
}

Task<Result<std::optional<CallRecord>>> StoreCallRegistry::transition(Uuid id, CallStates from,
                                                                      CallState to,
                                                                      CallChange also) {
  auto out = co_await db_.transact([&](store::Connection& c) -> Result<std::optional<CallRecord>> {
    // The row lock orders concurrent transitions: the second sees the first one's state.
    auto row = c.query_one(
        std::string(kSelectCall) + " WHERE id = $1" + std::string(c.for_update()), {id.str()});
    if (!row) return std::optional<CallRecord>();
    auto before = call_of(*row);
    if (!before || (from & call_states(before->state)) == 0) return std::optional<CallRecord>();
    c.exec("UPDATE calls SET state = $2 WHERE id = $1 AND state = $3",
           {id.str(), std::int64_t{static_cast<int>(to)},
            std::int64_t{static_cast<int>(before->state)}});
    if (also) ARGON_TRY(also(c, *before));
    return before;
  });
  co_return out;
}

Task<std::vector<CallRecord>> StoreCallRegistry::ringing_for(Uuid callee) {
  auto out = co_await db_.read([&](store::Connection& c) {
    std::vector<CallRecord> calls;
    for (const auto& r :
         c.query(std::string(kSelectCall) +
                     " WHERE callee_id = $1 AND state = $2 ORDER BY started_at, id",
                 {callee.str(), std::int64_t{static_cast<int>(CallState::Ringing)}}))
      if (auto call = call_of(r)) calls.push_back(*call);
    return calls;
  });
  co_return out;
}

Task<Result<std::vector<CallRecord>>> StoreCallRegistry::expire(std::int64_t now_ms,
                                                                CallChange also) {
  const std::int64_t forget_before = now_ms - keep_ended_ms_;
  auto out = co_await db_.transact([&](store::Connection& c) -> Result<std::vector<CallRecord>> {
    // One statement decides: of several nodes sweeping at once, each call ends for one of them.
    std::vector<CallRecord> ended;
    for (const auto& r :
         c.query("UPDATE calls SET state = $1 WHERE state = $2 AND ring_expires_at <= $3"
                 " RETURNING id, caller_id, callee_id, state, started_at, ring_expires_at",
                 {std::int64_t{static_cast<int>(CallState::Ended)},
                  std::int64_t{static_cast<int>(CallState::Ringing)}, now_ms})) {
      auto call = call_of(r);
      if (!call) continue;
      call->state = CallState::Ringing;  // as it was
      if (also) ARGON_TRY(also(c, *call));
      ended.push_back(*call);
    }
    c.exec("DELETE FROM calls WHERE state = $1 AND started_at < $2",
           {std::int64_t{static_cast<int>(CallState::Ended)}, forget_before});
    return ended;
  });
  co_return out;
}

}  // namespace argon::services
