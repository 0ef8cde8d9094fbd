#pragma once
#include <vector>

#include "argon/store/database.hpp"

namespace argon::store {

// Every schema version in order. SQL here must run on SQLite and PostgreSQL alike: TEXT ids
// (lowercase UUIDs), BIGINT integers and millisecond timestamps, no autoincrement.
const std::vector<Migration>& migrations();

}  // namespace argon::store
