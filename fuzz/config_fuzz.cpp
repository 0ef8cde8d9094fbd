// The configuration file (app/config.hpp): `argon … --config FILE` reads TOML with toml++
// through Config::load, under the environment and flag layers. The file is handed over as a
// memfd (/proc/self/fd/N), so the real file-reading path runs without touching the disk.
//
// Input: the file's contents.
//
// Invariants: load never throws (a TOML error is a 400 validation_error naming the file); every
// key in the result is a known key or a ratelimit.* one, anything else in the file is a warning;
// a string, integer or boolean a known key has in the file is its value; flags still win over the
// file; invalid_integers() names exactly the integer keys whose value i64() refuses or that are
// negative.
#include <sys/mman.h>
#include <unistd.h>

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "argon/app/config.hpp"
#include "fuzz_check.hpp"

namespace {

using argon::fuzz::quoted;

const std::set<std::string>& known() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> out;
    for (const auto& k : argon::app::config_keys()) out.insert(k.name);
    return out;
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("argon-config-fuzz.toml", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
    return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const std::map<std::string, std::string> flags = {{"server.listen", "127.0.0.1:0"}};
  auto config = argon::app::Config::load(path, {}, flags);
  if (!config) {
    const auto& e = config.error();
    FUZZ_CHECK(e.status == 400 && e.code == "validation_error" && e.message &&
                   e.message->starts_with("config file " + path + ": "),
               e.message.value_or(""));
    return 0;
  }
  for (const auto& [key, value] : config->values())
    FUZZ_CHECK(known().count(key) || key.starts_with("ratelimit."), key);
  FUZZ_CHECK(config->str("server.listen") == "127.0.0.1:0", "a flag lost to the file");

  // What toml++ reads, compared with what the config kept.
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    FUZZ_CHECK(false, "Config::load accepted what toml::parse refuses: " + quoted(text));
  }
  for (const auto& [section, node] : table) {
    const toml::table* inner = node.as_table();
    if (!inner) continue;
    for (const auto& [name, value] : *inner) {
      const std::string key = std::string(section.str()) + "." + std::string(name.str());
      if (!known().count(key) || key == "server.listen") continue;
      std::optional<std::string> expected;
      if (auto s = value.as_string()) expected = s->get();
      if (auto i = value.as_integer()) expected = std::to_string(i->get());
      if (auto b = value.as_boolean()) expected = b->get() ? "true" : "false";
      if (expected) FUZZ_CHECK(config->str(key) == *expected, key + " for " + quoted(text));
    }
  }

  std::set<std::string> invalid;
  for (const auto& key : config->invalid_integers()) invalid.insert(key);
  for (const auto& k : argon::app::config_keys()) {
    const std::string& d = k.default_value;
    if (d.empty() || d.find_first_not_of("0123456789") != std::string::npos) continue;
    bool refused = false;
    try {
      refused = config->i64(k.name) < 0;
    } catch (const std::invalid_argument&) {
      refused = true;
    }
    FUZZ_CHECK(refused == (invalid.count(k.name) > 0), k.name + " = " + config->str(k.name));
  }
  return 0;
}
