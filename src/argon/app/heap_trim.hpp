#pragma once
// Gives free heap pages back to the system once the server goes quiet.
//
// main() keeps glibc from trimming the heap after every free (the store's writer frees and
// re-allocates its working memory on every batch). The price: after a burst — 10,000 streams
// opening at once, a replay, a flood of requests — the memory of its short-lived allocations
// stays resident for good, scattered between long-lived objects, where only malloc_trim can
// return it. So, every interval, when the process used little CPU since the last look (quiet),
// enough of the heap is free and the resident size grew by as much since the last trim, the
// trimmer calls malloc_trim. Under load it does nothing; idle, it does not trim again until
// something grew.
#include <chrono>
#include <cstdint>
#include <functional>

namespace argon::app {

struct HeapTrimPolicy {
  std::int64_t interval_ms = 250;             // how often to look
  double quiet_cpu_share = 0.05;              // process CPU / wall time at most this → quiet
  std::uint64_t min_free_bytes = 4ULL << 20;  // trim when this much is free and RSS grew as much
};

// What the trimmer reads and does; the defaults are the process's own (tests inject fakes).
struct HeapTrimProbes {
  std::function<std::int64_t()> cpu_us;       // process CPU time, µs, monotonic
  std::function<std::uint64_t()> free_bytes;  // free bytes held by the allocator
  std::function<std::uint64_t()> resident;    // resident set size, bytes
  std::function<void()> trim;
  static HeapTrimProbes process();
};

class HeapTrimmer {
 public:
  HeapTrimmer(HeapTrimPolicy policy, HeapTrimProbes probes);

  // One look, `elapsed_ms` after the previous (or after construction). Returns the bytes given
  // back (0 when it did not trim).
  std::uint64_t tick(std::int64_t elapsed_ms);

  std::uint64_t trims() const { return trims_; }
  std::uint64_t trimmed_bytes() const { return trimmed_bytes_; }
  const HeapTrimPolicy& policy() const { return policy_; }

 private:
  HeapTrimPolicy policy_;
  HeapTrimProbes probes_;
  std::int64_t last_cpu_us_;
  std::uint64_t resident_floor_ = 0;  // the least RSS seen since the last trim (or after it)
  std::uint64_t trims_ = 0;
  std::uint64_t trimmed_bytes_ = 0;
};

}  // namespace argon::app
