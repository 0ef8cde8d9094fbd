#pragma once
// Messages and the durable randomId de-duplication keys.
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/uuid.hpp"
#include "argon/store/sql.hpp"

namespace argon::store {

// A message as stored: entities and controls are JSON texts the service layer encodes.
struct StoredMessage {
  std::int64_t id = 0;
  Uuid channel_id;
  Uuid space_id;
  Uuid creator_id;
  std::string text;
  std::string entities_json;
  std::optional<std::string> controls_json;
  std::optional<std::int64_t> reply_to;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> edited_at_ms;
};

namespace messages {
void insert(Connection& c, const StoredMessage& m);
std::optional<StoredMessage> find(Connection& c, std::int64_t id);
// Newest first; ids strictly below `before` when given.
std::vector<StoredMessage> history(Connection& c, const Uuid& channel_id,
                                   std::optional<std::int64_t> before, int limit);
void update_content(Connection& c, std::int64_t id, const std::string& text,
                    const std::string& entities_json,
                    const std::optional<std::string>& controls_json, std::int64_t edited_at_ms);
std::int64_t max_id(Connection& c);

std::optional<std::int64_t> dedupe_lookup(Connection& c, const Uuid& sender, const Uuid& channel,
                                          std::int64_t random_id, std::int64_t not_before_ms);
void dedupe_remember(Connection& c, const Uuid& sender, const Uuid& channel, std::int64_t random_id,
                     std::int64_t message_id, std::int64_t now_ms, std::int64_t not_before_ms);
std::int64_t dedupe_prune(Connection& c, std::int64_t older_than_ms);
}  // namespace messages

}  // namespace argon::store
