#pragma once
namespace argon::app {
// The `argon` command line: serve, user, bot, demo. Returns the exit code.
int run_cli(int argc, char** argv);
}  // namespace argon::app
