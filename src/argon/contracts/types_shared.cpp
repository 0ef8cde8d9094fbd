// Shapes shared by several interfaces and events: archetypes, controls, entities, commands, the
// SSE envelope and the enums; the DTOs named as plain properties are in types_dtos.cpp.
#include "argon/contracts/descriptors.hpp"

namespace argon::contracts::detail {
namespace {

std::string features(const char* name) {
  return std::string(kFeaturesNs) + name;
}

}  // namespace

void add_shared_types(Descriptors& d) {
  using namespace clr;
  auto& t = d.types;
  auto s = [](std::string_view v) { return named(std::string(v)); };

  // Archetypes
  t.push_back(class_type("BotArchetypeV1", features("BotArchetypeV1"),
                         {{"ArchetypeId", s(kGuid)},
                          {"SpaceId", s(kGuid)},
                          {"Name", s(kString)},
                          {"Colour", s(kInt)},
                          {"IsMentionable", s(kBool)},
                          {"IsDefault", s(kBool)},
                          {"Permissions", nullable("long")}}));
  t.push_back(
      class_type("ArchetypeMemberV1", "",
                 {{"UserId", s(kGuid)}, {"Username", s(kString)}, {"DisplayName", s(kString)}}));

  // Spaces
  t.push_back(
      class_type("BotSpaceBase", "",
                 {{"SpaceId", s(kGuid)}, {"Name", s(kString)}, {"Description", s(kString)}}));

  // Generic responses
  t.push_back(class_type("DeletedResponse", std::string(kContractsNs) + "DeletedResponse",
                         {{"Deleted", s(kBool)}}));

  // SSE envelope (IEvents/Stream)
  t.push_back(class_type("BotSseEvent", features("BotSseEvent"),
                         {{"Id", s(kString)},
                          {"Type", named("BotEventType")},
                          {"SpaceId", nullable("Guid")},
                          {"ChannelId", nullable("Guid")},
                          {"Data", s(kObject)}}));

  // Controls (SPEC.md §8.2): rows of flattened controls
  t.push_back(class_type("ControlRowV1", "", {{"Controls", list_of("BotControlV1")}}));
  t.push_back(class_type("BotControlV1", "",
                         {{"Type", named("ControlType")},
                          {"Id", s(kString)},
                          {"Label", s(kString)},
                          {"LabelLocalizations", s(kStringMap)},
                          {"Variant", nullable("ButtonVariant")},
                          {"Url", s(kString)},
                          {"Disabled", nullable("bool")},
                          {"Colour", named("OklchColor")},
                          {"RequiredArchetypeId", nullable("Guid")},
                          {"CustomId", s(kString)},
                          {"Placeholder", s(kString)},
                          {"MinValues", nullable("int")},
                          {"MaxValues", nullable("int")},
                          {"Options", list_of("SelectOptionV1")}}));
  t.push_back(class_type("SelectOptionV1", "",
                         {{"Label", s(kString)},
                          {"Value", s(kString)},
                          {"Description", s(kString)},
                          {"Default", nullable("bool")}}));

  // Entities: the MessagePack union interface (its reflected surface is the union key/index);
  // on the wire an entity is a BotMessageEntityV1.
  t.push_back(
      class_type("IMessageEntity", "", {{"UnionKey", s(kString)}, {"UnionIndex", s(kUInt32)}}));
  t.back().wire_type = "BotMessageEntityV1";

  // Slash commands (SPEC.md §6.2)
  t.push_back(class_type("BotCommandOption", "",
                         {{"Name", s(kString)},
                          {"Description", s(kString)},
                          {"Type", named("BotCommandOptionType")},
                          {"Required", s(kBool)},
                          {"Choices", list_of("CommandChoice")},
                          {"SubOptions", list_of("BotCommandOption")}}));
  t.push_back(class_type("CommandChoice", "", {{"Name", s(kString)}, {"Value", s(kObject)}}));
  t.push_back(class_type(
      "BotCommandOptionValueV1", "",
      {{"Name", s(kString)}, {"Type", named("BotCommandOptionType")}, {"Value", s(kObject)}}));

  // Modals
  t.push_back(class_type("ModalSubmitValueV1", "",
                         {{"CustomId", s(kString)}, {"Values", list_of("string")}}));

  // Enums (wire names in declaration order, as the manifest's enumValues)
  t.push_back(
      enum_type("BotEventType",
                // UPSTREAM.md §0: botEntitlementsUpdated sits after botUninstallingFromSpace (the
                // integer values of the later types moved by one); the reactions came last.
                {"ready",
                 "heartbeat",
                 "resumed",
                 "messageCreate",
                 "messageEdit",
                 "memberJoin",
                 "memberLeave",
                 "memberUpdate",
                 "channelCreate",
                 "channelDelete",
                 "presenceUpdate",
                 "voiceJoin",
                 "voiceLeave",
                 "callIncoming",
                 "callEnded",
                 "commandInteraction",
                 "botInstallingToSpace",
                 "botUninstallingFromSpace",
                 "botEntitlementsUpdated",
                 "controlInteraction",
                 "selectInteraction",
                 "modalSubmit",
                 "typingStart",
                 "typingStop",
                 "archetypeCreate",
                 "archetypeUpdate",
                 "reactionAdd",
                 "reactionRemove"}));
  t.push_back(enum_type(
      "ControlType", {"button", "stringSelect", "userSelect", "archetypeSelect", "channelSelect"}));
  t.push_back(enum_type("ButtonVariant", {"callback", "link"}));
  t.push_back(enum_type("ChannelType", {"text", "voice", "announcement"}));
  t.push_back(enum_type("BotCommandOptionType",
                        {"string", "integer", "boolean", "user", "channel", "role", "number"}));
  // The wire shapes of the DTOs that contracts name only as plain properties (types_dtos.cpp).
  add_dto_types(d);
}

ErrorDecl not_a_member() {
  return {403, "not_a_member", "Bot is not a member of this space."};
}
ErrorDecl not_verified() {
  return {403, "not_verified", "This endpoint requires a verified bot."};
}

}  // namespace argon::contracts::detail
