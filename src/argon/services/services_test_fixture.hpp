#pragma once
// Shared fixture of the services unit tests: a real SQLite store in a temp dir, injectable time,
// randomness and ids, a recording subscriber of the event bus and a Scheduler whose tasks the test
// fires by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "argon/crypto/crypto.hpp"
#include "argon/events/event_log.hpp"
#include "argon/services/accounts.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/context.hpp"
#include "argon/services/messages.hpp"
#include "argon/services/spaces.hpp"
#include "argon/store/database.hpp"
#include "argon/store/schema.hpp"
#include "argon/store/test_database.hpp"

// The tests build requests with brace-init lists that leave optional fields out on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace argon::services::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("argon_services_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
             "_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
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

// Subscribes to the bus the services publish on and records what it delivered; reading waits
// until everything published so far was delivered.
class RecordingSink final {
 public:
  explicit RecordingSink(events::LocalEventBus& bus) : bus_(bus) {
    id_ = bus_.subscribe([this](const std::vector<events::EventRecord>& records) {
      std::lock_guard lock(mutex_);
      ++batches_;
      records_.insert(records_.end(), records.begin(), records.end());
    });
  }
  ~RecordingSink() { bus_.unsubscribe(id_); }
  std::vector<events::EventRecord> records() const {
    bus_.flush();
    std::lock_guard lock(mutex_);
    return records_;
  }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& r : records()) out.push_back(r.type);
    return out;
  }
  std::size_t count(const std::string& type) const {
    std::size_t n = 0;
    for (const auto& r : records())
      if (r.type == type) ++n;
    return n;
  }
  std::size_t size() const { return records().size(); }
  std::size_t batches() const {
    bus_.flush();
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  events::LocalEventBus& bus_;
  events::EventBus::SubscriptionId id_ = 0;
  mutable std::mutex mutex_;
  std::vector<events::EventRecord> records_;
  std::size_t batches_ = 0;
};

// Records tasks; nothing runs until the test calls fire().
class FakeScheduler final : public Scheduler {
 public:
  struct Task {
    std::int64_t delay_ms = 0;
    std::function<void()> fn;
    bool cancelled = false;
    bool fired = false;
  };
  TaskId schedule(std::int64_t delay_ms, std::function<void()> task) override {
    std::lock_guard lock(mutex_);
    TaskId id = next_++;
    tasks_[id] = Task{delay_ms, std::move(task)};
    return id;
  }
  void cancel(TaskId id) override {
    std::lock_guard lock(mutex_);
    if (auto it = tasks_.find(id); it != tasks_.end()) it->second.cancelled = true;
  }
  // Runs the task as a timer would. With `even_if_cancelled`, runs a cancelled one too (the timer
  // fired while the cancel was on its way). Returns false if there was nothing to run.
  bool fire(TaskId id, bool even_if_cancelled = false) {
    std::function<void()> fn;
    {
      std::lock_guard lock(mutex_);
      auto it = tasks_.find(id);
      if (it == tasks_.end() || it->second.fired) return false;
      if (it->second.cancelled && !even_if_cancelled) return false;
      it->second.fired = true;
      fn = it->second.fn;
    }
    fn();
    return true;
  }
  std::vector<TaskId> pending() const {
    std::lock_guard lock(mutex_);
    std::vector<TaskId> out;
    for (const auto& [id, t] : tasks_)
      if (!t.cancelled && !t.fired) out.push_back(id);
    return out;
  }
  Task task(TaskId id) const {
    std::lock_guard lock(mutex_);
    return tasks_.at(id);
  }
  std::size_t scheduled_count() const {
    std::lock_guard lock(mutex_);
    return tasks_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<TaskId, Task> tasks_;
  TaskId next_ = 1;
};

// 2026-04-14T12:00:00Z
inline constexpr std::int64_t kStartMs = 1776168000000;

inline std::unique_ptr<store::Database> open_test_db(const fs::path& dir) {
  return store::testing::open_test_database(dir);  // SQLite, or PostgreSQL (test_database.hpp)
}

inline ServiceLimits test_limits() {
  ServiceLimits l;
  l.password_cost = crypto::PasswordCost::minimum();
  return l;
}

class ServicesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { crypto::init(); }

