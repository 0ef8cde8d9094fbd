#include "argon/app/heap_trim.hpp"

#include <malloc.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <string>

namespace argon::app {

namespace {

std::int64_t process_cpu_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// Resident bytes from /proc/self/statm (its second field, in pages).
std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

HeapTrimProbes HeapTrimProbes::process() {
  HeapTrimProbes p;
  p.cpu_us = process_cpu_us;
  // Free chunks in the arenas (fordblks) and in the fast bins (fsmblks).
  p.free_bytes = [] {
    struct mallinfo2 info = ::mallinfo2();
    return static_cast<std::uint64_t>(info.fordblks + info.fsmblks);
  };
  p.resident = resident_bytes;
  p.trim = [] { ::malloc_trim(0); };
  return p;
}

HeapTrimmer::HeapTrimmer(HeapTrimPolicy policy, HeapTrimProbes probes)
    : policy_(policy), probes_(std::move(probes)), last_cpu_us_(probes_.cpu_us()) {}

std::uint64_t HeapTrimmer::tick(std::int64_t elapsed_ms) {
  std::int64_t cpu_us = probes_.cpu_us();
  std::int64_t used_us = cpu_us - last_cpu_us_;
  last_cpu_us_ = cpu_us;
  if (elapsed_ms <= 0) return 0;
  bool quiet = static_cast<double>(used_us) <=
               policy_.quiet_cpu_share * static_cast<double>(elapsed_ms) * 1000.0;
  if (!quiet) return 0;
  std::uint64_t before = probes_.resident();
  if (before < resident_floor_) resident_floor_ = before;
  if (before < resident_floor_ + policy_.min_free_bytes) return 0;  // nothing grew since
  if (probes_.free_bytes() < policy_.min_free_bytes) return 0;
  probes_.trim();
  std::uint64_t after = probes_.resident();
  resident_floor_ = after;
  ++trims_;
  std::uint64_t given_back = before > after ? before - after : 0;
  trimmed_bytes_ += given_back;
  return given_back;
}

}  // namespace argon::app
