#pragma once
// Prometheus metrics (GET /metrics, docs/operations.md "Metrics"). Requests are counted as they
// are answered (the server's on_answered hook, labelled by route pattern, never by raw path);
// everything else is read at scrape time from the stats the layers keep themselves (store,
// hub, rate limiters, voice relay, HTTP server) and from /proc. Exposition through prometheus-cpp
// (its text serializer and metric families).
#include <chrono>
#include <memory>
#include <string>

#include "argon/http/message.hpp"

namespace argon::events {
class Hub;
}
namespace argon::http {
class Server;
}
namespace argon::services {
class RateLimiter;
}
namespace argon::store {
class Database;
}
namespace argon::voice {
class Relay;
}

namespace argon::app {

class Metrics {
 public:
  struct Sources {
    const http::Server* server = nullptr;
    const events::Hub* hub = nullptr;
    store::Database* database = nullptr;
    services::RateLimiter* bot_limiter = nullptr;
    services::RateLimiter* people_limiter = nullptr;
    const voice::Relay* relay = nullptr;
  };

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Set once, before the first scrape.
  void set_sources(Sources sources);
  // One answered request (from any network thread).
  void observe(const http::Request& request, int status, std::chrono::microseconds took);
  // The Prometheus text exposition (format 0.0.4) of every metric.
  std::string scrape() const;

  // "client" (/api/v1), "bot" (the Bot API), "voice" (/audio), "ops" (probes, metrics) or "none"
  // (no route matched): the `api` label.
  static std::string api_of(const std::string& route);
  // 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address (who may read /metrics without a token).
  static bool is_loopback(const std::string& address);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace argon::app
