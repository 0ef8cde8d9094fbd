#pragma once
// The process's logs (docs/operations.md "Logs"): stderr, `log.level`, `log.format` text or json
// (one JSON object per line), and the access log — one line per request at info
// (`log.access = on`) and a warning for a request slower than `log.slow_request_ms`.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "argon/http/message.hpp"

namespace argon::app {

// `level` and `format` are valid choices (Config::invalid_choices checked them).
void setup_logging(const std::string& level, const std::string& format);

struct AccessLogOptions {
  bool json = false;
  bool enabled = true;          // an info line per request
  std::int64_t slow_ms = 1000;  // a warning above this (0 = never)
};
// The server's on_answered hook: never the raw path (a bot token may be in it), the route
// pattern; never a header or a body.
std::function<void(const http::Request&, int, std::chrono::microseconds)> access_logger(
    AccessLogOptions options);

// The JSON string escape of `text` (without the quotes), for log lines.
std::string json_escape(std::string_view text);

}  // namespace argon::app
