#include "argon/app/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>

namespace argon::app {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v";
// %* = the message, JSON-escaped (EscapedMessage below).
constexpr const char* kJsonPattern =
    R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":"%*"})";

class EscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string escaped = json_escape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessage>();
  }
};

spdlog::level::level_enum log_level(std::string level) {
  for (auto& c : level) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (level == "warn" || level == "warning") return spdlog::level::warn;
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "error") return spdlog::level::err;
  if (level == "critical") return spdlog::level::critical;
  if (level == "off") return spdlog::level::off;
  return spdlog::level::info;
}

bool is_json(std::string format) {
  for (auto& c : format) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return format == "json";
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

}  // namespace

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;  // UTF-8 passes through
        }
    }
  }
  return out;
}

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_color_mt("argon");
  if (is_json(format)) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<EscapedMessage>('*').set_pattern(kJsonPattern);
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern(kTextPattern, spdlog::pattern_time_type::utc);
  }
  spdlog::set_default_logger(logger);
  spdlog::set_level(log_level(level));
  // The access log's lines in JSON: their text is already a list of object members.
  // A sink of its own: a sink carries its formatter, and this one's pattern differs.
  auto access = std::make_shared<spdlog::logger>(
      "access", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  access->set_pattern(
      is_json(format) ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})" : kTextPattern,
      spdlog::pattern_time_type::utc);
  access->set_level(log_level(level));
  spdlog::register_logger(access);
}

std::function<void(const http::Request&, int, std::chrono::microseconds)> access_logger(
    AccessLogOptions o) {
  return [o](const http::Request& req, int status, std::chrono::microseconds took) {
    const double ms = static_cast<double>(took.count()) / 1000.0;
    const bool slow = o.slow_ms > 0 && took.count() >= o.slow_ms * 1000;
    if (!slow && !(o.enabled && spdlog::should_log(spdlog::level::info))) return;
    const std::string route = or_dash(req.route);
    if (o.json) {
      // Fields as members of the line's object: the access logger's pattern wraps the text
      // in {"time":…,"level":…, TEXT} (setup_logging), the values escaped here.
      std::string fields = "\"requestId\":\"" + json_escape(req.request_id) + "\",\"method\":\"" +
                           json_escape(req.method) + "\",\"route\":\"" + json_escape(route) +
                           "\",\"status\":" + std::to_string(status) +
                           ",\"durationMs\":" + fmt::format("{:.3f}", ms) + ",\"principal\":\"" +
                           json_escape(or_dash(req.principal)) + "\",\"remote\":\"" +
                           json_escape(req.client_address) + "\"";
      auto logger = spdlog::get("access");
      if (!logger) return;
      if (o.enabled) logger->info("\"message\":\"access\",{}", fields);
      if (slow) logger->warn("\"message\":\"slow request\",{}", fields);
      return;
    }
    std::string line = fmt::format(
        "id={} method={} route={} status={} ms={:.3f} principal={} remote={}", req.request_id,
        req.method, route, status, ms, or_dash(req.principal), or_dash(req.client_address));
    if (o.enabled) spdlog::info("access: {}", line);
    if (slow) spdlog::warn("slow request: {}", line);
  };
}

}  // namespace argon::app
