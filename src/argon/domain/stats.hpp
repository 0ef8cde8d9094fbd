#pragma once
// Lock-free statistics the layers keep about themselves (counters, a fixed-bucket histogram);
// the app layer reads them when /metrics is scraped (app/metrics.cpp). Recording is one or two
// relaxed atomic additions: cheap enough for every request, transaction and event.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace argon {

// Durations in seconds, Prometheus-style cumulative buckets over fixed upper bounds.
class DurationHistogram {
 public:
  // 100 µs … 10 s: request and transaction latencies.
  static constexpr std::array<double, 14> kBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 10.0};
  void observe_us(std::int64_t micros) {
    const double seconds = static_cast<double>(micros) / 1e6;
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<std::uint64_t>(micros < 0 ? 0 : micros),
                      std::memory_order_relaxed);
  }

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf last
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  Snapshot snapshot() const {
    Snapshot s;
    std::uint64_t running = 0;
    for (const auto& c : counts_) {
      running += c.load(std::memory_order_relaxed);
      s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum_seconds = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
    return s;
  }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace argon
