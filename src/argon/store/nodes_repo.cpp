#include "argon/store/nodes_repo.hpp"

namespace argon::store::nodes {
namespace {
constexpr const char* kSelect =
    "SELECT node_id, instance, public_url, started_at, heartbeat_at FROM nodes";
NodeRow row_of(const Row& r) {
  return {static_cast<int>(r.i64(0)), r.text(1), r.text(2), r.i64(3), r.i64(4)};
}
}  // namespace

bool claim(Connection& c, int node_id, const std::string& instance, const std::string& public_url,
           std::int64_t now_ms, std::int64_t lease_cutoff_ms) {
  return c.exec(
             "INSERT INTO nodes (node_id, instance, public_url, started_at, heartbeat_at)"
             " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (node_id) DO UPDATE SET"
             " instance = excluded.instance, public_url = excluded.public_url,"
             " started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at"
             " WHERE nodes.heartbeat_at < $5 OR nodes.instance = excluded.instance",
             {std::int64_t{node_id}, instance, public_url, now_ms, lease_cutoff_ms}) == 1;
}

std::vector<int> live_ids(Connection& c, std::int64_t lease_cutoff_ms) {
  std::vector<int> out;
  for (const auto& r :
       c.query("SELECT node_id FROM nodes WHERE heartbeat_at >= $1 ORDER BY node_id",
               {lease_cutoff_ms}))
    out.push_back(static_cast<int>(r.i64(0)));
  return out;
}

bool heartbeat(Connection& c, int node_id, const std::string& instance, std::int64_t now_ms) {
  return c.exec("UPDATE nodes SET heartbeat_at = $3 WHERE node_id = $1 AND instance = $2",
                {std::int64_t{node_id}, instance, now_ms}) == 1;
}

void release(Connection& c, int node_id, const std::string& instance) {
  c.exec("DELETE FROM nodes WHERE node_id = $1 AND instance = $2",
         {std::int64_t{node_id}, instance});
}

void set_public_url(Connection& c, int node_id, const std::string& instance,
                    const std::string& public_url) {
  c.exec("UPDATE nodes SET public_url = $3 WHERE node_id = $1 AND instance = $2",
         {std::int64_t{node_id}, instance, public_url});
}

std::vector<NodeRow> list(Connection& c) {
  std::vector<NodeRow> out;
  for (const auto& r : c.query(std::string(kSelect) + " ORDER BY node_id"))
    out.push_back(row_of(r));
  return out;
}

std::optional<NodeRow> find(Connection& c, int node_id) {
  auto r = c.query_one(std::string(kSelect) + " WHERE node_id = $1", {std::int64_t{node_id}});
  if (!r) return std::nullopt;
  return row_of(*r);
}

std::vector<NodeRow> expired(Connection& c, std::int64_t lease_cutoff_ms) {
  std::vector<NodeRow> out;
  for (const auto& r : c.query(std::string(kSelect) + " WHERE heartbeat_at < $1 ORDER BY node_id",
                               {lease_cutoff_ms}))
    out.push_back(row_of(r));
  return out;
}

}  // namespace argon::store::nodes

namespace argon::store::settings {

std::optional<std::string> get(Connection& c, const std::string& name) {
  auto r = c.query_one("SELECT value FROM settings WHERE name = $1", {name});
  if (!r) return std::nullopt;
  return r->text(0);
}

std::string put_if_absent(Connection& c, const std::string& name, const std::string& value) {
  c.exec("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
         {name, value});
  return *get(c, name);
}

}  // namespace argon::store::settings
