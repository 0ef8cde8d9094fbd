#pragma once
// Invariant checks for the fuzz targets: a failed check prints what failed and aborts, which
// libFuzzer reports as a crash (with the input saved as crash-<sha1>).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, detail)                                                      \
  do {                                                                                \
    if (!(cond)) ::argon::fuzz::fail(#cond, __FILE__, __LINE__, std::string(detail)); \
  } while (0)

namespace argon::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line,
                              const std::string& detail) {
  std::fprintf(stderr, "\n*** invariant failed: %s\n    at %s:%d\n    %s\n", what, file, line,
               detail.c_str());
  std::abort();
}

// Doubles that went through JSON text: Boost 1.81's Boost.JSON parses decimal literals without
// correct rounding (precise parsing came in 1.83), so "1.0534023222112865E20", written from a
// double, can read back one ulp away. Equal, or a few ulps apart.
inline bool near_double(double a, double b) {
  if (a == b) return true;
  const double scale = std::max(std::fabs(a), std::fabs(b));
  return std::isfinite(scale) && std::fabs(a - b) <= 4 * 2.220446049250313e-16 * scale;
}

// The bytes, quoted for a message (non-printable ones as \xNN), cut to 300 characters.
inline std::string quoted(std::string_view bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes.substr(0, 300)) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += bytes.size() > 300 ? "\"..." : "\"";
  return out;
}

}  // namespace argon::fuzz
