#include "argon/domain/stats.hpp"

#include <gtest/gtest.h>

namespace argon {
namespace {

TEST(DurationHistogramTest, CumulativeBucketsCountAndSum) {
  DurationHistogram h;
  h.observe_us(50);          // ≤ 100 µs
  h.observe_us(100);         // ≤ 100 µs (bounds are inclusive)
  h.observe_us(3000);        // ≤ 5 ms
  h.observe_us(20'000'000);  // +Inf
  auto s = h.snapshot();
  ASSERT_EQ(s.cumulative.size(), DurationHistogram::kBounds.size() + 1);
  EXPECT_EQ(s.cumulative[0], 2u);
  EXPECT_EQ(s.cumulative[4], 2u);                                      // ≤ 2.5 ms
  EXPECT_EQ(s.cumulative[5], 3u);                                      // ≤ 5 ms
  EXPECT_EQ(s.cumulative[DurationHistogram::kBounds.size() - 1], 3u);  // ≤ 10 s
  EXPECT_EQ(s.cumulative.back(), 4u);
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.sum_seconds, 20.00315);
}

}  // namespace
}  // namespace argon
