#include "argon/services/voice.hpp"

#include <boost/json/serialize.hpp>

#include "argon/services/user_locales.hpp"
#include "argon/store/accounts_repo.hpp"
#include "argon/store/spaces_repo.hpp"
#include "argon/voice/jwt.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {
namespace json = boost::json;

std::string voice_room(const Uuid& space_id, const Uuid& channel_id) {
  return space_id.str() + "/" + channel_id.str();
}
std::string call_room(const Uuid& call_id) {
  return "call/" + call_id.str();
}

std::optional<std::pair<Uuid, Uuid>> parse_voice_room(const std::string& room) {
  auto slash = room.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto space = Uuid::parse(std::string_view(room).substr(0, slash));
  auto channel = Uuid::parse(std::string_view(room).substr(slash + 1));
  if (!space || !channel) return std::nullopt;
  return std::make_pair(*space, *channel);
}

std::optional<Uuid> parse_call_room(const std::string& room) {
  if (!room.starts_with("call/")) return std::nullopt;
  return Uuid::parse(std::string_view(room).substr(5));
}

namespace {
// Membership, the channel in that space, ConnectVoice, a voice channel — in DECISIONS.md §2 order.
Result<Channel> voice_channel_for(store::Connection& c, const Uuid& user_id, const Uuid& space_id,
                                  const Uuid& channel_id) {
  auto access = require_member(c, space_id, user_id, UnknownSpace::NotAMember);
  if (!access) return access.error();
  auto channel = store::channels::find(c, channel_id);
  if (!channel || channel->space_id != space_id)
    return Error::not_found("channel_not_found", "Channel does not exist in this space.");
  ARGON_TRY(require_permission(*access, entitlement::kConnect));
  if (channel->type != ChannelType::Voice)
    return Error::bad_request("not_voice_channel", "Channel is not a voice channel.");
  return *channel;
}

// voiceJoin / voiceLeave {spaceId, channelId, user} in the space's stream. A user that no longer
// exists at all gets no event (the change itself still happens).
Status append_voice_event(store::Connection& c, EventBatch& batch, const char* type,
                          const Uuid& space_id, const Uuid& channel_id, const Uuid& user_id,
                          std::int64_t now) {
  auto member = store::members::find(c, space_id, user_id);
  auto user = member ? std::nullopt : store::users::find(c, user_id);
  if (!member && !user) return {};
  json::object payload{
      {"spaceId", space_id.str()},
      {"channelId", channel_id.str()},
      {"user", member ? user_json(batch.context(), *member) : user_json(batch.context(), *user)}};
  batch.append(c, events::space_stream(space_id), type, space_id, json::serialize(payload), now);
  return {};
}
}  // namespace

VoiceService::VoiceService(Context& ctx, VoiceSettings settings, std::unique_ptr<VoiceRooms> rooms,
                           std::unique_ptr<CallRegistry> calls)
    : ctx_(ctx),
      settings_(std::move(settings)),
      clustered_(ctx.bus && ctx.bus->clustered()),
      rooms_(std::move(rooms)),
      calls_(std::move(calls)),
      relay_(voice::RelayObserver{
          [this](const std::string& room, const Uuid& id) { on_room_joined(room, id); },
          [this](const std::string& room, const Uuid& id) { on_room_left(room, id); }}) {
  if (!rooms_) {
    if (clustered_)
      rooms_ = std::make_unique<StoreVoiceRooms>(ctx_.db, ctx_.clock, settings_.node_lease_ms);
    else
      rooms_ = std::make_unique<LocalVoiceRooms>(ctx_.db, ctx_.clock, settings_.node_id);
  }
  if (!calls_) {
    if (clustered_)
      calls_ = std::make_unique<StoreCallRegistry>(ctx_.db);
    else
      calls_ = std::make_unique<LocalCallRegistry>(ctx_.db);
  }
}

VoiceService::~VoiceService() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  if (ctx_.scheduler && sweep_task_) ctx_.scheduler->cancel(sweep_task_);
}

void VoiceService::set_public_base(std::string http_base) {
  std::lock_guard lock(mutex_);
  http_base_ = std::move(http_base);
  while (!http_base_.empty() && http_base_.back() == '/') http_base_.pop_back();
}

namespace {
std::string ws_of(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.starts_with("https://")) return "wss://" + base.substr(8);
  if (base.starts_with("http://")) return "ws://" + base.substr(7);
  return base;
}
}  // namespace

std::string VoiceService::ws_base() const {
  std::lock_guard lock(mutex_);
  return ws_of(http_base_);
}

std::string VoiceService::sign(const Uuid& identity, const std::string& room,
                               std::optional<Uuid> target, bool publish) {
  voice::VoiceClaims claims;
  claims.identity = identity.str();
  claims.room = room;
  claims.issued_at = ctx_.now_ms() / 1000;
  claims.not_before = claims.issued_at;
  claims.expires_at = claims.issued_at + settings_.token_ttl_seconds;
  claims.can_publish = publish;
  if (target) claims.target = target->str();
  return voice::sign_voice_token(claims, settings_.secret);
}

