#include "argon/http/message.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace argon::http {

namespace {

const std::string* find_pair(const HeaderList& list, std::string_view name) {
  for (const auto& [k, v] : list) {
    if (k == name) return &v;
  }
  return nullptr;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Lenient decoding for the query: bad escapes are kept literally.
std::string decode_lenient(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

const std::string* Request::header(std::string_view lowercase_name) const {
  return find_pair(headers, lowercase_name);
}

const std::string* Request::query_param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (iequals_ascii(k, name)) return &v;
  }
  return nullptr;
}

const std::string* Request::param(std::string_view name) const {
  return find_pair(params, name);
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

namespace {
// The length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no overlong forms,
// surrogates or code points past U+10FFFF), or 0 when the byte there does not start one.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  unsigned char c = p[i];
  std::size_t len = 0;
  std::uint32_t min = 0, cp = 0;
  if (c < 0x80) {
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  }
  bool ok = len > 0 && i + len <= n;
  for (std::size_t k = 1; ok && k < len; ++k) {
    if ((p[i + k] & 0xC0) != 0x80) ok = false;
    cp = (cp << 6) | (p[i + k] & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
  if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
  return ok ? len : 0;
}
}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (std::size_t len = utf8_sequence(text, i)) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, for one byte
      ++i;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = utf8_sequence(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

Response Response::error(int status, std::string_view code, std::optional<std::string_view> message,
                         HeaderList extra_headers) {
  boost::json::object o;
  o["error"] = code;
  if (message) {
    // Messages may quote what the client sent (a path, a header): the body stays valid UTF-8.
    o["message"] = valid_utf8(*message);
  } else {
    o["message"] = nullptr;
  }
  Response r;
  r.status = status;
  r.headers = std::move(extra_headers);
  r.body = boost::json::serialize(o);
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  r.content_type.clear();
  return r;
}

std::string status_reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<ParsedTarget> parse_target(std::string_view target) {
  // absolute-form: strip "scheme://authority"
  if (!target.empty() && target.front() != '/') {
    auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    auto path_start = target.find_first_of("/?", scheme_end + 3);
    target =
        path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
    if (target.front() == '?') return std::nullopt;
  }
  if (target.empty()) return std::nullopt;

  auto qpos = target.find('?');
  std::string_view raw_path = target.substr(0, qpos);
  std::string_view raw_query =
      qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);
  if (auto hash = raw_query.find('#'); hash != std::string_view::npos) {
    raw_query = raw_query.substr(0, hash);
  }

  ParsedTarget out;
  auto decoded_path = percent_decode(raw_path, false);
  if (!decoded_path) return std::nullopt;
  out.path = std::move(*decoded_path);

  // Split before decoding so that "%2F" stays inside its segment.
  std::size_t pos = 0;
  while (pos <= raw_path.size()) {
    auto slash = raw_path.find('/', pos);
    auto end = slash == std::string_view::npos ? raw_path.size() : slash;
    if (end > pos) {
      auto seg = percent_decode(raw_path.substr(pos, end - pos), false);
      if (!seg) return std::nullopt;
      out.segments.push_back(std::move(*seg));
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }

  pos = 0;
  while (pos < raw_query.size()) {
    auto amp = raw_query.find('&', pos);
    auto end = amp == std::string_view::npos ? raw_query.size() : amp;
    std::string_view pair = raw_query.substr(pos, end - pos);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) {
        out.query.emplace_back(decode_lenient(pair), std::string());
      } else {
        out.query.emplace_back(decode_lenient(pair.substr(0, eq)),
                               decode_lenient(pair.substr(eq + 1)));
      }
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

}  // namespace argon::http
