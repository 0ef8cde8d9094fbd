#pragma once
// Entitlement bits of an archetype's permission mask (SPEC.md §12.2) and the mapping of Bot API
// route permissions onto them (DECISIONS.md §5).
#include <cstdint>
#include <optional>
#include <string_view>

namespace argon {

using Entitlements = std::uint64_t;

namespace entitlement {
inline constexpr Entitlements kViewChannel = 1ull << 0;
inline constexpr Entitlements kReadHistory = 1ull << 1;
inline constexpr Entitlements kJoinToVoice = 1ull << 2;
inline constexpr Entitlements kSendMessages = 1ull << 5;
inline constexpr Entitlements kSendVoice = 1ull << 6;
inline constexpr Entitlements kAttachFiles = 1ull << 7;
inline constexpr Entitlements kAddReactions = 1ull << 8;
inline constexpr Entitlements kAnyMentions = 1ull << 9;
inline constexpr Entitlements kMentionEveryone = 1ull << 10;
inline constexpr Entitlements kExternalEmoji = 1ull << 11;
inline constexpr Entitlements kExternalStickers = 1ull << 12;
inline constexpr Entitlements kUseCommands = 1ull << 13;
inline constexpr Entitlements kPostEmbeddedLinks = 1ull << 14;
inline constexpr Entitlements kConnect = 1ull << 20;
inline constexpr Entitlements kSpeak = 1ull << 21;
inline constexpr Entitlements kVideo = 1ull << 22;
inline constexpr Entitlements kStream = 1ull << 23;
inline constexpr Entitlements kCanDrawOnStream = 1ull << 24;
inline constexpr Entitlements kUseAsio = 1ull << 30;
inline constexpr Entitlements kAdditionalStreams = 1ull << 31;
inline constexpr Entitlements kDisconnectMember = 1ull << 40;
inline constexpr Entitlements kMoveMember = 1ull << 41;
inline constexpr Entitlements kBanMember = 1ull << 42;
inline constexpr Entitlements kMuteMember = 1ull << 43;
inline constexpr Entitlements kKickMember = 1ull << 44;
inline constexpr Entitlements kManageChannels = 1ull << 50;
inline constexpr Entitlements kManageArchetype = 1ull << 51;
inline constexpr Entitlements kManageBots = 1ull << 52;
inline constexpr Entitlements kManageEvents = 1ull << 53;
inline constexpr Entitlements kManageBehaviour = 1ull << 54;
inline constexpr Entitlements kManageServer = 1ull << 55;
inline constexpr Entitlements kManageMessages = 1ull << 56;

// What every member of a new space may do through its default archetype: read, write, use
// commands, join voice. Managing the space is left to the owner and archetypes they hand out.
inline constexpr Entitlements kDefaultMember =
    kViewChannel | kReadHistory | kJoinToVoice | kSendMessages | kSendVoice | kAttachFiles |
    kAddReactions | kAnyMentions | kUseCommands | kPostEmbeddedLinks | kConnect | kSpeak | kVideo |
    kStream;
}  // namespace entitlement

// The permission names routes declare in the manifest.
enum class RoutePermission {
  SendMessages,
  ReadMessages,
  ManageChannels,
  KickMembers,
  ViewMembers,
  ConnectVoice,
  AddReactions  // IReactions/Add (Bot API 1.8.0)
};

constexpr Entitlements entitlement_for(RoutePermission p) {
  switch (p) {
    case RoutePermission::SendMessages:
      return entitlement::kSendMessages;
    case RoutePermission::ReadMessages:
      return entitlement::kReadHistory;
    case RoutePermission::ManageChannels:
      return entitlement::kManageChannels;
    case RoutePermission::KickMembers:
      return entitlement::kKickMember;
    case RoutePermission::ViewMembers:
      return entitlement::kViewChannel;
    case RoutePermission::ConnectVoice:
      return entitlement::kConnect;
    case RoutePermission::AddReactions:
      return entitlement::kAddReactions;
  }
  return 0;
}

std::string_view route_permission_name(RoutePermission p);
std::optional<RoutePermission> parse_route_permission(std::string_view name);
// Name of a single entitlement bit ("ManageChannels"), for error messages; "" if unknown.
std::string_view entitlement_name(Entitlements single_bit);

// A member's effective permissions in one space: the OR of their archetypes (default included).
// The owner and holders of ManageServer have every entitlement.
struct MemberPermissions {
  Entitlements mask = 0;
  bool is_owner = false;

  bool administrator() const { return is_owner || (mask & entitlement::kManageServer) != 0; }
  bool has(Entitlements bits) const { return administrator() || (mask & bits) == bits; }
  bool has_any(Entitlements bits) const { return administrator() || (mask & bits) != 0; }
};

}  // namespace argon
