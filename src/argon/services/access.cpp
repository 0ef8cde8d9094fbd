#include "argon/services/access.hpp"

#include "argon/store/spaces_repo.hpp"

namespace argon::services {

Result<SpaceAccess> require_member(store::Connection& c, const Uuid& space_id, const Uuid& user_id,
                                   UnknownSpace unknown) {
  auto space = store::spaces::find(c, space_id);
  if (!space) {
    if (unknown == UnknownSpace::NotAMember) return Error::not_a_member();
    return Error::not_found("not_found", "Space not found.");
  }
  if (!store::members::exists(c, space_id, user_id)) return Error::not_a_member();
  SpaceAccess access{std::move(*space), {}};
  access.permissions.is_owner = access.space.owner_id == user_id;
  access.permissions.mask = store::members::permission_mask(c, space_id, user_id);
  return access;
}

Result<ChannelAccess> require_channel_member(store::Connection& c, const Uuid& channel_id,
                                             const Uuid& user_id) {
  auto channel = store::channels::find(c, channel_id);
  if (!channel) return Error::not_found("channel_not_found", "Channel not found.");
  auto access = require_member(c, channel->space_id, user_id, UnknownSpace::NotAMember);
  if (!access) return access.error();
  return ChannelAccess{std::move(*channel), std::move(*access)};
}

Status require_permission(const SpaceAccess& access, Entitlements bit) {
  if (access.permissions.has(bit)) return {};
  return Error::missing_permission(entitlement_name(bit));
}

Status require_text_channel(const Channel& channel) {
  if (channel.type == ChannelType::Voice)
    return Error::bad_request("not_text_channel", "This is a voice channel.");
  return {};
}

}  // namespace argon::services
