#pragma once
// 64-bit time-ordered message ids (DECISIONS.md §3): 41 bits of ms since the Argon epoch, 10 bits
// of node id, 12 bits of sequence. Ids are unique across nodes with distinct node ids and
// strictly increasing per generator, also when the wall clock steps back.
#include <cstdint>
#include <mutex>

#include "argon/domain/clock.hpp"

namespace argon {

class SnowflakeGenerator {
 public:
  static constexpr int kNodeBits = 10;
  static constexpr int kSequenceBits = 12;
  static constexpr std::int64_t kMaxNode = (1 << kNodeBits) - 1;

  SnowflakeGenerator(const Clock& clock, std::int64_t node_id);
  std::int64_t next();
  // Never hand out an id at or below `floor` (ids already stored, e.g. after a restart with a
  // clock that went back).
  void advance_past(std::int64_t floor);

  static std::int64_t timestamp_ms_of(std::int64_t id) {
    return (id >> (kNodeBits + kSequenceBits)) + kArgonEpochUnixMs;
  }
  static std::int64_t node_of(std::int64_t id) { return (id >> kSequenceBits) & kMaxNode; }

 private:
  const Clock& clock_;
  std::int64_t node_id_;
  std::mutex mutex_;
  std::int64_t last_ms_ = -1;
  std::int64_t sequence_ = 0;
};

}  // namespace argon
