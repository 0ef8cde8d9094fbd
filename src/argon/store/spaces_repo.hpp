#pragma once
// Spaces and what lives in them: channels, archetypes, members, invites.
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/model.hpp"
#include "argon/store/sql.hpp"

namespace argon::store {

namespace spaces {
void insert(Connection& c, const Space& s);
std::optional<Space> find(Connection& c, const Uuid& id);
std::vector<Space> list_for_user(Connection& c, const Uuid& user_id);
}  // namespace spaces

namespace channels {
void insert(Connection& c, const Channel& ch);
std::optional<Channel> find(Connection& c, const Uuid& id);
std::vector<Channel> list(Connection& c, const Uuid& space_id);
bool remove(Connection& c, const Uuid& id);
}  // namespace channels

namespace archetypes {
void insert(Connection& c, const Archetype& a);
void update(Connection& c, const Archetype& a);
std::optional<Archetype> find(Connection& c, const Uuid& id);
std::vector<Archetype> list(Connection& c, const Uuid& space_id);
}  // namespace archetypes

namespace members {
void insert(Connection& c, const Uuid& space_id, const Uuid& user_id, std::int64_t now_ms);
bool remove(Connection& c, const Uuid& space_id, const Uuid& user_id);
bool exists(Connection& c, const Uuid& space_id, const Uuid& user_id);
// The member with their user's data and archetype ids (default archetype included).
std::optional<Member> find(Connection& c, const Uuid& space_id, const Uuid& user_id);
std::vector<Member> list(Connection& c, const Uuid& space_id);
std::vector<Member> list_with_archetype(Connection& c, const Uuid& space_id,
                                        const Uuid& archetype_id);
void set_display_name(Connection& c, const Uuid& space_id, const Uuid& user_id,
                      const std::optional<std::string>& display_name);
// OR of the permissions of the member's archetypes, including the space's default archetype.
Entitlements permission_mask(Connection& c, const Uuid& space_id, const Uuid& user_id);
void assign_archetype(Connection& c, const Uuid& space_id, const Uuid& user_id,
                      const Uuid& archetype_id);
bool unassign_archetype(Connection& c, const Uuid& space_id, const Uuid& user_id,
                        const Uuid& archetype_id);
// Spaces a user shares with anyone: all the user's space ids.
std::vector<Uuid> space_ids_of(Connection& c, const Uuid& user_id);
}  // namespace members

namespace invites {
void insert(Connection& c, const Invite& inv);
std::optional<Invite> find(Connection& c, const std::string& code);
// Counts one use unless max_uses is reached; false then.
bool count_use(Connection& c, const std::string& code);
}  // namespace invites

}  // namespace argon::store
