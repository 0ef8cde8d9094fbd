#include "argon/app/runtime.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

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
  limits.interaction_ttl_ms = config.i64("interactions.ttl_seconds") * 1000;
  limits.password_cost = config.str("auth.password_cost") == "minimum"
                             ? crypto::PasswordCost::minimum()
                             : crypto::PasswordCost::interactive();
  return limits;
}

Runtime::Runtime(const Config& config)
    : config_(config),
      database_(open_database(config)),
      snowflake_(std::make_unique<SnowflakeGenerator>(clock_, config.i64("server.node_id"))),
      context_(std::make_unique<services::Context>(
          services::Context{*database_, clock_, random_, *snowflake_, &bus_, nullptr, &scheduler_,
                            limits_from(config)})),
      accounts_(*context_),
      spaces_(*context_),
      messages_(*context_),
      typing_(*context_),
      bots_(*context_),
      commands_(*context_),
      interactions_(*context_) {
  // Never reuse an id already stored, even if the clock went back since the last run.
  snowflake_->advance_past(
      database_->read_now([](store::Connection& c) { return store::messages::max_id(c); }));
}

Runtime::~Runtime() {
  close();
}

void Runtime::close() {
  scheduler_.stop();
  if (database_) database_->close();  // finishes what was submitted (its events publish)
  bus_.stop();
}

}  // namespace argon::app
