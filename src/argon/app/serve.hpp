#pragma once
#include "argon/app/config.hpp"

namespace argon::app {

// Runs the server until SIGTERM/SIGINT: drains in-flight requests, closes the store, returns the
// process exit code.
int serve(const Config& config);

// "HOST:PORT" -> parts; false when malformed.
bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port);

}  // namespace argon::app
