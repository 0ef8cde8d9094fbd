#pragma once
// The records services read and write. Plain data; the rules live in the other domain files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "argon/domain/controls.hpp"
#include "argon/domain/entities.hpp"
#include "argon/domain/permissions.hpp"
#include "argon/domain/uuid.hpp"

namespace argon {

namespace user_flag {
inline constexpr std::int64_t kBot = 1;
inline constexpr std::int64_t kSystem = 2;
inline constexpr std::int64_t kVerified = 4;
inline constexpr std::int64_t kPremium = 8;
inline constexpr std::int64_t kBanned = 16;
inline constexpr std::int64_t kDeleted = 32;
}  // namespace user_flag

struct User {
  Uuid id;
  std::string username;
  std::string display_name;
  std::optional<std::string> avatar_url;
  std::int64_t flags = 0;
  std::int64_t created_at_ms = 0;
  bool is_bot() const { return (flags & user_flag::kBot) != 0; }
};

enum class PresenceStatus { Offline, Online, Away, InGame, Listen, TouchGrass, DoNotDisturb };
enum class ActivityKind { Game, Software, Streaming, Listen };

struct Activity {
  ActivityKind kind = ActivityKind::Game;
  std::string title_name;
  std::uint32_t start_timestamp_seconds = 0;  // Argon-epoch seconds
};

struct Presence {
  PresenceStatus status = PresenceStatus::Offline;
  std::optional<Activity> activity;
};

struct Space {
  Uuid id;
  std::string name;
  std::optional<std::string> description;
  Uuid owner_id;
  Uuid default_archetype_id;
  std::int64_t created_at_ms = 0;
};

enum class ChannelType { Text = 0, Voice = 1, Announcement = 2 };

struct Channel {
  Uuid id;
  Uuid space_id;
  std::string name;
  std::optional<std::string> description;
  ChannelType type = ChannelType::Text;
  std::optional<Uuid> group_id;
  std::int64_t created_at_ms = 0;
};

struct Archetype {
  Uuid id;
  Uuid space_id;
  std::string name;
  std::int32_t colour = 0;
  bool is_mentionable = false;
  bool is_default = false;
  Entitlements permissions = 0;
  std::int64_t created_at_ms = 0;
};

struct Member {
  Uuid space_id;
  Uuid user_id;
  std::string username;
  std::string display_name;  // the member's display name in this space (falls back to the user's)
  std::int64_t user_flags = 0;
  std::optional<std::string> avatar_url;
  std::vector<Uuid> archetype_ids;  // explicitly assigned plus the space's default archetype
  std::int64_t joined_at_ms = 0;
  int presence_status = 0;                            // users.presence_status (0 offline)
  std::optional<std::string> presence_activity_json;  // users.presence_activity (JSON or none)
};

// One emoji's reactions on a message (BotReactionV1): how many hold it and the first few of them.
struct Reaction {
  std::string emoji;
  std::int64_t count = 0;
  std::vector<Uuid> user_ids;  // preview: the first three holders in reaction order
};

struct Message {
  std::int64_t id = 0;
  Uuid channel_id;
  Uuid space_id;
  Uuid creator_id;
  std::string text;
  std::vector<Entity> entities;
  std::vector<ControlRow> controls;  // empty = none
  std::optional<std::int64_t> reply_to;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> edited_at_ms;
  std::vector<Reaction> reactions;  // in list order (each emoji's first appearance)
};

struct BotApp {
  Uuid id;
  Uuid owner_id;
  Uuid bot_user_id;
  std::string name;
  std::string bot_username;
  bool is_verified = false;
  std::int64_t created_at_ms = 0;
};

struct Invite {
  std::string code;
  Uuid space_id;
  Uuid creator_id;
  std::optional<std::int64_t> max_uses;
  std::int64_t uses = 0;
  std::optional<std::int64_t> expires_at_ms;
  std::int64_t created_at_ms = 0;
};

}  // namespace argon
