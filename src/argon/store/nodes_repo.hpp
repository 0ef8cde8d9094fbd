#pragma once
// The nodes of a deployment (table nodes): each running `argon serve` holds a node id (0..1023,
// part of every message id) by a lease it renews; a node whose lease ran out is dead, and its id
// can be claimed again. Also the `settings` every node must agree on.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "argon/store/sql.hpp"

namespace argon::store::nodes {

struct NodeRow {
  int node_id = 0;
  std::string instance;  // random per process: tells a restarted node from the one before
  std::string public_url;
  std::int64_t started_at_ms = 0;
  std::int64_t heartbeat_at_ms = 0;
};

// Takes `node_id` for `instance` if it is free (no row, a lease older than lease_cutoff_ms, or
// already ours). Returns whether it is ours now.
bool claim(Connection& c, int node_id, const std::string& instance, const std::string& public_url,
           std::int64_t now_ms, std::int64_t lease_cutoff_ms);
// The node ids held by live leases (heartbeat at or after lease_cutoff_ms), ascending.
std::vector<int> live_ids(Connection& c, std::int64_t lease_cutoff_ms);
// Renews the lease; false when the id is no longer ours (it expired and another node took it).
bool heartbeat(Connection& c, int node_id, const std::string& instance, std::int64_t now_ms);
void release(Connection& c, int node_id, const std::string& instance);
void set_public_url(Connection& c, int node_id, const std::string& instance,
                    const std::string& public_url);
std::vector<NodeRow> list(Connection& c);
std::optional<NodeRow> find(Connection& c, int node_id);
// Nodes whose lease ran out (dead) — their shared state is cleaned up by the survivors.
std::vector<NodeRow> expired(Connection& c, std::int64_t lease_cutoff_ms);

}  // namespace argon::store::nodes

namespace argon::store::settings {
std::optional<std::string> get(Connection& c, const std::string& name);
// Stores value unless the setting exists; returns the value in force (ours or the earlier one).
std::string put_if_absent(Connection& c, const std::string& name, const std::string& value);
}  // namespace argon::store::settings
