#pragma once
// Membership and permission checks shared by every operation, in the order DECISIONS.md §2 fixes:
// membership (403 not_a_member) → existence (404) → permission (403 missing_permission).
#include "argon/domain/model.hpp"
#include "argon/domain/result.hpp"
#include "argon/store/sql.hpp"

namespace argon::services {

// Who is calling: a person (session token) or a bot (bot token).
struct Caller {
  Uuid user_id;
  bool is_bot = false;
  std::optional<Uuid> app_id;
  bool is_verified = false;
};

struct SpaceAccess {
  Space space;
  MemberPermissions permissions;
};

enum class UnknownSpace {
  NotFound,    // 404 not_found: people's API, where ids come from the caller's own lists
  NotAMember,  // 403 not_a_member: Bot API, where the membership filter answers first
};

Result<SpaceAccess> require_member(store::Connection& c, const Uuid& space_id, const Uuid& user_id,
                                   UnknownSpace unknown = UnknownSpace::NotFound);

struct ChannelAccess {
  Channel channel;
  SpaceAccess access;
};
// Unknown channel: 404 channel_not_found; then membership of the channel's space.
Result<ChannelAccess> require_channel_member(store::Connection& c, const Uuid& channel_id,
                                             const Uuid& user_id);

// 403 missing_permission naming the entitlement.
Status require_permission(const SpaceAccess& access, Entitlements bit);
Status require_text_channel(const Channel& channel);

}  // namespace argon::services
