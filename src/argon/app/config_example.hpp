#pragma once
// `argon config example`: the TOML configuration file with every key of config_keys(), generated
// from that list so that it never drifts from what the server reads. Each key stands under its
// description, commented out with its default ("#heartbeat_seconds = 30"); removing the '#' of
// every such line gives the defaults. Keys in `active` are written uncommented, with that value
// (the package's /etc/argon/argon.toml sets server.data_dir and server.listen this way).
#include <map>
#include <string>

namespace argon::app {

std::string config_example(const std::map<std::string, std::string>& active = {});

}  // namespace argon::app