  ServicesTest()
      : db_(open_test_db(dir_.path())), ctx_{*db_,  clock_,  random_,     snowflake_,
                                             &bus_, nullptr, &scheduler_, test_limits()} {}

  // A registered person.
  User person(const std::string& username) {
    auto r = sync_wait(accounts_.register_person({username, "correct horse", std::nullopt}));
    EXPECT_TRUE(r.ok()) << username << ": " << (r ? "" : r.error().code);
    return r ? r->user : User{};
  }
  SpaceDetail space_of(const User& owner, const std::string& name = "Home") {
    auto r = sync_wait(spaces_.create_space(owner.id, name, std::nullopt));
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().code);
    return r ? *r : SpaceDetail{};
  }
  // Joins `user` to `space` through an invite created by the owner.
  void join(const User& user, const SpaceDetail& space) {
    auto inv = sync_wait(spaces_.create_invite(space.space.owner_id, space.space.id, {}));
    ASSERT_TRUE(inv.ok());
    auto joined = sync_wait(spaces_.accept_invite(user.id, inv->code));
    ASSERT_TRUE(joined.ok()) << joined.error().code;
  }
  static const Channel& channel_named(const SpaceDetail& d, const std::string& name) {
    for (const auto& c : d.channels)
      if (c.name == name) return c;
    ADD_FAILURE() << "no channel " << name;
    return d.channels.front();
  }
  static Caller caller(const User& u) { return Caller{u.id}; }

  std::vector<events::EventRecord> log(const std::string& stream) {
    return db_->read_now(
        [&](store::Connection& c) { return events::read_after(c, stream, 0, 10000); });
  }
  std::vector<events::EventRecord> space_log(const SpaceDetail& d) {
    return log(events::space_stream(d.space.id));
  }
  std::vector<std::string> space_types(const SpaceDetail& d) {
    std::vector<std::string> out;
    for (const auto& r : space_log(d)) out.push_back(r.type);
    return out;
  }
  std::size_t count_of(const std::vector<events::EventRecord>& records, const std::string& type) {
    std::size_t n = 0;
    for (const auto& r : records)
      if (r.type == type) ++n;
    return n;
  }
  std::int64_t rows(const std::string& table) {
    return db_->read_now(
        [&](store::Connection& c) { return c.query_one("SELECT COUNT(*) FROM " + table)->i64(0); });
  }
  static boost::json::object payload(const events::EventRecord& r) {
    return boost::json::parse(r.payload).as_object();
  }

  TempDir dir_;
  std::unique_ptr<store::Database> db_;
  ManualClock clock_{kStartMs};
  SeededRandom random_{20260414};
  SnowflakeGenerator snowflake_{clock_, 1};
  events::LocalEventBus bus_;
  RecordingSink sink_{bus_};
  FakeScheduler scheduler_;
  Context ctx_;
  AccountService accounts_{ctx_};
  SpaceService spaces_{ctx_};
  MessageService messages_{ctx_};
  BotService bots_{ctx_};
  TypingService typing_{ctx_};
};

// A space owned by alice with bob as a plain member.
class HomeSpaceTest : public ServicesTest {
 protected:
  void SetUp() override {
    alice_ = person("alice");
    bob_ = person("bob");
    eve_ = person("eve");
    home_ = space_of(alice_);
    join(bob_, home_);
    general_ = channel_named(home_, "general").id;
    voice_ = channel_named(home_, "voice").id;
  }
  Result<SendResult> send(const User& u, std::string text,
                          std::optional<std::int64_t> random_id = std::nullopt,
                          std::optional<std::int64_t> reply_to = std::nullopt) {
    return sync_wait(
        messages_.send(caller(u), {general_, {std::move(text), {}, {}}, random_id, reply_to}));
  }
  std::vector<std::int64_t> ids(const Result<std::vector<Message>>& r) {
    std::vector<std::int64_t> out;
    EXPECT_TRUE(r.ok());
    if (r)
      for (const auto& m : *r) out.push_back(m.id);
    return out;
  }

  User alice_, bob_, eve_;
  SpaceDetail home_;
  Uuid general_, voice_;
};

}  // namespace argon::services::testing
