#pragma once
// The lenient JSON reader of DECISIONS.md §3, shared by every HTTP adapter: names match
// case-insensitively, numbers may come as numeric strings, enums as integer or name, unknown
// fields are ignored, and every failure is a 400 validation_error "<path>: <problem>".
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "argon/domain/result.hpp"
#include "argon/domain/uuid.hpp"

namespace argon::wire {

// "body: invalid JSON" / "body: expected a JSON object"; an empty (or all-blank) body is {}.
Result<boost::json::object> parse_object(std::string_view body);

// "controls" + 2 -> "controls[2]".
std::string index_path(std::string_view path, std::size_t index);

// Lenient scalar conversions used by ObjectReader (exposed for arrays of scalars). `path` only
// feeds the error message.
Result<std::int64_t> read_int(const boost::json::value& v, std::string_view path, std::int64_t min,
                              std::int64_t max);
Result<double> read_number(const boost::json::value& v, std::string_view path);
Result<bool> read_bool(const boost::json::value& v, std::string_view path);
Result<std::string> read_string(const boost::json::value& v, std::string_view path);
Result<Uuid> read_uuid(const boost::json::value& v, std::string_view path);
// Integer index in [0, names.size()) (also as a numeric string) or a case-insensitive name.
Result<int> read_enum(const boost::json::value& v, std::string_view path,
                      std::span<const std::string_view> names);

// Reads one JSON object; the object must outlive the reader. `path_prefix` (e.g. "controls[0]")
// prefixes every field path in error messages.
class ObjectReader {
 public:
  explicit ObjectReader(const boost::json::object& object, std::string path_prefix = "");

  // Case-insensitive (an exact match wins); nullptr when absent or JSON null.
  const boost::json::value* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  // "<prefix>.<name>" or "<name>" without a prefix.
  std::string path(std::string_view name) const;
  const std::string& prefix() const { return prefix_; }
  const boost::json::object& object() const { return *object_; }

  Result<std::string> required_string(std::string_view name) const;
  Result<std::optional<std::string>> optional_string(std::string_view name) const;
  Result<std::int64_t> required_int(std::string_view name, std::int64_t min,
                                    std::int64_t max) const;
  Result<std::optional<std::int64_t>> optional_int(std::string_view name, std::int64_t min,
                                                   std::int64_t max) const;
  Result<std::optional<double>> optional_number(std::string_view name) const;
  Result<std::optional<bool>> optional_bool(std::string_view name) const;
  Result<Uuid> required_uuid(std::string_view name) const;
  Result<std::optional<Uuid>> optional_uuid(std::string_view name) const;
  Result<int> required_enum(std::string_view name, std::span<const std::string_view> names) const;
  Result<std::optional<int>> optional_enum(std::string_view name,
                                           std::span<const std::string_view> names) const;
  // nullptr when absent/null; "must be an array" / "must be an object" otherwise.
  Result<const boost::json::array*> optional_array(std::string_view name) const;
  Result<const boost::json::object*> optional_object(std::string_view name) const;

 private:
  const boost::json::object* object_;
  std::string prefix_;
};

// Already-decoded query parameters; names match case-insensitively (first occurrence wins) and an
// empty value counts as absent.
class QueryReader {
 public:
  using Params = std::vector<std::pair<std::string, std::string>>;
  explicit QueryReader(const Params& params) : params_(&params) {}

  const std::string* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }

  Result<std::string> required_string(std::string_view name) const;
  Result<std::optional<std::string>> optional_string(std::string_view name) const;
  Result<Uuid> required_uuid(std::string_view name) const;
  Result<std::optional<Uuid>> optional_uuid(std::string_view name) const;
  Result<std::int64_t> required_int(std::string_view name, std::int64_t min,
                                    std::int64_t max) const;
  Result<std::optional<std::int64_t>> optional_int(std::string_view name, std::int64_t min,
                                                   std::int64_t max) const;

 private:
  const Params* params_;
};

}  // namespace argon::wire
