#include "argon/services/voice.hpp"

#include "argon/services/voice_rooms.hpp"

#include <boost/json/serialize.hpp>

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

namespace {
// "{spaceId}/{channelId}" → the two ids; nullopt for call rooms.
std::optional<std::pair<Uuid, Uuid>> parse_voice_room(const std::string& room) {
  auto slash = room.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto space = Uuid::parse(std::string_view(room).substr(0, slash));
  auto channel = Uuid::parse(std::string_view(room).substr(slash + 1));
  if (!space || !channel) return std::nullopt;
  return std::make_pair(*space, *channel);
}

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
}  // namespace

VoiceService::VoiceService(Context& ctx, VoiceSettings settings, VoiceRoomMembers* members)
    : ctx_(ctx),
      settings_(std::move(settings)),
      owned_members_(members ? nullptr : std::make_unique<LocalVoiceRoomMembers>()),
      members_(members ? *members : *owned_members_),
      relay_(voice::RelayObserver{
          [this](const std::string& room, const Uuid& id) { on_room_joined(room, id); },
          [this](const std::string& room, const Uuid& id) { on_room_left(room, id); }}) {}

VoiceService::~VoiceService() = default;

void VoiceService::set_public_base(std::string http_base) {
  std::lock_guard lock(mutex_);
  http_base_ = std::move(http_base);
  while (!http_base_.empty() && http_base_.back() == '/') http_base_.pop_back();
}

std::string VoiceService::ws_base() const {
  std::lock_guard lock(mutex_);
  if (http_base_.starts_with("https://")) return "wss://" + http_base_.substr(8);
  if (http_base_.starts_with("http://")) return "ws://" + http_base_.substr(7);
  return http_base_;
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
  } else if (claims->room.starts_with("call/")) {
    auto call_id = Uuid::parse(std::string_view(claims->room).substr(5));
    std::lock_guard lock(mutex_);
    auto it = call_id ? calls_.find(*call_id) : calls_.end();
    if (it == calls_.end() || it->second.state != CallState::Accepted ||
        (it->second.caller != *identity && it->second.callee != *identity))
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
  co_return VoiceGrantResult{sign(bot.user.id, room, std::nullopt, true), ws_base(), room,
                             std::nullopt, ""};
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
  bool first = false;
  first = members_.join(room, person_id);
  if (first && !relay_.in_room(room, person_id)) {
    co_await emit_voice_event("voiceJoin", channel->space_id, channel_id, person_id);
    // Joined but never connected: leave after the grace period.
    if (ctx_.scheduler)
      ctx_.scheduler->schedule(
          settings_.join_grace_ms, [this, room, person_id, channel = *channel] {
            if (relay_.in_room(room, person_id)) return;
            if (members_.leave(room, person_id))
              emit_voice_event_later("voiceLeave", channel.space_id, channel.id, person_id);
          });
  }
  co_return VoiceGrantResult{sign(person_id, room, std::nullopt, true), ws_base() + "/audio/voice",
                             room, std::nullopt, ""};
}

Task<Status> VoiceService::person_leave(const Uuid& person_id, const Uuid& channel_id) {
  auto channel = co_await ctx_.db.read([&](store::Connection& c) -> Result<Channel> {
    auto ch = store::channels::find(c, channel_id);
    if (!ch) return Error::not_found("channel_not_found", "Channel not found.");
    return *ch;
  });
  if (!channel) co_return channel.error();
  std::string room = voice_room(channel->space_id, channel_id);
  bool was = members_.leave(room, person_id);
  // With a socket open, the relay reports the leave (and voiceLeave goes out once, from there).
  bool had_socket = relay_.kick(room, person_id, 1000, "left");
  if (was && !had_socket)
    co_await emit_voice_event("voiceLeave", channel->space_id, channel_id, person_id);
  co_return Status{};
}

void VoiceService::on_room_joined(const std::string& room, const Uuid& identity) {
  auto ids = parse_voice_room(room);
  if (!ids) return;
  if (members_.contains(room, identity)) return;  // announced on join
  emit_voice_event_later("voiceJoin", ids->first, ids->second, identity);
}

void VoiceService::on_room_left(const std::string& room, const Uuid& identity) {
  auto ids = parse_voice_room(room);
  if (!ids) {
    // In a call, leaving (closing the last socket) is hanging up.
    auto call_id =
        room.starts_with("call/") ? Uuid::parse(std::string_view(room).substr(5)) : std::nullopt;
    if (call_id && ctx_.scheduler) {
      bool active = false;
      {
        std::lock_guard lock(mutex_);
        auto it = calls_.find(*call_id);
        active = it != calls_.end() && it->second.state == CallState::Accepted;
      }
      if (active) end_call_later(*call_id, "hung_up");
    }
    return;
  }
  members_.leave(room, identity);  // a person's socket dropping ends their presence too
  emit_voice_event_later("voiceLeave", ids->first, ids->second, identity);
}

void VoiceService::emit_voice_event_later(std::string type, Uuid space_id, Uuid channel_id,
                                          Uuid user_id) {
  // Relay callbacks run on network threads: the write happens elsewhere.
  start_background(
      ctx_,
      [this, type, space_id, channel_id, user_id] {
        return emit_voice_event(type, space_id, channel_id, user_id);
      },
      "voice event");
}

Task<Status> VoiceService::emit_voice_event(std::string type, Uuid space_id, Uuid channel_id,
                                            Uuid user_id) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto member = store::members::find(c, space_id, user_id);
    auto user = member ? std::nullopt : store::users::find(c, user_id);
    if (!member && !user) return Error::not_found();
    json::object payload{
        {"spaceId", space_id.str()},
        {"channelId", channel_id.str()},
        {"user", member ? wire::bot_user_json(*member) : wire::bot_user_json(*user)}};
    batch.append(c, events::space_stream(space_id), type, space_id, json::serialize(payload),
                 ctx_.now_ms());
    return {};
  });
  co_return result;
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
  bool was_person = members_.contains(room, user_id);
  bool had_socket = relay_.kick(room, user_id, 4001, "kicked");
  if (!had_socket && !was_person)
    co_return Error::bad_request("kick_failed",
                                 "Failed to kick user — they may not be in the channel");
  if (!had_socket) (void)co_await person_leave(user_id, channel_id);  // joined, not connected
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
  co_return VoiceGrantResult{sign(bot.user.id, room, user_id, false),
                             ws_base() + "/audio/subscribe", room, std::nullopt,
                             room + ":" + user_id.str()};
}

}  // namespace argon::services
