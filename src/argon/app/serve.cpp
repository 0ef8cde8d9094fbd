#include "argon/app/serve.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "argon/api/respond.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/app/build_info.hpp"
#include "argon/app/heap_trim.hpp"
#include "argon/app/logging.hpp"
#include "argon/app/metrics.hpp"
#include "argon/app/proxy_config.hpp"
#include "argon/app/runtime.hpp"
#include "argon/app/sd_notify.hpp"
#include "argon/app/web_client.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/clientapi/routes.hpp"
#include "argon/contracts/contracts.hpp"
#include "argon/crypto/crypto.hpp"
#include "argon/domain/names.hpp"
#include "argon/domain/text.hpp"
#include "argon/events/event_log.hpp"
#include "argon/events/hub.hpp"
#include "argon/http/server.hpp"
#include "argon/http/worker_pool.hpp"
#include "argon/services/cluster_rate_limiter.hpp"
#include "argon/services/cluster_state.hpp"
#include "argon/services/health.hpp"
#include "argon/services/streams.hpp"
#include "argon/services/voice.hpp"
#include "argon/store/nodes_repo.hpp"

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

// The coroutine executor of one network thread (server.dispatch = network): work posted here runs
// on that thread. Once stopped (the server is down), posted work runs on the caller's thread
// instead of being lost with a suspended coroutine.
class NetworkThreadExecutor final : public Executor {
 public:
  explicit NetworkThreadExecutor(std::function<void(std::function<void()>)> post)
      : post_(std::move(post)) {}
  void post(std::function<void()> fn) override {
    if (stopped_.load(std::memory_order_acquire)) {
      fn();
      return;
    }
    post_(std::move(fn));
  }
  void stop() { stopped_.store(true, std::memory_order_release); }

 private:
  std::function<void(std::function<void()>)> post_;
  std::atomic<bool> stopped_{false};
};

// The executors of the server's network threads; they outlive everything that may post to them.
class NetworkExecutors {
 public:
  void install(std::function<void(std::function<void()>)> post) {
    auto executor = std::make_unique<NetworkThreadExecutor>(std::move(post));
    set_thread_executor(executor.get());
    std::lock_guard lock(mutex_);
    executors_.push_back(std::move(executor));
  }
  void stop() {
    std::lock_guard lock(mutex_);
    for (auto& e : executors_) e->stop();
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<NetworkThreadExecutor>> executors_;
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
      std::int64_t login_failures = sync_wait(rt.accounts().prune_login_failures());
      spdlog::info("maintenance: pruned dedupe_keys={} events={} interactions={} login_failures={}",
                   keys, pruned ? *pruned : -1, interactions, login_failures);
    } catch (const std::exception& e) {
      spdlog::warn("maintenance: failed: {}", e.what());
    }
    schedule_maintenance(rt);
  });
}

