#pragma once
// `argon backup DEST`: a copy of a SQLite data dir that a restore can start from, taken while the
// server may be running and writing (docs/operations.md "Backups").
#include <string>

#include "argon/app/config.hpp"

namespace argon::app {

// Writes DEST/argon.db (SQLite's online backup of <data_dir>/argon.db: one consistent snapshot,
// checked with integrity_check) and DEST/voice.secret (the voice token key in force), DEST
// created mode 0700. Refuses a DEST that exists and is not an empty directory. Prints what it
// wrote. Returns the exit code: 0 done, 1 failed (nothing left in DEST), 2 PostgreSQL (store.url
// set: pg_dump is the tool, the message says how).
int run_backup(const Config& config, const std::string& dest);

}  // namespace argon::app
