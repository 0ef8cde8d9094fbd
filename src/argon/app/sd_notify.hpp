#pragma once
// systemd's service notification protocol (sd_notify(3)) without libsystemd: one datagram per
// message ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=…") to the AF_UNIX socket named by
// NOTIFY_SOCKET (a path, or '@' for an abstract name). A unit with Type=notify sets it. When it
// is unset (a terminal, the tests, another supervisor) every call is a no-op.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "argon/domain/scheduler.hpp"

namespace argon::app {

class SystemdNotifier {
 public:
  SystemdNotifier() = default;  // disabled
  // socket: NOTIFY_SOCKET's value; watchdog: the interval systemd expects pings in (0: none).
  SystemdNotifier(std::string socket, std::chrono::microseconds watchdog);
  // From NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (a watchdog meant for another process,
  // WATCHDOG_PID not ours, is ignored).
  static SystemdNotifier from_environment();

  bool enabled() const { return !socket_.empty(); }
  std::chrono::microseconds watchdog_interval() const { return watchdog_; }

  // Sends `message` (newline-separated assignments) as one datagram. false when disabled or the
  // send failed (systemd gone): the server runs on either way.
  bool notify(std::string_view message) const;
  bool ready(std::string_view status = {}) const;
  bool stopping() const { return notify("STOPPING=1"); }
  bool watchdog() const { return notify("WATCHDOG=1"); }

 private:
  std::string socket_;
  std::chrono::microseconds watchdog_{0};
};

// Pings the watchdog every half of its interval while the scheduler runs: the scheduler's timer
// thread hands the ping to `post` (the request workers in `argon serve`), which sends it. A ping
// thus proves that timers fire and handlers get a thread; a wedged server misses them and
// systemd restarts it. Does nothing without a watchdog. The chain ends when the scheduler stops.
void start_watchdog(const SystemdNotifier& notifier, Scheduler& scheduler,
                    std::function<void(std::function<void()>)> post);

}  // namespace argon::app
