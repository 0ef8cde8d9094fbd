#pragma once
#include <vector>

#include "argon/events/event_log.hpp"

namespace argon::events {

// Receives the events of each committed operation (the live hub, later the cross-node bus).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void published(const std::vector<EventRecord>& records) = 0;
};

}  // namespace argon::events
