#pragma once
// Injectable time: services read the clock through this interface so tests are deterministic.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace argon {

// Argon epoch 2025-01-01T00:00:00Z in Unix milliseconds (SPEC.md §0.2).
inline constexpr std::int64_t kArgonEpochUnixMs = 1735689600000;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_unix_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_unix_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// The system clock plus an offset that only grows. The server runs on it always (offset 0 is the
// system clock); with `testing.clock = adjustable` the operator API can advance it, so that
// black-box tests skip over rate-limit and resume windows instead of sleeping through them.
class AdjustableClock final : public Clock {
 public:
  std::int64_t now_unix_ms() const override { return system_.now_unix_ms() + offset_.load(); }
  void advance_ms(std::int64_t ms) {
    if (ms <= 0) return;
    offset_ += ms;
    if (on_advance_) on_advance_(ms);
  }
  // Called with every advance (set once, before the clock is shared): the timer thread moves
  // with the clock, so that timers (typing expiry) fire as if the time had passed.
  void on_advance(std::function<void(std::int64_t)> listener) { on_advance_ = std::move(listener); }

 private:
  SystemClock system_;
  std::atomic<std::int64_t> offset_{0};
  std::function<void(std::int64_t)> on_advance_;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = kArgonEpochUnixMs) : now_(start_ms) {}
  std::int64_t now_unix_ms() const override { return now_.load(); }
  void advance_ms(std::int64_t ms) { now_ += ms; }
  void set_ms(std::int64_t ms) { now_ = ms; }

 private:
  std::atomic<std::int64_t> now_;
};

// ISO-8601 UTC with milliseconds: 2026-04-14T12:00:00.000Z (DECISIONS.md §3).
std::string format_iso8601_ms(std::int64_t unix_ms);

}  // namespace argon