// memory.trim_when_idle: free heap pages go back to the system once the server is quiet
// (heap_trim.hpp). On the scheduler's thread: malloc_trim may hold the allocator a moment.
void schedule_heap_trim(Runtime& rt, std::shared_ptr<HeapTrimmer> trimmer) {
  std::int64_t interval = trimmer->policy().interval_ms;
  rt.scheduler().schedule(interval, [&rt, trimmer = std::move(trimmer), interval]() mutable {
    if (std::uint64_t given = trimmer->tick(interval))
      spdlog::debug("memory: gave {} KB of free heap back to the system (trims so far: {})",
                    given / 1024, trimmer->trims());
    schedule_heap_trim(rt, std::move(trimmer));
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

// The voice token key: voice.jwt_secret, else the one every node shares through the store
// (generated by the first node; a key an earlier version kept in the data dir is adopted).
std::string voice_secret(const Config& config, store::Database& db) {
  std::string configured = config.str("voice.jwt_secret");
  if (!configured.empty()) return configured;
  std::filesystem::path path =
      std::filesystem::path(config.str("server.data_dir")) / "voice.secret";
  std::string candidate;
  {
    std::ifstream in(path);
    if (!(in && std::getline(in, candidate) && candidate.size() >= 32)) candidate.clear();
  }
  if (candidate.empty()) {
    crypto::SystemRandom random;
    candidate = crypto::random_token(random, 32);
  }
  auto secret = db.transact_now([&](store::Connection& c) -> Result<std::string> {
    return store::settings::put_if_absent(c, "voice.jwt_secret", candidate);
  });
  if (!secret) throw std::runtime_error("voice: cannot read or store the token key");
  return *secret;
}

services::VoiceSettings voice_settings(const Config& config, store::Database& db, int node_id) {
  services::VoiceSettings v;
  v.secret = voice_secret(config, db);
  v.node_id = node_id;
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
// Raises the soft open-file limit to the hard one (every connection, stream and socket is a
// descriptor; distributions start services at 1,024) and returns the limit now in force.
std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::uint64_t{1} << 20
                                         : static_cast<std::uint64_t>(limit.rlim_cur);
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
  // metrics.listen: a second listener for the operator's scrapes and probes (empty: none).
  const std::string metrics_listen = config.str("metrics.listen");
  http::ServerOptions ops;
  if (!metrics_listen.empty() && !split_listen(metrics_listen, ops.host, ops.port)) {
    spdlog::critical("config: metrics.listen must be HOST:PORT, got '{}'", metrics_listen);
    return 2;
  }
  options.io_threads = static_cast<int>(config.i64("server.io_threads"));
  options.worker_threads = static_cast<int>(config.i64("server.worker_threads"));
  options.max_body_bytes = static_cast<std::size_t>(config.i64("http.max_body_bytes"));
  options.max_header_bytes = static_cast<std::size_t>(config.i64("http.max_header_bytes"));
  options.read_timeout = std::chrono::seconds(config.i64("http.read_timeout_seconds"));
  options.idle_timeout = std::chrono::seconds(config.i64("http.idle_timeout_seconds"));
  options.write_timeout = std::chrono::seconds(config.i64("http.write_timeout_seconds"));
  options.header_timeout = std::chrono::seconds(config.i64("http.header_timeout_seconds"));
  options.max_header_fields = static_cast<std::size_t>(config.i64("http.max_header_fields"));
  const std::uint64_t open_files = raise_open_file_limit();
  options.max_connections = static_cast<std::size_t>(config.i64("http.max_connections"));
  if (options.max_connections == 0)  // what is left after the store, logs and the bus
    options.max_connections =
        static_cast<std::size_t>(open_files > 512 ? open_files - 256 : open_files / 2);
  options.max_connections_per_address =
      static_cast<std::size_t>(config.i64("http.max_connections_per_address"));
  spdlog::info("server: open-file limit {}, at most {} connections ({} per address)", open_files,
               options.max_connections, options.max_connections_per_address);
  if (!apply_proxy_config(config, options)) return 2;  // trusted proxies, CORS

  spdlog::info("server: argon {} commit {} pid {}", kArgonVersion, kGitCommit, ::getpid());
  // A server whose Bot API surface drifted from the published contracts must not start.
  auto mismatches = contracts::verify();
  for (const auto& m : mismatches)
    spdlog::critical("contracts: CONTRACT BREAK {} declared hash {} but computed {}", m.subject,
                     m.declared, m.computed);
  if (!mismatches.empty()) return 1;
  spdlog::info("contracts: Bot API {}: {} interfaces and {} events match their declared hashes",
               contracts::kBotApiVersion, contracts::interfaces().size(),
               contracts::events().size());

  // Declared before the runtime: store completions during its shutdown may still post here.
  NetworkExecutors network_executors;
  options.dispatch_on_network_thread = equals_ignore_case(config.str("server.dispatch"), "network");
  if (options.dispatch_on_network_thread)
    options.on_network_thread_start = [&network_executors](auto post) {
      network_executors.install(std::move(post));
    };
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
  hub_options.repair_interval_ms =
      std::max<std::int64_t>(50, config.i64("events.repair_interval_ms"));
  hub_options.offline_poll_ms = std::max<std::int64_t>(20, config.i64("events.offline_poll_ms"));
  events::Hub hub(rt.database(), rt.bus(), rt.scheduler(), rt.context().clock, hub_options);
  // With other nodes, open streams are counted in the store (a bot is Online while it has one
  // on any node); a dead node's streams are counted out by the survivors.
  std::unique_ptr<services::StorePresenceCounter> presence;
  if (rt.clustered())
    presence = std::make_unique<services::StorePresenceCounter>(rt.context(), rt.nodes().node_id());
  services::StreamService streams(rt.context(), hub, rt.accounts(),
                                  {config.i64("events.resume_window_seconds") * 1000},
                                  presence.get());
  auto count_out = [&](int node_id) {
    if (!presence) return;
    try {
      sync_wait(presence->count_out_node(
          node_id, [&streams](Uuid owner) { return streams.go_offline(owner); }));
    } catch (const std::exception& e) {
      spdlog::warn("presence: counting out node {} failed: {}", node_id, e.what());
    }
  };
  // Streams a previous holder of this node id left behind are gone.
  count_out(rt.nodes().node_id());
  rt.nodes().on_dead_nodes([&count_out](const std::vector<int>& dead) {
    for (int id : dead) count_out(id);
  });
  std::size_t stream_queue = static_cast<std::size_t>(config.i64("events.stream_queue_bytes"));

  services::VoiceService voice(rt.context(),
                               voice_settings(config, rt.database(), rt.nodes().node_id()));
  // Several nodes: rooms served here, requests from other nodes, dead nodes' rooms.
  voice.start(&rt.nodes());
  // Interactions carry the person's voice channel (voiceState) from the voice rooms.
  rt.interactions().use_voice(&voice.rooms());

  http::Router router;
  // Prometheus metrics. On server.listen: loopback peers only, unless metrics.token is set (then
  // that bearer token, from anywhere). On a separate metrics.listen, the address chosen is the
  // protection: every peer there, or the token when one is set.
  Metrics metrics;
  const std::string metrics_token = config.str("metrics.token");
  auto metrics_route = [&metrics, &metrics_token](bool loopback_only) {
    return [&metrics, &metrics_token, loopback_only](http::Request& req) {
      if (metrics_token.empty()) {
        if (loopback_only && !Metrics::is_loopback(req.client_address))
          return http::Response::error(
              403, "forbidden", "/metrics answers loopback clients only (see metrics.token)");
      } else {
        auto token = api::authorization_credentials(req, "Bearer");
        if (!token || !crypto::constant_time_equal(*token, metrics_token))
          return http::Response::error(401, "unauthorized", "Missing or invalid metrics token.");
      }
      http::Response r = http::Response::json(200, metrics.scrape());
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      return r;
    };
  };
  auto healthz = [](http::Request&) { return http::Response::json(200, R"({"status":"ok"})"); };
  // Ready to serve: store reachable with every migration, bus connected (503 otherwise).
  services::HealthService health{rt.context()};
  http::AsyncHandler readyz = api::task_handler([&health](http::Request&) -> Task<http::Response> {
    services::Readiness r = co_await health.readiness();
    boost::json::object checks{{"store", r.store}, {"migrations", r.migrations}, {"bus", r.bus}};
    boost::json::object body{{"status", r.ready ? "ready" : "unavailable"},
                             {"checks", std::move(checks)}};
    auto response = api::json_response(r.ready ? 200 : 503, body);
    if (!r.ready) response.headers.emplace_back("Retry-After", "1");
    co_return response;
  });
  if (metrics_listen.empty()) router.add("GET", "/metrics", metrics_route(true));
  router.add("GET", "/healthz", healthz);
  router.add("GET", "/readyz", readyz);
  // metrics.listen: the operator's port (Prometheus, the orchestrator's probes), apart from the
  // public one; it serves nothing else.
  http::Router ops_router;
  ops_router.add("GET", "/metrics", metrics_route(false));
  ops_router.add("GET", "/healthz", healthz);
  ops_router.add("GET", "/readyz", readyz);
  clientapi::ClientServices client{
      rt.accounts(),  rt.account_admin(),   rt.spaces(), rt.messages(),
      rt.reactions(), rt.typing(),          rt.bots(),   streams,
      rt.commands(),  rt.interactions(),    voice,       config.str("admin.token"),
      stream_queue,   rt.adjustable_clock()};
  services::TicketService tickets(rt.context());
  client.tickets = &tickets;
  clientapi::register_routes(router, client);
  if (rt.adjustable_clock())
    spdlog::warn("testing: the clock is adjustable through POST /api/v1/admin/clock (tests only)");
  services::RateLimitConfig limits;
  // The window is smoothed over 6 equal segments: round it to a whole number of ms per segment.
  limits.window_ms =
      std::max<std::int64_t>(config.i64("ratelimit.window_seconds") * 1000 / limits.segments, 1) *
      limits.segments;
  limits.max_concurrency = static_cast<int>(config.i64("ratelimit.max_concurrency"));
  // One node: the windows and slots in memory; several: in the store, shared by all nodes.
  std::unique_ptr<services::RateLimiter> limiter;
  services::StoreRateLimiter* store_limiter = nullptr;
  if (rt.clustered()) {
    auto shared =
        std::make_unique<services::StoreRateLimiter>(rt.context(), rt.nodes().node_id(), limits);
    store_limiter = shared.get();
    limiter = std::move(shared);
  } else {
    limiter = std::make_unique<services::LocalRateLimiter>(rt.context().clock, limits);
  }
  auto free_slots_of = [&](int node_id) {
    if (!store_limiter) return;
    try {
      (void)sync_wait(store_limiter->release_node(node_id));
    } catch (const std::exception& e) {
      spdlog::warn("ratelimit: freeing the slots of node {} failed: {}", node_id, e.what());
    }
  };
  free_slots_of(rt.nodes().node_id());  // slots a previous holder of this id left behind
  rt.nodes().on_dead_nodes([&free_slots_of](const std::vector<int>& dead) {
    for (int id : dead) free_slots_of(id);
  });
  botapi::BotServices bot{rt.bots(),   rt.spaces(), rt.messages(), rt.reactions(),
                          rt.typing(), streams,     rt.commands(), rt.interactions(),
                          voice,       *limiter,    stream_queue,  rate_limit_overrides(config)};
  // People's budgets: counted by each node in its own memory (a request costs no store write; a
  // person spreading requests over N nodes gets up to N budgets), windows only (no cap on
  // requests running together).
  services::RateLimitConfig people_limits = limits;
  people_limits.max_concurrency = std::numeric_limits<int>::max();
  services::LocalRateLimiter people_limiter(rt.context().clock, people_limits);
  client.limiter = &people_limiter;
  client.person_permits = static_cast<int>(config.i64("ratelimit.person_requests"));
  client.address_permits = static_cast<int>(config.i64("ratelimit.address_requests"));
  botapi::register_audio_routes(router, voice, register_web_client(router), &tickets);
  botapi::register_routes(router, bot);

  // GetMe with a recently checked token is answered on the network thread (no worker hop).
  http::Router inline_router;
  botapi::register_inline_routes(inline_router, bot);
  {
    AccessLogOptions access;
    access.json = equals_ignore_case(config.str("log.format"), "json");
    access.enabled = !equals_ignore_case(config.str("log.access"), "off");
    access.slow_ms = config.i64("log.slow_request_ms");
    auto log_access = access_logger(access);
    options.on_answered = [log_access, &metrics](const http::Request& request, int status,
                                                 std::chrono::microseconds took) {
      metrics.observe(request, status, took);
      log_access(request, status, took);
    };
  }
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
  std::unique_ptr<http::Server> ops_server;
  if (!metrics_listen.empty()) {
    ops.io_threads = 1;
    ops.workers = options.workers;
    ops.max_connections = 64;
    ops.on_answered = options.on_answered;
    ops_server = std::make_unique<http::Server>(
        ops, http::AsyncDispatchFn([&ops_router](http::Request& request, http::Respond respond) {
          ops_router.dispatch(request, std::move(respond));
        }));
    try {
      ops_server->start();
    } catch (const std::exception& e) {
      spdlog::critical("server: cannot listen on {} (metrics.listen): {}", metrics_listen,
                       e.what());
      return 1;
    }
    spdlog::info("server: metrics listening address={}:{}", ops.host, ops_server->port());
  }
  metrics.set_sources(
      {&server, &hub, &rt.database(), limiter.get(), &people_limiter, &voice.relay()});
  schedule_maintenance(rt);
  if (config.str("memory.trim_when_idle") == "on")
    schedule_heap_trim(rt,
                       std::make_shared<HeapTrimmer>(HeapTrimPolicy{}, HeapTrimProbes::process()));
  std::string public_url = config.str("server.public_url");
  if (public_url.empty())
    public_url = "http://" + options.host + ":" + std::to_string(server.port());
  voice.set_public_base(public_url);
  rt.nodes().set_public_url(public_url);
  // Renew this node's lease; if another node took its id meanwhile, stop (ids could collide).
  rt.nodes().start([] { ::kill(::getpid(), SIGTERM); });
  spdlog::info("server: listening address={}:{} routes={} node_id={}", options.host, server.port(),
               router.size(), rt.nodes().node_id());
  // The one line on stdout: tools and tests read the bound port from it.
  std::printf("listening on http://%s:%u\n", options.host.c_str(),
              static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  // Under systemd (Type=notify): READY=1 now, STOPPING=1 on SIGTERM, watchdog pings from the
  // timer thread through the workers (sd_notify.hpp). Nothing without NOTIFY_SOCKET.
  const SystemdNotifier systemd = SystemdNotifier::from_environment();
  if (systemd.ready("listening on " + public_url))
    spdlog::info("systemd: notified ready watchdog_ms={}",
                 systemd.watchdog_interval().count() / 1000);
  start_watchdog(systemd, rt.scheduler(),
                 [&workers](std::function<void()> fn) { workers.post(std::move(fn)); });

  int sig = wait_for_stop_signal();
  systemd.stopping();
  auto drain = std::chrono::seconds(config.i64("server.drain_seconds"));
  spdlog::info("server: stopping signal={} drain_seconds={} connections={}", sig, drain.count(),
               server.active_connections());
  server.shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(drain));
  if (ops_server) ops_server->shutdown(std::chrono::milliseconds(0));
  network_executors.stop();  // the network threads are gone: later resumptions run in place
  rt.interactions().use_voice(nullptr);  // no requests any more
  voice.shutdown();  // the rooms served here are given up (their members get voiceLeave)
  hub.shutdown();    // saves where every stream stopped (implicit resume after a restart)
  if (!streams.wait_presence_settled(std::chrono::seconds(5)))
    spdlog::warn("presence: closed streams still being counted out after 5 s");
  count_out(rt.nodes().node_id());  // this node's streams are gone: other nodes see it at once
  free_slots_of(rt.nodes().node_id());
  rt.close();  // timers stop; the store finishes what was submitted
  rt.context().background = nullptr;
  workers.shutdown();
  spdlog::info("server: stopped cleanly");
  return 0;
}

}  // namespace argon::app
