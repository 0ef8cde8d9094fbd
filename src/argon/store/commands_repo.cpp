#include "argon/store/commands_repo.hpp"

#include "argon/store/accounts_repo.hpp"

namespace argon::store {

namespace commands {
namespace {
constexpr const char* kSelect =
    "SELECT c.id, c.app_id, c.space_id, c.name, c.description, c.default_permission, c.options,"
    " c.created_at FROM commands c";
StoredCommand command_from(const Row& r) {
  return StoredCommand{uuid_cell(r, 0), uuid_cell(r, 1), opt_uuid_cell(r, 2),
                       r.text(3),       r.text(4),       r.flag(5),
                       r.text(6),       r.i64(7),        std::nullopt};
}
std::vector<StoredCommand> all_from(const std::vector<Row>& rows) {
  std::vector<StoredCommand> out;
  for (const auto& r : rows) out.push_back(command_from(r));
  return out;
}
}  // namespace

void insert(Connection& c, const StoredCommand& cmd) {
  c.exec(
      "INSERT INTO commands (id, app_id, space_id, name, description, default_permission, options,"
      " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {sql_uuid(cmd.id), sql_uuid(cmd.app_id), sql_opt_uuid(cmd.space_id), cmd.name,
       cmd.description, std::int64_t{cmd.default_permission}, cmd.options_json, cmd.created_at_ms});
}

void update(Connection& c, const StoredCommand& cmd) {
  c.exec(
      "UPDATE commands SET description = $2, default_permission = $3, options = $4 WHERE id = $1",
      {sql_uuid(cmd.id), cmd.description, std::int64_t{cmd.default_permission}, cmd.options_json});
}

std::optional<StoredCommand> find(Connection& c, const Uuid& id) {
  auto row = c.query_one(std::string(kSelect) + " WHERE c.id = $1", {sql_uuid(id)});
  if (!row) return std::nullopt;
  return command_from(*row);
}

bool remove(Connection& c, const Uuid& id) {
  return c.exec("DELETE FROM commands WHERE id = $1", {sql_uuid(id)}) > 0;
}

std::int64_t count_in_scope(Connection& c, const Uuid& app_id,
                            const std::optional<Uuid>& space_id) {
  auto row =
      space_id ? c.query_one("SELECT COUNT(*) FROM commands WHERE app_id = $1 AND space_id = $2",
                             {sql_uuid(app_id), sql_uuid(*space_id)})
               : c.query_one("SELECT COUNT(*) FROM commands WHERE app_id = $1 AND space_id IS NULL",
                             {sql_uuid(app_id)});
  return row ? row->i64(0) : 0;
}

std::vector<StoredCommand> list_for_app(Connection& c, const Uuid& app_id) {
  return all_from(c.query(std::string(kSelect) + " WHERE c.app_id = $1 ORDER BY c.name, c.id",
                          {sql_uuid(app_id)}));
}

std::vector<StoredCommand> list_for_app_in_space(Connection& c, const Uuid& app_id,
                                                 const Uuid& space_id) {
  return all_from(c.query(std::string(kSelect) +
                              " WHERE c.app_id = $1 AND (c.space_id IS NULL OR c.space_id = $2)"
                              " ORDER BY c.name, c.id",
                          {sql_uuid(app_id), sql_uuid(space_id)}));
}

std::vector<StoredCommand> list_usable_in_space(Connection& c, const Uuid& space_id) {
  // The people's list names each command's bot (its user id), so a client can tell whose
  // answer follows an interaction.
  auto rows = c.query(
      "SELECT c.id, c.app_id, c.space_id, c.name, c.description, c.default_permission, c.options,"
      " c.created_at, a.bot_user_id FROM commands c"
      " JOIN bot_apps a ON a.id = c.app_id"
      " JOIN members m ON m.user_id = a.bot_user_id AND m.space_id = $1"
      " WHERE c.space_id IS NULL OR c.space_id = $1 ORDER BY c.name, c.id",
      {sql_uuid(space_id)});
  std::vector<StoredCommand> out;
  for (const auto& r : rows) {
    auto cmd = command_from(r);
    cmd.bot_user_id = uuid_cell(r, 8);
    out.push_back(std::move(cmd));
  }
  return out;
}
}  // namespace commands

namespace interactions {
namespace {
constexpr const char* kSelect =
    "SELECT id, app_id, kind, space_id, channel_id, user_id, message_id, custom_id, modal,"
    " consumed, expires_at, created_at FROM interactions";
}

void insert(Connection& c, const StoredInteraction& i) {
  c.exec(
      "INSERT INTO interactions (id, app_id, kind, space_id, channel_id, user_id, message_id,"
      " custom_id, modal, consumed, expires_at, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      {sql_uuid(i.id), sql_uuid(i.app_id), i.kind, sql_uuid(i.space_id), sql_uuid(i.channel_id),
       sql_uuid(i.user_id), sql_opt(i.message_id), sql_opt(i.custom_id), sql_opt(i.modal_json),
       std::int64_t{i.consumed}, i.expires_at_ms, i.created_at_ms});
}

std::optional<StoredInteraction> find(Connection& c, const Uuid& id) {
  auto r = c.query_one(std::string(kSelect) + " WHERE id = $1", {sql_uuid(id)});
  if (!r) return std::nullopt;
  return StoredInteraction{uuid_cell(*r, 0), uuid_cell(*r, 1), r->text(2),    uuid_cell(*r, 3),
                           uuid_cell(*r, 4), uuid_cell(*r, 5), r->opt_i64(6), r->opt_text(7),
                           r->opt_text(8),   r->flag(9),       r->i64(10),    r->i64(11)};
}

bool consume(Connection& c, const Uuid& id) {
  return c.exec("UPDATE interactions SET consumed = 1 WHERE id = $1 AND consumed = 0",
                {sql_uuid(id)}) > 0;
}

std::int64_t prune(Connection& c, std::int64_t expired_before_ms) {
  return c.exec("DELETE FROM interactions WHERE expires_at < $1", {expired_before_ms});
}
}  // namespace interactions

}  // namespace argon::store
