#include "argon/http/content_coding.hpp"

#include <algorithm>
#include <string>

#include "argon/http/message.hpp"

namespace argon::http {
namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The weight of one list element's parameters ("q=0.5"); 1 when there is none, 0 when malformed.
double weight(std::string_view params) {
  while (!params.empty()) {
    auto semi = params.find(';');
    std::string_view param = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    auto eq = param.find('=');
    if (eq == std::string_view::npos || !iequals_ascii(trim(param.substr(0, eq)), "q")) continue;
    std::string_view value = trim(param.substr(eq + 1));
    // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
    if (value.empty() || (value[0] != '0' && value[0] != '1')) return 0;
    if (value.size() > 1 && (value[1] != '.' || value.size() > 5)) return 0;
    double q = value[0] == '1' ? 1.0 : 0.0;
    double scale = 0.1;
    for (std::size_t i = 2; i < value.size(); ++i, scale /= 10) {
      if (value[i] < '0' || value[i] > '9') return 0;
      q += (value[i] - '0') * scale;
    }
    return q > 1.0 ? 0 : q;
  }
  return 1;
}
}  // namespace

bool accepts_coding(const std::string* header, std::string_view coding) {
  if (!header) return false;
  std::string_view rest = *header;
  double named = -1, any = -1;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view element = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto semi = element.find(';');
    std::string_view name = trim(element.substr(0, semi));
    double q = semi == std::string_view::npos ? 1.0 : weight(element.substr(semi + 1));
    bool same = iequals_ascii(name, coding) ||
                (iequals_ascii(coding, "gzip") && iequals_ascii(name, "x-gzip"));
    if (same)
      named = std::max(named, q);
    else if (name == "*")
      any = std::max(any, q);
  }
  if (named >= 0) return named > 0;  // an explicit entry (q=0 refuses) beats "*"
  return any > 0;
}

}  // namespace argon::http
