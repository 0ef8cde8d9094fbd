#pragma once
// The Date header (RFC 9110 §6.6.1): every response carries one, in IMF-fixdate form.
#include <ctime>
#include <string_view>

namespace argon::http {

// "Sun, 06 Nov 1994 08:49:37 GMT" for `t`.
std::string_view format_http_date(std::time_t t, char (&buf)[32]);
// The current time, formatted at most once a second per thread (the view is valid until this
// thread's next call).
std::string_view http_date_now();

}  // namespace argon::http
