#pragma once
#include <string>

#include "argon/app/runtime.hpp"

namespace argon::app {
// Seeds a person, a space and an installed bot through the services; prints both tokens and
// the lines to try them. Returns the exit code.
int run_demo(Runtime& rt, const std::string& listen);
}  // namespace argon::app
