#include "argon/app/serve.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "argon/app/runtime.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/contracts/contracts.hpp"
#include "argon/domain/names.hpp"
#include "argon/events/event_log.hpp"
#include "argon/events/hub.hpp"
#include "argon/http/server.hpp"
#include "argon/http/worker_pool.hpp"
#include "argon/services/streams.hpp"
#include "argon/services/voice.hpp"

namespace argon::app {

bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string p = listen.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

namespace {
constexpr std::int64_t kMaintenanceIntervalMs = 5 * 60 * 1000;

// The request workers, as the executor coroutines resume on (task.hpp): handlers start here,
// and an operation that waited for the store continues here once its transaction committed.
class WorkerExecutor final : public Executor {
 public:
  explicit WorkerExecutor(int threads)
      : pool_(std::make_unique<http::WorkerPool>(threads, [this] { set_thread_executor(this); })) {}
  void post(std::function<void()> fn) override {
    if (!pool_->submit(fn)) fn();  // stopped: run here rather than leave a coroutine suspended
  }
  http::WorkerPool* pool() { return pool_.get(); }
  void shutdown() { pool_->shutdown(); }

 private:
  std::unique_ptr<http::WorkerPool> pool_;
};

// Periodic clean-up: expired randomId keys and events past the retention. On the scheduler's
// thread, which may wait.
void schedule_maintenance(Runtime& rt) {
  rt.scheduler().schedule(kMaintenanceIntervalMs, [&rt] {
    try {
      std::int64_t keys = sync_wait(rt.messages().prune_dedupe_keys());
      std::int64_t retention_ms =
          std::max<std::int64_t>(rt.config().i64("events.retention_seconds"), 600) * 1000;
      std::int64_t cutoff = rt.context().now_ms() - retention_ms;
      auto pruned = rt.database().transact_now(
          [&](store::Connection& c) -> Result<std::int64_t> { return events::prune(c, cutoff); });
      std::int64_t interactions = sync_wait(rt.interactions().prune_expired());
      spdlog::info("maintenance: pruned dedupe_keys={} events={} interactions={}", keys,
                   pruned ? *pruned : -1, interactions);
    } catch (const std::exception& e) {
      spdlog::warn("maintenance: failed: {}", e.what());
    }
    schedule_maintenance(rt);
  });
}

// ratelimit.<interface> = permits per window, e.g. ARGON_RATELIMIT_IMESSAGES=240.
std::map<std::string, int> rate_limit_overrides(const Config& config) {
  std::map<std::string, int> out;
  for (const auto& iface : contracts::interfaces()) {
    std::string key = "ratelimit." + to_lower_ascii(iface.name);
    if (config.values().count(key)) out[iface.name] = static_cast<int>(config.i64(key));
  }
  return out;
}

// The voice token key: voice.jwt_secret, else one generated on first start and kept in the data
// dir (so tokens survive a restart).
std::string voice_secret(const Config& config) {
  std::string configured = config.str("voice.jwt_secret");
  if (!configured.empty()) return configured;
  std::filesystem::path path =
      std::filesystem::path(config.str("server.data_dir")) / "voice.secret";
  std::ifstream in(path);
  std::string secret;
  if (in && std::getline(in, secret) && secret.size() >= 32) return secret;
  crypto::SystemRandom random;
  secret = crypto::random_token(random, 32);
  {
    std::ofstream out(path, std::ios::trunc);
    out << secret << "\n";
  }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  spdlog::info("voice: generated a token key path={}", path.string());
  return secret;
}

services::VoiceSettings voice_settings(const Config& config) {
  services::VoiceSettings v;
  v.secret = voice_secret(config);
  v.token_ttl_seconds = config.i64("voice.token_ttl_seconds");
  v.ring_timeout_ms = config.i64("calls.ring_timeout_seconds") * 1000;
  v.join_grace_ms = config.i64("voice.join_grace_seconds") * 1000;
  return v;
}

int wait_for_stop_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}
}  // namespace

