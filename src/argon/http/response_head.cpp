#include "argon/http/response_head.hpp"

#include <charconv>
#include <string_view>

#include "argon/http/date.hpp"

namespace argon::http::detail {

namespace {

bool is_token_char(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (!is_token_char(c)) return false;
  return true;
}

bool valid_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool servers_own(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "connection") || iequals(name, "date");
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

}  // namespace

bool status_has_body(int status) {
  return !((status >= 100 && status < 200) || status == 204 || status == 304);
}

std::optional<std::string> response_head(const Response& r, unsigned version, bool keep_alive,
                                         std::size_t body_bytes) {
  if (r.status < 100 || r.status > 999) return std::nullopt;
  std::size_t size = 128 + r.content_type.size();
  for (const auto& [name, value] : r.headers) {
    if (!valid_name(name) || !valid_value(value)) return std::nullopt;
    size += name.size() + value.size() + 4;
  }
  if (!r.content_type.empty() && !valid_value(r.content_type)) return std::nullopt;

  std::string out;
  out.reserve(size);
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_number(out, static_cast<std::size_t>(r.status));
  out += ' ';
  out += status_reason(r.status);
  out += "\r\n";
  if (!r.content_type.empty()) {
    out += "Content-Type: ";
    out += r.content_type;
    out += "\r\n";
  }
  for (const auto& [name, value] : r.headers) {
    if (servers_own(name)) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Date: ";
  out += http_date_now();
  out += "\r\n";
  if (version == 10 ? keep_alive : !keep_alive)
    out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  if (status_has_body(r.status)) {
    out += "Content-Length: ";
    append_number(out, body_bytes);
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace argon::http::detail
