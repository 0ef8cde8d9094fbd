#pragma once
// Shared fixture of the events unit tests: a real SQLite store in a temp dir, a ManualClock, a
// Scheduler whose tasks the test runs by hand (virtual time, nothing sleeps) and a FrameSink that
// records what was written and can be made full or closed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "argon/domain/clock.hpp"
#include "argon/domain/scheduler.hpp"
#include "argon/events/bus.hpp"
#include "argon/events/event_log.hpp"
#include "argon/events/hub.hpp"
#include "argon/events/stream_connection.hpp"
#include "argon/events/stream_ids.hpp"
#include "argon/store/database.hpp"
#include "argon/store/schema.hpp"
#include "argon/store/test_database.hpp"

namespace argon::events::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("argon_events_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Virtual time: a task is due `delay_ms` after the scheduler's time when it was scheduled. Nothing
// runs until the test calls run_next() / run_all() / advance(); advance() moves the ManualClock
// too.
class ManualScheduler final : public Scheduler {
 public:
  explicit ManualScheduler(ManualClock* clock = nullptr) : clock_(clock) {}

  TaskId schedule(std::int64_t delay_ms, std::function<void()> task) override {
    std::lock_guard lock(mutex_);
    TaskId id = next_++;
    tasks_.push_back(Task{id, now_ + delay_ms, delay_ms, std::move(task)});
    return id;
  }
  void cancel(TaskId id) override {
    std::lock_guard lock(mutex_);
    std::erase_if(tasks_, [id](const Task& t) { return t.id == id; });
  }

  // Runs the earliest task due now; false when none is.
  bool run_next() {
    std::function<void()> fn;
    {
      std::lock_guard lock(mutex_);
      auto it = earliest_locked();
      if (it == tasks_.end() || it->due > now_) return false;
      fn = std::move(it->fn);
      tasks_.erase(it);
    }
    fn();
    return true;
  }
  // Runs every task due now, including those they schedule for now. Returns how many ran.
  int run_all() {
    int n = 0;
    while (run_next()) ++n;
    return n;
  }
  // Moves time forward by ms, running tasks in due order as they come due.
  void advance(std::int64_t ms) {
    const std::int64_t target = now_ + ms;
    run_all();
    for (;;) {
      std::int64_t due = 0;
      {
        std::lock_guard lock(mutex_);
        auto it = earliest_locked();
        if (it == tasks_.end() || it->due > target) break;
        due = std::max(it->due, now_);
      }
      move_to(due);
      run_all();
    }
    move_to(target);
    run_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return tasks_.size();
  }
  // Delays of the tasks not run yet, in scheduling order.
  std::vector<std::int64_t> delays() const {
    std::lock_guard lock(mutex_);
    std::vector<std::int64_t> out;
    for (const auto& t : tasks_) out.push_back(t.delay);
    return out;
  }
  std::int64_t now() const { return now_; }

 private:
  struct Task {
    TaskId id;
    std::int64_t due;
    std::int64_t delay;
    std::function<void()> fn;
  };
  std::vector<Task>::iterator earliest_locked() {
    return std::min_element(tasks_.begin(), tasks_.end(), [](const Task& a, const Task& b) {
      return a.due != b.due ? a.due < b.due : a.id < b.id;
    });
  }
  void move_to(std::int64_t t) {
    if (t <= now_) return;
    if (clock_) clock_->advance_ms(t - now_);
    now_ = t;
  }

  ManualClock* clock_;
  mutable std::mutex mutex_;
  std::vector<Task> tasks_;
  TaskId next_ = 1;
  std::int64_t now_ = 0;
};

struct Frame {
  std::string id, event, data;
  bool operator==(const Frame&) const = default;
};

inline void PrintTo(const Frame& f, std::ostream* os) {
  *os << "{" << f.id << " | " << f.event << " | " << f.data << "}";
}

// Splits SSE bytes into frames (id/event/data lines, blank line between frames).
inline std::vector<Frame> parse_frames(const std::string& bytes) {
  std::vector<Frame> out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    auto end = bytes.find("\n\n", pos);
    if (end == std::string::npos) end = bytes.size();
    Frame f;
    std::size_t line_start = pos;
    while (line_start < end) {
      auto line_end = std::min(bytes.find('\n', line_start), end);
      std::string line = bytes.substr(line_start, line_end - line_start);
      if (line.starts_with("id: ")) f.id = line.substr(4);
      if (line.starts_with("event: ")) f.event = line.substr(7);
      if (line.starts_with("data: ")) f.data = line.substr(6);
      line_start = line_end + 1;
    }
    out.push_back(std::move(f));
    pos = end + 2;
  }
  return out;
}

