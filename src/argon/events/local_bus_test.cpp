// The in-process event bus: delivery to subscribers, and putting each stream back in seq order.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "argon/events/bus.hpp"

namespace argon::events {
namespace {

EventRecord rec(const std::string& stream, std::int64_t seq) {
  EventRecord r;
  r.stream = stream;
  r.seq = seq;
  r.gseq = seq;
  r.type = "messageCreate";
  return r;
}

class Recorder {
 public:
  explicit Recorder(EventBus& bus) : bus_(bus) {
    id_ = bus_.subscribe([this](const std::vector<EventRecord>& batch) {
      std::lock_guard lock(mutex_);
      for (const auto& r : batch) seen_.push_back(r.stream + "#" + std::to_string(r.seq));
    });
  }
  ~Recorder() { bus_.unsubscribe(id_); }
  std::vector<std::string> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  EventBus& bus_;
  EventBus::SubscriptionId id_;
  std::mutex mutex_;
  std::vector<std::string> seen_;
};

using Seen = std::vector<std::string>;

TEST(LocalEventBusTest, DeliversBatchesInPublishOrderToEverySubscriber) {
  LocalEventBus bus;
  Recorder a(bus), b(bus);
  bus.publish({rec("s", 1), rec("t", 1)});
  bus.publish({rec("s", 2)});
  bus.flush();
  EXPECT_EQ(a.seen(), (Seen{"s#1", "t#1", "s#2"}));
  EXPECT_EQ(b.seen(), a.seen());
  EXPECT_EQ(bus.reordered(), 0u);
}

TEST(LocalEventBusTest, AnEventAheadOfItsStreamWaitsForTheMissingOne) {
  LocalEventBus bus(std::chrono::milliseconds(10'000));  // long enough never to expire here
  Recorder r(bus);
  bus.publish({rec("s", 1)});
  bus.publish({rec("s", 3)});  // 2 committed first but published late
  bus.publish({rec("t", 1)});  // other streams are not held up
  bus.publish({rec("s", 2)});
  bus.flush();
  EXPECT_EQ(r.seen(), (Seen{"s#1", "t#1", "s#2", "s#3"}));
  EXPECT_EQ(bus.reordered(), 1u);
  EXPECT_EQ(bus.released_with_gap(), 0u);
}

TEST(LocalEventBusTest, AMissingEventIsWaitedForOnlyUntilTheHoldEnds) {
  LocalEventBus bus(std::chrono::milliseconds(20));
  Recorder r(bus);
  bus.publish({rec("s", 1)});
  bus.publish({rec("s", 3)});  // 2 never comes (another process, or lost)
  // Released after the hold, without a flush: the subscribers' gap repair takes it from there.
  for (int i = 0; i < 500 && r.seen().size() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(r.seen(), (Seen{"s#1", "s#3"}));
  EXPECT_EQ(bus.released_with_gap(), 1u);
  bus.publish({rec("s", 4)});  // continues after the released one
  bus.flush();
  EXPECT_EQ(r.seen(), (Seen{"s#1", "s#3", "s#4"}));
}

TEST(LocalEventBusTest, FlushReleasesHeldEvents) {
  LocalEventBus bus(std::chrono::milliseconds(10'000));
  Recorder r(bus);
  bus.publish({rec("s", 1)});
  bus.publish({rec("s", 5)});
  bus.flush();
  EXPECT_EQ(r.seen(), (Seen{"s#1", "s#5"}));
}

TEST(LocalEventBusTest, UnsubscribedIsNeverCalledAgainAndStopDrains) {
  LocalEventBus bus;
  std::vector<std::string> seen;
  auto id = bus.subscribe([&](const std::vector<EventRecord>& b) { seen.push_back(b[0].stream); });
  bus.publish({rec("a", 1)});
  bus.flush();
  bus.unsubscribe(id);
  bus.publish({rec("b", 1)});
  bus.stop();
  EXPECT_EQ(seen, (std::vector<std::string>{"a"}));
  bus.publish({rec("c", 1)});  // after stop: dropped, no crash
  bus.flush();
}

}  // namespace
}  // namespace argon::events