int serve(const Config& config) {
  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  http::ServerOptions options;
  if (!split_listen(config.str("server.listen"), options.host, options.port)) {
    spdlog::critical("config: server.listen must be HOST:PORT, got '{}'",
                     config.str("server.listen"));
    return 2;
  }
  options.io_threads = static_cast<int>(config.i64("server.io_threads"));
  options.worker_threads = static_cast<int>(config.i64("server.worker_threads"));
  options.max_body_bytes = static_cast<std::size_t>(config.i64("http.max_body_bytes"));
  options.max_header_bytes = static_cast<std::size_t>(config.i64("http.max_header_bytes"));
  options.read_timeout = std::chrono::seconds(config.i64("http.read_timeout_seconds"));
  options.idle_timeout = std::chrono::seconds(config.i64("http.idle_timeout_seconds"));
  options.write_timeout = std::chrono::seconds(config.i64("http.write_timeout_seconds"));

  // A server whose Bot API surface drifted from the published contracts must not start.
  auto mismatches = contracts::verify();
  for (const auto& m : mismatches)
    spdlog::critical("contracts: CONTRACT BREAK {} declared hash {} but computed {}", m.subject,
                     m.declared, m.computed);
  if (!mismatches.empty()) return 1;
  spdlog::info("contracts: {} interfaces and {} events match their declared hashes",
               contracts::interfaces().size(), contracts::events().size());

  std::unique_ptr<Runtime> runtime;
  try {
    runtime = std::make_unique<Runtime>(config);
  } catch (const std::exception& e) {
    spdlog::critical("store: cannot open the database: {}", e.what());
    return 1;
  }
  Runtime& rt = *runtime;
  WorkerExecutor workers(static_cast<int>(config.i64("server.worker_threads")));
  options.workers = workers.pool();
  rt.context().background = &workers;

  // Live delivery: committed events are published on the bus; the hub feeds every open stream.
  events::HubOptions hub_options;
  hub_options.heartbeat_ms = config.i64("events.heartbeat_seconds") * 1000;
  hub_options.sweep_interval_ms = std::clamp<std::int64_t>(hub_options.heartbeat_ms / 2, 50, 1000);
  events::Hub hub(rt.database(), rt.bus(), rt.scheduler(), rt.context().clock, hub_options);
  services::StreamService streams(rt.context(), hub, rt.accounts(),
                                  {config.i64("events.resume_window_seconds") * 1000});
  std::size_t stream_queue = static_cast<std::size_t>(config.i64("events.stream_queue_bytes"));

  services::VoiceService voice(rt.context(), voice_settings(config));

  http::Router router;
  router.add("GET", "/healthz",
             [](http::Request&) { return http::Response::json(200, R"({"status":"ok"})"); });
  clientapi::ClientServices client{
      rt.accounts(), rt.spaces(),   rt.messages(),     rt.typing(), rt.bots(),
      streams,       rt.commands(), rt.interactions(), voice,       config.str("admin.token"),
      stream_queue};
  clientapi::register_routes(router, client);
  services::RateLimitConfig limits;
  // The window is smoothed over 6 equal segments: round it to a whole number of ms per segment.
  limits.window_ms =
      std::max<std::int64_t>(config.i64("ratelimit.window_seconds") * 1000 / limits.segments, 1) *
      limits.segments;
  limits.max_concurrency = static_cast<int>(config.i64("ratelimit.max_concurrency"));
  services::LocalRateLimiter limiter(rt.context().clock, limits);
  botapi::BotServices bot{rt.bots(),
                          rt.spaces(),
                          rt.messages(),
                          rt.typing(),
                          streams,
                          rt.commands(),
                          rt.interactions(),
                          voice,
                          limiter,
                          stream_queue,
                          rate_limit_overrides(config)};
  botapi::register_audio_routes(router, voice);
  botapi::register_routes(router, bot);

  // GetMe with a recently checked token is answered on the network thread (no worker hop).
  http::Router inline_router;
  botapi::register_inline_routes(inline_router, bot);
  options.inline_dispatch =
      [&inline_router](http::Request& request) -> std::optional<http::Response> {
    botapi::rewrite_path_token(request);
    auto match = inline_router.match(request);
    if (!match.matched()) return std::nullopt;
    std::optional<http::Response> response;
    (*match.handler)(request, [&response](http::Response r) { response = std::move(r); });
    if (!response || response->status == 0) return std::nullopt;
    return response;
  };
  http::Server server(
      options, http::AsyncDispatchFn([&router](http::Request& request, http::Respond respond) {
        botapi::rewrite_path_token(request);
        router.dispatch(request, std::move(respond));
      }));
  try {
    server.start();
  } catch (const std::exception& e) {
    spdlog::critical("server: cannot listen on {}: {}", config.str("server.listen"), e.what());
    return 1;
  }
  schedule_maintenance(rt);
  std::string public_url = config.str("server.public_url");
  if (public_url.empty())
    public_url = "http://" + options.host + ":" + std::to_string(server.port());
  voice.set_public_base(public_url);
  spdlog::info("server: listening address={}:{} routes={}", options.host, server.port(),
               router.size());
  // The one line on stdout: tools and tests read the bound port from it.
  std::printf("listening on http://%s:%u\n", options.host.c_str(),
              static_cast<unsigned>(server.port()));
  std::fflush(stdout);

  int sig = wait_for_stop_signal();
  auto drain = std::chrono::seconds(config.i64("server.drain_seconds"));
  spdlog::info("server: stopping signal={} drain_seconds={} connections={}", sig, drain.count(),
               server.active_connections());
  server.shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(drain));
  hub.shutdown();  // saves where every stream stopped (implicit resume after a restart)
  rt.close();      // timers stop; the store finishes what was submitted
  rt.context().background = nullptr;
  workers.shutdown();
  spdlog::info("server: stopped cleanly");
  return 0;
}

}  // namespace argon::app
