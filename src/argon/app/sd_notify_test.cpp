#include "argon/app/sd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "argon/app/thread_scheduler.hpp"

namespace argon::app {
namespace {

// A real AF_UNIX datagram socket standing in for systemd: bound to a path, or to an abstract
// name (NOTIFY_SOCKET "@name").
class FakeSystemd {
 public:
  explicit FakeSystemd(bool abstract) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    static std::atomic<int> counter{0};
    std::string name =
        "argon-notify-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    socklen_t length;
    if (abstract) {
      std::memcpy(addr.sun_path + 1, name.data(), name.size());
      length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
      env_value_ = "@" + name;
    } else {
      path_ = std::filesystem::temp_directory_path() / (name + ".sock");
      std::filesystem::remove(path_);
      std::string p = path_.string();
      std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
      length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size() + 1);
      env_value_ = p;
    }
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), length), 0) << std::strerror(errno);
  }
  ~FakeSystemd() {
    ::close(fd_);
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  const std::string& notify_socket() const { return env_value_; }

  // The next datagram, or nothing within `wait`.
  std::optional<std::string> receive(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(wait.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((wait.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  std::string env_value_;
};

// Sets (or unsets, with nullptr) an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(SdNotifyTest, WithoutNotifySocketEverythingIsANoOp) {
  ScopedEnv socket("NOTIFY_SOCKET", nullptr);
  ScopedEnv usec("WATCHDOG_USEC", "1000000");
  auto notifier = SystemdNotifier::from_environment();
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.ready("listening"));
  EXPECT_FALSE(notifier.stopping());
  EXPECT_FALSE(notifier.watchdog());
  ThreadScheduler scheduler;
  std::atomic<int> posts{0};
  start_watchdog(notifier, scheduler, [&](std::function<void()> fn) {
    ++posts;
    fn();
  });
  std::atomic<bool> marker{false};
  scheduler.schedule(50, [&] { marker = true; });
  while (!marker) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(posts.load(), 0);
}

TEST(SdNotifyTest, SendsReadyAndStoppingToAPathSocket) {
  FakeSystemd systemd(false);
  ScopedEnv socket("NOTIFY_SOCKET", systemd.notify_socket().c_str());
  ScopedEnv usec("WATCHDOG_USEC", nullptr);
  auto notifier = SystemdNotifier::from_environment();
  ASSERT_TRUE(notifier.enabled());
  EXPECT_EQ(notifier.watchdog_interval().count(), 0);
  EXPECT_TRUE(notifier.ready("listening on http://127.0.0.1:8080"));
  EXPECT_EQ(systemd.receive(), "READY=1\nSTATUS=listening on http://127.0.0.1:8080");
  EXPECT_TRUE(notifier.stopping());
  EXPECT_EQ(systemd.receive(), "STOPPING=1");
}

TEST(SdNotifyTest, SendsToAnAbstractSocket) {
  FakeSystemd systemd(true);
  ASSERT_EQ(systemd.notify_socket().front(), '@');
  ScopedEnv socket("NOTIFY_SOCKET", systemd.notify_socket().c_str());
  auto notifier = SystemdNotifier::from_environment();
  ASSERT_TRUE(notifier.enabled());
  EXPECT_TRUE(notifier.ready());
  EXPECT_EQ(systemd.receive(), "READY=1");
}

TEST(SdNotifyTest, ASocketNobodyListensOnFailsQuietly) {
  ScopedEnv socket("NOTIFY_SOCKET", "/nonexistent/argon-notify.sock");
  auto notifier = SystemdNotifier::from_environment();
  EXPECT_TRUE(notifier.enabled());
  EXPECT_FALSE(notifier.ready());
  EXPECT_FALSE(SystemdNotifier("relative/path", {}).enabled());
}

TEST(SdNotifyTest, WatchdogIntervalIsOnlyOursWhenWatchdogPidMatches) {
  FakeSystemd systemd(false);
  ScopedEnv socket("NOTIFY_SOCKET", systemd.notify_socket().c_str());
  ScopedEnv usec("WATCHDOG_USEC", "30000000");
  {
    ScopedEnv pid("WATCHDOG_PID", nullptr);
    EXPECT_EQ(SystemdNotifier::from_environment().watchdog_interval(), std::chrono::seconds(30));
  }
  {
    std::string ours = std::to_string(::getpid());
    ScopedEnv pid("WATCHDOG_PID", ours.c_str());
    EXPECT_EQ(SystemdNotifier::from_environment().watchdog_interval(), std::chrono::seconds(30));
  }
  {
    std::string other = std::to_string(::getpid() + 1);
    ScopedEnv pid("WATCHDOG_PID", other.c_str());
    EXPECT_EQ(SystemdNotifier::from_environment().watchdog_interval().count(), 0);
  }
  {
    ScopedEnv bad("WATCHDOG_USEC", "soon");
    EXPECT_EQ(SystemdNotifier::from_environment().watchdog_interval().count(), 0);
  }
}

// WATCHDOG=1 comes at half the interval, sent by what `post` runs it on (the request workers),
// scheduled by the timer thread; a worker pool that runs nothing sends no pings after the first.
TEST(SdNotifyTest, WatchdogPingsAtHalfTheIntervalThroughThePostedWork) {
  FakeSystemd systemd(false);
  ThreadScheduler scheduler;
  SystemdNotifier notifier(systemd.notify_socket(), std::chrono::milliseconds(200));
  std::atomic<int> posted{0};
  auto started = std::chrono::steady_clock::now();
  start_watchdog(notifier, scheduler, [&](std::function<void()> fn) {
    ++posted;
    fn();
  });
  for (int i = 0; i < 4; ++i) EXPECT_EQ(systemd.receive(), "WATCHDOG=1") << "ping " << i;
  auto elapsed = std::chrono::steady_clock::now() - started;
  // The first at once, three more 100 ms apart.
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_GE(posted.load(), 3);
  scheduler.stop();  // the chain ends with the scheduler
  while (systemd.receive(std::chrono::milliseconds(50))) {
  }
  EXPECT_FALSE(systemd.receive(std::chrono::milliseconds(300)));
}

TEST(SdNotifyTest, WedgedWorkersSendNoWatchdogPings) {
  FakeSystemd systemd(false);
  ThreadScheduler scheduler;
  SystemdNotifier notifier(systemd.notify_socket(), std::chrono::milliseconds(100));
  std::atomic<int> posted{0};
  start_watchdog(notifier, scheduler, [&](std::function<void()>) { ++posted; });  // never runs
  EXPECT_EQ(systemd.receive(), "WATCHDOG=1");  // the first, at start
  EXPECT_FALSE(systemd.receive(std::chrono::milliseconds(400)));
  EXPECT_EQ(posted.load(), 1);  // nothing re-arms the timer until the posted ping ran
}

}  // namespace
}  // namespace argon::app
