// The audio relay's WebSocket endpoints (SPEC.md §11.2): /audio/connect (publish),
// /audio/subscribe (hear one participant), /audio/duplex (both), a bare / as connect; and
// /audio/voice, a person's socket (publish, and hear everyone, each packet prefixed with the
// sender's 16-byte user id).
#include <atomic>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/http/websocket.hpp"
#include "argon/voice/opus.hpp"

namespace argon::botapi {
namespace json = boost::json;
namespace {

class SocketPeer final : public voice::AudioPeer {
 public:
  explicit SocketPeer(std::shared_ptr<http::WebSocket> ws) : ws_(std::move(ws)) {}
  bool send_packet(std::shared_ptr<const std::string> bytes) override {
    return ws_->send_binary(std::move(bytes));
  }
  void send_status(std::string json) override { ws_->send_text(std::move(json)); }
  void close(std::uint16_t code, std::string reason) override {
    ws_->close(code, std::move(reason));
  }

 private:
  std::shared_ptr<http::WebSocket> ws_;
};

// What one socket knows once open.
struct SocketState {
  std::mutex mutex;
  std::shared_ptr<voice::Participant> participant;
  std::shared_ptr<void> ticket;  // this node keeps the room until the socket joined it
  bool closed = false;
};

std::atomic<std::uint64_t> next_session{1};

// The publishing options of SPEC.md §11.2. The relay forwards packets unchanged, so they only
// need to be valid; a wrong value is refused before the upgrade rather than silently ignored.
std::optional<Error> check_audio_options(const http::Request& req, voice::PeerMode mode) {
  auto one_of = [&](std::string_view name,
                    std::initializer_list<std::string_view> allowed) -> std::optional<Error> {
    const std::string* v = req.query_param(name);
    if (!v) return std::nullopt;
    for (auto a : allowed)
      if (*v == a) return std::nullopt;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return Error::validation(std::string(name) + ": must be one of " + list);
  };
  if (mode == voice::PeerMode::Subscribe)
    return one_of("target_track_source", {"microphone", "screen_share_audio"});
  for (auto check : {one_of("stereo", {"true", "false"}), one_of("channels", {"1", "2"}),
                     one_of("frame_duration_ms", {"2.5", "5", "10", "20", "40", "60"}),
                     one_of("track_source", {"microphone", "screen_share_audio"}),
                     one_of("target_track_source", {"microphone", "screen_share_audio"})})
    if (check) return check;
  if (const std::string* name = req.query_param("track_name");
      name && (name->empty() || name->size() > 100))
    return Error::validation("track_name: must be 1..100 characters");
  if (const std::string* meta = req.query_param("metadata"); meta && meta->size() > 4096)
    return Error::validation("metadata: must be at most 4096 bytes");
  return std::nullopt;
}

// A browser's socket (docs/client-api.md "Browser auth"): ?ticket=&channelId= instead of ?token=.
// The ticket (POST /api/v1/auth/tickets, used up here) names the person; they join the voice
// channel as POST /api/v1/channels/{channelId}/voice would (same checks; nothing is emitted when
// already in it) and the socket goes on with that join's voice token.
Task<Result<std::string>> token_from_ticket(services::VoiceService& voice,
                                            services::TicketService& tickets,
                                            const http::Request& req) {
  const std::string* channel = req.query_param("channelId");
  std::optional<Uuid> channel_id;
  if (channel) channel_id = Uuid::parse(*channel);
  if (!channel_id) co_return Error::validation("channelId: required with a ticket");
  std::string ticket = *req.query_param("ticket");
  auto user = co_await tickets.redeem(std::move(ticket), std::nullopt);
  if (!user) co_return user.error();
  auto grant = co_await voice.person_join(user->id, *channel_id);
  if (!grant) co_return grant.error();
  co_return grant->token;
}

http::AsyncHandler audio_endpoint(services::VoiceService& voice, voice::PeerMode mode,
                                  services::TicketService* tickets = nullptr) {
  return api::task_handler([&voice, mode, tickets](http::Request& req) -> Task<http::Response> {
    std::string token;
    if (const std::string* given = req.query_param("token")) token = *given;
    if (token.empty() && tickets && req.query_param("ticket")) {
      auto from_ticket = co_await token_from_ticket(voice, *tickets, req);
      if (!from_ticket) co_return api::error_response(from_ticket.error());
      token = std::move(*from_ticket);
    }
    if (token.empty())
      co_return api::error_response(Error{401, "invalid_token", "token: required"});
    auto admission = co_await voice.admit(token, mode);
    if (!admission) co_return api::error_response(admission.error());
    std::optional<Uuid> target = admission->target;
    if (mode == voice::PeerMode::Subscribe || mode == voice::PeerMode::Duplex) {
      const std::string* given = req.query_param("target_identity");
      if (given) {
        auto parsed = Uuid::parse(*given);
        if (!parsed)
          co_return api::error_response(Error::validation("target_identity: must be a user id"));
        if (target && *target != *parsed)
          co_return api::error_response(
              Error::forbidden("wrong_target", "This token is for another target."));
        target = parsed;
      }
      if (!target) co_return api::error_response(Error::validation("target_identity: required"));
    } else if (mode == voice::PeerMode::Publish) {
      target.reset();
    }
    if (mode == voice::PeerMode::Person) target.reset();

    if (auto invalid = check_audio_options(req, mode)) co_return api::error_response(*invalid);
    // Several nodes: a room is served by one of them (services/voice.hpp).
    auto entry = co_await voice.enter(admission->room);
    if (!entry) co_return api::error_response(entry.error());
    if (!entry->ticket)
      co_return api::json_response(
          421, json::object{{"error", "wrong_node"},
                            {"message", "This room is served by another node: connect to " +
                                            entry->elsewhere + " instead."},
                            {"ingressUrl", entry->elsewhere}});
    auto state = std::make_shared<SocketState>();
    state->ticket = std::move(entry->ticket);
    std::string room = admission->room;
    Uuid identity = admission->identity;
    std::string session = "AS_" + std::to_string(next_session.fetch_add(1));
    http::Response response;
    http::WebSocketAccept accept;
    accept.max_message_bytes = 16 * 1024;  // beyond kMaxOpusPacket the packet check closes it
    accept.on_open = [&voice, state, room, identity, mode, target,
                      session](std::shared_ptr<http::WebSocket> ws) {
      auto participant = voice.relay().join(room, identity, mode, target,
                                            std::make_shared<SocketPeer>(ws), session);
      std::shared_ptr<void> ticket;
      std::lock_guard lock(state->mutex);
      ticket = std::move(state->ticket);  // in the relay now: the room stays while it is
      if (state->closed) {
        voice.relay().leave(participant);
        return;
      }
      state->participant = participant;
    };
    accept.on_message = [&voice, state, mode](const std::shared_ptr<http::WebSocket>& ws,
                                              std::string_view data, bool binary) {
      if (!binary || mode == voice::PeerMode::Subscribe)
        return;  // status text and stray frames are ignored
      auto check = voice::check_opus_packet(data);
      if (!check.ok) {
        ws->close(1007, std::string(voice::kOpusFrameTooSmall));
        return;
      }
      std::shared_ptr<voice::Participant> p;
      {
        std::lock_guard lock(state->mutex);
        p = state->participant;
      }
      if (p) voice.relay().publish(*p, data);
    };
    accept.on_closed = [&voice, state](std::uint16_t) {
      std::shared_ptr<voice::Participant> p;
      std::shared_ptr<void> ticket;
      {
        std::lock_guard lock(state->mutex);
        state->closed = true;
        p = std::move(state->participant);
        ticket = std::move(state->ticket);  // the upgrade did not happen
      }
      if (p) voice.relay().leave(p);
    };
    response.websocket = std::move(accept);
    co_return response;
  });
}
}  // namespace

void register_audio_routes(http::Router& router, services::VoiceService& voice,
                           http::AsyncHandler page, services::TicketService* tickets) {
  router.add("GET", "/audio/connect", audio_endpoint(voice, voice::PeerMode::Publish));
  router.add("GET", "/audio/subscribe", audio_endpoint(voice, voice::PeerMode::Subscribe));
  router.add("GET", "/audio/duplex", audio_endpoint(voice, voice::PeerMode::Duplex));
  router.add("GET", "/audio/voice", audio_endpoint(voice, voice::PeerMode::Person, tickets));
  // The docs' own sample connects to the bare ingress URL (SPEC.md §11.2 [CONFLICT]).
  auto bare = audio_endpoint(voice, voice::PeerMode::Publish);
  if (page)  // a browser opening the server's address gets the web client
    bare = [bare, page](http::Request& req, http::Respond respond) {
      if (req.header("upgrade")) return bare(req, std::move(respond));
      page(req, std::move(respond));
    };
  router.add("GET", "/", std::move(bare));
}

}  // namespace argon::botapi
