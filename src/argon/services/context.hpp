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
#include "argon/events/event_log.hpp"
#include "argon/events/sink.hpp"
#include "argon/store/database.hpp"

namespace argon::services {

struct ServiceLimits {
  std::int64_t random_id_retention_ms = 24LL * 3600 * 1000;  // DECISIONS.md §6: at least 24 h
  std::int64_t typing_expiry_ms = 8000;
  std::size_t max_text_utf16 = 4000;
  // How long a verified bot token is trusted without a store read (changes made by another
  // process, e.g. the `argon bot verify` CLI, show after at most this long).
  std::int64_t bot_auth_cache_ms = 5000;
  std::int64_t interaction_ttl_ms = 60000;  // DECISIONS.md §9
  crypto::PasswordCost password_cost = crypto::PasswordCost::interactive();
};

using argon::Scheduler;
using events::EventSink;

struct Context {
  store::Database& db;
  const Clock& clock;
  Random& random;
  SnowflakeGenerator& snowflake;
  EventSink* sink = nullptr;
  Scheduler* scheduler = nullptr;
  ServiceLimits limits;

  std::int64_t now_ms() const { return clock.now_unix_ms(); }
};

// Collects the events one operation appends inside its transaction; publish() hands them to the
// sink once the transaction committed.
class EventBatch {
 public:
  void append(store::Connection& c, std::string stream, std::string type,
              std::optional<Uuid> space_id, std::string payload, std::int64_t now_ms) {
    records_.push_back(events::append(c, std::move(stream), std::move(type), space_id,
                                      std::move(payload), now_ms));
  }
  void clear() { records_.clear(); }
  void publish(const Context& ctx) {
    if (ctx.sink && !records_.empty()) ctx.sink->published(records_);
    records_.clear();
  }
  const std::vector<events::EventRecord>& records() const { return records_; }

 private:
  std::vector<events::EventRecord> records_;
};

}  // namespace argon::services
