// VoiceService: calls from a person to a bot (ICalls/v20260401 and the people's /api/v1/calls).
// The calls live in a CallRegistry (in process, or the store's `calls` with several nodes); every
// change and its events commit together, so a call ends once whichever node ends it.
#include <boost/json/serialize.hpp>

#include "argon/services/user_locales.hpp"
#include "argon/services/voice.hpp"
#include "argon/store/accounts_repo.hpp"

namespace argon::services {
namespace json = boost::json;

namespace {
void append_direct(EventBatch& batch, store::Connection& c, const std::string& stream,
                   const char* type, json::object payload, std::int64_t now) {
  batch.append(c, stream, type, std::nullopt, json::serialize(payload), now);
}
}  // namespace

Task<Result<Uuid>> VoiceService::start_call(const Uuid& caller_id, const Uuid& callee_id) {
  const std::int64_t now = ctx_.now_ms();
  CallRecord call{ctx_.random.uuid(), caller_id, callee_id,
                  CallState::Ringing, now,       now + settings_.ring_timeout_ms};
  EventBatch batch{ctx_};
  // Recorded before callIncoming goes out: the bot may accept the moment it sees it.
  CallChange also = [this, &batch](store::Connection& c, const CallRecord& call) -> Status {
    batch.clear();
    auto callee = store::users::find(c, call.callee);
    if (!callee || !callee->is_bot())
      return Error::not_found("not_found", "No bot with that user id.");
    // fromLocale: the caller's current app locale at ring time (UPSTREAM.md §5).
    append_direct(batch, c, events::bot_stream(call.callee), "callIncoming",
                  json::object{{"callId", call.id.str()},
                               {"fromUserId", call.caller.str()},
                               {"fromLocale", locale_json(ctx_, call.caller)}},
                  call.started_at_ms);
    return {};
  };
  auto written = co_await calls_->create(call, also);
  if (!written) co_return written.error();
  if (ctx_.scheduler) {
    Uuid id = call.id;
    // This node's timer ends it on time; with several nodes, any node's sweep does if this one
    // is gone (ring_expires_at).
    ctx_.scheduler->schedule(settings_.ring_timeout_ms, [this, id] {
      end_call_later(id, "timeout", call_states(CallState::Ringing));
    });
  }
  co_return call.id;
}

void VoiceService::end_call_later(Uuid call_id, std::string why, CallStates from) {
  start_background(
      ctx_, [this, call_id, why, from] { return end_call(call_id, why, from); }, "ending a call");
}

Task<Status> VoiceService::end_call(Uuid call_id, std::string why, CallStates from) {
  EventBatch batch{ctx_};
  const std::int64_t now = ctx_.now_ms();
  CallChange also = [&batch, why, now](store::Connection& c, const CallRecord& call) -> Status {
    batch.clear();
    json::object payload{{"callId", call.id.str()}};
    append_direct(batch, c, events::bot_stream(call.callee), "callEnded", payload, now);
    payload["reason"] = why;
    append_direct(batch, c, events::user_stream(call.caller), "callEnded", payload, now);
    return {};
  };
  auto moved = co_await calls_->transition(call_id, from, CallState::Ended, also);
  if (!moved) co_return moved.error();
  if (!*moved) co_return Status{};  // ended already (or never was)
  CallRecord before = **moved;
  if (before.state == CallState::Accepted) {
    // Their sockets close on the node serving the call's room.
    std::string room = call_room(call_id);
    co_await kick_on_owner(room, before.callee, 1000, why);
    co_await kick_on_owner(room, before.caller, 1000, why);
  }
  co_return Status{};
}

Task<Status> VoiceService::hang_up(const Uuid& person_id, const Uuid& call_id) {
  auto call = co_await calls_->find(call_id);
  if (!call || call->caller != person_id || call->state == CallState::Ended)
    co_return Error::not_found("not_found", "No such call.");
  (void)co_await end_call(call_id, "hung_up");
  co_return Status{};
}

Task<Result<CallRecord>> VoiceService::callee_call(const BotIdentity& bot, const Uuid& call_id) {
  auto call = co_await calls_->find(call_id);
  if (!call || call->callee != bot.user.id)
    co_return Error::forbidden("not_callee", "This call is not directed at this bot");
  co_return *call;
}

Task<Result<VoiceGrantResult>> VoiceService::accept_call(const BotIdentity& bot,
                                                         const Uuid& call_id) {
  auto call = co_await callee_call(bot, call_id);
  if (!call) co_return call.error();
  if (call->state != CallState::Ringing)
    co_return Error::bad_request("not_ringing", "Call is not in ringing state");
  std::string room = call_room(call_id);
  // The call's room is served by the node that accepts it (unless one serves it already).
  auto placed = co_await place(room, true, false);
  if (!placed) co_return Error::bad_request("accept_failed", "Failed to accept call");
  std::string base = placed->ws_base;
  VoiceGrantResult grant{sign(bot.user.id, room, call->caller, true), base, room, call->caller, ""};
  // The caller gets their own token to join the call's room.
  std::string caller_token = sign(call->caller, room, bot.user.id, true);
  EventBatch batch{ctx_};
  const std::int64_t now = ctx_.now_ms();
  CallChange also = [&batch, &caller_token, &room, &base, now](store::Connection& c,
                                                               const CallRecord& before) -> Status {
    batch.clear();
    append_direct(batch, c, events::user_stream(before.caller), "callAccepted",
                  json::object{{"callId", before.id.str()},
                               {"token", caller_token},
                               {"url", base + "/audio/voice"},
                               {"roomName", room}},
                  now);
    return {};
  };
  auto moved = co_await calls_->transition(call_id, call_states(CallState::Ringing),
                                           CallState::Accepted, also);
  if (!moved) co_return Error::bad_request("accept_failed", "Failed to accept call");
  if (!*moved) co_return Error::bad_request("not_ringing", "Call is not in ringing state");
  co_return grant;
}

Task<Result<bool>> VoiceService::reject_call(const BotIdentity& bot, const Uuid& call_id,
                                             const std::string& reason) {
  auto call = co_await callee_call(bot, call_id);
  if (!call) co_return call.error();
  if (call->state == CallState::Ended) co_return false;  // nothing left to reject
  (void)reason;  // the reason is the bot's to log; the caller is told it was rejected
  (void)co_await end_call(call_id, "rejected");
  co_return true;
}

Task<std::vector<std::pair<Uuid, Uuid>>> VoiceService::ringing(const BotIdentity& bot) {
  auto calls = co_await calls_->ringing_for(bot.user.id);
  std::vector<std::pair<Uuid, Uuid>> out;
  for (const auto& call : calls) out.emplace_back(call.id, call.caller);
  co_return out;
}

Task<Result<VoiceGrantResult>> VoiceService::subscribe_call_track(const BotIdentity& bot,
                                                                  const Uuid& call_id) {
  auto call = co_await callee_call(bot, call_id);
  if (!call) co_return call.error();
  if (call->state != CallState::Accepted)
    co_return Error::bad_request("not_accepted", "Call is not in accepted state");
  std::string room = call_room(call_id);
  auto placed = co_await place(room, true, false);
  if (!placed) co_return placed.error();
  co_return VoiceGrantResult{sign(bot.user.id, room, call->caller, false),
                             placed->ws_base + "/audio/subscribe", room, call->caller, ""};
}

}  // namespace argon::services
