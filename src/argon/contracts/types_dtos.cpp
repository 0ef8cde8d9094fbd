// The wire shapes of the DTOs the contracts name only as plain properties (`User: BotUserV1`,
// `Message: BotMessageV1`, …). §13.2 never expands a plain property, so nothing here changes a
// contract hash; the shapes exist for the OpenAPI document (manifest `dtos`, UPSTREAM.md §4–§5).
#include "argon/contracts/descriptors.hpp"
#include "argon/domain/entities.hpp"
#include "argon/domain/permissions.hpp"

namespace argon::contracts::detail {
namespace {

using namespace clr;
TypeRef s(std::string_view v) {
  return named(std::string(v));
}

void add_enums(std::vector<TypeDecl>& t) {
  namespace e = entitlement;
  t.push_back(flags_type("ArgonEntitlement", {{"none", 0},
                                              {"viewChannel", e::kViewChannel},
                                              {"readHistory", e::kReadHistory},
                                              {"joinToVoice", e::kJoinToVoice},
                                              {"sendMessages", e::kSendMessages},
                                              {"sendVoice", e::kSendVoice},
                                              {"attachFiles", e::kAttachFiles},
                                              {"addReactions", e::kAddReactions},
                                              {"anyMentions", e::kAnyMentions},
                                              {"mentionEveryone", e::kMentionEveryone},
                                              {"externalEmoji", e::kExternalEmoji},
                                              {"externalStickers", e::kExternalStickers},
                                              {"useCommands", e::kUseCommands},
                                              {"postEmbeddedLinks", e::kPostEmbeddedLinks},
                                              {"connect", e::kConnect},
                                              {"speak", e::kSpeak},
                                              {"video", e::kVideo},
                                              {"stream", e::kStream},
                                              {"useASIO", e::kUseAsio},
                                              {"additionalStreams", e::kAdditionalStreams},
                                              {"disconnectMember", e::kDisconnectMember},
                                              {"moveMember", e::kMoveMember},
                                              {"banMember", e::kBanMember},
                                              {"muteMember", e::kMuteMember},
                                              {"kickMember", e::kKickMember},
                                              {"manageChannels", e::kManageChannels},
                                              {"manageArchetype", e::kManageArchetype},
                                              {"manageBots", e::kManageBots},
                                              {"manageEvents", e::kManageEvents},
                                              {"manageBehaviour", e::kManageBehaviour},
                                              {"manageServer", e::kManageServer}}));
  // Flags whose manifest index is not the value (SPEC.md §0; UPSTREAM.md §4).
  t.push_back(flags_type("UserFlag", {{"none", 0},
                                      {"bot", 1},
                                      {"system", 2},
                                      {"verified", 4},
                                      {"premium", 8},
                                      {"banned", 16},
                                      {"deleted", 32}}));
  t.push_back(flags_type("ChannelMemberState", {{"none", 0},
                                                {"muted", 2},
                                                {"mutedByServer", 4},
                                                {"mutedHeadphones", 8},
                                                {"mutedHeadphonesByServer", 16},
                                                {"streaming", 32}}));
  t.push_back(enum_type("UserStatus", {"offline", "online", "away", "inGame", "listen",
                                       "touchGrass", "doNotDisturb"}));
  t.push_back(enum_type("ActivityKind", {"game", "software", "streaming", "listen"}));
  // The domain's entity names in wire order (gif = 21 is a reference-server addition after
  // 1.9.0, UPSTREAM.md §5): one list for the rules and the contract.
  std::vector<std::string> entity_types(entity_type_names().begin(), entity_type_names().end());
  t.push_back(enum_type("EntityType", std::move(entity_types)));
  t.push_back(enum_type("ModalComponentType", {"textInput", "stringSelect", "userSelect",
                                               "archetypeSelect", "channelSelect", "checkbox"}));
  t.push_back(enum_type("TextInputStyle", {"short", "paragraph"}));
}

}  // namespace

void add_dto_types(Descriptors& d) {
  auto& t = d.types;
  add_enums(t);
  t.push_back(class_type("BotUserV1", "",
                         {{"UserId", s(kGuid)},
                          {"Username", s(kString)},
                          {"DisplayName", s(kString)},
                          {"AvatarUrl", or_null(s(kString))},
                          {"Flags", named("UserFlag")},
                          // ref-only after 1.9.0: the person's current locale (UPSTREAM.md §5)
                          {"Locale", or_null(s(kString))}}));
  t.push_back(
      class_type("BotReactionV1", "",
                 {{"Emoji", s(kString)}, {"Count", s(kInt)}, {"UserIds", list_of("Guid")}}));
  t.push_back(class_type("BotMessageEntityV1", "",
                         {{"Type", named("EntityType")},
                          {"Offset", s(kInt)},
                          {"Length", s(kInt)},
                          {"UserId", nullable("Guid")},
                          {"ArchetypeId", nullable("Guid")},
                          {"Hashtag", or_null(s(kString))},
                          {"Email", or_null(s(kString))},
                          {"Domain", or_null(s(kString))},
                          {"Path", or_null(s(kString))},
                          {"Colour", nullable("int")},
                          {"QuotedUserId", nullable("Guid")},
                          {"Numerator", nullable("int")},
                          {"Denominator", nullable("int")},
                          {"CallId", nullable("Guid")},
                          {"CallerId", nullable("Guid")},
                          {"DurationSeconds", nullable("int")},
                          {"InviterId", nullable("Guid")},
                          {"FileName", or_null(s(kString))},
                          {"ContentType", or_null(s(kString))},
                          {"FileSize", nullable("long")},
                          {"ThumbHash", or_null(s(kString))},
                          {"Width", nullable("int")},
                          {"Height", nullable("int")}}));
  t.back().description =
      "A message entity. Events carry this flattened form (every field, null when unused); "
      "requests and History use the union form: the same `type`, `offset`, `length` and the "
      "variant's own fields, plus `version` (and `fileId` for attachments).";
  t.push_back(class_type("BotMessageV1", "",
                         {{"MessageId", s(kLong)},
                          {"ChannelId", s(kGuid)},
                          {"SpaceId", s(kGuid)},
                          {"Text", s(kString)},
                          {"Entities", list_of("BotMessageEntityV1")},
                          {"Sender", named("BotUserV1")},
                          {"TimeSent", s(kDateTime)},
                          {"ReplyId", nullable("long")},
                          {"Controls", list_of("ControlRowV1")},
                          {"Reactions", list_of("BotReactionV1")}}));
  t.push_back(class_type("BotChannelFullV1", "",
                         {{"ChannelId", s(kGuid)},
                          {"SpaceId", s(kGuid)},
                          {"Name", s(kString)},
                          {"Description", or_null(s(kString))},
                          {"Type", named("ChannelType")}}));
  t.push_back(class_type("BotActivityV1", "",
                         {{"Kind", named("ActivityKind")},
                          {"TitleName", s(kString)},
                          {"StartTimestampSeconds", s(kUInt32)}}));
  t.push_back(
      class_type("BotPresenceV1", "",
                 {{"Status", named("UserStatus")}, {"Activity", or_null(named("BotActivityV1"))}}));
  t.push_back(
      class_type("OklchColor", "", {{"L", s(kSingle)}, {"C", s(kSingle)}, {"H", s(kSingle)}}));
  t.push_back(class_type("ModalComponentV1", "",
                         {{"Type", named("ModalComponentType")},
                          {"CustomId", s(kString)},
                          {"Label", s(kString)},
                          {"Description", or_null(s(kString))},
                          {"Placeholder", or_null(s(kString))},
                          {"Style", nullable("TextInputStyle")},
                          {"MinLength", nullable("int")},
                          {"MaxLength", nullable("int")},
                          {"Required", nullable("bool")},
                          {"Value", or_null(s(kString))},
                          {"Default", nullable("bool")},
                          {"MinValues", nullable("int")},
                          {"MaxValues", nullable("int")},
                          {"Options", list_of("SelectOptionV1")}}));
  t.push_back(class_type("ModalDefinitionV1", "",
                         {{"CustomId", s(kString)},
                          {"Title", s(kString)},
                          {"Components", list_of("ModalComponentV1")}}));
  // 1.9.0: where the interacting user is in voice (UPSTREAM.md §4).
  t.push_back(class_type("BotVoiceStateV1", "",
                         {{"ChannelId", s(kGuid)},
                          {"JoinedAt", s(kDateTime)},
                          {"State", named("ChannelMemberState")}}));
}

}  // namespace argon::contracts::detail
