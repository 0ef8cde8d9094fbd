#include "argon/app/cli.hpp"

int main(int argc, char** argv) {
  return argon::app::run_cli(argc, argv);
}
