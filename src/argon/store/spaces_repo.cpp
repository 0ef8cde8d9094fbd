#include "argon/store/spaces_repo.hpp"

#include <map>

#include "argon/store/accounts_repo.hpp"

namespace argon::store {

namespace spaces {
namespace {
constexpr const char* kCols =
    "s.id, s.name, s.description, s.owner_id, s.default_archetype_id, s.created_at";
Space space_from(const Row& r) {
  return Space{uuid_cell(r, 0), r.text(1),       r.opt_text(2),
               uuid_cell(r, 3), uuid_cell(r, 4), r.i64(5)};
}
}  // namespace

void insert(Connection& c, const Space& s) {
  c.exec(
      "INSERT INTO spaces (id, name, description, owner_id, default_archetype_id, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6)",
      {sql_uuid(s.id), s.name, sql_opt(s.description), sql_uuid(s.owner_id),
       sql_uuid(s.default_archetype_id), s.created_at_ms});
}

std::optional<Space> find(Connection& c, const Uuid& id) {
  auto row = c.query_one(std::string("SELECT ") + kCols + " FROM spaces s WHERE s.id = $1",
                         {sql_uuid(id)});
  if (!row) return std::nullopt;
  return space_from(*row);
}

std::vector<Space> list_for_user(Connection& c, const Uuid& user_id) {
  std::vector<Space> out;
  for (const auto& r : c.query(std::string("SELECT ") + kCols +
                                   " FROM spaces s JOIN members m ON m.space_id = s.id"
                                   " WHERE m.user_id = $1 ORDER BY s.created_at, s.id",
                               {sql_uuid(user_id)}))
    out.push_back(space_from(r));
  return out;
}
}  // namespace spaces

namespace channels {
namespace {
constexpr const char* kSelect =
    "SELECT id, space_id, name, description, type, group_id, created_at FROM channels";
Channel channel_from(const Row& r) {
  return Channel{uuid_cell(r, 0),
                 uuid_cell(r, 1),
                 r.text(2),
                 r.opt_text(3),
                 static_cast<ChannelType>(r.i64(4)),
                 opt_uuid_cell(r, 5),
                 r.i64(6)};
}
}  // namespace

void insert(Connection& c, const Channel& ch) {
  c.exec(
      "INSERT INTO channels (id, space_id, name, description, type, group_id, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {sql_uuid(ch.id), sql_uuid(ch.space_id), ch.name, sql_opt(ch.description),
       static_cast<std::int64_t>(ch.type), sql_opt_uuid(ch.group_id), ch.created_at_ms});
}

std::optional<Channel> find(Connection& c, const Uuid& id) {
  auto row = c.query_one(std::string(kSelect) + " WHERE id = $1", {sql_uuid(id)});
  if (!row) return std::nullopt;
  return channel_from(*row);
}

std::vector<Channel> list(Connection& c, const Uuid& space_id) {
  std::vector<Channel> out;
  for (const auto& r :
       c.query(std::string(kSelect) + " WHERE space_id = $1 ORDER BY created_at, id",
               {sql_uuid(space_id)}))
    out.push_back(channel_from(r));
  return out;
}

bool remove(Connection& c, const Uuid& id) {
  return c.exec("DELETE FROM channels WHERE id = $1", {sql_uuid(id)}) > 0;
}
}  // namespace channels

namespace archetypes {
namespace {
constexpr const char* kSelect =
    "SELECT id, space_id, name, colour, is_mentionable, is_default, permissions, created_at"
    " FROM archetypes";
Archetype archetype_from(const Row& r) {
  return Archetype{uuid_cell(r, 0),
                   uuid_cell(r, 1),
                   r.text(2),
                   static_cast<std::int32_t>(r.i64(3)),
                   r.flag(4),
                   r.flag(5),
                   static_cast<Entitlements>(r.i64(6)),
                   r.i64(7)};
}
}  // namespace

void insert(Connection& c, const Archetype& a) {
  c.exec(
      "INSERT INTO archetypes (id, space_id, name, colour, is_mentionable, is_default,"
      " permissions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {sql_uuid(a.id), sql_uuid(a.space_id), a.name, std::int64_t{a.colour},
       std::int64_t{a.is_mentionable}, std::int64_t{a.is_default},
       static_cast<std::int64_t>(a.permissions), a.created_at_ms});
}

