#include "argon/app/metrics.hpp"

#include <dirent.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include "argon/domain/stats.hpp"
#include "argon/events/hub.hpp"
#include "argon/http/server.hpp"
#include "argon/services/rate_limiter.hpp"
#include "argon/store/database.hpp"
#include "argon/voice/relay.hpp"

namespace argon::app {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

ClientMetric gauge(double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  return m;
}

ClientMetric counter(double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = value;
  return m;
}

ClientMetric histogram(const DurationHistogram::Snapshot& s,
                       std::vector<ClientMetric::Label> labels) {
  ClientMetric m;
  m.label = std::move(labels);
  m.histogram.sample_count = s.count;
  m.histogram.sample_sum = s.sum_seconds;
  for (std::size_t i = 0; i < DurationHistogram::kBounds.size(); ++i)
    m.histogram.bucket.push_back({s.cumulative[i], DurationHistogram::kBounds[i]});
  m.histogram.bucket.push_back({s.cumulative.back(), std::numeric_limits<double>::infinity()});
  return m;
}

// /proc/self: CPU seconds, resident bytes, open descriptors.
struct ProcessStats {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double open_fds = 0;
};

ProcessStats process_stats() {
  ProcessStats p;
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) in parentheses.
  auto close = text.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(text.substr(close + 2));
    std::vector<std::string> fields;
    std::string f;
    while (rest >> f) fields.push_back(f);
    // fields[0] is field 3 (state): utime is field 14, stime 15, rss 24.
    if (fields.size() > 21) {
      const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
      p.cpu_seconds = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
      p.resident_bytes = std::stod(fields[21]) * static_cast<double>(::sysconf(_SC_PAGESIZE));
    }
  }
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (auto* entry = ::readdir(dir))
      if (entry->d_name[0] != '.') p.open_fds += 1;
    ::closedir(dir);
    p.open_fds -= 1;  // the directory stream's own descriptor
  }
  return p;
}

// The statuses argon answers with, each a counter slot of its own per route; any other status
// is counted in a map under the registry's lock (rare by construction).
constexpr std::array<int, 19> kStatuses = {101, 200, 201, 204, 301, 400, 401, 403, 404, 405,
                                           409, 413, 415, 422, 426, 429, 431, 500, 503};

struct RouteSlot {
  std::string route, api;
  DurationHistogram durations;
  std::array<std::atomic<std::uint64_t>, kStatuses.size()> counts{};
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

std::atomic<std::uint64_t> next_metrics_generation{1};

}  // namespace

struct Metrics::Impl {
  // Insert-only: a slot, once made, lives as long as the Metrics (threads cache pointers to it).
  mutable std::mutex registry_mutex;
  std::map<std::string, std::unique_ptr<RouteSlot>, std::less<>> routes;
  std::map<std::pair<std::string, int>, std::uint64_t> other_statuses;
  // Which Metrics a thread's cache belongs to (a new instance may reuse an old one's address).
  std::uint64_t generation = next_metrics_generation.fetch_add(1);
  Sources sources;
  double start_time_seconds = 0;

