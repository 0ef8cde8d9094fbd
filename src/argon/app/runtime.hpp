#pragma once
// Everything a command needs, wired once: store, clock, randomness, ids and services. `serve`
// and the operator subcommands share it.
#include <memory>

#include "argon/app/config.hpp"
#include "argon/app/thread_scheduler.hpp"
#include "argon/crypto/crypto.hpp"
#include "argon/events/bus.hpp"
#include "argon/services/account_admin.hpp"
#include "argon/services/accounts.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/commands.hpp"
#include "argon/services/interactions.hpp"
#include "argon/services/messages.hpp"
#include "argon/services/nodes.hpp"
#include "argon/services/reactions.hpp"
#include "argon/services/spaces.hpp"
#include "argon/services/user_locales.hpp"

namespace argon::app {

class Runtime {
 public:
  // Opens (creating) the data dir and database, applies migrations. Throws on failure.
  explicit Runtime(const Config& config);
  ~Runtime();

  const Config& config() const { return config_; }
  services::Context& context() { return *context_; }
  store::Database& database() { return *database_; }
  ThreadScheduler& scheduler() { return scheduler_; }
  events::EventBus& bus() { return *bus_; }
  services::NodeRegistry& nodes() { return *nodes_; }
  // The clock the operator API may advance (`testing.clock = adjustable`), else null.
  AdjustableClock* adjustable_clock() { return adjustable_ ? &clock_ : nullptr; }
  bool clustered() const { return bus_->clustered(); }

  services::SpaceService& spaces() { return spaces_; }
  services::MessageService& messages() { return messages_; }
  services::ReactionService& reactions() { return reactions_; }
  services::TypingService& typing() { return typing_; }
  services::BotService& bots() { return bots_; }
  services::CommandService& commands() { return commands_; }
  services::InteractionService& interactions() { return interactions_; }
  services::AccountService& accounts() { return accounts_; }
  services::AccountAdminService& account_admin() { return account_admin_; }
  services::UserLocales& locales() { return *locales_; }

  // Stops timers and closes the store (idempotent).
  void close();

 private:
  Config config_;
  AdjustableClock clock_;  // the system clock unless a test advances it
  bool adjustable_ = false;
  crypto::SystemRandom random_;
  ThreadScheduler scheduler_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<services::NodeRegistry> nodes_;  // this node's id, claimed in the store
  std::unique_ptr<events::EventBus> bus_;          // in-process, or NATS with bus.url
  std::unique_ptr<SnowflakeGenerator> snowflake_;
  std::unique_ptr<services::Context> context_;
  // The shared-state seams: in the store when clustered (bus.url), else null (in-process).
  std::unique_ptr<services::TypingTimers> typing_timers_;
  std::unique_ptr<services::BotAuthCache> auth_cache_;
  // People's current locales, in memory (told to the other nodes over the bus when clustered).
  std::unique_ptr<services::UserLocales> locales_;
  services::AccountService accounts_;
  services::AccountAdminService account_admin_;
  services::SpaceService spaces_;
  services::MessageService messages_;
  services::ReactionService reactions_;
  services::TypingService typing_;
  services::BotService bots_;
  services::CommandService commands_;
  services::InteractionService interactions_;
};

services::ServiceLimits limits_from(const Config& config);
// A database URL with its password (if any) replaced by *** (for logs).
std::string redacted_url(const std::string& url);

}  // namespace argon::app
