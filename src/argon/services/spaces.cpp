#include "argon/services/spaces.hpp"

#include <boost/json/serialize.hpp>

#include "argon/domain/names.hpp"
#include "argon/services/user_locales.hpp"
#include "argon/store/accounts_repo.hpp"
#include "argon/store/spaces_repo.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {
namespace json = boost::json;

namespace {
constexpr std::int64_t kInviteMaxUses = 1000;
constexpr std::int64_t kInviteMinSeconds = 60;
constexpr std::int64_t kInviteMaxSeconds = 30LL * 24 * 3600;
constexpr char kInviteAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

std::string new_invite_code(Random& random) {
  std::array<std::uint8_t, 10> bytes{};
  random.fill(bytes);
  std::string code;
  for (auto b : bytes) code.push_back(kInviteAlphabet[b % (sizeof(kInviteAlphabet) - 1)]);
  return code;
}
}  // namespace

void append_member_update(store::Connection& c, EventBatch& batch, const Uuid& space_id,
                          const Uuid& user_id, std::int64_t now_ms) {
  auto member = store::members::find(c, space_id, user_id);
  if (!member) return;
  json::object payload{{"spaceId", space_id.str()}, {"user", user_json(batch.context(), *member)}};
  batch.append(c, events::space_stream(space_id), "memberUpdate", space_id,
               json::serialize(payload), now_ms);
}

Task<Result<SpaceDetail>> SpaceService::create_space(const Uuid& owner_id, std::string name,
                                                     std::optional<std::string> description) {
  ARGON_CO_TRY(validate_name(name, "name"));
  if (description) ARGON_CO_TRY(validate_description(*description));
  std::int64_t now = ctx_.now_ms();
  SpaceDetail d;
  d.space = Space{ctx_.random.uuid(), name, description, owner_id, ctx_.random.uuid(), now};
  d.archetypes.push_back(Archetype{d.space.default_archetype_id, d.space.id, "everyone", 0, false,
                                   true, entitlement::kDefaultMember, now});
  d.channels.push_back(Channel{ctx_.random.uuid(), d.space.id, "general", std::nullopt,
                               ChannelType::Text, std::nullopt, now});
  d.channels.push_back(Channel{ctx_.random.uuid(), d.space.id, "voice", std::nullopt,
                               ChannelType::Voice, std::nullopt, now + 1});
  d.viewer.is_owner = true;
  // The owner's memberJoin opens the space's stream: a feed the owner has open follows the new
  // space from it on (events::Hub::apply_membership), as it does for a space joined by invite.
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<SpaceDetail> {
    batch.clear();
    if (!store::users::find(c, owner_id)) return Error::unauthorized();
    store::spaces::insert(c, d.space);
    for (const auto& a : d.archetypes) store::archetypes::insert(c, a);
    for (const auto& ch : d.channels) store::channels::insert(c, ch);
    store::members::insert(c, d.space.id, owner_id, now);
    d.members = store::members::list(c, d.space.id);
    d.viewer.mask = store::members::permission_mask(c, d.space.id, owner_id);
    auto owner = store::members::find(c, d.space.id, owner_id);
    json::object payload{{"spaceId", d.space.id.str()}, {"user", user_json(ctx_, *owner)}};
    batch.append(c, events::space_stream(d.space.id), "memberJoin", d.space.id,
                 json::serialize(payload), now);
    return d;
  });
  co_return result;
}

Task<std::vector<Space>> SpaceService::list_spaces(const Uuid& user_id) {
  co_return co_await ctx_.db.read(
      [&](store::Connection& c) { return store::spaces::list_for_user(c, user_id); });
}

Task<Result<SpaceDetail>> SpaceService::get_space(const Uuid& user_id, const Uuid& space_id,
                                                  UnknownSpace unknown) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<SpaceDetail> {
    auto access = require_member(c, space_id, user_id, unknown);
    if (!access) return access.error();
    SpaceDetail d{access->space, store::channels::list(c, space_id),
                  store::archetypes::list(c, space_id), store::members::list(c, space_id),
                  access->permissions};
    return d;
  });
}