void update(Connection& c, const Archetype& a) {
  c.exec(
      "UPDATE archetypes SET name = $2, colour = $3, is_mentionable = $4, permissions = $5"
      " WHERE id = $1",
      {sql_uuid(a.id), a.name, std::int64_t{a.colour}, std::int64_t{a.is_mentionable},
       static_cast<std::int64_t>(a.permissions)});
}

std::optional<Archetype> find(Connection& c, const Uuid& id) {
  auto row = c.query_one(std::string(kSelect) + " WHERE id = $1", {sql_uuid(id)});
  if (!row) return std::nullopt;
  return archetype_from(*row);
}

std::vector<Archetype> list(Connection& c, const Uuid& space_id) {
  std::vector<Archetype> out;
  for (const auto& r : c.query(
           std::string(kSelect) + " WHERE space_id = $1 ORDER BY is_default DESC, created_at, id",
           {sql_uuid(space_id)}))
    out.push_back(archetype_from(r));
  return out;
}
}  // namespace archetypes

namespace members {
namespace {
constexpr const char* kSelect =
    "SELECT m.space_id, m.user_id, u.username, COALESCE(m.display_name, u.display_name), u.flags,"
    " u.avatar_url, m.joined_at, s.default_archetype_id, u.presence_status, u.presence_activity"
    " FROM members m JOIN users u ON u.id = m.user_id JOIN spaces s ON s.id = m.space_id";

Member member_from(const Row& r) {
  Member m;
  m.space_id = uuid_cell(r, 0);
  m.user_id = uuid_cell(r, 1);
  m.username = r.text(2);
  m.display_name = r.text(3);
  m.user_flags = r.i64(4);
  m.avatar_url = r.opt_text(5);
  m.joined_at_ms = r.i64(6);
  m.archetype_ids.push_back(uuid_cell(r, 7));
  m.presence_status = static_cast<int>(r.i64(8));
  m.presence_activity_json = r.opt_text(9);
  return m;
}

// Adds each member's explicitly assigned archetypes (one query for the whole list).
void attach_archetypes(Connection& c, const Uuid& space_id, std::vector<Member>& list) {
  if (list.empty()) return;
  std::map<Uuid, Member*> by_user;
  for (auto& m : list) by_user[m.user_id] = &m;
  for (const auto& r : c.query("SELECT ma.user_id, ma.archetype_id FROM member_archetypes ma"
                               " JOIN archetypes a ON a.id = ma.archetype_id"
                               " WHERE ma.space_id = $1 ORDER BY a.created_at, a.id",
                               {sql_uuid(space_id)})) {
    auto it = by_user.find(uuid_cell(r, 0));
    if (it != by_user.end()) it->second->archetype_ids.push_back(uuid_cell(r, 1));
  }
}
}  // namespace

void insert(Connection& c, const Uuid& space_id, const Uuid& user_id, std::int64_t now_ms) {
  c.exec("INSERT INTO members (space_id, user_id, joined_at) VALUES ($1, $2, $3)",
         {sql_uuid(space_id), sql_uuid(user_id), now_ms});
}

bool remove(Connection& c, const Uuid& space_id, const Uuid& user_id) {
  c.exec("DELETE FROM member_archetypes WHERE space_id = $1 AND user_id = $2",
         {sql_uuid(space_id), sql_uuid(user_id)});
  return c.exec("DELETE FROM members WHERE space_id = $1 AND user_id = $2",
                {sql_uuid(space_id), sql_uuid(user_id)}) > 0;
}

bool exists(Connection& c, const Uuid& space_id, const Uuid& user_id) {
  return c
      .query_one("SELECT 1 FROM members WHERE space_id = $1 AND user_id = $2",
                 {sql_uuid(space_id), sql_uuid(user_id)})
      .has_value();
}

std::optional<Member> find(Connection& c, const Uuid& space_id, const Uuid& user_id) {
  auto row = c.query_one(std::string(kSelect) + " WHERE m.space_id = $1 AND m.user_id = $2",
                         {sql_uuid(space_id), sql_uuid(user_id)});
  if (!row) return std::nullopt;
  std::vector<Member> one{member_from(*row)};
  for (const auto& r :
       c.query("SELECT ma.archetype_id FROM member_archetypes ma JOIN archetypes a ON a.id = "
               "ma.archetype_id"
               " WHERE ma.space_id = $1 AND ma.user_id = $2 ORDER BY a.created_at, a.id",
               {sql_uuid(space_id), sql_uuid(user_id)}))
    one[0].archetype_ids.push_back(uuid_cell(r, 0));
  return std::move(one[0]);
}

std::vector<Member> list(Connection& c, const Uuid& space_id) {
  std::vector<Member> out;
  for (const auto& r :
       c.query(std::string(kSelect) + " WHERE m.space_id = $1 ORDER BY m.joined_at, m.user_id",
               {sql_uuid(space_id)}))
    out.push_back(member_from(r));
  attach_archetypes(c, space_id, out);
  return out;
}

std::vector<Member> list_with_archetype(Connection& c, const Uuid& space_id,
                                        const Uuid& archetype_id) {
  auto all = list(c, space_id);
  std::vector<Member> out;
  for (auto& m : all)
    for (const auto& a : m.archetype_ids)
      if (a == archetype_id) {
        out.push_back(std::move(m));
        break;
      }
  return out;
}

void set_display_name(Connection& c, const Uuid& space_id, const Uuid& user_id,
                      const std::optional<std::string>& display_name) {
  c.exec("UPDATE members SET display_name = $3 WHERE space_id = $1 AND user_id = $2",
         {sql_uuid(space_id), sql_uuid(user_id), sql_opt(display_name)});
}

Entitlements permission_mask(Connection& c, const Uuid& space_id, const Uuid& user_id) {
  Entitlements mask = 0;
  for (const auto& r : c.query(
           "SELECT a.permissions FROM archetypes a JOIN spaces s ON s.default_archetype_id = a.id"
           " WHERE s.id = $1"
           " UNION ALL SELECT a.permissions FROM member_archetypes ma"
           " JOIN archetypes a ON a.id = ma.archetype_id"
           " WHERE ma.space_id = $1 AND ma.user_id = $2",
           {sql_uuid(space_id), sql_uuid(user_id)}))
    mask |= static_cast<Entitlements>(r.i64(0));
  return mask;
}

void assign_archetype(Connection& c, const Uuid& space_id, const Uuid& user_id,
                      const Uuid& archetype_id) {
  c.exec(
      "INSERT INTO member_archetypes (space_id, user_id, archetype_id) VALUES ($1, $2, $3)"
      " ON CONFLICT DO NOTHING",
      {sql_uuid(space_id), sql_uuid(user_id), sql_uuid(archetype_id)});
}

bool unassign_archetype(Connection& c, const Uuid& space_id, const Uuid& user_id,
                        const Uuid& archetype_id) {
  return c.exec(
             "DELETE FROM member_archetypes WHERE space_id = $1 AND user_id = $2 AND archetype_id "
             "= $3",
             {sql_uuid(space_id), sql_uuid(user_id), sql_uuid(archetype_id)}) > 0;
}

std::vector<Uuid> space_ids_of(Connection& c, const Uuid& user_id) {
  std::vector<Uuid> out;
  for (const auto& r :
       c.query("SELECT space_id FROM members WHERE user_id = $1 ORDER BY joined_at, space_id",
               {sql_uuid(user_id)}))
    out.push_back(uuid_cell(r, 0));
  return out;
}
}  // namespace members

