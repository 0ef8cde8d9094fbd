#pragma once
// Internal: the descriptor files each contribute their interfaces (with the types their routes
// name) or events (with their payload types); registry.cpp assembles them once.
#include <vector>

#include "argon/contracts/contracts.hpp"

namespace argon::contracts::detail {

struct Descriptors {
  std::vector<InterfaceDecl> interfaces;
  std::vector<EventDecl> events;
  std::vector<TypeDecl> types;
};

// Full-name prefixes of the reference server's CLR types.
inline constexpr const char* kInterfacesNs = "Argon.Api.BotApi.Interfaces.";
inline constexpr const char* kFeaturesNs = "Argon.Features.BotApi.";
inline constexpr const char* kContractsNs = "Argon.Features.BotApi.Contracts.";

void add_shared_types(Descriptors& d);  // types_shared.cpp: DTOs used across interfaces
void add_dto_types(Descriptors& d);  // types_dtos.cpp: BotUserV1, BotMessageV1, … (wire shapes)
void add_space_interfaces(Descriptors& d);    // IArchetypes, IBotSelf, IChannels, IMembers, ISpaces
void add_message_interfaces(Descriptors& d);  // IMessages, IReactions, IInteractions, ITyping
void add_command_interfaces(Descriptors& d);  // ICommands, IEvents
void add_voice_interfaces(Descriptors& d);    // IVoice, IVoiceEgress, ICalls
void add_events(Descriptors& d);              // events.cpp: the 28 events and payload types
std::vector<IntentDecl> intent_descriptors();  // events.cpp: the 14 intents (events filled later)

const Descriptors& descriptors();  // assembled, sorted, validated once

// Error shorthands shared by the interface files.
ErrorDecl not_a_member();
ErrorDecl not_verified();

}  // namespace argon::contracts::detail
