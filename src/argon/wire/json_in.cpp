#include "argon/wire/json_in.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "argon/domain/text.hpp"

namespace argon::wire {
namespace {

namespace json = boost::json;

Error invalid(std::string_view path, std::string_view problem) {
  std::string message(path);
  message += ": ";
  message += problem;
  return Error::validation(std::move(message));
}

Error out_of_range(std::string_view path, std::int64_t min, std::int64_t max) {
  return invalid(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
}

bool all_blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// Whole-string integer with an optional sign; nullopt when not an integer, `overflow` set when it
// is one but does not fit in int64.
std::optional<std::int64_t> parse_integer(std::string_view s, bool& overflow) {
  overflow = false;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ptr != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    overflow = true;
    return std::nullopt;
  }
  if (ec != std::errc()) return std::nullopt;
  return out;
}

std::optional<double> parse_double(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(out)) return std::nullopt;
  return out;
}

std::string enum_choices(std::span<const std::string_view> names) {
  std::string out = "must be one of ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  out += " (or 0 to " + std::to_string(names.empty() ? 0 : names.size() - 1) + ")";
  return out;
}

}  // namespace

Result<json::object> parse_object(std::string_view body) {
  if (all_blank(body)) return json::object();
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Error::validation("body: invalid JSON");
  if (!v.is_object()) return Error::validation("body: expected a JSON object");
  return std::move(v.as_object());
}

std::string index_path(std::string_view path, std::size_t index) {
  std::string out(path);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

Result<std::int64_t> read_int(const json::value& v, std::string_view path, std::int64_t min,
                              std::int64_t max) {
  std::int64_t value = 0;
  if (v.is_int64()) {
    value = v.get_int64();
  } else if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return out_of_range(path, min, max);
    }
    value = static_cast<std::int64_t>(v.get_uint64());
  } else if (v.is_double()) {
    double d = v.get_double();
    if (!std::isfinite(d) || std::trunc(d) != d) return invalid(path, "must be an integer");
    // A double at -2^63 exactly is a rounded literal below the int64 minimum (the minimum
    // itself arrives as an int64), e.g. -9223372036854775809: out of range, not clamped.
    if (d <= -9223372036854775808.0 || d >= 9223372036854775808.0) {
      return out_of_range(path, min, max);
    }
    value = static_cast<std::int64_t>(d);
  } else if (v.is_string()) {
    bool overflow = false;
    auto parsed = parse_integer(v.get_string(), overflow);
    if (overflow) return out_of_range(path, min, max);
    if (!parsed) return invalid(path, "must be an integer");
    value = *parsed;
  } else {
    return invalid(path, "must be an integer");
  }
  if (value < min || value > max) return out_of_range(path, min, max);
  return value;
}

Result<double> read_number(const json::value& v, std::string_view path) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  if (v.is_string()) {
    if (auto d = parse_double(v.get_string())) return *d;
  }
  return invalid(path, "must be a number");
}

Result<bool> read_bool(const json::value& v, std::string_view path) {
  if (v.is_bool()) return v.get_bool();
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (equals_ignore_case(s, "true")) return true;
    if (equals_ignore_case(s, "false")) return false;
  }
  return invalid(path, "must be a boolean");
}

Result<std::string> read_string(const json::value& v, std::string_view path) {
  if (!v.is_string()) return invalid(path, "must be a string");
  // U+0000 is refused on every engine alike (PostgreSQL text cannot hold it).
  if (v.get_string().find('\0') != json::string::npos)
    return invalid(path, "must not contain U+0000");
  return std::string(v.get_string());
}

Result<Uuid> read_uuid(const json::value& v, std::string_view path) {
  if (v.is_string()) {
    if (auto id = Uuid::parse(v.get_string())) return *id;
  }
  return invalid(path, "must be a UUID");
}

Result<int> read_enum(const json::value& v, std::string_view path,
                      std::span<const std::string_view> names) {
  std::optional<std::int64_t> index;
  if (v.is_int64() || v.is_uint64() || v.is_double()) {
    auto i = read_int(v, path, 0, static_cast<std::int64_t>(names.size()) - 1);
    if (!i) return invalid(path, enum_choices(names));
    index = *i;
  } else if (v.is_string()) {
    std::string_view s = v.get_string();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (equals_ignore_case(names[i], s)) return static_cast<int>(i);
    }
    bool overflow = false;
    index = parse_integer(s, overflow);
  }
  if (!index || *index < 0 || *index >= static_cast<std::int64_t>(names.size())) {
    return invalid(path, enum_choices(names));
  }
  return static_cast<int>(*index);
}

// ---------------------------------------------------------------------------------------------
// ObjectReader

ObjectReader::ObjectReader(const json::object& object, std::string path_prefix)
    : object_(&object), prefix_(std::move(path_prefix)) {}

const json::value* ObjectReader::find(std::string_view name) const {
  const json::value* match = nullptr;
  if (auto it = object_->find(name); it != object_->end()) {
    match = &it->value();
  } else {
    for (const auto& kv : *object_) {
      if (equals_ignore_case(kv.key(), name)) {
        match = &kv.value();
        break;
      }
    }
  }
  if (match && match->is_null()) return nullptr;
  return match;
}

