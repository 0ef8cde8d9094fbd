#pragma once
// The client API for people, developers and the operator (CLIENT-API.md), under /api/v1.
#include <string>

#include "argon/http/router.hpp"
#include "argon/services/accounts.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/commands.hpp"
#include "argon/services/interactions.hpp"
#include "argon/services/messages.hpp"
#include "argon/services/spaces.hpp"
#include "argon/services/streams.hpp"
#include "argon/services/voice.hpp"

namespace argon::clientapi {

using argon::Task;

struct ClientServices {
  services::AccountService& accounts;
  services::SpaceService& spaces;
  services::MessageService& messages;
  services::TypingService& typing;
  services::BotService& bots;
  services::StreamService& streams;
  services::CommandService& commands;
  services::InteractionService& interactions;
  services::VoiceService& voice;
  std::string admin_token;  // empty: the operator routes answer 404
  std::size_t stream_queue_bytes = 256 * 1024;
  AdjustableClock* test_clock = nullptr;  // testing.clock = adjustable: POST /api/v1/admin/clock
};

void register_routes(http::Router& router, ClientServices& s);

// One registration function per resource file.
void register_account_routes(http::Router& router, ClientServices& s);
void register_space_routes(http::Router& router, ClientServices& s);
void register_archetype_routes(http::Router& router, ClientServices& s);
void register_channel_routes(http::Router& router, ClientServices& s);
void register_message_routes(http::Router& router, ClientServices& s);
void register_app_routes(http::Router& router, ClientServices& s);
void register_admin_routes(http::Router& router, ClientServices& s);
void register_event_routes(http::Router& router, ClientServices& s);
void register_interaction_routes(http::Router& router, ClientServices& s);
void register_voice_routes(http::Router& router, ClientServices& s);

// `Authorization: Bearer <session token>` → the person (401 unauthorized otherwise). An
// `X-Argon-Locale` header of an authenticated request becomes the person's current locale.
Task<Result<User>> authenticate_person(const http::Request& request,
                                       services::AccountService& accounts);
services::Caller person_caller(const User& user);

}  // namespace argon::clientapi
