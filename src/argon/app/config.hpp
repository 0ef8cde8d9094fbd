#pragma once
// Configuration: every limit and timing is a named key `section.key`. Precedence:
// command-line flags > environment (`ARGON_SECTION_KEY`) > config file (TOML) > defaults.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/result.hpp"

namespace argon::app {

struct ConfigKey {
  std::string name;           // "events.heartbeat_seconds"
  std::string default_value;  // as text
  std::string description;
  std::vector<std::string> choices = {};  // the valid values of an enumerated key (else empty)
};

// Every key the server knows, with its default.
const std::vector<ConfigKey>& config_keys();

class Config {
 public:
  // Layers, lowest first. Unknown keys in the file or environment are reported in warnings().
  static Result<Config> load(const std::optional<std::string>& file_path,
                             const std::map<std::string, std::string>& environment,
                             const std::map<std::string, std::string>& flags);
  static Config defaults();

  std::string str(const std::string& key) const;
  std::int64_t i64(const std::string& key) const;
  bool flag(const std::string& key) const;
  void set(const std::string& key, std::string value) { values_[key] = std::move(value); }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Keys whose default is an integer but whose value is not.
  std::vector<std::string> invalid_integers() const;
  // Enumerated keys whose value is none of their choices (matched case-insensitively), each as
  // "key must be one of a, b, c; got 'x'".
  std::vector<std::string> invalid_choices() const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> warnings_;
};

// ARGON_EVENTS_HEARTBEAT_SECONDS -> events.heartbeat_seconds (sections have no underscore).
std::optional<std::string> env_to_key(std::string_view env_name);
std::map<std::string, std::string> current_environment();

}  // namespace argon::app
