#include "argon/services/nodes.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "argon/store/nodes_repo.hpp"

namespace argon::services {

NodeRegistry::NodeRegistry(store::Database& db, const Clock& clock, Random& random,
                           Scheduler* scheduler, NodeSettings settings)
    : db_(db),
      clock_(clock),
      scheduler_(scheduler),
      settings_(settings),
      instance_(random.uuid().str()) {}

NodeRegistry::~NodeRegistry() {
  try {
    release();
  } catch (const std::exception& e) {
    spdlog::warn("nodes: releasing node id {} failed: {}", node_id_, e.what());
  }
}

int NodeRegistry::claim(std::optional<int> wanted) {
  const std::int64_t now = now_ms();
  const std::int64_t cutoff = now - settings_.lease_ms;
  auto claimed = db_.transact_now([&](store::Connection& c) -> Result<std::int64_t> {
    if (wanted) {
      if (store::nodes::claim(c, *wanted, instance_, "", now, cutoff)) return *wanted;
      return Error::conflict("node_id_taken", "");
    }
    // The lowest id no live node holds (a race with another node starting: try the next).
    auto live = store::nodes::live_ids(c, cutoff);
    std::size_t at = 0;
    for (int id = 0; id <= kMaxNodeId; ++id) {
      while (at < live.size() && live[at] < id) ++at;
      if (at < live.size() && live[at] == id) continue;
      if (store::nodes::claim(c, id, instance_, "", now, cutoff)) return std::int64_t{id};
    }
    return Error::conflict("no_node_id", "");
  });
  if (!claimed) {
    if (claimed.error().code == "node_id_taken")
      throw std::runtime_error("node id " + std::to_string(*wanted) +
                               " is held by another live node (its lease renews every " +
                               std::to_string(settings_.heartbeat_ms / 1000) +
                               " s); give each node its own server.node_id, or use auto");
    if (claimed.error().code == "no_node_id")
      throw std::runtime_error("every node id 0..1023 is held by a live node");
    throw std::runtime_error("claiming a node id failed: " + claimed.error().code);
  }
  node_id_ = static_cast<int>(*claimed);
  spdlog::info("nodes: this node is node_id={} instance={}", node_id_, instance_);
  return node_id_;
}

void NodeRegistry::set_public_url(const std::string& url) {
  auto done = db_.transact_now([&](store::Connection& c) -> Status {
    store::nodes::set_public_url(c, node_id_, instance_, url);
    return {};
  });
  if (!done) spdlog::warn("nodes: recording the public URL failed: {}", done.error().code);
}

void NodeRegistry::start(std::function<void()> lost) {
  lost_ = std::move(lost);
  if (!scheduler_) return;
  task_ = scheduler_->schedule(settings_.heartbeat_ms, [this] { beat(); });
}

void NodeRegistry::on_dead_nodes(std::function<void(const std::vector<int>&)> hook) {
  std::lock_guard lock(mutex_);
  dead_hooks_.push_back(std::move(hook));
}

void NodeRegistry::beat() {
  const std::int64_t now = now_ms();
  std::vector<int> dead;
  try {
    auto renewed = db_.transact_now([&](store::Connection& c) -> Result<bool> {
      bool mine = store::nodes::heartbeat(c, node_id_, instance_, now);
      dead.clear();
      for (const auto& row : store::nodes::expired(c, now - settings_.lease_ms))
        dead.push_back(row.node_id);
      return mine;
    });
    if (renewed && !*renewed) {
      {
        std::lock_guard lock(mutex_);
        if (released_) return;  // our own release() removed the row: a clean stop
      }
      spdlog::critical("nodes: node id {} was taken over by another node; stopping", node_id_);
      if (lost_) lost_();
      return;
    }
    if (!renewed) spdlog::warn("nodes: heartbeat failed: {}", renewed.error().code);
  } catch (const std::exception& e) {
    spdlog::warn("nodes: heartbeat failed: {}", e.what());
  }
  if (!dead.empty()) {
    spdlog::warn("nodes: {} node(s) stopped renewing their lease: cleaning up after them",
                 dead.size());
    std::vector<std::function<void(const std::vector<int>&)>> hooks;
    {
      std::lock_guard lock(mutex_);
      hooks = dead_hooks_;
    }
    for (const auto& hook : hooks) {
      try {
        hook(dead);
      } catch (const std::exception& e) {
        spdlog::warn("nodes: cleaning up after dead nodes failed: {}", e.what());
      }
    }
    // Once cleaned up, the dead nodes' rows go (their ids become free; hooks ran first).
    try {
      auto removed = db_.transact_now([&](store::Connection& c) -> Status {
        for (int id : dead)
          c.exec("DELETE FROM nodes WHERE node_id = $1 AND heartbeat_at < $2",
                 {std::int64_t{id}, now - settings_.lease_ms});
        return {};
      });
      (void)removed;
    } catch (const std::exception& e) {
      spdlog::warn("nodes: removing dead nodes failed: {}", e.what());
    }
  }
  std::lock_guard lock(mutex_);
  if (!released_ && scheduler_)
    task_ = scheduler_->schedule(settings_.heartbeat_ms, [this] { beat(); });
}

void NodeRegistry::release() {
  {
    std::lock_guard lock(mutex_);
    if (released_ || node_id_ < 0) return;
    released_ = true;
    if (scheduler_ && task_) scheduler_->cancel(task_);
  }
  auto done = db_.transact_now([&](store::Connection& c) -> Status {
    store::nodes::release(c, node_id_, instance_);
    return {};
  });
  if (!done) spdlog::warn("nodes: releasing node id {} failed: {}", node_id_, done.error().code);
}

Task<std::vector<int>> NodeRegistry::live_node_ids() {
  const std::int64_t cutoff = now_ms() - settings_.lease_ms;
  auto ids =
      co_await db_.read([&](store::Connection& c) { return store::nodes::live_ids(c, cutoff); });
  co_return ids;
}

Task<std::string> NodeRegistry::public_url_of(int node_id) {
  const std::int64_t cutoff = now_ms() - settings_.lease_ms;
  auto row =
      co_await db_.read([&](store::Connection& c) { return store::nodes::find(c, node_id); });
  if (!row || row->heartbeat_at_ms < cutoff) co_return std::string();
  co_return row->public_url;
}

}  // namespace argon::services