Task<Result<Invite>> SpaceService::create_invite(const Uuid& user_id, const Uuid& space_id,
                                                 CreateInviteRequest r) {
  if (r.max_uses && (*r.max_uses < 1 || *r.max_uses > kInviteMaxUses))
    co_return Error::validation("maxUses: must be between 1 and 1000");
  if (r.expires_in_seconds &&
      (*r.expires_in_seconds < kInviteMinSeconds || *r.expires_in_seconds > kInviteMaxSeconds))
    co_return Error::validation("expiresInSeconds: must be between 60 and 2592000");
  Invite inv;
  inv.code = new_invite_code(ctx_.random);
  inv.space_id = space_id;
  inv.creator_id = user_id;
  inv.max_uses = r.max_uses;
  inv.created_at_ms = ctx_.now_ms();
  if (r.expires_in_seconds) inv.expires_at_ms = inv.created_at_ms + *r.expires_in_seconds * 1000;
  co_return co_await ctx_.db.transact([&](store::Connection& c) -> Result<Invite> {
    auto access = require_member(c, space_id, user_id);
    if (!access) return access.error();
    store::invites::insert(c, inv);
    return inv;
  });
}

Task<Result<Uuid>> SpaceService::accept_invite(const Uuid& user_id, const std::string& code) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Uuid> {
    batch.clear();
    std::int64_t now = ctx_.now_ms();
    auto inv = store::invites::find(c, code);
    if (!inv || (inv->expires_at_ms && *inv->expires_at_ms <= now) ||
        (inv->max_uses && inv->uses >= *inv->max_uses))
      return Error::not_found("invite_not_found", "Invite not found or no longer valid.");
    if (store::members::exists(c, inv->space_id, user_id))
      return Error::conflict("already_member", "You are already a member of this space.");
    try {
      store::members::insert(c, inv->space_id, user_id, now);
    } catch (const store::ConstraintError&) {  // joined concurrently (PostgreSQL)
      return Error::conflict("already_member", "You are already a member of this space.");
    }
    // Counted under the invite's row lock: concurrent joins cannot pass max_uses together.
    if (!store::invites::count_use(c, code))
      return Error::not_found("invite_not_found", "Invite not found or no longer valid.");
    auto member = store::members::find(c, inv->space_id, user_id);
    json::object payload{{"spaceId", inv->space_id.str()}, {"user", user_json(ctx_, *member)}};
    batch.append(c, events::space_stream(inv->space_id), "memberJoin", inv->space_id,
                 json::serialize(payload), now);
    return inv->space_id;
  });
  co_return result;
}

Task<Status> SpaceService::remove_member(const Uuid& caller_id, const Uuid& space_id,
                                         const Uuid& target_id) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto access = require_member(c, space_id, caller_id);
    if (!access) return access.error();
    if (target_id == caller_id) {
      if (access->permissions.is_owner)
        return Error::bad_request("owner_cannot_leave", "The owner cannot leave their space.");
    } else {
      if (!store::members::exists(c, space_id, target_id))
        return Error::not_found("not_found", "Member not found.");
      ARGON_TRY(require_permission(*access, entitlement::kKickMember));
      if (target_id == access->space.owner_id)
        return Error::forbidden("missing_permission", "The owner cannot be kicked.");
    }
    std::int64_t now = ctx_.now_ms();
    store::members::remove(c, space_id, target_id);
    json::object payload{{"spaceId", space_id.str()}, {"userId", target_id.str()}};
    batch.append(c, events::space_stream(space_id), "memberLeave", space_id,
                 json::serialize(payload), now);
    // A bot removed from a space hears of it directly, as on uninstall.
    if (auto app = store::apps::find_by_bot_user(c, target_id)) {
      json::object direct{{"spaceId", space_id.str()}};
      batch.append(c, events::bot_stream(target_id), "botUninstallingFromSpace", space_id,
                   json::serialize(direct), now);
    }
    return {};
  });
  co_return result;
}

