#include "argon/app/cli.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <iostream>
#include <map>
#include <utility>
#include <vector>

#include "argon/app/backup.hpp"
#include "argon/app/build_info.hpp"
#include "argon/app/config_example.hpp"
#include "argon/app/demo.hpp"
#include "argon/app/logging.hpp"
#include "argon/app/runtime.hpp"
#include "argon/app/serve.hpp"
#include "argon/contracts/contracts.hpp"
#include "argon/contracts/openapi.hpp"

#include <boost/json/serialize.hpp>

namespace argon::app {
namespace {

struct CommonFlags {
  std::string listen;
  std::string bus;
  std::string node_id;
  std::string public_url;
  std::string data_dir;
  std::string database;
  std::string config_file;
};

void add_common(CLI::App* cmd, CommonFlags& f) {
  cmd->add_option("--data-dir", f.data_dir, "directory holding the database (default ./data)");
  cmd->add_option("--database", f.database,
                  "postgres://USER@HOST:PORT/DB: use PostgreSQL instead of SQLite in the data dir");
  cmd->add_option("--config", f.config_file, "TOML config file");
}

// Loads the layered configuration; exits the process with 2 on a bad file.
Config load_config(const CommonFlags& f) {
  std::map<std::string, std::string> flags;
  if (!f.listen.empty()) flags["server.listen"] = f.listen;
  if (!f.data_dir.empty()) flags["server.data_dir"] = f.data_dir;
  if (!f.database.empty()) flags["store.url"] = f.database;
  if (!f.bus.empty()) flags["bus.url"] = f.bus;
  if (!f.node_id.empty()) flags["server.node_id"] = f.node_id;
  if (!f.public_url.empty()) flags["server.public_url"] = f.public_url;
  std::optional<std::string> file;
  if (!f.config_file.empty()) file = f.config_file;
  auto config = Config::load(file, current_environment(), flags);
  if (!config) {
    std::fprintf(stderr, "argon: %s\n", config.error().message->c_str());
    std::exit(2);
  }
  // An unknown enumerated value (log.level = verbose) is a start-up error naming the valid ones,
  // never a silent default.
  auto bad_choices = config->invalid_choices();
  if (!bad_choices.empty()) {
    for (const auto& problem : bad_choices)
      std::fprintf(stderr, "argon: config: %s\n", problem.c_str());
    std::exit(2);
  }
  setup_logging(config->str("log.level"), config->str("log.format"));
  for (const auto& w : config->warnings()) spdlog::warn("config: {}", w);
  auto invalid = config->invalid_integers();
  if (!invalid.empty()) {
    for (const auto& key : invalid)
      spdlog::critical("config: {} must be an integer, got '{}'", key, config->str(key));
    std::exit(2);
  }
  return *config;
}

int verify_contracts() {
  int stable = 0;
  for (const auto& iface : contracts::interfaces()) {
    std::printf("%-14s v%-9d %s %s\n", iface.name.c_str(), iface.version,
                contracts::computed_hash(iface).c_str(), iface.declared_hash ? "stable" : "draft");
    stable += iface.declared_hash ? 1 : 0;
  }
  for (const auto& ev : contracts::events())
    std::printf("%-26s %s %s\n", ev.name.c_str(), contracts::computed_hash(ev).c_str(),
                ev.declared_hash ? "stable" : "draft");
  auto mismatches = contracts::verify();
  for (const auto& m : mismatches)
    std::fprintf(stderr, "CONTRACT BREAK %s: declared %s, computed %s\n", m.subject.c_str(),
                 m.declared.c_str(), m.computed.c_str());
  std::size_t routes = 0;
  for (const auto& iface : contracts::interfaces()) routes += iface.routes.size();
  std::printf("%s: Bot API %s, %zu interfaces, %zu routes, %zu events checked\n",
              mismatches.empty() ? "ok" : "MISMATCH",
              std::string(contracts::kBotApiVersion).c_str(), contracts::interfaces().size(),
              routes, contracts::events().size());
  return mismatches.empty() ? 0 : 1;
}

std::string version_line() {
  return std::string("argon ") + kArgonVersion + " (commit " + kGitCommit + ", Bot API " +
         std::string(contracts::kBotApiVersion) + ")";
}

int report(const Error& e) {
  std::fprintf(stderr, "argon: %s: %s\n", e.code.c_str(), e.message.value_or("").c_str());
  return 1;
}

void print_account(const services::AccountInfo& a) {
  std::printf("%-36s  %-32s  %-8s  %-4s  %8lld  %s\n", a.user.id.str().c_str(),
              a.user.username.c_str(), a.status.c_str(), a.user.is_bot() ? "bot" : "",
              static_cast<long long>(a.sessions), a.user.display_name.c_str());
}

int list_users(Runtime& rt) {
  std::printf("%-36s  %-32s  %-8s  %-4s  %8s  %s\n", "USER ID", "USERNAME", "STATUS", "KIND",
              "SESSIONS", "DISPLAY NAME");
  std::optional<std::string> after;
  for (;;) {
    auto page = sync_wait(rt.account_admin().list(after, 500));
    if (!page) return report(page.error());
    for (const auto& a : *page) print_account(a);
    if (page->size() < 500) return 0;
    after = page->back().user.username;
  }
}

int run_user_action(Runtime& rt, const std::string& action, const std::string& username,
                    const std::string& password, const std::string& session_id) {
  auto& admin = rt.account_admin();
  auto found = sync_wait(admin.find_by_username(username));
  if (!found) return report(found.error());
  const Uuid id = found->user.id;
  const std::string actor = "cli";
  if (action == "sessions") {
    auto sessions = sync_wait(admin.sessions(id));
    if (!sessions) return report(sessions.error());
    std::printf("%-16s  %s\n", "SESSION ID", "CREATED");
    for (const auto& s : *sessions)
      std::printf("%-16s  %s\n", s.session_id.c_str(), format_iso8601_ms(s.created_at_ms).c_str());
    return 0;
  }
  if (action == "revoke-sessions") {
    std::optional<std::string> one;
    if (!session_id.empty()) one = session_id;
    auto revoked = sync_wait(admin.revoke_sessions(id, one, actor));
    if (!revoked) return report(revoked.error());
    std::printf("%s: %lld session(s) revoked\n", found->user.username.c_str(),
                static_cast<long long>(*revoked));
    return 0;
  }
  if (action == "reset-password") {
    auto done = sync_wait(admin.reset_password(id, password, actor));
    if (!done) return report(done.error());
    std::printf("%s: password reset, every session revoked\n", found->user.username.c_str());
    return 0;
  }
  Result<services::AccountInfo> changed = action == "disable"  ? sync_wait(admin.disable(id, actor))
                                          : action == "enable" ? sync_wait(admin.enable(id, actor))
                                                               : sync_wait(admin.remove(id, actor));
  if (!changed) return report(changed.error());
  print_account(*changed);
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App cli{"argon: a self-hostable chat server speaking the Argon Bot API"};
  cli.set_version_flag("--version", version_line());
  cli.require_subcommand(1);
  CommonFlags common;

  auto* serve_cmd = cli.add_subcommand("serve", "run the server");
  serve_cmd->add_option("--listen", common.listen,
                        "HOST:PORT (default 127.0.0.1:8080; port 0 = any)");
  serve_cmd->add_option("--bus", common.bus,
                        "nats://HOST:PORT: join the other nodes on the same --database");
  serve_cmd->add_option("--node-id", common.node_id, "0..1023, distinct per node (default auto)");
  serve_cmd->add_option("--public-url", common.public_url,
                        "the URL clients reach this node at (default from --listen)");
  add_common(serve_cmd, common);

  auto* user_cmd = cli.add_subcommand("user", "manage people");
  user_cmd->require_subcommand(1);
  auto* user_create =
      user_cmd->add_subcommand("create", "create a person and print a session token");
  std::string username, password;
  user_create->add_option("username", username)->required();
  user_create->add_option("--password", password, "password (default: none, token login only)");
  add_common(user_create, common);
  // The operator's account control (docs/operations.md "Accounts"), audited in the log.
  auto* user_list = user_cmd->add_subcommand("list", "list people and bots");
  add_common(user_list, common);
  std::map<std::string, CLI::App*> user_actions;
  for (const auto& [name, help] : std::vector<std::pair<std::string, std::string>>{
           {"disable", "stop a person logging in and revoke their sessions"},
           {"enable", "let a disabled person log in again"},
           {"delete", "delete a person: sessions revoked, name freed, personal data dropped"},
           {"reset-password", "set a new password (--password) and revoke every session"},
           {"sessions", "list a person's sessions"},
           {"revoke-sessions", "revoke a person's sessions (all, or --session ID)"}}) {
    auto* cmd = user_cmd->add_subcommand(name, help);
    cmd->add_option("username", username)->required();
    add_common(cmd, common);
    user_actions[name] = cmd;
  }
  user_actions["reset-password"]
      ->add_option("--password", password, "the new password")
      ->required();
  std::string session_id;
  user_actions["revoke-sessions"]->add_option("--session", session_id, "one session id");

  auto* bot_cmd = cli.add_subcommand("bot", "manage bots");
  bot_cmd->require_subcommand(1);
  auto* bot_list = bot_cmd->add_subcommand("list", "list every bot application");
  add_common(bot_list, common);
  std::string bot_username;
  auto* bot_verify = bot_cmd->add_subcommand("verify", "mark a bot verified");
  bot_verify->add_option("username", bot_username)->required();
  add_common(bot_verify, common);
  auto* bot_unverify = bot_cmd->add_subcommand("unverify", "clear a bot's verified mark");
  bot_unverify->add_option("username", bot_username)->required();
  add_common(bot_unverify, common);

  auto* demo_cmd =
      cli.add_subcommand("demo", "seed a person, a space and an installed bot; print tokens");
  demo_cmd->add_option("--listen", common.listen, "address the printed examples point at");
  add_common(demo_cmd, common);

  auto* contracts_cmd = cli.add_subcommand("contracts", "the Bot API contracts and their hashes");
  contracts_cmd->require_subcommand(1);
  auto* contracts_verify =
      contracts_cmd->add_subcommand("verify", "check every contract hash (exit 1 on a mismatch)");
  auto* contracts_manifest =
      contracts_cmd->add_subcommand("manifest", "print the API manifest as JSON");
  auto* contracts_openapi =
      contracts_cmd->add_subcommand("openapi", "print the Bot API as an OpenAPI 3.1 document");

  // The configuration file with every key (docs/configuration.md); the package's
  // /etc/argon/argon.toml is this with --data-dir and --listen.
  auto* config_cmd = cli.add_subcommand("config", "the configuration file");
  config_cmd->require_subcommand(1);
  auto* config_example_cmd = config_cmd->add_subcommand(
      "example", "print a TOML file with every key commented out with its default");
  std::map<std::string, std::string> example_active;
  config_example_cmd->add_option_function<std::string>(
      "--listen", [&](const std::string& v) { example_active["server.listen"] = v; },
      "write server.listen = HOST:PORT (uncommented)");
  config_example_cmd->add_option_function<std::string>(
      "--data-dir", [&](const std::string& v) { example_active["server.data_dir"] = v; },
      "write server.data_dir = DIR (uncommented)");

  // A consistent copy of a SQLite data dir while the server runs (docs/operations.md "Backups").
  auto* backup_cmd = cli.add_subcommand(
      "backup", "copy the SQLite database and the voice key into DEST (the server may run)");
  std::string backup_dest;
  backup_cmd->add_option("dest", backup_dest, "a new or empty directory")->required();
  add_common(backup_cmd, common);

  CLI11_PARSE(cli, argc, argv);
  if (config_example_cmd->parsed()) {
    std::fputs(config_example(example_active).c_str(), stdout);
    return 0;
  }
  if (contracts_verify->parsed()) return verify_contracts();
  if (contracts_manifest->parsed()) {
    std::printf("%s\n", boost::json::serialize(contracts::manifest_json()).c_str());
    return 0;
  }
  if (contracts_openapi->parsed()) {
    std::printf("%s\n", boost::json::serialize(contracts::openapi_document()).c_str());
    return 0;
  }
  crypto::init();
  Config config = load_config(common);

  try {
    if (serve_cmd->parsed()) return serve(config);
    if (backup_cmd->parsed()) return run_backup(config, backup_dest);
    Runtime rt(config);
    if (user_create->parsed()) {
      std::optional<std::string> pw;
      if (!password.empty()) pw = password;
      auto grant = sync_wait(rt.accounts().create_user(username, pw));
      if (!grant) return report(grant.error());
      std::printf("user: %s\nuser id: %s\ntoken: %s\n", grant->user.username.c_str(),
                  grant->user.id.str().c_str(), grant->token.c_str());
      return 0;
    }
    if (user_list->parsed()) return list_users(rt);
    for (const auto& [name, cmd] : user_actions)
      if (cmd->parsed()) return run_user_action(rt, name, username, password, session_id);
    if (bot_list->parsed()) {
      std::printf("%-36s  %-32s  %-8s  %s\n", "APP ID", "USERNAME", "VERIFIED", "NAME");
      auto apps = sync_wait(rt.bots().list_all());
      for (const auto& app : apps)
        std::printf("%-36s  %-32s  %-8s  %s\n", app.id.str().c_str(), app.bot_username.c_str(),
                    app.is_verified ? "yes" : "no", app.name.c_str());
      return 0;
    }
    if (bot_verify->parsed() || bot_unverify->parsed()) {
      bool verify = bot_verify->parsed();
      auto app = sync_wait(rt.bots().set_verified_by_username(bot_username, verify));
      if (!app) return report(app.error());
      std::printf("%s %s\n", app->bot_username.c_str(), verify ? "verified" : "unverified");
      return 0;
    }
    if (demo_cmd->parsed()) return run_demo(rt, config.str("server.listen"));
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
  return 0;
}

}  // namespace argon::app
