// Descriptors: IArchetypes/v1, IBotSelf/v1, IChannels/v1, IMembers/v1, ISpaces/v1.
#include "argon/contracts/descriptors.hpp"

namespace argon::contracts::detail {
namespace {

using namespace clr;
TypeRef s(std::string_view v) {
  return named(std::string(v));
}
std::string nested(const char* container, const char* name) {
  return std::string(kInterfacesNs) + container + "+" + name;
}

void add_archetypes(Descriptors& d) {
  d.types.push_back(class_type("ArchetypeListResponse",
                               nested("ArchetypesV1", "ArchetypeListResponse"),
                               {{"Archetypes", list_of("BotArchetypeV1")}}));
  d.types.push_back(
      class_type("ArchetypeMembersResponse", nested("ArchetypesV1", "ArchetypeMembersResponse"),
                 {{"ArchetypeId", s(kGuid)}, {"Members", list_of("ArchetypeMemberV1")}}));

  InterfaceDecl i;
  i.name = "IArchetypes";
  i.version = 1;
  i.description =
      "List and inspect archetypes (roles) in a space. Permissions are hidden unless the bot has "
      "ManageArchetype entitlement.";
  i.declared_hash = "54ffb425be28ff6fa8e95632cda1e1e63919a8b110d2aafb9b6f3c493e24266e";
  i.rate_limit_per_minute = 30;  // changelog 1.6.0; not in the manifest policies (DECISIONS §8)
  i.routes = {
      {.method = "GET",
       .name = "Get",
       .description =
           "Gets a single archetype by ID. Pass spaceId and archetypeId as query parameters.",
       .response_type = "BotArchetypeV1",
       .errors = {not_a_member(), {404, "not_found", "Archetype not found."}},
       .query = {{"spaceId", named("Guid"), true}, {"archetypeId", named("Guid"), true}}},
      {.method = "GET",
       .name = "List",
       .description = "Lists all archetypes in a space. Returns id, name, colour, isMentionable, "
                      "isDefault. Permissions are included only if the bot has the "
                      "ManageArchetype entitlement.",
       .response_type = "ArchetypeListResponse",
       .errors = {not_a_member()},
       .query = {{"spaceId", named("Guid"), true}}},
      {.method = "GET",
       .name = "ListMembers",
       .description = "Lists all members assigned to a specific archetype. Pass spaceId and "
                      "archetypeId as query parameters.",
       .permission = RoutePermission::ViewMembers,
       .response_type = "ArchetypeMembersResponse",
       .errors = {not_a_member()},
       .query = {{"spaceId", named("Guid"), true}, {"archetypeId", named("Guid"), true}}},
  };
  d.interfaces.push_back(std::move(i));
}

void add_bot_self(Descriptors& d) {
  d.types.push_back(class_type("BotSelfResponse", nested("BotSelfV1", "BotSelfResponse"),
                               {{"BotId", s(kGuid)},
                                {"UserId", s(kGuid)},
                                {"Username", s(kString)},
                                {"DisplayName", s(kString)}}));
  d.types.push_back(class_type("BotSpacesResponse", nested("BotSelfV1", "BotSpacesResponse"),
                               {{"Spaces", list_of("BotSpaceBase")}}));

  InterfaceDecl i;
  i.name = "IBotSelf";
  i.version = 1;
  i.description = "Get information about the authenticated bot and its spaces.";
  i.declared_hash = "6e0e64decfe0f7b185bdb5e6b92dacbba557e5a9dd72e0c29b8c6e5094ea819b";
  i.rate_limit_per_minute = 15;
  i.routes = {
      {.method = "GET",
       .name = "GetMe",
       .description =
           "Returns the bot's own profile: user ID, username, display name, avatar, and email.",
       .response_type = "BotSelfResponse"},
      {.method = "GET",
       .name = "GetSpaces",
       .description = "Lists all spaces the bot has been added to.",
       .response_type = "BotSpacesResponse"},
  };
  d.interfaces.push_back(std::move(i));
}

void add_channels(Descriptors& d) {
  d.types.push_back(class_type("CreateChannelRequest", nested("ChannelsV1", "CreateChannelRequest"),
                               {{"SpaceId", s(kGuid)},
                                {"Name", s(kString)},
                                {"Description", s(kString)},
                                {"ChannelType", named("ChannelType")},
                                {"GroupId", nullable("Guid")}}));
  d.types.push_back(class_type("BotChannel", nested("ChannelsV1", "BotChannel"),
                               {{"ChannelId", s(kGuid)},
                                {"SpaceId", s(kGuid)},
                                {"Name", s(kString)},
                                {"Description", s(kString)},
                                {"ChannelType", s(kString)},
                                {"GroupId", nullable("Guid")}}));
  d.types.push_back(class_type("ChannelListResponse", nested("ChannelsV1", "ChannelListResponse"),
                               {{"Channels", list_of("BotChannel")}}));

  InterfaceDecl i;
  i.name = "IChannels";
  i.version = 1;
  i.description = "Create, list, and delete channels within a space.";
  i.declared_hash = "0fe77bb6a54be4f1494413f214690ba904602c7a5b4637bdbc3a4a12237fc1b2";
  i.rate_limit_per_minute = 60;
  i.routes = {
      {.method = "POST",
       .name = "Create",
       .description = "Creates a new channel in a space. Specify name, type (text or voice), and "
                      "optionally a channel group.",
       .permission = RoutePermission::ManageChannels,
       .request_type = "CreateChannelRequest",
       .response_type = "BotChannel",
       .errors = {not_a_member()}},
      {.method = "DELETE",
       .name = "Delete",
       .description = "Deletes a channel. Pass spaceId and channelId as query parameters.",
       .permission = RoutePermission::ManageChannels,
       .response_type = "DeletedResponse",
       .errors = {not_a_member()},
       .query = {{"spaceId", named("Guid"), true}, {"channelId", named("Guid"), true}}},
      {.method = "GET",
       .name = "List",
       .description = "Lists all channels in a space. Pass spaceId as a query parameter.",
       .response_type = "ChannelListResponse",
       .errors = {not_a_member()},
       .query = {{"spaceId", named("Guid"), true}}},
  };
  d.interfaces.push_back(std::move(i));
}

void add_members(Descriptors& d) {
  d.types.push_back(
      class_type("KickResponse", nested("MembersV1", "KickResponse"), {{"Kicked", s(kBool)}}));

  InterfaceDecl i;
  i.name = "IMembers";
  i.version = 1;
  i.description = "Manage space members: kick users from channels.";
  i.declared_hash = "523eb9321577603b796012867277baad830afaf46b0c121f03864f25a9c17b85";
  i.rate_limit_per_minute = 30;
  i.routes = {
      {.method = "POST",
       .name = "Kick",
       .description = "Kicks a user from a channel. Pass spaceId, channelId, and userId as query "
                      "parameters.",
       .permission = RoutePermission::KickMembers,
       .response_type = "KickResponse",
       .errors = {{400, "kick_failed", "Failed to kick user — they may not be in the channel."},
                  not_a_member()},
       .query = {{"spaceId", named("Guid"), true},
                 {"channelId", named("Guid"), true},
                 {"userId", named("Guid"), true}}},
  };
  d.interfaces.push_back(std::move(i));
}

void add_spaces(Descriptors& d) {
  d.types.push_back(class_type("BotSpaceDetail", nested("SpacesV1", "BotSpaceDetail"),
                               {{"SpaceId", s(kGuid)},
                                {"Name", s(kString)},
                                {"Description", s(kString)},
                                {"IsCommunity", s(kBool)}}));
  d.types.push_back(class_type("BotMember", nested("SpacesV1", "BotMember"),
                               {{"UserId", s(kGuid)},
                                {"SpaceId", s(kGuid)},
                                {"Username", s(kString)},
                                {"DisplayName", s(kString)},
                                {"ArchetypeIds", list_of("Guid")}}));
  d.types.push_back(class_type("MemberListResponse", nested("SpacesV1", "MemberListResponse"),
                               {{"Members", list_of("BotMember")}}));

  InterfaceDecl i;
  i.name = "ISpaces";
  i.version = 1;
  i.description = "Get space details and member information.";
  i.declared_hash = "4e98c00f57070e7d70cce6ccbac2c6488f62cc11c1fcf7623bfeb327d9a1adc6";
  i.rate_limit_per_minute = 30;
  i.routes = {
      {.method = "GET",
       .name = "Get",
       .description = "Gets space details — name, description, and community flag. Pass "
                      "spaceId as a query parameter.",
       .response_type = "BotSpaceDetail",
       .errors = {not_a_member()},
       .query = {{"spaceId", named("Guid"), true}}},
      {.method = "GET",
       .name = "GetMember",
       .description =
           "Gets a single member's details. Pass spaceId and userId as query parameters.",
       .permission = RoutePermission::ViewMembers,
       .response_type = "BotMember",
       .errors = {not_a_member()},
       .query = {{"spaceId", named("Guid"), true}, {"userId", named("Guid"), true}}},
      {.method = "GET",
       .name = "ListMembers",
       .description = "Lists all members of a space with their username, display name, and "
                      "roles. Pass spaceId as a query parameter. Requires privileged intent.",
       .permission = RoutePermission::ViewMembers,
       .privileged = true,
       .response_type = "MemberListResponse",
       .errors = {not_a_member()},
       .query = {{"spaceId", named("Guid"), true}}},
  };
  d.interfaces.push_back(std::move(i));
}

}  // namespace

void add_space_interfaces(Descriptors& d) {
  add_archetypes(d);
  add_bot_self(d);
  add_channels(d);
  add_members(d);
  add_spaces(d);
}

}  // namespace argon::contracts::detail