Task<Result<Admission>> VoiceService::admit(std::string token, voice::PeerMode mode) {
  auto claims = voice::verify_voice_token(token, settings_.secret, ctx_.now_ms() / 1000);
  if (!claims) co_return claims.error();
  auto identity = Uuid::parse(claims->identity);
  if (!identity) co_return Error{401, "invalid_token", "token subject is not a user id"};
  // A listen-only token (egress, call track) may only subscribe.
  if (!claims->can_publish && mode != voice::PeerMode::Subscribe)
    co_return Error::forbidden("publish_not_allowed", "This token may only subscribe.");
  // The people's socket hears everyone in the room: only people (who joined through the client
  // API or were called) may open it, never a bot with a stream token.
  bool is_bot = co_await ctx_.db.read([&](store::Connection& c) {
    auto user = store::users::find(c, *identity);
    return !user || user->is_bot();
  });
  if (mode == voice::PeerMode::Person && is_bot)
    co_return Error::forbidden(
        "not_a_person",
        "This socket is for people; bots use /audio/connect, /audio/subscribe or /audio/duplex.");
  if (mode != voice::PeerMode::Person && !is_bot)
    co_return Error::forbidden("not_a_bot", "People connect through the url their join returned.");
  // A token outlives membership: check it again at every connect (a removed member, or a call
  // that ended, cannot come back with an old token).
  if (auto ids = parse_voice_room(claims->room)) {
    bool member = co_await ctx_.db.read(
        [&](store::Connection& c) { return store::members::exists(c, ids->first, *identity); });
    if (!member) co_return Error::not_a_member();
  } else if (auto call_id = parse_call_room(claims->room)) {
    auto call = co_await calls_->find(*call_id);
    if (!call || call->state != CallState::Accepted ||
        (call->caller != *identity && call->callee != *identity))
      co_return Error::forbidden("call_not_active", "This call is not in progress.");
  } else if (claims->room.starts_with("call/")) {
    co_return Error::forbidden("call_not_active", "This call is not in progress.");
  }
  Admission a{claims->room, *identity, std::nullopt};
  if (claims->target) a.target = Uuid::parse(*claims->target);
  co_return a;
}

Task<Result<VoiceGrantResult>> VoiceService::bot_stream_token(const BotIdentity& bot,
                                                              const Uuid& space_id,
                                                              const Uuid& channel_id) {
  auto channel = co_await ctx_.db.read([&](store::Connection& c) {
    return voice_channel_for(c, bot.user.id, space_id, channel_id);
  });
  if (!channel) co_return channel.error();
  std::string room = voice_room(space_id, channel_id);
  auto placed = co_await place(room, true, false);
  if (!placed) co_return placed.error();
  co_return VoiceGrantResult{sign(bot.user.id, room, std::nullopt, true), placed->ws_base, room,
                             std::nullopt, ""};
}

Task<Result<bool>> VoiceService::presence(bool join, std::string room, Uuid who) {
  auto ids = parse_voice_room(room);
  EventBatch batch{ctx_};
  const std::int64_t now = ctx_.now_ms();
  VoiceChange also;
  if (ids)
    also = [&batch, join, space = ids->first, channel = ids->second, who,
            now](store::Connection& c) -> Status {
      batch.clear();
      return append_voice_event(c, batch, join ? "voiceJoin" : "voiceLeave", space, channel, who,
                                now);
    };
  if (join) {
    auto joined = co_await rooms_->join(room, who, also);
    co_return joined;
  }
  auto left = co_await rooms_->leave(room, who, also);
  co_return left;
}

VoiceLeft VoiceService::leave_events(std::shared_ptr<std::deque<EventBatch>> batches) {
  // Several events in one transaction, each in a batch of its own (a rolled-back attempt's
  // batches never publish: their after-commit hooks are dropped with it).
  return [this, batches](store::Connection& c, const std::string& room, const Uuid& who) -> Status {
    auto ids = parse_voice_room(room);
    if (!ids) return {};
    batches->emplace_back(ctx_);
    return append_voice_event(c, batches->back(), "voiceLeave", ids->first, ids->second, who,
                              ctx_.now_ms());
  };
}

Task<Result<VoiceGrantResult>> VoiceService::person_join(const Uuid& person_id,
                                                         const Uuid& channel_id) {
  auto channel = co_await ctx_.db.read([&](store::Connection& c) -> Result<Channel> {
    auto ch = store::channels::find(c, channel_id);
    if (!ch) return Error::not_found("channel_not_found", "Channel not found.");
    return voice_channel_for(c, person_id, ch->space_id, channel_id);
  });
  if (!channel) co_return channel.error();
  std::string room = voice_room(channel->space_id, channel_id);
  auto placed = co_await place(room, true, false);
  if (!placed) co_return placed.error();
  auto joined = co_await presence(true, room, person_id);
  if (!joined) co_return joined.error();
  // Joined but never connected: leave after the grace period.
  if (*joined && ctx_.scheduler) {
    Uuid person = person_id;
    ctx_.scheduler->schedule(settings_.join_grace_ms, [this, room, person] {
      start_background(
          ctx_, [this, room, person] { return grace_check(room, person); }, "voice join grace");
    });
  }
  co_return VoiceGrantResult{sign(person_id, room, std::nullopt, true),
                             placed->ws_base + "/audio/voice", room, std::nullopt, ""};
}

