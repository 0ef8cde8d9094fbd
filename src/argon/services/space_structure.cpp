// SpaceService: archetypes and channels (the parts of a space its managers shape).
#include <boost/json/serialize.hpp>

#include "argon/domain/names.hpp"
#include "argon/services/spaces.hpp"
#include "argon/store/spaces_repo.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {
namespace json = boost::json;

namespace {
Status validate_fields(const ArchetypeFields& f) {
  if (f.name) ARGON_TRY(validate_name(*f.name, "name"));
  if (f.permissions && (*f.permissions >> 63) != 0)
    return Error::validation("permissions: must be a non-negative 64-bit integer");
  return {};
}

void append_archetype_event(store::Connection& c, EventBatch& batch, std::string type,
                            const Archetype& a, std::int64_t now) {
  // Events never reveal permissions (SPEC.md §4.7): only IArchetypes shows them, with
  // ManageArchetype.
  json::object payload{{"spaceId", a.space_id.str()},
                       {"archetype", wire::archetype_json(a, false)}};
  batch.append(c, events::space_stream(a.space_id), std::move(type), a.space_id,
               json::serialize(payload), now);
}
}  // namespace

Task<Result<Archetype>> SpaceService::create_archetype(const Uuid& caller_id, const Uuid& space_id,
                                                       ArchetypeFields f) {
  if (!f.name) co_return Error::validation("name: required");
  ARGON_CO_TRY(validate_fields(f));
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Archetype> {
    batch.clear();
    auto access = require_member(c, space_id, caller_id);
    if (!access) return access.error();
    ARGON_TRY(require_permission(*access, entitlement::kManageArchetype));
    std::int64_t now = ctx_.now_ms();
    Archetype a{ctx_.random.uuid(),
                space_id,
                *f.name,
                f.colour.value_or(0),
                f.is_mentionable.value_or(false),
                false,
                f.permissions.value_or(0),
                now};
    store::archetypes::insert(c, a);
    append_archetype_event(c, batch, "archetypeCreate", a, now);
    return a;
  });
  co_return result;
}

Task<Result<Archetype>> SpaceService::update_archetype(const Uuid& caller_id, const Uuid& space_id,
                                                       const Uuid& archetype_id,
                                                       ArchetypeFields f) {
  ARGON_CO_TRY(validate_fields(f));
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Archetype> {
    batch.clear();
    auto access = require_member(c, space_id, caller_id);
    if (!access) return access.error();
    auto a = store::archetypes::find(c, archetype_id);
    if (!a || a->space_id != space_id) return Error::not_found("not_found", "Archetype not found.");
    ARGON_TRY(require_permission(*access, entitlement::kManageArchetype));
    if (f.name) a->name = *f.name;
    if (f.colour) a->colour = *f.colour;
    if (f.is_mentionable) a->is_mentionable = *f.is_mentionable;
    if (f.permissions) a->permissions = *f.permissions;
    store::archetypes::update(c, *a);
    append_archetype_event(c, batch, "archetypeUpdate", *a, ctx_.now_ms());
    return *a;
  });
  co_return result;
}

Task<Status> SpaceService::assign_archetype(const Uuid& caller_id, const Uuid& space_id,
                                            const Uuid& target_id, const Uuid& archetype_id,
                                            bool assign) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto access = require_member(c, space_id, caller_id);
    if (!access) return access.error();
    auto a = store::archetypes::find(c, archetype_id);
    if (!a || a->space_id != space_id) return Error::not_found("not_found", "Archetype not found.");
    if (!store::members::exists(c, space_id, target_id))
      return Error::not_found("not_found", "Member not found.");
    ARGON_TRY(require_permission(*access, entitlement::kManageArchetype));
    if (a->is_default)
      return Error::validation("archetypeId: the default archetype belongs to every member");
    bool changed =
        assign ? (store::members::assign_archetype(c, space_id, target_id, archetype_id), true)
               : store::members::unassign_archetype(c, space_id, target_id, archetype_id);
    if (changed) append_member_update(c, batch, space_id, target_id, ctx_.now_ms());
    return {};
  });
  co_return result;
}

Task<Result<Channel>> SpaceService::create_channel(const Uuid& caller_id, const Uuid& space_id,
                                                   CreateChannelRequest r, UnknownSpace unknown) {
  ARGON_CO_TRY(validate_name(r.name, "name"));
  if (r.description) ARGON_CO_TRY(validate_description(*r.description));
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Channel> {
    batch.clear();
    auto access = require_member(c, space_id, caller_id, unknown);
    if (!access) return access.error();
    ARGON_TRY(require_permission(*access, entitlement::kManageChannels));
    std::int64_t now = ctx_.now_ms();
    Channel ch{ctx_.random.uuid(), space_id, r.name, r.description, r.type, r.group_id, now};
    store::channels::insert(c, ch);
    json::object payload{{"spaceId", space_id.str()}, {"channel", wire::channel_full_json(ch)}};
    batch.append(c, events::space_stream(space_id), "channelCreate", space_id,
                 json::serialize(payload), now);
    return ch;
  });
  co_return result;
}

Task<Status> SpaceService::delete_channel(const Uuid& caller_id, const Uuid& space_id,
                                          const Uuid& channel_id, UnknownSpace unknown) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto access = require_member(c, space_id, caller_id, unknown);
    if (!access) return access.error();
    auto ch = store::channels::find(c, channel_id);
    if (!ch || ch->space_id != space_id)
      return Error::not_found("channel_not_found", "Channel not found in this space.");
    ARGON_TRY(require_permission(*access, entitlement::kManageChannels));
    store::channels::remove(c, channel_id);
    json::object payload{{"spaceId", space_id.str()}, {"channelId", channel_id.str()}};
    batch.append(c, events::space_stream(space_id), "channelDelete", space_id,
                 json::serialize(payload), ctx_.now_ms());
    return {};
  });
  co_return result;
}

}  // namespace argon::services
