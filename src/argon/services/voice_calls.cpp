// VoiceService: calls from a person to a bot (ICalls/v20260401 and the people's /api/v1/calls).
#include <boost/json/serialize.hpp>

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
  Call call{ctx_.random.uuid(), caller_id, callee_id, CallState::Ringing, ctx_.now_ms()};
  // Known before callIncoming goes out: the bot may accept the moment it sees it.
  {
    std::lock_guard lock(mutex_);
    calls_[call.id] = call;
  }
  EventBatch batch{ctx_};
  auto written = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto callee = store::users::find(c, callee_id);
    if (!callee || !callee->is_bot())
      return Error::not_found("not_found", "No bot with that user id.");
    append_direct(batch, c, events::bot_stream(callee_id), "callIncoming",
                  json::object{{"callId", call.id.str()}, {"fromUserId", caller_id.str()}},
                  call.started_at_ms);
    return {};
  });
  if (!written) {
    std::lock_guard lock(mutex_);
    calls_.erase(call.id);
    co_return written.error();
  }
  if (ctx_.scheduler) {
    Uuid id = call.id;
    ctx_.scheduler->schedule(settings_.ring_timeout_ms, [this, id] {
      bool ringing = false;
      {
        std::lock_guard lock(mutex_);
        auto it = calls_.find(id);
        ringing = it != calls_.end() && it->second.state == CallState::Ringing;
      }
      if (ringing) end_call_later(id, "timeout");
    });
  }
  co_return call.id;
}

void VoiceService::end_call_later(Uuid call_id, std::string why) {
  start_background(
      ctx_, [this, call_id, why] { return end_call(call_id, why); }, "ending a call");
}

Task<Status> VoiceService::end_call(Uuid call_id, std::string why) {
  Call call;
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(call_id);
    if (it == calls_.end() || it->second.state == CallState::Ended) co_return Status{};
    it->second.state = CallState::Ended;
    call = it->second;
  }
  relay_.kick(call_room(call_id), call.callee, 1000, why);
  relay_.kick(call_room(call_id), call.caller, 1000, why);
  EventBatch batch{ctx_};
  auto written = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    json::object payload{{"callId", call_id.str()}};
    append_direct(batch, c, events::bot_stream(call.callee), "callEnded", payload, ctx_.now_ms());
    payload["reason"] = why;
    append_direct(batch, c, events::user_stream(call.caller), "callEnded", payload, ctx_.now_ms());
    return {};
  });
  co_return written;
}

Task<Status> VoiceService::hang_up(const Uuid& person_id, const Uuid& call_id) {
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(call_id);
    if (it == calls_.end() || it->second.caller != person_id ||
        it->second.state == CallState::Ended)
      co_return Error::not_found("not_found", "No such call.");
  }
  co_await end_call(call_id, "hung_up");
  co_return Status{};
}

Result<VoiceService::Call> VoiceService::callee_call(const BotIdentity& bot, const Uuid& call_id) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_id);
  if (it == calls_.end() || it->second.callee != bot.user.id)
    return Error::forbidden("not_callee", "This call is not directed at this bot");
  return it->second;
}

Task<Result<VoiceGrantResult>> VoiceService::accept_call(const BotIdentity& bot,
                                                         const Uuid& call_id) {
  auto call = callee_call(bot, call_id);
  if (!call) co_return call.error();
  {
    std::lock_guard lock(mutex_);
    auto& stored = calls_[call_id];
    if (stored.state != CallState::Ringing)
      co_return Error::bad_request("not_ringing", "Call is not in ringing state");
    stored.state = CallState::Accepted;
  }
  std::string room = call_room(call_id);
  VoiceGrantResult grant{sign(bot.user.id, room, call->caller, true), ws_base(), room, call->caller,
                         ""};
  // The caller gets their own token to join the call's room.
  std::string caller_token = sign(call->caller, room, bot.user.id, true);
  EventBatch batch{ctx_};
  auto written = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    append_direct(batch, c, events::user_stream(call->caller), "callAccepted",
                  json::object{{"callId", call_id.str()},
                               {"token", caller_token},
                               {"url", ws_base() + "/audio/voice"},
                               {"roomName", room}},
                  ctx_.now_ms());
    return {};
  });
  if (!written) co_return Error::bad_request("accept_failed", "Failed to accept call");
  co_return grant;
}

Task<Result<bool>> VoiceService::reject_call(const BotIdentity& bot, const Uuid& call_id,
                                             const std::string& reason) {
  auto call = callee_call(bot, call_id);
  if (!call) co_return call.error();
  if (call->state == CallState::Ended) co_return false;  // nothing left to reject
  (void)reason;  // the reason is the bot's to log; the caller is told it was rejected
  co_await end_call(call_id, "rejected");
  co_return true;
}

std::vector<std::pair<Uuid, Uuid>> VoiceService::ringing(const BotIdentity& bot) {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<Uuid, Uuid>> out;
  for (const auto& [id, call] : calls_)
    if (call.callee == bot.user.id && call.state == CallState::Ringing)
      out.emplace_back(id, call.caller);
  return out;
}

Result<VoiceGrantResult> VoiceService::subscribe_call_track(const BotIdentity& bot,
                                                            const Uuid& call_id) {
  auto call = callee_call(bot, call_id);
  if (!call) return call.error();
  if (call->state != CallState::Accepted)
    return Error::bad_request("not_accepted", "Call is not in accepted state");
  std::string room = call_room(call_id);
  return VoiceGrantResult{sign(bot.user.id, room, call->caller, false),
                          ws_base() + "/audio/subscribe", room, call->caller, ""};
}

}  // namespace argon::services
