#include "argon/app/heap_trim.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace argon::app {
namespace {

// A process whose CPU time, heap and RSS the test controls. A trim gives back the free pages
// (here: all free bytes), which stay free in the allocator's books, as with glibc.
struct FakeProcess {
  std::int64_t cpu_us = 0;
  std::uint64_t free = 0;
  std::uint64_t rss = 100 << 20;
  std::uint64_t releasable = 0;
  int trims = 0;
  // Allocates and frees `bytes`: they stay resident and free until a trim.
  void burst(std::uint64_t bytes) {
    free += bytes;
    rss += bytes;
    releasable += bytes;
  }
  HeapTrimProbes probes() {
    return {[this] { return cpu_us; }, [this] { return free; }, [this] { return rss; },
            [this] {
              ++trims;
              rss -= releasable;
              releasable = 0;
            }};
  }
};

TEST(HeapTrimmerTest, TrimsWhenQuietAndEnoughIsFree) {
  FakeProcess p;
  HeapTrimmer trimmer({500, 0.05, 4 << 20}, p.probes());
  p.burst(24 << 20);
  p.cpu_us += 10'000;  // 10 ms of CPU in 500 ms: 2 %
  EXPECT_EQ(trimmer.tick(500), 24u << 20);
  EXPECT_EQ(p.trims, 1);
  EXPECT_EQ(trimmer.trims(), 1u);
  EXPECT_EQ(trimmer.trimmed_bytes(), 24u << 20);
}

TEST(HeapTrimmerTest, LeavesABusyProcessAlone) {
  FakeProcess p;
  HeapTrimmer trimmer({500, 0.05, 4 << 20}, p.probes());
  p.burst(64 << 20);
  p.cpu_us += 400'000;  // 80 % of a core
  EXPECT_EQ(trimmer.tick(500), 0u);
  p.cpu_us += 26'000;  // just over 5 %
  EXPECT_EQ(trimmer.tick(500), 0u);
  EXPECT_EQ(p.trims, 0);
  // The burst is over: the next quiet look trims.
  p.cpu_us += 1'000;
  EXPECT_EQ(trimmer.tick(500), 64u << 20);
  EXPECT_EQ(p.trims, 1);
}

TEST(HeapTrimmerTest, DoesNotTrimForLittleFreeMemory) {
  FakeProcess p;
  HeapTrimmer trimmer({500, 0.05, 4 << 20}, p.probes());
  p.burst((4 << 20) - 1);
  EXPECT_EQ(trimmer.tick(500), 0u);
  EXPECT_EQ(p.trims, 0);
  p.burst(1);
  EXPECT_EQ(trimmer.tick(500), 4u << 20);
  EXPECT_EQ(p.trims, 1);
}

TEST(HeapTrimmerTest, IdleItTrimsAgainOnlyOnceTheResidentSizeGrew) {
  FakeProcess p;
  HeapTrimmer trimmer({500, 0.05, 4 << 20}, p.probes());
  p.burst(16 << 20);
  EXPECT_EQ(trimmer.tick(500), 16u << 20);
  // Free bytes stay free (only their pages went back): no trim on every quiet look.
  p.free += 8 << 20;  // small chunks freed, no page to give back, RSS unchanged
  for (int i = 0; i < 10; ++i) EXPECT_EQ(trimmer.tick(500), 0u);
  EXPECT_EQ(p.trims, 1);
  // The next burst grows the RSS again: trimmed.
  p.burst(6 << 20);
  EXPECT_EQ(trimmer.tick(500), 6u << 20);
  EXPECT_EQ(p.trims, 2);
  // RSS that fell by itself (a large block unmapped) lowers the mark.
  p.rss -= 32 << 20;
  EXPECT_EQ(trimmer.tick(500), 0u);
  p.burst(5 << 20);
  EXPECT_EQ(trimmer.tick(500), 5u << 20);
  EXPECT_EQ(p.trims, 3);
}

TEST(HeapTrimmerTest, AZeroIntervalIsNeverQuiet) {
  FakeProcess p;
  HeapTrimmer trimmer({500, 0.05, 4 << 20}, p.probes());
  p.burst(64 << 20);
  EXPECT_EQ(trimmer.tick(0), 0u);
  EXPECT_EQ(p.trims, 0);
}

// The real probes: freed memory of a burst of small allocations is given back when trimmed.
TEST(HeapTrimmerTest, TheProcessProbesReturnFreedMemory) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizer's allocator replaces glibc's heap, which this test observes";
#endif
  auto probes = HeapTrimProbes::process();
  std::int64_t cpu0 = probes.cpu_us();
  {
    // 32 MB of 256-byte blocks, one in 64 kept: the freed runs between them cannot be trimmed
    // from the heap's top, only by malloc_trim walking the free chunks for whole free pages.
    std::vector<std::unique_ptr<char[]>> blocks;
    blocks.reserve(131072);
    for (int i = 0; i < 131072; ++i) {
      blocks.emplace_back(new char[256]);
      blocks.back()[0] = static_cast<char>(i);
    }
    std::vector<std::unique_ptr<char[]>> kept;
    for (std::size_t i = 0; i < blocks.size(); i += 64) kept.push_back(std::move(blocks[i]));
    blocks.clear();
    EXPECT_GE(probes.free_bytes(), 8u << 20);
    std::uint64_t before = probes.resident();
    probes.trim();
    std::uint64_t after = probes.resident();
    EXPECT_GT(before, after + (4u << 20)) << "RSS before " << before << ", after " << after;
  }
  EXPECT_GE(probes.cpu_us(), cpu0);
}

}  // namespace
}  // namespace argon::app
