#include "argon/domain/snowflake.hpp"

#include <stdexcept>

namespace argon {

SnowflakeGenerator::SnowflakeGenerator(const Clock& clock, std::int64_t node_id)
    : clock_(clock), node_id_(node_id) {
  if (node_id < 0 || node_id > kMaxNode)
    throw std::invalid_argument("snowflake node id out of range");
}

std::int64_t SnowflakeGenerator::next() {
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now_unix_ms() - kArgonEpochUnixMs;
  if (now < 0) now = 0;
  if (now <= last_ms_) {
    // Same millisecond, or the clock stepped back: keep counting on the last timestamp and
    // borrow the next millisecond when the sequence runs out.
    if (++sequence_ > (1 << kSequenceBits) - 1) {
      ++last_ms_;
      sequence_ = 0;
    }
  } else {
    last_ms_ = now;
    sequence_ = 0;
  }
  return (last_ms_ << (kNodeBits + kSequenceBits)) | (node_id_ << kSequenceBits) | sequence_;
}

void SnowflakeGenerator::advance_past(std::int64_t floor) {
  std::lock_guard lock(mutex_);
  std::int64_t floor_ms = floor >> (kNodeBits + kSequenceBits);
  if (floor_ms >= last_ms_) {
    last_ms_ = floor_ms;
    sequence_ = (1 << kSequenceBits) - 1;  // the next id moves to the following millisecond
  }
}

}  // namespace argon