std::string ObjectReader::path(std::string_view name) const {
  if (prefix_.empty()) return std::string(name);
  std::string out = prefix_;
  out += '.';
  out += name;
  return out;
}

Result<std::string> ObjectReader::required_string(std::string_view name) const {
  const json::value* v = find(name);
  if (!v) return invalid(path(name), "required");
  return read_string(*v, path(name));
}

Result<std::optional<std::string>> ObjectReader::optional_string(std::string_view name) const {
  const json::value* v = find(name);
  if (!v) return std::optional<std::string>();
  auto s = read_string(*v, path(name));
  if (!s) return s.error();
  return std::optional<std::string>(std::move(*s));
}

Result<std::int64_t> ObjectReader::required_int(std::string_view name, std::int64_t min,
                                                std::int64_t max) const {
  const json::value* v = find(name);
  if (!v) return invalid(path(name), "required");
  return read_int(*v, path(name), min, max);
}

Result<std::optional<std::int64_t>> ObjectReader::optional_int(std::string_view name,
                                                               std::int64_t min,
                                                               std::int64_t max) const {
  const json::value* v = find(name);
  if (!v) return std::optional<std::int64_t>();
  auto i = read_int(*v, path(name), min, max);
  if (!i) return i.error();
  return std::optional<std::int64_t>(*i);
}

Result<std::optional<double>> ObjectReader::optional_number(std::string_view name) const {
  const json::value* v = find(name);
  if (!v) return std::optional<double>();
  auto d = read_number(*v, path(name));
  if (!d) return d.error();
  return std::optional<double>(*d);
}

Result<std::optional<bool>> ObjectReader::optional_bool(std::string_view name) const {
  const json::value* v = find(name);
  if (!v) return std::optional<bool>();
  auto b = read_bool(*v, path(name));
  if (!b) return b.error();
  return std::optional<bool>(*b);
}

Result<Uuid> ObjectReader::required_uuid(std::string_view name) const {
  const json::value* v = find(name);
  if (!v) return invalid(path(name), "required");
  return read_uuid(*v, path(name));
}

Result<std::optional<Uuid>> ObjectReader::optional_uuid(std::string_view name) const {
  const json::value* v = find(name);
  if (!v) return std::optional<Uuid>();
  auto id = read_uuid(*v, path(name));
  if (!id) return id.error();
  return std::optional<Uuid>(*id);
}

Result<int> ObjectReader::required_enum(std::string_view name,
                                        std::span<const std::string_view> names) const {
  const json::value* v = find(name);
  if (!v) return invalid(path(name), "required");
  return read_enum(*v, path(name), names);
}

Result<std::optional<int>> ObjectReader::optional_enum(
    std::string_view name, std::span<const std::string_view> names) const {
  const json::value* v = find(name);
  if (!v) return std::optional<int>();
  auto e = read_enum(*v, path(name), names);
  if (!e) return e.error();
  return std::optional<int>(*e);
}

Result<const json::array*> ObjectReader::optional_array(std::string_view name) const {
  const json::value* v = find(name);
  if (!v) return static_cast<const json::array*>(nullptr);
  if (!v->is_array()) return invalid(path(name), "must be an array");
  return &v->get_array();
}

Result<const json::object*> ObjectReader::optional_object(std::string_view name) const {
  const json::value* v = find(name);
  if (!v) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return invalid(path(name), "must be an object");
  return &v->get_object();
}

// ---------------------------------------------------------------------------------------------
// QueryReader

const std::string* QueryReader::find(std::string_view name) const {
  for (const auto& [key, value] : *params_) {
    if (equals_ignore_case(key, name)) return value.empty() ? nullptr : &value;
  }
  return nullptr;
}

Result<std::string> QueryReader::required_string(std::string_view name) const {
  const std::string* v = find(name);
  if (!v) return invalid(name, "required");
  return *v;
}

Result<std::optional<std::string>> QueryReader::optional_string(std::string_view name) const {
  const std::string* v = find(name);
  if (!v) return std::optional<std::string>();
  return std::optional<std::string>(*v);
}

Result<Uuid> QueryReader::required_uuid(std::string_view name) const {
  const std::string* v = find(name);
  if (!v) return invalid(name, "required");
  if (auto id = Uuid::parse(*v)) return *id;
  return invalid(name, "must be a UUID");
}

Result<std::optional<Uuid>> QueryReader::optional_uuid(std::string_view name) const {
  const std::string* v = find(name);
  if (!v) return std::optional<Uuid>();
  if (auto id = Uuid::parse(*v)) return std::optional<Uuid>(*id);
  return invalid(name, "must be a UUID");
}

Result<std::int64_t> QueryReader::required_int(std::string_view name, std::int64_t min,
                                               std::int64_t max) const {
  const std::string* v = find(name);
  if (!v) return invalid(name, "required");
  return read_int(json::value(json::string_view(*v)), name, min, max);
}

Result<std::optional<std::int64_t>> QueryReader::optional_int(std::string_view name,
                                                              std::int64_t min,
                                                              std::int64_t max) const {
  const std::string* v = find(name);
  if (!v) return std::optional<std::int64_t>();
  auto i = read_int(json::value(json::string_view(*v)), name, min, max);
  if (!i) return i.error();
  return std::optional<std::int64_t>(*i);
}

}  // namespace argon::wire