namespace invites {
namespace {
Invite invite_from(const Row& r) {
  return Invite{r.text(0), uuid_cell(r, 1), uuid_cell(r, 2), r.opt_i64(3),
                r.i64(4),  r.opt_i64(5),    r.i64(6)};
}
}  // namespace

void insert(Connection& c, const Invite& inv) {
  c.exec(
      "INSERT INTO invites (code, space_id, creator_id, max_uses, uses, expires_at, created_at)"
      " VALUES ($1, $2, $3, $4, 0, $5, $6)",
      {inv.code, sql_uuid(inv.space_id), sql_uuid(inv.creator_id), sql_opt(inv.max_uses),
       sql_opt(inv.expires_at_ms), inv.created_at_ms});
}

std::optional<Invite> find(Connection& c, const std::string& code) {
  auto row = c.query_one(
      "SELECT code, space_id, creator_id, max_uses, uses, expires_at, created_at FROM invites"
      " WHERE code = $1",
      {code});
  if (!row) return std::nullopt;
  return invite_from(*row);
}

bool count_use(Connection& c, const std::string& code) {
  return c.exec(
             "UPDATE invites SET uses = uses + 1 WHERE code = $1"
             " AND (max_uses IS NULL OR uses < max_uses)",
             {code}) == 1;
}
}  // namespace invites

}  // namespace argon::store
