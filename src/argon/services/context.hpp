#pragma once
// What every service needs: the store, injectable time/randomness/ids, where committed events go,
// and the named limits from configuration.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "argon/crypto/crypto.hpp"
#include "argon/domain/clock.hpp"
#include "argon/domain/random.hpp"
#include "argon/domain/scheduler.hpp"
#include "argon/domain/snowflake.hpp"
#include "argon/domain/task.hpp"
#include "argon/events/bus.hpp"
#include "argon/events/event_log.hpp"
#include "argon/store/database.hpp"

namespace argon::services {

// Who may create an account through the API (accounts.registration).
enum class RegistrationMode {
  Open,    // anyone
  Invite,  // only with a valid invite code (the code is checked, not used: accepting uses it)
  Closed,  // nobody: the operator creates accounts (argon user create)
};

struct ServiceLimits {
  std::int64_t random_id_retention_ms = 24LL * 3600 * 1000;  // DECISIONS.md §6: at least 24 h
  std::int64_t typing_expiry_ms = 8000;
  std::size_t max_text_utf16 = 4000;
  // How long a verified bot token is trusted without a store read (changes made by another
  // process, e.g. the `argon bot verify` CLI, show after at most this long).
  std::int64_t bot_auth_cache_ms = 5000;
  std::int64_t interaction_ttl_ms = 60000;  // DECISIONS.md §9
  crypto::PasswordCost password_cost = crypto::PasswordCost::interactive();
  RegistrationMode registration = RegistrationMode::Open;
  // Password guessing: at most this many failed logins per username and per client address
  // within the window; then 429 until the oldest failure leaves it.
  std::int64_t login_window_ms = 15 * 60 * 1000;
  std::int64_t login_failures_per_user = 10;
  std::int64_t login_failures_per_address = 100;
};

using argon::Scheduler;
using argon::Task;

class UserLocales;

struct Context {
  store::Database& db;
  const Clock& clock;
  Random& random;
  SnowflakeGenerator& snowflake;
  events::EventBus* bus = nullptr;  // where committed events are published
  Executor* background = nullptr;   // runs background operations (timers); null: synchronously
  Scheduler* scheduler = nullptr;
  ServiceLimits limits;
  // People's current app locales (user_locales.hpp), composed into the user JSON bots receive;
  // null: nobody has one.
  UserLocales* locales = nullptr;

  std::int64_t now_ms() const { return clock.now_unix_ms(); }
};

// Starts a background operation (a timer's, maintenance) without waiting for it: posted to
// ctx.background when there is one, else run to completion on this thread (tests, the CLI).
// `make` builds the task there; it must capture what it needs by value.
void start_background(const Context& ctx, std::function<Task<Status>()> make, std::string what);

// The events one operation appends inside its transaction. append() takes the event's seq at
// once; the first one registers the transaction's before-commit hook, which writes them all to
// the log as its last statements (so that gseq follows commit order: event_log.hpp), and its
// after-commit hook, which publishes them to the bus once it committed (in commit order, from
// the engine's thread); a rolled-back attempt's hooks never run. Declare it before the
// transaction and clear() it first thing inside (a transaction may be retried); it must outlive
// the transaction (the hooks read it). records() have their gseq only once it committed.
class EventBatch {
 public:
  explicit EventBatch(const Context& ctx) : ctx_(ctx) {}
  void append(store::Connection& c, std::string stream, std::string type,
              std::optional<Uuid> space_id, std::string payload, std::int64_t now_ms) {
    if (records_.empty()) {
      c.before_commit([this](store::Connection& conn) { events::write_reserved(conn, records_); });
      if (ctx_.bus) c.after_commit([this] { ctx_.bus->publish(records_); });
    }
    records_.push_back(events::reserve(c, std::move(stream), std::move(type), space_id,
                                       std::move(payload), now_ms));
  }
  void clear() { records_.clear(); }
  const Context& context() const { return ctx_; }
  const std::vector<events::EventRecord>& records() const { return records_; }

 private:
  const Context& ctx_;
  std::vector<events::EventRecord> records_;
};

}  // namespace argon::services
