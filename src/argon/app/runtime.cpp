#include "argon/app/runtime.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <filesystem>

#include "argon/domain/text.hpp"
#include "argon/events/nats_bus.hpp"
#include "argon/services/cluster_state.hpp"
#include "argon/store/messages_repo.hpp"
#include "argon/store/schema.hpp"

namespace argon::app {
namespace {
store::StoreRetryPolicy retry_policy(const Config& config) {
  store::StoreRetryPolicy retry;
  retry.max_attempts =
      static_cast<int>(std::max<std::int64_t>(1, config.i64("store.max_attempts")));
  return retry;
}

std::unique_ptr<store::Database> open_database(const Config& config) {
  std::filesystem::path dir = config.str("server.data_dir");
  std::filesystem::create_directories(dir);  // voice.secret lives there whatever the engine
  if (std::string url = config.str("store.url"); !url.empty()) {
    if (!url.starts_with("postgres://") && !url.starts_with("postgresql://"))
      throw std::runtime_error(
          "store.url must be a postgres:// (or postgresql://) URL; leave it empty for SQLite");
    store::PostgresOptions options;
    options.url = url;
    options.pool_size = static_cast<int>(config.i64("store.pool_size"));
    options.statement_timeout_ms = static_cast<int>(config.i64("store.statement_timeout_ms"));
    options.retry = retry_policy(config);
    auto db = store::open_postgres(options);
    db->migrate(store::migrations());
    spdlog::info("store: engine=postgres url={} pool_size={}", redacted_url(url),
                 options.pool_size);
    return db;
  }
  store::SqliteOptions options;
  options.retry = retry_policy(config);
  options.path = (dir / "argon.db").string();
  options.read_connections = static_cast<int>(config.i64("store.read_connections"));
  options.max_batch = static_cast<int>(config.i64("store.max_batch"));
  options.busy_timeout_ms = static_cast<int>(config.i64("store.busy_timeout_ms"));
  options.synchronous_full = config.str("store.synchronous") != "normal";
  auto db = store::open_sqlite(options);
  db->migrate(store::migrations());
  spdlog::info("store: engine=sqlite path={}", options.path);
  return db;
}
}  // namespace

std::string redacted_url(const std::string& url) {
  // postgres://user:secret@host/db → postgres://user:***@host/db
  auto scheme = url.find("://");
  auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

services::ServiceLimits limits_from(const Config& config) {
  services::ServiceLimits limits;
  limits.random_id_retention_ms = config.i64("messages.random_id_retention_hours") * 3600 * 1000;
  limits.typing_expiry_ms = config.i64("typing.expiry_seconds") * 1000;
  limits.max_text_utf16 = static_cast<std::size_t>(config.i64("messages.max_text_length"));
  limits.bot_auth_cache_ms = config.i64("auth.bot_cache_ms");
  // With other nodes, an invalidation they broadcast may be missed (a bus outage): no token is
  // trusted longer than a second without a store read then.
  if (!config.str("bus.url").empty())
    limits.bot_auth_cache_ms = std::min<std::int64_t>(limits.bot_auth_cache_ms, 1000);
  limits.interaction_ttl_ms = config.i64("interactions.ttl_seconds") * 1000;
  limits.password_cost = config.str("auth.password_cost") == "minimum"
                             ? crypto::PasswordCost::minimum()
                             : crypto::PasswordCost::interactive();
  const std::string registration = config.str("accounts.registration");
  limits.registration =
      equals_ignore_case(registration, "closed")   ? services::RegistrationMode::Closed
      : equals_ignore_case(registration, "invite") ? services::RegistrationMode::Invite
                                                   : services::RegistrationMode::Open;
  limits.login_window_ms = config.i64("accounts.login_window_seconds") * 1000;
  limits.login_failures_per_user = config.i64("accounts.login_failures_per_user");
  limits.login_failures_per_address = config.i64("accounts.login_failures_per_address");
  return limits;
}

std::optional<int> wanted_node_id(const Config& config) {
  std::string v = config.str("server.node_id");
  if (v.empty() || v == "auto") return std::nullopt;
  int id = -1;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
  if (ec != std::errc() || p != v.data() + v.size() || id < 0 ||
      id > services::NodeRegistry::kMaxNodeId)
    throw std::runtime_error("server.node_id must be auto or 0..1023, got '" + v + "'");
  return id;
}

services::NodeSettings node_settings(const Config& config) {
  services::NodeSettings s;
  s.heartbeat_ms = std::max<std::int64_t>(1, config.i64("server.heartbeat_seconds")) * 1000;
  s.lease_ms =
      std::max<std::int64_t>(config.i64("server.node_lease_seconds") * 1000, 2 * s.heartbeat_ms);
  return s;
}

std::unique_ptr<events::EventBus> open_bus(const Config& config, int node_id) {
  std::string url = config.str("bus.url");
  if (url.empty()) return std::make_unique<events::LocalEventBus>();
  if (!url.starts_with("nats://"))
    throw std::runtime_error("bus.url must be a nats:// URL; leave it empty for one node");
  if (config.str("store.url").empty())
    throw std::runtime_error(
        "bus.url joins nodes that share one PostgreSQL database: set store.url too");
  events::NatsBusOptions options;
  options.url = url;
  options.node_id = node_id;
  options.name = "argon-node-" + std::to_string(node_id);
  return std::make_unique<events::NatsEventBus>(options);
}

static bool adjustable_clock_wanted(const Config& config) {
  const std::string mode = config.str("testing.clock");
  if (mode == "system") return false;
  if (mode == "adjustable") return true;
  throw std::runtime_error("testing.clock must be system or adjustable, got '" + mode + "'");
}

Runtime::Runtime(const Config& config)
    : config_(config),
      adjustable_(adjustable_clock_wanted(config)),
      database_(open_database(config)),
      nodes_(std::make_unique<services::NodeRegistry>(*database_, clock_, random_, &scheduler_,
                                                      node_settings(config))),
      bus_(open_bus(config, nodes_->claim(wanted_node_id(config)))),
      snowflake_(std::make_unique<SnowflakeGenerator>(clock_, nodes_->node_id())),
      context_(std::make_unique<services::Context>(
          services::Context{*database_, clock_, random_, *snowflake_, bus_.get(), nullptr,
                            &scheduler_, limits_from(config)})),
      typing_timers_(bus_->clustered() ? std::make_unique<services::StoreTypingTimers>(*context_)
                                       : nullptr),
      auth_cache_(bus_->clustered()
                      ? std::make_unique<services::BroadcastBotAuthCache>(
                            *bus_, [this] { return nodes_->live_node_ids(); }, nodes_->node_id())
                      : nullptr),
      locales_(std::make_unique<services::UserLocales>(
          clock_, std::max<std::int64_t>(1, config.i64("locale.ttl_seconds")) * 1000)),
      accounts_(*context_),
      account_admin_(*context_),
      spaces_(*context_),
      messages_(*context_),
      reactions_(*context_),
      typing_(*context_, typing_timers_.get()),
      bots_(*context_, auth_cache_.get()),
      commands_(*context_),
      interactions_(*context_) {
  if (adjustable_) clock_.on_advance([this](std::int64_t ms) { scheduler_.advance(ms); });
  context_->locales = locales_.get();
  if (bus_->clustered()) locales_->share_through(*bus_);
  // Never reuse an id already stored, even if the clock went back since the last run.
  snowflake_->advance_past(
      database_->read_now([](store::Connection& c) { return store::messages::max_id(c); }));
}

Runtime::~Runtime() {
  close();
}

void Runtime::close() {
  scheduler_.stop();
  if (nodes_) nodes_->release();      // before the store closes: the id is free at once
  if (database_) database_->close();  // finishes what was submitted (its events publish)
  if (auto* nats = dynamic_cast<events::NatsEventBus*>(bus_.get())) nats->stop();
  if (auto* local = dynamic_cast<events::LocalEventBus*>(bus_.get())) local->stop();
}

}  // namespace argon::app
