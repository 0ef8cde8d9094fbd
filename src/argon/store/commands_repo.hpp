#pragma once
// Slash commands and live interactions (stored, so any node can answer one).
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/uuid.hpp"
#include "argon/store/sql.hpp"

namespace argon::store {

struct StoredCommand {
  Uuid id;
  Uuid app_id;
  std::optional<Uuid> space_id;
  std::string name;
  std::string description;
  bool default_permission = true;
  std::string options_json;
  std::int64_t created_at_ms = 0;
  std::optional<Uuid> bot_user_id;  // the app's bot (list_usable_in_space only)
};

namespace commands {
void insert(Connection& c, const StoredCommand& cmd);
void update(Connection& c, const StoredCommand& cmd);
std::optional<StoredCommand> find(Connection& c, const Uuid& id);
bool remove(Connection& c, const Uuid& id);
std::int64_t count_in_scope(Connection& c, const Uuid& app_id, const std::optional<Uuid>& space_id);
// The app's commands: every one, or the global ones plus those of one space. Ordered by name.
std::vector<StoredCommand> list_for_app(Connection& c, const Uuid& app_id);
std::vector<StoredCommand> list_for_app_in_space(Connection& c, const Uuid& app_id,
                                                 const Uuid& space_id);
// Commands usable in a space: global and space commands of every bot app installed there.
std::vector<StoredCommand> list_usable_in_space(Connection& c, const Uuid& space_id);
}  // namespace commands

struct StoredInteraction {
  Uuid id;
  Uuid app_id;       // the bot that may answer it
  std::string kind;  // command | control | select | modal | modal_submit
  Uuid space_id;
  Uuid channel_id;
  Uuid user_id;  // the person who triggered it
  std::optional<std::int64_t> message_id;
  std::optional<std::string> custom_id;   // a modal's customId
  std::optional<std::string> modal_json;  // the modal awaiting submission
  bool consumed = false;
  std::int64_t expires_at_ms = 0;
  std::int64_t created_at_ms = 0;
};

namespace interactions {
void insert(Connection& c, const StoredInteraction& i);
std::optional<StoredInteraction> find(Connection& c, const Uuid& id);
// Marks it consumed if it was live; false when it was already consumed.
bool consume(Connection& c, const Uuid& id);
std::int64_t prune(Connection& c, std::int64_t expired_before_ms);
}  // namespace interactions

}  // namespace argon::store
