// Shapes shared by several interfaces and events: archetypes, controls, entities, commands, the
// SSE envelope, plus the enums and plain-object types the contracts reference without expanding.
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

  // Entities: the MessagePack union interface (its reflected surface is the union key/index).
  t.push_back(
      class_type("IMessageEntity", "", {{"UnionKey", s(kString)}, {"UnionIndex", s(kUInt32)}}));

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

  // Enums
  for (const char* e :
       {"BotEventType", "ControlType", "ButtonVariant", "ChannelType", "BotCommandOptionType"}) {
    t.push_back(enum_type(e));
  }
  // Plain object types referenced only as single properties (never expanded by §13.2).
  for (const char* o : {"BotUserV1", "BotMessageV1", "BotChannelFullV1", "BotPresenceV1",
                        "ModalDefinitionV1", "OklchColor"}) {
    t.push_back(opaque_type(o));
  }
}

ErrorDecl not_a_member() {
  return {403, "not_a_member", "Bot is not a member of this space."};
}
ErrorDecl not_verified() {
  return {403, "not_verified", "This endpoint requires a verified bot."};
}

}  // namespace argon::contracts::detail