class FakeSink final : public FrameSink {
 public:
  bool write(std::shared_ptr<const std::string> bytes) override {
    std::lock_guard lock(mutex_);
    ++attempts_;
    if (closed_ || full_) return false;
    if (refuse_every_ > 0 && attempts_ % refuse_every_ == 0) return false;
    data_ += *bytes;
    ++writes_;
    return true;
  }
  bool is_closed() const override {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  void close() override {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  // Refuses every n-th write (a queue that is full now and then).
  void refuse_every(int n) {
    std::lock_guard lock(mutex_);
    refuse_every_ = n;
  }
  void set_full(bool full) {
    std::lock_guard lock(mutex_);
    full_ = full;
  }
  std::string data() const {
    std::lock_guard lock(mutex_);
    return data_;
  }
  std::vector<Frame> frames() const { return parse_frames(data()); }
  // Ids of the frames, optionally without ready / heartbeat.
  std::vector<std::string> ids(bool skip_connection = true) const {
    std::vector<std::string> out;
    for (const auto& f : frames())
      if (!skip_connection || (f.event != "ready" && f.event != "heartbeat")) out.push_back(f.id);
    return out;
  }
  int writes() const {
    std::lock_guard lock(mutex_);
    return writes_;
  }
  int attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

 private:
  mutable std::mutex mutex_;
  std::string data_;
  bool full_ = false;
  bool closed_ = false;
  int writes_ = 0;
  int attempts_ = 0;
  int refuse_every_ = 0;
};

// A deterministic id: n in the last byte (v4 bits set).
inline Uuid test_id(std::uint8_t n, std::uint8_t tag = 0) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[0] = tag;
  bytes[15] = n;
  return Uuid::v4_from_bytes(bytes);
}

inline constexpr std::int64_t kStartMs = kArgonEpochUnixMs + 1'000'000;

class EventsTest : public ::testing::Test {
 protected:
  EventsTest() : clock_(kStartMs), scheduler_(&clock_) {
    db_ = store::testing::open_test_database(dir_.path());  // SQLite, or PostgreSQL
  }
  ~EventsTest() override {
    hub_.reset();
    db_->close();
  }

  // Appends one event in its own transaction (not published).
  EventRecord add(const std::string& stream, const std::string& type, std::optional<Uuid> space_id,
                  const std::string& payload) {
    auto r = db_->transact_now([&](store::Connection& c) -> Result<EventRecord> {
      return append(c, stream, type, space_id, payload, clock_.now_unix_ms());
    });
    EXPECT_TRUE(r.ok());
    return *r;
  }
  // A message in a space: payload {"n":n}.
  EventRecord msg(const Uuid& space, int n) {
    return add(space_stream(space), "messageCreate", space, "{\"n\":" + std::to_string(n) + "}");
  }
  // Publishes on the bus, as a committed operation does, and waits until the hub (the bus's
  // subscriber) has handled it.
  void publish(std::vector<EventRecord> records) {
    hub();
    bus_.publish(std::move(records));
    bus_.flush();
  }
  // Appends and publishes, as a service does after commit.
  EventRecord publish_msg(const Uuid& space, int n) {
    auto r = msg(space, n);
    publish({r});
    return r;
  }

  Hub& hub(HubOptions options = {}) {
    if (!hub_) hub_ = std::make_unique<Hub>(*db_, bus_, scheduler_, clock_, options);
    return *hub_;
  }

  StreamSetup setup(const Uuid& owner, const std::vector<Uuid>& spaces, Cursor start = {}) {
    StreamSetup s;
    s.owner = owner;
    s.own_stream = bot_stream(owner);
    s.streams.push_back(s.own_stream);
    for (const auto& id : spaces) s.streams.push_back(space_stream(id));
    s.start = std::move(start);
    s.ready_payload = R"({"intents":12253,"spaceIds":[]})";
    return s;
  }

  std::shared_ptr<StreamConnection> open(StreamSetup s, const std::shared_ptr<FakeSink>& sink) {
    return sync_wait(hub().open(std::move(s), sink));
  }

  std::map<std::string, std::int64_t> saved(const Uuid& owner) {
    return db_->read_now([&](store::Connection& c) { return load_positions(c, owner, 0); });
  }

  static std::string eid(const Uuid& space, std::int64_t seq) {
    return space.hex() + "_" + std::to_string(seq);
  }

  TempDir dir_;
  ManualClock clock_;
  ManualScheduler scheduler_;
  std::unique_ptr<store::Database> db_;
  LocalEventBus bus_;
  std::unique_ptr<Hub> hub_;
};

}  // namespace argon::events::testing
