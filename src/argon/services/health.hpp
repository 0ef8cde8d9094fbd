#pragma once
// Readiness (GET /readyz): can this node serve requests now? The store answers and holds every
// migration this binary knows, and the event bus is connected (several nodes). Liveness
// (/healthz) asks nothing of them.
#include <string>

#include "argon/services/context.hpp"

namespace argon::services {

struct Readiness {
  bool ready = false;
  std::string store;       // "ok", or what failed
  std::string migrations;  // "ok", or "at N of M"
  std::string bus;         // "ok" or "disconnected"
};

class HealthService {
 public:
  explicit HealthService(Context& ctx) : ctx_(ctx) {}
  Task<Readiness> readiness();

 private:
  Context& ctx_;
};

}  // namespace argon::services
