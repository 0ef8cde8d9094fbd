#pragma once
// The Bot API (SPEC.md). The route table comes from contracts/ (one descriptor per interface):
// every route answers at /{Interface}/v{N}/{Method} and /api/bot/..., names case-insensitive,
// and passes the checks of DECISIONS.md §2 in order, as the stages of the shared request
// pipeline (api/pipeline.hpp): auth → rate limit → privileged → the handler (input →
// membership → existence → permission → rules, inside the services).
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <string>

#include "argon/api/pipeline.hpp"
#include "argon/botapi/path_token.hpp"  // rewrite_path_token
#include "argon/contracts/contracts.hpp"
#include "argon/domain/task.hpp"
#include "argon/http/router.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/commands.hpp"
#include "argon/services/interactions.hpp"
#include "argon/services/messages.hpp"
#include "argon/services/rate_limiter.hpp"
#include "argon/services/reactions.hpp"
#include "argon/services/spaces.hpp"
#include "argon/services/streams.hpp"
#include "argon/services/tickets.hpp"
#include "argon/services/voice.hpp"

namespace argon::botapi {

using argon::Task;

struct BotServices {
  services::BotService& bots;
  services::SpaceService& spaces;
  services::MessageService& messages;
  services::ReactionService& reactions;
  services::TypingService& typing;
  services::StreamService& streams;
  services::CommandService& commands;
  services::InteractionService& interactions;
  services::VoiceService& voice;
  services::RateLimiter& limiter;
  std::size_t stream_queue_bytes = 256 * 1024;
  // Per-interface permits per window, overriding the descriptors' policy (config ratelimit.*).
  std::map<std::string, int> permit_overrides;
};

// What a handler receives once the pipeline let the request through.
struct BotCall {
  http::Request& request;
  const services::BotIdentity& bot;
  const contracts::InterfaceDecl& interface_decl;
  const contracts::RouteDecl& route;
  // The request's concurrency slot; a stream takes it over for its whole life.
  std::optional<services::RateLimiter::Permit>& permit;
  services::Caller caller() const { return bot.caller(); }
};
// Returns the response or an Error (CO_TRY / CO_CHECK); the pipeline renders the Error with
// bot_error.
using BotHandler = std::function<Task<Result<http::Response>>(BotCall&)>;
// "IBotSelf.GetMe" → handler. Interface files add theirs.
using HandlerTable = std::map<std::string, BotHandler>;

void register_routes(http::Router& router, BotServices& s);
// Routes that can be answered on the network thread when the bot's token is in the cache
// (IBotSelf/GetMe), synchronously. They answer status 0 to mean "not now, use the worker pool".
void register_inline_routes(http::Router& router, BotServices& s);
// GetMe's body, shared by the inline route and the handler.
http::Response get_me_response(const services::BotIdentity& bot);

// One function per interface file.
void add_bot_self_handlers(HandlerTable& table, BotServices& s);
void add_spaces_handlers(HandlerTable& table, BotServices& s);
void add_channels_handlers(HandlerTable& table, BotServices& s);
void add_archetypes_handlers(HandlerTable& table, BotServices& s);
void add_messages_handlers(HandlerTable& table, BotServices& s);
void add_reactions_handlers(HandlerTable& table, BotServices& s);
void add_typing_handlers(HandlerTable& table, BotServices& s);
void add_events_handlers(HandlerTable& table, BotServices& s);
void add_commands_handlers(HandlerTable& table, BotServices& s);
void add_interactions_handlers(HandlerTable& table, BotServices& s);
void add_voice_handlers(HandlerTable& table, BotServices& s);
// The audio relay's WebSocket endpoints: /audio/connect, /audio/subscribe, /audio/duplex (and a
// bare / as connect) for bots, /audio/voice for people (SPEC.md §11.2, CLIENT-API.md).
// `page`: what answers a plain GET / (no Upgrade header), the web client; / with an Upgrade stays
// the audio socket. `tickets`: /audio/voice also takes ?ticket=&channelId= (a browser's socket).
void register_audio_routes(http::Router& router, services::VoiceService& voice,
                           http::AsyncHandler page = {},
                           services::TicketService* tickets = nullptr);

// GET /api/bot/ — the interfaces with their versions and contract hashes (DECISIONS.md §1).
http::Response metadata_response();
// GET /api/bot/openapi.json — the OpenAPI 3.1 document of the descriptors (contracts/openapi.hpp).
http::Response openapi_response();

// `Authorization: Bot <token>` → the bot; 401 otherwise.
Task<Result<services::BotIdentity>> authenticate_bot(http::Request& request,
                                                     services::BotService& bots);

// 200 with an empty body: routes without a response type (SPEC.md §1.3).
http::Response empty_ok();
// The body of IMessages/Send and IInteractions/Reply.
Result<services::SendRequest> read_send_request(const boost::json::object& body);
// An error as the Bot API reports it (a missing entitlement is named by the route's permission).
http::Response bot_error(const contracts::RouteDecl& route, Error error);

}  // namespace argon::botapi
