#include "argon/app/backup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "argon/app/runtime.hpp"
#include "argon/store/nodes_repo.hpp"
#include "argon/store/sqlite_database.hpp"

namespace argon::app {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& message) {
  std::fprintf(stderr, "argon backup: %s\n", message.c_str());
  return 1;
}

// Flushes a file or directory to disk (a backup that a crash right after may lose is no backup).
void sync_path(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// The first line of a file, if it can be read.
std::optional<std::string> first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  if (in && std::getline(in, line)) return line;
  return std::nullopt;
}

}  // namespace

int run_backup(const Config& config, const std::string& dest_text) {
  if (std::string url = config.str("store.url"); !url.empty()) {
    std::fprintf(
        stderr,
        "argon backup: the database is PostgreSQL (store.url = %s), not a file in the data "
        "dir: back it up with pg_dump while argon runs, e.g.\n"
        "  pg_dump --format=custom --file=argon.dump '%s'\n"
        "and restore with pg_restore (docs/operations.md \"Backups\").\n",
        redacted_url(url).c_str(), redacted_url(url).c_str());
    return 2;
  }
  const fs::path data_dir = config.str("server.data_dir");
  const fs::path source = data_dir / "argon.db";
  const fs::path dest = dest_text;
  std::error_code ec;
  if (!fs::exists(source, ec))
    return fail("no database at " + source.string() + " (--data-dir, server.data_dir)");
  bool created = false;
  if (fs::exists(dest, ec)) {
    if (!fs::is_directory(dest, ec))
      return fail(dest.string() + " exists and is not a directory; give a new or empty directory");
    if (!fs::is_empty(dest, ec))
      return fail(dest.string() + " is not empty; refusing to overwrite an earlier backup");
  } else {
    if (!fs::create_directories(dest, ec) || ec)
      return fail("cannot create " + dest.string() + ": " + ec.message());
    created = true;
  }
  fs::permissions(dest, fs::perms::owner_all, fs::perm_options::replace, ec);  // holds the key

  const fs::path db_copy = dest / "argon.db";
  const fs::path key_copy = dest / "voice.secret";
  auto undo = [&] {
    fs::remove(db_copy, ec);
    fs::remove(key_copy, ec);
    if (created) fs::remove(dest, ec);
  };
  try {
    store::SqliteOptions options;
    options.path = source.string();
    options.read_connections = 1;
    options.busy_timeout_ms = static_cast<int>(config.i64("store.busy_timeout_ms"));
    options.synchronous_full = config.str("store.synchronous") != "normal";
    store::SqliteDatabase db(options);
    const std::string verdict = db.backup_to(db_copy.string());
    if (verdict != "ok") {
      undo();
      return fail("the copy fails its integrity check (" + verdict +
                  "); the live database may be damaged: run PRAGMA integrity_check on it");
    }
    fs::permissions(db_copy, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    // The voice token key in force: the one the nodes share through the database (adopted from
    // <data_dir>/voice.secret by an earlier version), else that file as it is.
    std::optional<std::string> key = db.read_now([](store::Connection& c) {
      auto table =
          c.query_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'");
      return table ? store::settings::get(c, "voice.jwt_secret") : std::nullopt;
    });
    db.close();
    if (!key) key = first_line(data_dir / "voice.secret");
    if (key && !key->empty()) {
      {
        std::ofstream out(key_copy, std::ios::trunc);
        out << *key << '\n';
        if (!out.flush()) throw std::runtime_error("cannot write " + key_copy.string());
      }
      fs::permissions(key_copy, fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::replace);
      sync_path(key_copy, false);
    }
    sync_path(db_copy, false);
    sync_path(dest, true);
    auto size = fs::file_size(db_copy);
    std::printf("backup: %s (%llu bytes, integrity ok)\n", db_copy.c_str(),
                static_cast<unsigned long long>(size));
    if (key && !key->empty())
      std::printf("backup: %s (the voice token key)\n", key_copy.c_str());
    else if (!config.str("voice.jwt_secret").empty())
      std::printf(
          "backup: no voice.secret: the voice key is voice.jwt_secret of the configuration\n");
    else
      std::printf(
          "backup: no voice.secret: no voice key yet (the server has not run on this data dir)\n");
    return 0;
  } catch (const std::exception& e) {
    undo();
    return fail(e.what());
  }
}

}  // namespace argon::app
