#include "argon/app/config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <set>

#include "argon/domain/text.hpp"

extern char** environ;

namespace argon::app {

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> kKeys = {
      {"server.listen", "127.0.0.1:8080", "HOST:PORT to listen on (port 0 = any free port)"},
      {"server.data_dir", "./data", "directory holding the database"},
      {"server.public_url", "", "base URL clients reach this server at (default from listen)"},
      {"server.trusted_proxies", "",
       "comma-separated addresses/CIDR ranges of reverse proxies whose X-Forwarded-For names the "
       "client (empty = nobody)"},
      {"server.io_threads", "0", "network threads (0 = one per core)"},
      {"server.worker_threads", "32",
       "threads for blocking work (password hashing, stream set-up, background tasks; request "
       "handlers too with server.dispatch = workers)"},
      {"server.dispatch",
       "network",
       "network: request handlers run on the connection's network thread and resume there after "
       "the store; workers: every request is handed to the worker threads",
       {"network", "workers"}},
      {"server.node_id", "auto",
       "0..1023, distinct per node (part of every message id); auto claims a free one in the "
       "store"},
      {"server.node_lease_seconds", "30",
       "a node that has not renewed its lease for this long is dead (others clean up after it)"},
      {"server.heartbeat_seconds", "5", "how often a node renews its lease"},
      {"server.drain_seconds", "10", "on SIGTERM, how long in-flight requests may take to finish"},
      {"http.max_body_bytes", "1048576", "larger request bodies answer 413"},
      {"http.max_header_bytes", "16384", "larger header blocks answer 431"},
      {"http.max_header_fields", "100", "more header lines answer 431"},
      {"http.header_timeout_seconds", "10",
       "time to receive a request head (from a new connection, or after its first byte)"},
      {"http.read_timeout_seconds", "30", "time to receive a whole request"},
      {"http.idle_timeout_seconds", "75", "keep-alive connections idle this long are closed"},
      {"http.write_timeout_seconds", "30", "time to send a response"},
      {"http.max_connections", "0",
       "open connections at most, streams included (0 = the open-file limit less 256)"},
      {"http.max_connections_per_address", "256",
       "open connections from one peer address at most (0 = no cap; loopback and trusted proxies "
       "exempt)"},
      {"http.cors_origins", "",
       "comma-separated origins (or *) whose web pages may call the client API (/api/v1) "
       "cross-origin; empty = CORS off"},
      {"bus.url", "",
       "nats://HOST:PORT to run several nodes on one PostgreSQL database; empty = one node"},
      {"store.url", "",
       "postgres://USER@HOST:PORT/DB to use PostgreSQL; empty = SQLite in the data dir"},
      {"store.pool_size", "16", "PostgreSQL connections (each runs one transaction at a time)"},
      {"store.max_attempts", "5",
       "attempts of a transaction hitting a serialization failure, deadlock or lost connection"},
      {"store.statement_timeout_ms", "30000", "PostgreSQL statement timeout"},
      {"store.read_connections", "16", "SQLite read connection pool size"},
      {"store.max_batch", "256", "most write operations committed together"},
      {"store.synchronous",
       "full",
       "full (survives power loss) or normal (survives crashes)",
       {"full", "normal"}},
      {"store.busy_timeout_ms", "5000", "SQLite busy timeout"},
      {"testing.clock",
       "system",
       "system, or adjustable: POST /api/v1/admin/clock may move the clock forward (tests only)",
       {"system", "adjustable"}},
      {"admin.token", "", "operator bearer token; empty disables /api/v1/admin"},
      {"auth.bot_cache_ms", "5000", "how long a checked bot token is trusted without a store read"},
      {"accounts.registration",
       "open",
       "open (anyone), invite (with a valid inviteCode) or closed (argon user create only)",
       {"open", "invite", "closed"}},
      {"accounts.login_window_seconds", "900", "window of the failed-login counts"},
      {"accounts.login_failures_per_user", "10",
       "failed logins of one username within the window before 429 too_many_attempts"},
      {"accounts.login_failures_per_address", "100",
       "failed logins from one client address within the window before 429"},
      {"auth.password_cost",
       "interactive",
       "Argon2id cost: interactive or minimum (tests only)",
       {"interactive", "minimum"}},
      {"messages.max_text_length", "4000", "longest message text in UTF-16 code units"},
      {"messages.random_id_retention_hours", "24", "how long a randomId de-duplicates a send"},
      {"typing.expiry_seconds", "8", "a typing indicator stops after this long without a refresh"},
      {"events.heartbeat_seconds", "30", "SSE heartbeat after this long without a write"},
      {"events.retention_seconds", "86400", "how long the event log keeps events (>= 600)"},
      {"events.resume_window_seconds", "600", "how long a bot's stream position is kept"},
      {"events.repair_interval_ms", "2000",
       "with a bus: how often the log is checked for events the bus did not bring"},
      {"events.offline_poll_ms", "250",
       "with a bus that is down: how often the log feeds the streams instead"},
      {"events.stream_queue_bytes", "1048576",
       "bytes queued for one slow stream before it catches up from the log"},
      {"voice.jwt_secret", "", "HS256 key of voice tokens (default: generated into the data dir)"},
      {"voice.token_ttl_seconds", "7200", "lifetime of a voice stream token"},
      {"voice.join_grace_seconds", "30",
       "a person who joined voice but never connected is left after this"},
      {"calls.ring_timeout_seconds", "30", "an unanswered call ends after this"},
      {"interactions.ttl_seconds", "60", "how long an interaction can be answered"},
      {"locale.ttl_seconds", "1800",
       "a person's X-Argon-Locale is kept this long after their last request that sent one"},
      {"ratelimit.max_concurrency", "10", "concurrent requests per bot"},
      {"ratelimit.window_seconds", "60", "Bot API sliding window (smoothed over 6 segments)"},
      {"ratelimit.person_requests", "6000",
       "client API requests of one person per window (0 = no limit)"},
      {"ratelimit.address_requests", "600",
       "register and login requests from one client address per window (0 = no limit)"},
      {"metrics.token", "",
       "bearer token for GET /metrics; empty: only loopback clients may read it (on "
       "server.listen) or every client of metrics.listen"},
      {"metrics.listen", "",
       "HOST:PORT of a separate listener for /metrics, /healthz and /readyz (empty: served on "
       "server.listen)"},
      {"memory.trim_when_idle",
       "on",
       "on: once the server is quiet (under 5% of a core for half a second) and over 4 MB of its "
       "heap is free, give those pages back to the system (after a burst of connections or "
       "requests); off: keep them",
       {"on", "off"}},
      {"log.format", "text", "text, or json: one JSON object per line", {"text", "json"}},
      {"log.access",
       "on",
       "on: one info line per request (id, method, route, status, time, who)",
       {"on", "off"}},
      {"log.slow_request_ms", "1000", "a warning for requests slower than this (0 = never)"},
      {"log.level",
       "info",
       "trace, debug, info, warn (or warning), error, critical, off",
       {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}},
  };
  return kKeys;
}

