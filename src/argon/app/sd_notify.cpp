#include "argon/app/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace argon::app {
namespace {

std::int64_t parse_positive(const char* text) {
  if (!text) return 0;
  std::string_view s(text);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return 0;
  return v;
}

}  // namespace

SystemdNotifier::SystemdNotifier(std::string socket, std::chrono::microseconds watchdog)
    : socket_(std::move(socket)), watchdog_(watchdog) {
  // Only a path or an abstract name ('@'); anything else (an unsupported vsock address) is off.
  if (socket_.size() < 2 || (socket_.front() != '/' && socket_.front() != '@') ||
      socket_.size() > sizeof(sockaddr_un::sun_path))
    socket_.clear();
  if (watchdog_.count() < 0) watchdog_ = std::chrono::microseconds(0);
}

SystemdNotifier SystemdNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  std::int64_t usec = parse_positive(std::getenv("WATCHDOG_USEC"));
  if (const char* pid = std::getenv("WATCHDOG_PID"); pid && *pid) {
    if (parse_positive(pid) != static_cast<std::int64_t>(::getpid())) usec = 0;
  }
  return SystemdNotifier(socket ? socket : "", std::chrono::microseconds(usec));
}

bool SystemdNotifier::notify(std::string_view message) const {
  if (!enabled()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  if (socket_.front() == '@') {
    addr.sun_path[0] = '\0';  // abstract: the name is the bytes after the NUL, not terminated
  } else {
    length += 1;  // a path includes its terminating NUL
  }
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ssize_t sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                          reinterpret_cast<const sockaddr*>(&addr), length);
  ::close(fd);
  return sent == static_cast<ssize_t>(message.size());
}

bool SystemdNotifier::ready(std::string_view status) const {
  std::string message = "READY=1";
  if (!status.empty()) message += "\nSTATUS=" + std::string(status);
  return notify(message);
}

namespace {
struct WatchdogLoop : std::enable_shared_from_this<WatchdogLoop> {
  SystemdNotifier notifier;
  Scheduler* scheduler = nullptr;
  std::function<void(std::function<void()>)> post;
  std::int64_t period_ms = 0;

  void arm() {
    auto self = shared_from_this();
    scheduler->schedule(period_ms, [self] {
      // On the timer thread: the workers send the ping, then the next one is armed.
      self->post([self] {
        self->notifier.watchdog();
        self->arm();
      });
    });
  }
};
}  // namespace

void start_watchdog(const SystemdNotifier& notifier, Scheduler& scheduler,
                    std::function<void(std::function<void()>)> post) {
  if (!notifier.enabled() || notifier.watchdog_interval().count() <= 0) return;
  auto loop = std::make_shared<WatchdogLoop>();
  loop->notifier = notifier;
  loop->scheduler = &scheduler;
  loop->post = std::move(post);
  // Half the interval, as sd_watchdog_enabled(3) recommends (at least 1 ms).
  loop->period_ms = std::max<std::int64_t>(
      1,
      std::chrono::duration_cast<std::chrono::milliseconds>(notifier.watchdog_interval()).count() /
          2);
  loop->notifier.watchdog();  // the first one at once
  loop->arm();
}

}  // namespace argon::app
