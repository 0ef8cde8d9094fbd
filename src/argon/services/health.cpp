#include "argon/services/health.hpp"

#include <exception>

#include "argon/store/schema.hpp"

namespace argon::services {

Task<Readiness> HealthService::readiness() {
  Readiness r;
  const int latest = store::migrations().empty() ? 0 : store::migrations().back().version;
  int applied = -1;
  try {
    applied = co_await ctx_.db.read([](store::Connection& c) -> int {
      auto row = c.query_one("SELECT MAX(version) FROM schema_migrations");
      return row && !row->is_null(0) ? static_cast<int>(row->i64(0)) : 0;
    });
    r.store = "ok";
  } catch (const std::exception& e) {
    r.store = std::string("unavailable: ") + e.what();
  }
  if (applied < 0) {
    r.migrations = "unknown";
  } else if (applied < latest) {
    r.migrations = "at " + std::to_string(applied) + " of " + std::to_string(latest);
  } else {
    r.migrations = "ok";  // a newer schema (a newer binary migrated) still serves this one
  }
  r.bus = !ctx_.bus || ctx_.bus->live() ? "ok" : "disconnected";
  r.ready = r.store == "ok" && r.migrations == "ok" && r.bus == "ok";
  co_return r;
}

}  // namespace argon::services