  RouteSlot& slot(std::string_view route) {
    // Per thread: route → slot, so that counting takes no lock once a route was seen here.
    thread_local std::uint64_t cached_generation = 0;
    thread_local std::unordered_map<std::string, RouteSlot*, StringHash, std::equal_to<>> cache;
    if (cached_generation != generation) {
      cache.clear();
      cached_generation = generation;
    }
    if (auto it = cache.find(route); it != cache.end()) return *it->second;
    std::lock_guard lock(registry_mutex);
    auto it = routes.find(route);
    if (it == routes.end()) {
      auto made = std::make_unique<RouteSlot>();
      made->route = std::string(route);
      made->api = Metrics::api_of(made->route);
      it = routes.emplace(made->route, std::move(made)).first;
    }
    cache.emplace(std::string(route), it->second.get());
    return *it->second;
  }
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {
  impl_->start_time_seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Metrics::~Metrics() = default;

void Metrics::set_sources(Sources sources) {
  impl_->sources = sources;
}

bool Metrics::is_loopback(const std::string& address) {
  return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

std::string Metrics::api_of(const std::string& route) {
  if (route.empty() || route == "-") return "none";
  if (route.starts_with("/api/v1")) return "client";
  if (route.starts_with("/audio") || route == "/") return "voice";
  if (route == "/healthz" || route == "/readyz" || route == "/metrics") return "ops";
  return "bot";
}

void Metrics::observe(const http::Request& request, int status, std::chrono::microseconds took) {
  RouteSlot& slot = impl_->slot(request.route.empty() ? std::string_view("-") : request.route);
  slot.durations.observe_us(took.count());
  for (std::size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) {
      slot.counts[i].fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  std::lock_guard lock(impl_->registry_mutex);
  ++impl_->other_statuses[{slot.route, status}];
}

std::string Metrics::scrape() const {
  std::vector<MetricFamily> families;
  {
    auto requests =
        family("argon_http_requests_total",
               "HTTP requests answered, by API, route pattern and status", MetricType::Counter);
    auto durations = family("argon_http_request_duration_seconds",
                            "Time from a request's head to its answer, by API and route pattern",
                            MetricType::Histogram);
    std::lock_guard lock(impl_->registry_mutex);
    for (const auto& [route, slot] : impl_->routes) {
      for (std::size_t i = 0; i < kStatuses.size(); ++i) {
        auto n = slot->counts[i].load(std::memory_order_relaxed);
        if (n == 0) continue;
        requests.metric.push_back(counter(
            static_cast<double>(n),
            {{"api", slot->api}, {"route", route}, {"status", std::to_string(kStatuses[i])}}));
      }
      durations.metric.push_back(
          histogram(slot->durations.snapshot(), {{"api", slot->api}, {"route", route}}));
    }
    for (const auto& [key, n] : impl_->other_statuses)
      requests.metric.push_back(
          counter(static_cast<double>(n), {{"api", api_of(key.first)},
                                           {"route", key.first},
                                           {"status", std::to_string(key.second)}}));
    families.push_back(std::move(requests));
    families.push_back(std::move(durations));
  }
  const Sources& s = impl_->sources;

  if (s.server) {
    auto f = family("argon_http_connections",
                    "Open HTTP connections (streams and sockets included)", MetricType::Gauge);
    f.metric.push_back(gauge(static_cast<double>(s.server->active_connections())));
    families.push_back(std::move(f));
  }
  if (s.hub) {
    auto counts = s.hub->stream_counts();
    auto f = family("argon_event_streams", "Open event streams, by kind", MetricType::Gauge);
    f.metric.push_back(gauge(static_cast<double>(counts.bots), {{"kind", "bot"}}));
    f.metric.push_back(gauge(static_cast<double>(counts.people), {{"kind", "person"}}));
    families.push_back(std::move(f));
    auto delivered = family("argon_events_delivered_total",
                            "Events written to streams (live and replayed)", MetricType::Counter);
    delivered.metric.push_back(counter(static_cast<double>(s.hub->stats().delivered.load())));
    families.push_back(std::move(delivered));
    auto replayed =
        family("argon_event_replay_total",
               "Events written to streams from the log (resume, catch-up)", MetricType::Counter);
    replayed.metric.push_back(counter(static_cast<double>(s.hub->stats().replayed.load())));
    families.push_back(std::move(replayed));
  }
  if (s.database) {
    const std::string engine(s.database->engine());
    auto f = family("argon_store_transaction_duration_seconds",
                    "Store transactions as their callers saw them (queue, attempts, commit)",
                    MetricType::Histogram);
    f.metric.push_back(
        histogram(s.database->stats().transaction_durations.snapshot(), {{"engine", engine}}));
    families.push_back(std::move(f));
    auto retries = family("argon_store_retries_total",
                          "Transaction attempts beyond the first (serialization failures, "
                          "deadlocks, lost connections)",
                          MetricType::Counter);
    retries.metric.push_back(
        counter(static_cast<double>(s.database->stats().retries.load()), {{"engine", engine}}));
    families.push_back(std::move(retries));
  }
  {
    auto f = family("argon_ratelimit_rejections_total",
                    "Requests refused by a rate limit, by policy", MetricType::Counter);
    for (auto* limiter : {s.bot_limiter, s.people_limiter}) {
      if (!limiter) continue;
      for (const auto& [policy, n] : limiter->rejections().snapshot())
        f.metric.push_back(counter(static_cast<double>(n), {{"policy", policy}}));
    }
    families.push_back(std::move(f));
  }
  if (s.relay) {
    auto rooms =
        family("argon_voice_rooms", "Voice rooms with a socket on this node", MetricType::Gauge);
    rooms.metric.push_back(gauge(static_cast<double>(s.relay->room_count())));
    families.push_back(std::move(rooms));
    auto packets = family("argon_voice_packets_total", "Voice packets forwarded (per receiver)",
                          MetricType::Counter);
    packets.metric.push_back(counter(static_cast<double>(s.relay->forwarded_packets())));
    families.push_back(std::move(packets));
  }
  ProcessStats p = process_stats();
  auto cpu = family("process_cpu_seconds_total", "User and system CPU time", MetricType::Counter);
  cpu.metric.push_back(counter(p.cpu_seconds));
  families.push_back(std::move(cpu));
  auto rss = family("process_resident_memory_bytes", "Resident memory", MetricType::Gauge);
  rss.metric.push_back(gauge(p.resident_bytes));
  families.push_back(std::move(rss));
  auto fds = family("process_open_fds", "Open file descriptors", MetricType::Gauge);
  fds.metric.push_back(gauge(p.open_fds));
  families.push_back(std::move(fds));
  auto start = family("process_start_time_seconds", "Start time, Unix seconds", MetricType::Gauge);
  start.metric.push_back(gauge(impl_->start_time_seconds));
  families.push_back(std::move(start));

  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace argon::app
