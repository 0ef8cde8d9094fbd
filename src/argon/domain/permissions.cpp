#include "argon/domain/permissions.hpp"

#include <array>
#include <utility>

namespace argon {

std::string_view route_permission_name(RoutePermission p) {
  switch (p) {
    case RoutePermission::SendMessages:
      return "SendMessages";
    case RoutePermission::ReadMessages:
      return "ReadMessages";
    case RoutePermission::ManageChannels:
      return "ManageChannels";
    case RoutePermission::KickMembers:
      return "KickMembers";
    case RoutePermission::ViewMembers:
      return "ViewMembers";
    case RoutePermission::ConnectVoice:
      return "ConnectVoice";
    case RoutePermission::AddReactions:
      return "AddReactions";
  }
  return "";
}

std::optional<RoutePermission> parse_route_permission(std::string_view name) {
  for (auto p :
       {RoutePermission::SendMessages, RoutePermission::ReadMessages,
        RoutePermission::ManageChannels, RoutePermission::KickMembers, RoutePermission::ViewMembers,
        RoutePermission::ConnectVoice, RoutePermission::AddReactions}) {
    if (route_permission_name(p) == name) return p;
  }
  return std::nullopt;
}

std::string_view entitlement_name(Entitlements bit) {
  using namespace entitlement;
  static constexpr std::array<std::pair<Entitlements, std::string_view>, 32> kNames{{
      {kViewChannel, "ViewChannel"},
      {kReadHistory, "ReadHistory"},
      {kJoinToVoice, "JoinToVoice"},
      {kSendMessages, "SendMessages"},
      {kSendVoice, "SendVoice"},
      {kAttachFiles, "AttachFiles"},
      {kAddReactions, "AddReactions"},
      {kAnyMentions, "AnyMentions"},
      {kMentionEveryone, "MentionEveryone"},
      {kExternalEmoji, "ExternalEmoji"},
      {kExternalStickers, "ExternalStickers"},
      {kUseCommands, "UseCommands"},
      {kPostEmbeddedLinks, "PostEmbeddedLinks"},
      {kConnect, "Connect"},
      {kSpeak, "Speak"},
      {kVideo, "Video"},
      {kStream, "Stream"},
      {kCanDrawOnStream, "CanDrawOnStream"},
      {kUseAsio, "UseASIO"},
      {kAdditionalStreams, "AdditionalStreams"},
      {kDisconnectMember, "DisconnectMember"},
      {kMoveMember, "MoveMember"},
      {kBanMember, "BanMember"},
      {kMuteMember, "MuteMember"},
      {kKickMember, "KickMember"},
      {kManageChannels, "ManageChannels"},
      {kManageArchetype, "ManageArchetype"},
      {kManageBots, "ManageBots"},
      {kManageEvents, "ManageEvents"},
      {kManageBehaviour, "ManageBehaviour"},
      {kManageServer, "ManageServer"},
      {kManageMessages, "ManageMessages"},
  }};
  for (const auto& [b, n] : kNames)
    if (b == bit) return n;
  return "";
}

}  // namespace argon
