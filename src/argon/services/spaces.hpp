#pragma once
// Spaces, their channels, archetypes, invites and members.
#include <string>
#include <vector>

#include "argon/services/access.hpp"
#include "argon/services/context.hpp"

namespace argon::services {

struct SpaceDetail {
  Space space;
  std::vector<Channel> channels;
  std::vector<Archetype> archetypes;
  std::vector<Member> members;
  MemberPermissions viewer;  // the caller's permissions
};

struct CreateInviteRequest {
  std::optional<std::int64_t> max_uses;
  std::optional<std::int64_t> expires_in_seconds;
};

struct ArchetypeFields {
  std::optional<std::string> name;
  std::optional<std::int32_t> colour;
  std::optional<Entitlements> permissions;
  std::optional<bool> is_mentionable;
};

struct CreateChannelRequest {
  std::string name;
  std::optional<std::string> description;
  ChannelType type = ChannelType::Text;
  std::optional<Uuid> group_id;
};

class SpaceService {
 public:
  explicit SpaceService(Context& ctx) : ctx_(ctx) {}

  // The creator owns it; it gets a default archetype `everyone`, a text channel `general` and a
  // voice channel `voice`.
  // Emits memberJoin (the owner), so an open feed of the owner follows the new space.
  Task<Result<SpaceDetail>> create_space(const Uuid& owner_id, std::string name,
                                         std::optional<std::string> description);
  Task<std::vector<Space>> list_spaces(const Uuid& user_id);
  Task<Result<SpaceDetail>> get_space(const Uuid& user_id, const Uuid& space_id,
                                      UnknownSpace unknown = UnknownSpace::NotFound);

  Task<Result<Invite>> create_invite(const Uuid& user_id, const Uuid& space_id,
                                     CreateInviteRequest r);
  // Emits memberJoin. 404 invite_not_found; 409 already_member.
  Task<Result<Uuid>> accept_invite(const Uuid& user_id, const std::string& code);
  // Leave (self) or kick (KickMember). Emits memberLeave.
  Task<Status> remove_member(const Uuid& caller_id, const Uuid& space_id, const Uuid& target_id);
  // Self, or ManageServer for others. Emits memberUpdate.
  Task<Status> update_member(const Uuid& caller_id, const Uuid& space_id, const Uuid& target_id,
                             std::optional<std::string> display_name);
  // `required`: entitlements the caller needs (checked after existence, DECISIONS.md §2).
  Task<Result<Member>> get_member(const Uuid& caller_id, const Uuid& space_id,
                                  const Uuid& target_id,
                                  UnknownSpace unknown = UnknownSpace::NotFound,
                                  Entitlements required = 0);
  Task<Result<std::vector<Member>>> list_members(const Uuid& caller_id, const Uuid& space_id,
                                                 UnknownSpace unknown, Entitlements required);
  Task<Result<std::vector<Channel>>> list_channels(const Uuid& caller_id, const Uuid& space_id,
                                                   UnknownSpace unknown);

  // Archetypes as a bot sees them; `permissions_visible` when the caller holds ManageArchetype.
  struct ArchetypeView {
    std::vector<Archetype> archetypes;
    bool permissions_visible = false;
  };
  Task<Result<ArchetypeView>> list_archetypes(const Uuid& caller_id, const Uuid& space_id,
                                              UnknownSpace unknown);
  Task<Result<ArchetypeView>> get_archetype(const Uuid& caller_id, const Uuid& space_id,
                                            const Uuid& archetype_id, UnknownSpace unknown);
  Task<Result<std::vector<Member>>> archetype_members(const Uuid& caller_id, const Uuid& space_id,
                                                      const Uuid& archetype_id,
                                                      UnknownSpace unknown, Entitlements required);

  // Archetypes: ManageArchetype. Emit archetypeCreate / archetypeUpdate / memberUpdate.
  Task<Result<Archetype>> create_archetype(const Uuid& caller_id, const Uuid& space_id,
                                           ArchetypeFields f);
  Task<Result<Archetype>> update_archetype(const Uuid& caller_id, const Uuid& space_id,
                                           const Uuid& archetype_id, ArchetypeFields f);
  Task<Status> assign_archetype(const Uuid& caller_id, const Uuid& space_id, const Uuid& target_id,
                                const Uuid& archetype_id, bool assign);

  // Channels: ManageChannels. Emit channelCreate / channelDelete.
  Task<Result<Channel>> create_channel(const Uuid& caller_id, const Uuid& space_id,
                                       CreateChannelRequest r,
                                       UnknownSpace unknown = UnknownSpace::NotFound);
  Task<Status> delete_channel(const Uuid& caller_id, const Uuid& space_id, const Uuid& channel_id,
                              UnknownSpace unknown = UnknownSpace::NotFound);

 private:
  Context& ctx_;
};

// memberUpdate payload appended for one member.
void append_member_update(store::Connection& c, EventBatch& batch, const Uuid& space_id,
                          const Uuid& user_id, std::int64_t now_ms);

}  // namespace argon::services
