// Descriptors: the 14 intents and the 28 SSE events with their payload shapes (SPEC.md §4.7, §5;
// UPSTREAM.md §2.4, §3, §4, §5 for the 1.8.0–1.9.0 changes).
#include "argon/contracts/descriptors.hpp"

namespace argon::contracts::detail {
namespace {

using namespace clr;
TypeRef s(std::string_view v) {
  return named(std::string(v));
}

namespace bit {
constexpr int kMessages = 0;
constexpr int kMembers = 1;
constexpr int kChannels = 2;
constexpr int kReactions = 3;
constexpr int kTyping = 4;
constexpr int kPresence = 5;
constexpr int kCommands = 6;
constexpr int kDirectMessages = 7;
constexpr int kModeration = 8;
constexpr int kArchetypes = 9;
constexpr int kSpaceUpdates = 10;
constexpr int kVoice = 11;
constexpr int kCalls = 12;
constexpr int kControlInteractions = 13;
}  // namespace bit

struct EventSpec {
  const char* name;
  std::optional<int> intent;
  const char* category;
  const char* description;
  std::vector<PropertyDecl> payload;
  const char* payload_type = nullptr;  // default: name + "Event"
  std::optional<std::string> declared_hash = std::nullopt;
};

void add(Descriptors& d, EventSpec spec) {
  EventDecl e;
  e.name = spec.name;
  e.wire_name = e.name;
  e.wire_name[0] = static_cast<char>(e.wire_name[0] - 'A' + 'a');
  e.intent_bit = spec.intent;
  e.category = spec.category;
  e.description = spec.description;
  e.declared_hash = std::move(spec.declared_hash);
  e.payload_type = spec.payload_type ? spec.payload_type : e.name + "Event";
  d.types.push_back(class_type(e.payload_type, "", std::move(spec.payload)));
  d.events.push_back(std::move(e));
}

}  // namespace

std::vector<IntentDecl> intent_descriptors() {
  auto intent = [](const char* name, int b, bool privileged) {
    return IntentDecl{name, b, std::int64_t{1} << b, privileged, {}};
  };
  return {
      intent("Messages", bit::kMessages, false),
      intent("Members", bit::kMembers, true),
      intent("Channels", bit::kChannels, false),
      intent("Reactions", bit::kReactions, false),
      intent("Typing", bit::kTyping, false),
      intent("Presence", bit::kPresence, true),
      intent("Commands", bit::kCommands, false),
      intent("DirectMessages", bit::kDirectMessages, false),
      intent("Moderation", bit::kModeration, false),
      intent("Archetypes", bit::kArchetypes, false),
      intent("SpaceUpdates", bit::kSpaceUpdates, false),
      intent("Voice", bit::kVoice, false),
      intent("Calls", bit::kCalls, true),
      intent("ControlInteractions", bit::kControlInteractions, false),
  };
}

void add_events(Descriptors& d) {
  const PropertyDecl space_id{"SpaceId", s(kGuid)};
  const PropertyDecl channel_id{"ChannelId", s(kGuid)};
  const PropertyDecl user{"User", named("BotUserV1")};
  const PropertyDecl interaction_id{"InteractionId", s(kGuid)};
  // 1.9.0: null when the interacting user is not in a voice channel of the event's space.
  const PropertyDecl voice_state{"VoiceState", or_null(named("BotVoiceStateV1"))};

  // 1.8.0 (manifest 803db80): ready's spaceIds became spaces[] and the stable hash was re-pinned.
  d.types.push_back(class_type("BotSpaceInfo", "",
                               {{"SpaceId", s(kGuid)},
                                {"GrantedEntitlements", named("ArgonEntitlement")},
                                {"PendingApproval", s(kBool)}}));

  // Connection (always delivered; stable)
  add(d, {"Ready",
          std::nullopt,
          "Connection",
          "Sent immediately on SSE connection. Contains active intents and per-space entitlement "
          "info.",
          {{"Intents", s(kLong)}, {"Spaces", array_of("BotSpaceInfo")}},
          "ReadyEventPayload",
          // 1.7.0 declared af9c11272a6b… for {Intents, SpaceIds}
          "ed6777c0df6afe84a18e0909683a943f781c56658becd371c697e87241616fb0"});
  add(d, {"Heartbeat",
          std::nullopt,
          "Connection",
          "Keep-alive ping sent every 30 seconds. Contains cursor for reconnection.",
          {{"Timestamp", s(kLong)}},
          "HeartbeatEventPayload",
          "9ff546a10894b8731d8418aa3d9868123b6111debae5969495377e3da81362c9"});
  add(d, {"Resumed",
          std::nullopt,
          "Connection",
          "Sent after replaying missed events on reconnection via Last-Event-ID.",
          {{"ReplayedCount", s(kInt)}},
          "ResumedEventPayload",
          "4b687afe115130e27be5dc122c3a46d2c0133e5a946a340264030928b8069d30"});

  // Messages
  add(d, {"MessageCreate",
          bit::kMessages,
          "Messages",
          "A new message was sent in a channel the bot has access to.",
          {space_id, channel_id, {"Message", named("BotMessageV1")}}});
  add(d, {"MessageEdit",
          bit::kMessages,
          "Messages",
          "A message was edited in a channel the bot has access to.",
          {space_id,
           channel_id,
           {"MessageId", s(kLong)},
           {"Text", s(kString)},
           {"UpdatedAt", s(kDateTimeOffset)}}});

  // Members
  add(d, {"MemberJoin",
          bit::kMembers,
          "Members",
          "A user joined a space the bot is in.",
          {space_id, user}});
  add(d, {"MemberLeave",
          bit::kMembers,
          "Members",
          "A user left or was removed from a space the bot is in.",
          {space_id, {"UserId", s(kGuid)}}});
  add(d, {"MemberUpdate",
          bit::kMembers,
          "Members",
          "A member's profile or roles were updated in a space.",
          {space_id, user}});

  // Channels
  add(d, {"ChannelCreate",
          bit::kChannels,
          "Channels",
          "A new channel was created in a space.",
          {space_id, {"Channel", named("BotChannelFullV1")}}});
  add(d, {"ChannelDelete",
          bit::kChannels,
          "Channels",
          "A channel was deleted from a space.",
          {space_id, channel_id}});

  // Presence
  add(d, {"PresenceUpdate",
          bit::kPresence,
          "Presence",
          "A user's online status or activity changed.",
          {space_id, user, {"Presence", named("BotPresenceV1")}}});

  // Voice
  add(d, {"VoiceJoin",
          bit::kVoice,
          "Voice",
          "A user joined a voice channel.",
          {space_id, channel_id, user}});
  add(d, {"VoiceLeave",
          bit::kVoice,
          "Voice",
          "A user left a voice channel.",
          {space_id, channel_id, user}});

  // Calls
  add(d, {"CallIncoming",
          bit::kCalls,
          "Calls",
          "An incoming call is ringing for the bot.",
          // FromLocale: reference server after 1.9.0, not in a public manifest (UPSTREAM.md §5);
          // it moves this draft hash from 39cba6e56952… to 34230d8ea1aa….
          {{"CallId", s(kGuid)}, {"FromUserId", s(kGuid)}, {"FromLocale", or_null(s(kString))}}});
  add(d, {"CallEnded",
          bit::kCalls,
          "Calls",
          "A call the bot was involved in has ended.",
          {{"CallId", s(kGuid)}}});

  // Commands
  add(d, {"CommandInteraction",
          bit::kCommands,
          "Commands",
          "A user invoked a slash command registered by the bot.",
          {interaction_id,
           space_id,
           channel_id,
           {"CommandId", s(kGuid)},
           {"CommandName", s(kString)},
           user,
           {"Options", list_of("BotCommandOptionValueV1")},
           voice_state}});

  // Bot lifecycle (always delivered)
  add(d, {"BotInstallingToSpace",
          std::nullopt,
          "BotLifecycle",
          "Sent directly to the bot when a server administrator installs it into a space. Always "
          "delivered regardless of intents.",
          {space_id}});
  add(d, {"BotUninstallingFromSpace",
          std::nullopt,
          "BotLifecycle",
          "Sent directly to the bot when a server administrator uninstalls it from a space. "
          "Always delivered regardless of intents.",
          {space_id}});
  // Manifest 803db80; argon never sends it (no approval flow) but knows its name (UPSTREAM §3).
  add(d, {"BotEntitlementsUpdated",
          std::nullopt,
          "BotLifecycle",
          "Sent directly to the bot when its required entitlements are out of sync with a space's "
          "granted entitlements. Always delivered regardless of intents.",
          {space_id,
           {"RequiredEntitlements", named("ArgonEntitlement")},
           {"GrantedEntitlements", named("ArgonEntitlement")}}});

  // Control interactions
  add(d, {"ControlInteraction",
          bit::kControlInteractions,
          "ControlInteractions",
          "A user clicked an interactive button on a message.",
          {interaction_id,
           {"ControlType", named("ControlType")},
           {"MessageId", s(kLong)},
           channel_id,
           space_id,
           user,
           {"ControlId", s(kString)},
           voice_state}});
  add(d, {"SelectInteraction",
          bit::kControlInteractions,
          "ControlInteractions",
          "A user submitted a selection from a select menu on a message.",
          {interaction_id,
           {"ControlType", named("ControlType")},
           {"CustomId", s(kString)},
           {"MessageId", s(kLong)},
           channel_id,
           space_id,
           user,
           {"Values", list_of("string")},
           voice_state}});
  add(d, {"ModalSubmit",
          bit::kControlInteractions,
          "ControlInteractions",
          "A user submitted a modal popup form.",
          {interaction_id,
           {"CustomId", s(kString)},
           channel_id,
           space_id,
           user,
           {"Values", list_of("ModalSubmitValueV1")},
           voice_state}});

  // Typing
  add(d, {"TypingStart",
          bit::kTyping,
          "Typing",
          "A user or bot started typing in a channel.",
          {space_id, channel_id, {"UserId", s(kGuid)}, {"Kind", s(kString)}}});
  add(d, {"TypingStop",
          bit::kTyping,
          "Typing",
          "A user or bot stopped typing in a channel.",
          {space_id, channel_id, {"UserId", s(kGuid)}}});

  // Archetypes
  add(d, {"ArchetypeCreate",
          bit::kArchetypes,
          "Archetypes",
          "A new archetype (role) was created in a space.",
          {space_id, {"Archetype", named("BotArchetypeV1")}}});
  add(d, {"ArchetypeUpdate",
          bit::kArchetypes,
          "Archetypes",
          "An archetype (role) was updated in a space.",
          {space_id, {"Archetype", named("BotArchetypeV1")}}});

  // Reactions (1.8.0, UPSTREAM.md §2.4)
  for (const char* name : {"ReactionAdd", "ReactionRemove"}) {
    bool added = std::string_view(name) == "ReactionAdd";
    add(d, {name,
            bit::kReactions,
            "Reactions",
            added ? "A user added a reaction to a message."
                  : "A user removed a reaction from a message.",
            {space_id,
             channel_id,
             {"MessageId", s(kLong)},
             {"UserId", s(kGuid)},
             {"Emoji", s(kString)}}});
  }
}

}  // namespace argon::contracts::detail