Task<Result<json::array>> VoiceService::space_voice(const Uuid& person_id, const Uuid& space_id) {
  auto out = co_await ctx_.db.read([&](store::Connection& c) -> Result<json::array> {
    auto access = require_member(c, space_id, person_id);
    if (!access) return access.error();
    json::array list;
    for (const auto& m : rooms_->members_in_space(c, space_id)) {
      auto member = store::members::find(c, space_id, m.user_id);
      auto user = member ? std::nullopt : store::users::find(c, m.user_id);
      if (!member && !user) continue;  // an account deleted meanwhile
      list.push_back(
          json::object{{"channelId", m.channel_id.str()},
                       {"user", member ? user_json(ctx_, *member) : user_json(ctx_, *user)},
                       {"joinedAt", format_iso8601_ms(m.joined_at_ms)}});
    }
    return list;
  });
  co_return out;
}

Task<Status> VoiceService::grace_check(std::string room, Uuid person) {
  auto present = co_await present_on_owner(room, person);
  if (present && *present) co_return Status{};  // connected meanwhile
  auto left = co_await presence(false, room, person);
  if (!left) co_return left.error();
  (void)co_await maybe_release(room);
  co_return Status{};
}

Task<Status> VoiceService::person_leave(const Uuid& person_id, const Uuid& channel_id) {
  auto channel = co_await ctx_.db.read([&](store::Connection& c) -> Result<Channel> {
    auto ch = store::channels::find(c, channel_id);
    if (!ch) return Error::not_found("channel_not_found", "Channel not found.");
    return *ch;
  });
  if (!channel) co_return channel.error();
  std::string room = voice_room(channel->space_id, channel_id);
  // voiceLeave once, here; then their sockets close (on the node serving the room), which
  // finds them gone already.
  auto left = co_await presence(false, room, person_id);
  if (!left) co_return left.error();
  co_await kick_on_owner(room, person_id, 1000, "left");
  co_return Status{};
}

Task<Status> VoiceService::kick(const BotIdentity& bot, const Uuid& space_id,
                                const Uuid& channel_id, const Uuid& user_id) {
  auto checked = co_await ctx_.db.read([&](store::Connection& c) -> Status {
    auto access = require_member(c, space_id, bot.user.id, UnknownSpace::NotAMember);
    if (!access) return access.error();
    auto channel = store::channels::find(c, channel_id);
    if (!channel || channel->space_id != space_id)
      return Error::not_found("channel_not_found", "Channel does not exist in this space.");
    return require_permission(*access, entitlement::kKickMember);
  });
  if (!checked) co_return checked;
  std::string room = voice_room(space_id, channel_id);
  // In the room before the kick: the kick then succeeds even when the owner's relay reports the
  // leave first and the owner's answer is lost (a busy or unreachable node; its relay still
  // closes the socket, or the sweep of a dead node does).
  const bool was_in = co_await rooms_->contains(room, user_id);
  auto kicked = co_await kick_on_owner(room, user_id, 4001, "kicked");
  if (!kicked) kicked = co_await kick_on_owner(room, user_id, 4001, "kicked");  // once more
  if (!kicked && was_in) {
    // The node serving the room did not answer twice: the socket may still be open there, so
    // do not report the user gone. Nothing changed; the bot may retry.
    Error unreachable{503, "service_unavailable",
                      "The node serving this voice channel did not answer; try again."};
    co_return unreachable;
  }
  bool had_socket = kicked && *kicked;
  // Joined but not connected (or the owner's relay reported the leave already: one of the two
  // sees them in, one voiceLeave).
  auto left = co_await presence(false, room, user_id);
  if (!left) co_return left.error();
  if (!had_socket && !*left && !was_in)
    co_return Error::bad_request("kick_failed",
                                 "Failed to kick user — they may not be in the channel");
  co_return Status{};
}

Task<Result<VoiceGrantResult>> VoiceService::subscribe_track(const BotIdentity& bot,
                                                             const Uuid& space_id,
                                                             const Uuid& channel_id,
                                                             const Uuid& user_id) {
  auto channel = co_await ctx_.db.read([&](store::Connection& c) {
    return voice_channel_for(c, bot.user.id, space_id, channel_id);
  });
  if (!channel) co_return channel.error();
  std::string room = voice_room(space_id, channel_id);
  auto placed = co_await place(room, true, false);
  if (!placed) co_return placed.error();
  co_return VoiceGrantResult{sign(bot.user.id, room, user_id, false),
                             placed->ws_base + "/audio/subscribe", room, std::nullopt,
                             room + ":" + user_id.str()};
}

}  // namespace argon::services