namespace {
const std::set<std::string>& known_keys() {
  static const std::set<std::string> kKnown = [] {
    std::set<std::string> s;
    for (const auto& k : config_keys()) s.insert(k.name);
    return s;
  }();
  return kKnown;
}

// Keys of sections whose entries are open-ended (per-interface rate limits).
bool open_key(const std::string& key) {
  return key.starts_with("ratelimit.");
}

std::string toml_value_text(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (const auto* array = node.as_array()) {  // list keys: ["a", "b"] is "a, b"
    std::string joined;
    for (const auto& item : *array) {
      if (!joined.empty()) joined += ", ";
      joined += toml_value_text(item);
    }
    return joined;
  }
  if (auto b = node.value<bool>(); b && node.is_boolean()) return *b ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_floating_point()) return std::to_string(*node.value<double>());
  return "";
}
}  // namespace

std::optional<std::string> env_to_key(std::string_view name) {
  if (!name.starts_with("ARGON_")) return std::nullopt;
  std::string rest(name.substr(6));
  auto cut = rest.find('_');
  if (cut == std::string::npos || cut == 0 || cut + 1 >= rest.size()) return std::nullopt;
  for (auto& c : rest)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  rest[cut] = '.';
  return rest;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

Config Config::defaults() {
  Config c;
  for (const auto& k : config_keys()) c.values_[k.name] = k.default_value;
  return c;
}

Result<Config> Config::load(const std::optional<std::string>& file_path,
                            const std::map<std::string, std::string>& environment,
                            const std::map<std::string, std::string>& flags) {
  Config c = defaults();
  auto accept = [&](const std::string& key, std::string value, std::string_view origin) {
    if (!known_keys().count(key) && !open_key(key)) {
      c.warnings_.push_back("unknown config key " + key + " (from " + std::string(origin) + ")");
      return;
    }
    c.values_[key] = std::move(value);
  };
  if (file_path) {
    toml::table table;
    try {
      table = toml::parse_file(*file_path);
    } catch (const toml::parse_error& e) {
      return Error::validation("config file " + *file_path + ": " + std::string(e.description()));
    }
    for (const auto& [section, node] : table) {
      const auto* inner = node.as_table();
      if (!inner) {
        c.warnings_.push_back("config file: top-level key " + std::string(section.str()) +
                              " is not a section");
        continue;
      }
      for (const auto& [key, value] : *inner)
        accept(std::string(section.str()) + "." + std::string(key.str()), toml_value_text(value),
               "file");
    }
  }
  for (const auto& [name, value] : environment)
    if (auto key = env_to_key(name)) accept(*key, value, name);
  for (const auto& [key, value] : flags) c.values_[key] = value;
  return c;
}

std::string Config::str(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string() : it->second;
}

std::int64_t Config::i64(const std::string& key) const {
  std::string text = str(key);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size())
    throw std::invalid_argument("config " + key + ": not an integer: '" + text + "'");
  return v;
}

std::vector<std::string> Config::invalid_choices() const {
  std::vector<std::string> out;
  for (const auto& k : config_keys()) {
    if (k.choices.empty()) continue;
    std::string v = str(k.name);
    bool valid = false;
    for (const auto& choice : k.choices) valid = valid || equals_ignore_case(v, choice);
    if (valid) continue;
    std::string list;
    for (const auto& choice : k.choices) list += (list.empty() ? "" : ", ") + choice;
    out.push_back(k.name + " must be one of " + list + "; got '" + v + "'");
  }
  return out;
}

std::vector<std::string> Config::invalid_integers() const {
  std::vector<std::string> out;
  for (const auto& k : config_keys()) {
    const std::string& d = k.default_value;
    bool numeric_default = !d.empty() && d.find_first_not_of("0123456789") == std::string::npos;
    if (!numeric_default) continue;
    std::string v = str(k.name);
    std::int64_t parsed = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
    if (ec != std::errc() || p != v.data() + v.size() || parsed < 0) out.push_back(k.name);
  }
  for (const auto& [key, v] : values_) {  // open keys: per-interface rate limits
    if (!open_key(key) || known_keys().count(key)) continue;
    std::int64_t parsed = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
    if (ec != std::errc() || p != v.data() + v.size() || parsed < 0) out.push_back(key);
  }
  return out;
}

bool Config::flag(const std::string& key) const {
  std::string v = str(key);
  return v == "1" || v == "true" || v == "yes" || v == "on";
}

}  // namespace argon::app
