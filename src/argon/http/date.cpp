#include "argon/http/date.hpp"

#include <chrono>

namespace argon::http {

std::string_view format_http_date(std::time_t t, char (&buf)[32]) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  // strftime's %a/%b follow the locale; the header needs the English names whatever it is.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                        tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                        tm.tm_sec);
  return std::string_view(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::string_view http_date_now() {
  thread_local std::time_t cached_second = -1;
  thread_local char buf[32];
  thread_local std::string_view text;
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (now != cached_second) {
    text = format_http_date(now, buf);
    cached_second = now;
  }
  return text;
}

}  // namespace argon::http
