// Row accessors: convert a cell to the requested type the way SQLite's own column accessors do,
// but fail loudly (SqlError) on NULL or on text that is not a number, since either means the SQL
// and the code reading it disagree.
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>

#include "argon/store/sql.hpp"

namespace argon::store {
namespace {

[[noreturn]] void null_cell(std::size_t i, const char* wanted) {
  throw SqlError("column " + std::to_string(i) + " is NULL where " + wanted +
                 " was expected (use the opt_ accessor)");
}

template <class T>
T parse_number(const std::string& s, std::size_t i, const char* wanted) {
  T out{};
  const char* first = s.data();
  const char* last = s.data() + s.size();
  while (first != last && (*first == ' ' || *first == '\t')) ++first;
  if (first != last && *first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, out);
  if (ec != std::errc() || ptr != last || first == last) {
    throw SqlError("column " + std::to_string(i) + " holds text '" + s + "' where " + wanted +
                   " was expected");
  }
  return out;
}

std::int64_t truncate_real(double d, std::size_t i) {
  // Same range check as a C++ cast would need to be defined behaviour.
  if (!std::isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
    throw SqlError("column " + std::to_string(i) + " holds a real out of integer range");
  }
  return static_cast<std::int64_t>(d);
}

std::string format_real(double d) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip form
  if (ec != std::errc()) return std::to_string(d);
  return std::string(buf, ptr);
}

}  // namespace

std::int64_t Row::i64(std::size_t i) const {
  const SqlValue& v = cells_.at(i);
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return truncate_real(*p, i);
  if (auto p = std::get_if<std::string>(&v)) return parse_number<std::int64_t>(*p, i, "an integer");
  null_cell(i, "an integer");
}

double Row::f64(std::size_t i) const {
  const SqlValue& v = cells_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return parse_number<double>(*p, i, "a real");
  null_cell(i, "a real");
}

std::string Row::text(std::size_t i) const {
  const SqlValue& v = cells_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return format_real(*p);
  null_cell(i, "text");
}

}  // namespace argon::store
