#include <malloc.h>

#include "argon/app/cli.hpp"

int main(int argc, char** argv) {
  // The store's writer frees and re-allocates its working memory on every batch; glibc would
  // hand it back to the kernel each time (a trim interrupts every core). Keep it.
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
  return argon::app::run_cli(argc, argv);
}
