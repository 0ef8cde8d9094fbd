// The lenient JSON request reader every HTTP adapter uses (wire/json_in.hpp, DECISIONS.md §3):
// parse_object on the raw body, then ObjectReader's every accessor on every member (and on case
// variants of its name), the read_* conversions on every value, QueryReader over the string
// members as query parameters, and the shape of IMessages/Send (botapi read_send_request:
// channelId, text, randomId, replyTo, entities, controls) as its handler reads it.
//
// Input: the request body.
//
// Invariants:
//  - parse_object succeeds exactly for a blank body or a JSON object; its errors are the two
//    documented 400 validation_error messages;
//  - find() returns the exact member when present (an exact match wins), a member whose name
//    matches ASCII case-insensitively otherwise, and nullptr for JSON null;
//  - every failure is 400 validation_error "<path>: <problem>" with the field's path;
//  - read_int lies within [min, max] and equals an in-range integer value; read_string holds no
//    U+0000 and equals the JSON string; read_uuid re-parses from its text form; read_enum is an
//    index into the names; read_bool of a string is "true"/"false" in any case.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "argon/domain/text.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/json_in.hpp"
#include "fuzz_check.hpp"

namespace {

namespace json = boost::json;
using argon::Error;
using argon::fuzz::quoted;

void check_error(const Error& e, std::string_view path) {
  FUZZ_CHECK(e.status == 400 && e.code == "validation_error", e.code);
  // "<path>: problem", or a field inside it: "<path>[i]…" / "<path>.name…".
  const std::string& m = e.message.value_or("");
  FUZZ_CHECK(
      m.starts_with(std::string(path)) && m.size() > path.size() &&
          (m.compare(path.size(), 2, ": ") == 0 || m[path.size()] == '[' || m[path.size()] == '.'),
      m + " for path " + std::string(path));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

constexpr std::string_view kNames[] = {"hashtag", "mention", "bold", "italic"};

void check_value(const json::value& v, const std::string& path) {
  constexpr std::int64_t kMin = -1000, kMax = 1000;
  for (auto [min, max] :
       {std::pair{kMin, kMax}, std::pair{std::numeric_limits<std::int64_t>::min(),
                                         std::numeric_limits<std::int64_t>::max()}}) {
    auto i = argon::wire::read_int(v, path, min, max);
    if (i) {
      FUZZ_CHECK(*i >= min && *i <= max, path);
      if (v.is_int64()) FUZZ_CHECK(*i == v.get_int64(), path);
    } else {
      check_error(i.error(), path);
      if (v.is_int64() && v.get_int64() >= min && v.get_int64() <= max)
        FUZZ_CHECK(false, "an in-range integer refused at " + path);
    }
  }
  if (auto d = argon::wire::read_number(v, path); !d) check_error(d.error(), path);
  if (auto b = argon::wire::read_bool(v, path)) {
    if (v.is_string())
      FUZZ_CHECK(argon::equals_ignore_case(v.get_string(), *b ? "true" : "false"), path);
  } else {
    check_error(b.error(), path);
  }
  if (auto s = argon::wire::read_string(v, path)) {
    FUZZ_CHECK(v.is_string() && *s == std::string_view(v.get_string()), path);
    FUZZ_CHECK(s->find('\0') == std::string::npos, path);
  } else {
    check_error(s.error(), path);
  }
  if (auto id = argon::wire::read_uuid(v, path)) {
    auto again = argon::Uuid::parse(id->str());
    FUZZ_CHECK(again && *again == *id, id->str());
    FUZZ_CHECK(argon::Uuid::parse(id->hex()) == *id, id->hex());
  } else {
    check_error(id.error(), path);
  }
  if (auto e = argon::wire::read_enum(v, path, kNames)) {
    FUZZ_CHECK(*e >= 0 && *e < 4, path);
  } else {
    check_error(e.error(), path);
  }
}

void check_reader(const json::object& object, const std::string& prefix, int depth) {
  argon::wire::ObjectReader r(object, prefix);
  for (const auto& kv : object) {
    const std::string_view name = kv.key();
    const json::value* found = r.find(name);
    const json::value* exact = object.if_contains(name);
    if (exact->is_null()) {
      FUZZ_CHECK(found == nullptr, std::string(name));
    } else {
      FUZZ_CHECK(found == exact, "an exact match must win: " + std::string(name));
    }
    if (const json::value* other = r.find(upper(name))) {
      bool matches = false;
      for (const auto& m : object)
        matches = matches || (&m.value() == other && argon::equals_ignore_case(m.key(), name));
      FUZZ_CHECK(matches, std::string(name));
    }
    const std::string path = r.path(name);
    FUZZ_CHECK(prefix.empty() ? path == name : path == prefix + "." + std::string(name), path);
    check_value(kv.value(), path);
    auto check = [&](const auto& result) {
      if (!result) check_error(result.error(), path);
    };
    check(r.required_string(name));
    check(r.optional_string(name));
    check(r.required_int(name, 0, 100));
    check(r.optional_int(name, -5, 5));
    check(r.optional_number(name));
    check(r.optional_bool(name));
    check(r.required_uuid(name));
    check(r.optional_uuid(name));
    check(r.required_enum(name, kNames));
    check(r.optional_enum(name, kNames));
    check(r.optional_array(name));
    check(r.optional_object(name));
    if (depth < 4) {
      if (kv.value().is_object()) check_reader(kv.value().get_object(), path, depth + 1);
      if (kv.value().is_array()) {
        const auto& a = kv.value().get_array();
        for (std::size_t i = 0; i < a.size() && i < 8; ++i) {
          const std::string item = argon::wire::index_path(path, i);
          check_value(a[i], item);
          if (a[i].is_object()) check_reader(a[i].get_object(), item, depth + 1);
        }
      }
    }
  }
  // Absent names: required ones fail with "<path>: required", optional ones are empty.
  auto missing = r.required_string(
      "\x01"
      "absent");
  FUZZ_CHECK(!missing && missing.error().message == r.path("\x01"
                                                           "absent") +
                                                        ": required",
             prefix);
  auto none = r.optional_int(
      "\x01"
      "absent",
      0, 1);
  FUZZ_CHECK(none && !*none, prefix);
}

void check_query(const json::object& object) {
  argon::wire::QueryReader::Params params;
  for (const auto& kv : object)
    if (kv.value().is_string())
      params.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
  argon::wire::QueryReader q(params);
  for (const auto& [name, value] : params) {
    // The first parameter whose name matches case-insensitively; an empty value is absent.
    const std::string* first = nullptr;
    for (const auto& p : params) {
      if (argon::equals_ignore_case(p.first, name)) {
        first = &p.second;
        break;
      }
    }
    const std::string* found = q.find(upper(name));
    FUZZ_CHECK(found == (first->empty() ? nullptr : first), name);
    if (auto i = q.optional_int(name, -10, 10); i && *i) FUZZ_CHECK(**i >= -10 && **i <= 10, name);
    if (auto id = q.optional_uuid(name); id && *id) {
      FUZZ_CHECK(argon::Uuid::parse((*id)->str()) == *id, name);
    }
    (void)q.required_string(name);
    (void)q.required_int(name, 0, 5);
  }
}

// The body of IMessages/Send as botapi::read_send_request reads it.
void check_send_shape(const json::object& body) {
  argon::wire::ObjectReader in(body);
  auto channel_id = in.required_uuid("channelId");
  if (!channel_id) return check_error(channel_id.error(), "channelId");
  auto text = in.required_string("text");
  if (!text) return check_error(text.error(), "text");
  auto random_id = in.optional_int("randomId", INT64_MIN, INT64_MAX);
  if (!random_id) return check_error(random_id.error(), "randomId");
  auto reply_to = in.optional_int("replyTo", 1, INT64_MAX);
  if (!reply_to) return check_error(reply_to.error(), "replyTo");
  if (*reply_to) FUZZ_CHECK(**reply_to >= 1, "replyTo");
  auto entities = argon::wire::parse_entities(in.find("entities"));
  if (!entities) return check_error(entities.error(), "entities");
  auto controls = argon::wire::parse_controls(in.find("controls"));
  if (!controls) return check_error(controls.error(), "controls");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto object = argon::wire::parse_object(body);
  boost::system::error_code ec;
  json::value reference = json::parse(body, ec);
  bool blank = true;
  for (char c : body) blank = blank && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
  if (!object) {
    FUZZ_CHECK(!blank && (ec || !reference.is_object()), quoted(body));
    const auto& m = object.error().message;
    FUZZ_CHECK(object.error().status == 400 &&
                   (m == "body: invalid JSON" || m == "body: expected a JSON object"),
               m.value_or(""));
    return 0;
  }
  FUZZ_CHECK(blank ? object->empty() : (!ec && reference.is_object()), quoted(body));
  check_reader(*object, "", 0);
  check_reader(*object, "controls[0]", 3);
  check_query(*object);
  check_send_shape(*object);
  return 0;
}