Task<Status> SpaceService::update_member(const Uuid& caller_id, const Uuid& space_id,
                                         const Uuid& target_id,
                                         std::optional<std::string> display_name) {
  if (display_name) ARGON_CO_TRY(validate_name(*display_name, "displayName", kDisplayNameMax));
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto access = require_member(c, space_id, caller_id);
    if (!access) return access.error();
    if (target_id != caller_id) ARGON_TRY(require_permission(*access, entitlement::kManageServer));
    if (!store::members::exists(c, space_id, target_id))
      return Error::not_found("not_found", "Member not found.");
    store::members::set_display_name(c, space_id, target_id, display_name);
    append_member_update(c, batch, space_id, target_id, ctx_.now_ms());
    return {};
  });
  co_return result;
}

Task<Result<Member>> SpaceService::get_member(const Uuid& caller_id, const Uuid& space_id,
                                              const Uuid& target_id, UnknownSpace unknown,
                                              Entitlements required) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<Member> {
    auto access = require_member(c, space_id, caller_id, unknown);
    if (!access) return access.error();
    auto member = store::members::find(c, space_id, target_id);
    if (!member) return Error::not_found("not_found", "Member not found.");
    if (required) ARGON_TRY(require_permission(*access, required));
    return *member;
  });
}

Task<Result<std::vector<Member>>> SpaceService::list_members(const Uuid& caller_id,
                                                             const Uuid& space_id,
                                                             UnknownSpace unknown,
                                                             Entitlements required) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<Member>> {
    auto access = require_member(c, space_id, caller_id, unknown);
    if (!access) return access.error();
    if (required) ARGON_TRY(require_permission(*access, required));
    return store::members::list(c, space_id);
  });
}

Task<Result<std::vector<Channel>>> SpaceService::list_channels(const Uuid& caller_id,
                                                               const Uuid& space_id,
                                                               UnknownSpace unknown) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<Channel>> {
    auto access = require_member(c, space_id, caller_id, unknown);
    if (!access) return access.error();
    return store::channels::list(c, space_id);
  });
}

Task<Result<SpaceService::ArchetypeView>> SpaceService::list_archetypes(const Uuid& caller_id,
                                                                        const Uuid& space_id,
                                                                        UnknownSpace unknown) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<ArchetypeView> {
    auto access = require_member(c, space_id, caller_id, unknown);
    if (!access) return access.error();
    return ArchetypeView{store::archetypes::list(c, space_id),
                         access->permissions.has(entitlement::kManageArchetype)};
  });
}

Task<Result<SpaceService::ArchetypeView>> SpaceService::get_archetype(const Uuid& caller_id,
                                                                      const Uuid& space_id,
                                                                      const Uuid& archetype_id,
                                                                      UnknownSpace unknown) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<ArchetypeView> {
    auto access = require_member(c, space_id, caller_id, unknown);
    if (!access) return access.error();
    auto a = store::archetypes::find(c, archetype_id);
    if (!a || a->space_id != space_id) return Error::not_found("not_found", "Archetype not found.");
    return ArchetypeView{{*a}, access->permissions.has(entitlement::kManageArchetype)};
  });
}

Task<Result<std::vector<Member>>> SpaceService::archetype_members(const Uuid& caller_id,
                                                                  const Uuid& space_id,
                                                                  const Uuid& archetype_id,
                                                                  UnknownSpace unknown,
                                                                  Entitlements required) {
  co_return co_await ctx_.db.read([&](store::Connection& c) -> Result<std::vector<Member>> {
    auto access = require_member(c, space_id, caller_id, unknown);
    if (!access) return access.error();
    auto a = store::archetypes::find(c, archetype_id);
    if (!a || a->space_id != space_id) return Error::not_found("not_found", "Archetype not found.");
    if (required) ARGON_TRY(require_permission(*access, required));
    return store::members::list_with_archetype(c, space_id, archetype_id);
  });
}

}  // namespace argon::services
