#pragma once
// This node among the nodes of a deployment (store table `nodes`, nodes_repo.hpp): it holds a
// node id (0..1023, part of every message id, so two nodes never mint the same id) by a lease it
// renews every heartbeat; a node whose lease ran out is dead. The survivors notice (dead-node
// hooks) and clean up what it held (its streams' presence, its voice rooms).
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "argon/services/context.hpp"

namespace argon::services {

struct NodeSettings {
  std::int64_t lease_ms = 30000;     // a node silent this long is dead
  std::int64_t heartbeat_ms = 5000;  // how often the lease is renewed
};

class NodeRegistry {
 public:
  static constexpr int kMaxNodeId = 1023;

  // Built before the services' Context (the message id generator needs the node id).
  NodeRegistry(store::Database& db, const Clock& clock, Random& random, Scheduler* scheduler,
               NodeSettings settings);
  ~NodeRegistry();

  // Claims `wanted`, or the lowest free id when nullopt (blocking; at start-up). Throws
  // std::runtime_error when `wanted` is held by a live node, or no id is free.
  int claim(std::optional<int> wanted);
  int node_id() const { return node_id_; }
  const std::string& instance() const { return instance_; }
  // Records where this node is reached (its WebSocket URLs derive from it).
  void set_public_url(const std::string& url);
  // Renews the lease every heartbeat on ctx.scheduler and looks for dead nodes; `lost` runs if
  // this node's id was taken by another node meanwhile (it must stop: its ids could collide).
  void start(std::function<void()> lost);
  // Hooks run on the scheduler thread with the ids of nodes whose lease ran out; afterwards the
  // registry deletes those nodes' rows. Several survivors may run them for the same dead node at
  // once: hooks clean up with statements that succeed once (DELETE … RETURNING).
  void on_dead_nodes(std::function<void(const std::vector<int>&)> hook);
  // Gives the id back (clean shutdown). Idempotent.
  void release();

  // The ids of the nodes whose lease is current (this one included).
  Task<std::vector<int>> live_node_ids();
  // A live node's public URL (empty when unknown or dead).
  Task<std::string> public_url_of(int node_id);

 private:
  void beat();

  std::int64_t now_ms() const { return clock_.now_unix_ms(); }

  store::Database& db_;
  const Clock& clock_;
  Scheduler* scheduler_;
  NodeSettings settings_;
  std::string instance_;
  int node_id_ = -1;
  bool released_ = false;
  std::function<void()> lost_;
  std::mutex mutex_;
  std::vector<std::function<void(const std::vector<int>&)>> dead_hooks_;
  Scheduler::TaskId task_ = 0;
};

}  // namespace argon::services
