#include "argon/store/schema.hpp"

namespace argon::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "accounts, spaces, messages, bots, event log", R"SQL(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  avatar_url TEXT,
  flags BIGINT NOT NULL DEFAULT 0,
  password_hash TEXT,
  presence_status INTEGER NOT NULL DEFAULT 0,
  presence_activity TEXT,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE spaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  owner_id TEXT NOT NULL REFERENCES users(id),
  default_archetype_id TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE channels (
  id TEXT PRIMARY KEY,
  space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  type INTEGER NOT NULL,
  group_id TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX channels_space ON channels(space_id);
CREATE TABLE archetypes (
  id TEXT PRIMARY KEY,
  space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  colour BIGINT NOT NULL DEFAULT 0,
  is_mentionable INTEGER NOT NULL DEFAULT 0,
  is_default INTEGER NOT NULL DEFAULT 0,
  permissions BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX archetypes_space ON archetypes(space_id);
CREATE TABLE members (
  space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id),
  display_name TEXT,
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (space_id, user_id)
);
CREATE INDEX members_user ON members(user_id);
CREATE TABLE member_archetypes (
  space_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  archetype_id TEXT NOT NULL REFERENCES archetypes(id) ON DELETE CASCADE,
  PRIMARY KEY (space_id, user_id, archetype_id),
  FOREIGN KEY (space_id, user_id) REFERENCES members(space_id, user_id) ON DELETE CASCADE
);
CREATE INDEX member_archetypes_archetype ON member_archetypes(archetype_id);
CREATE TABLE invites (
  code TEXT PRIMARY KEY,
  space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  creator_id TEXT NOT NULL REFERENCES users(id),
  max_uses BIGINT,
  uses BIGINT NOT NULL DEFAULT 0,
  expires_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE TABLE messages (
  id BIGINT PRIMARY KEY,
  channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  space_id TEXT NOT NULL,
  creator_id TEXT NOT NULL REFERENCES users(id),
  text TEXT NOT NULL,
  entities TEXT NOT NULL,
  controls TEXT,
  reply_to BIGINT,
  created_at BIGINT NOT NULL,
  edited_at BIGINT
);
CREATE INDEX messages_channel ON messages(channel_id, id);
CREATE TABLE message_dedupe (
  sender_id TEXT NOT NULL,
  channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  random_id BIGINT NOT NULL,
  message_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (sender_id, channel_id, random_id)
);
CREATE INDEX message_dedupe_age ON message_dedupe(created_at);
CREATE TABLE bot_apps (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users(id),
  bot_user_id TEXT NOT NULL UNIQUE REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  is_verified INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX bot_apps_owner ON bot_apps(owner_id);
CREATE TABLE commands (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES bot_apps(id) ON DELETE CASCADE,
  space_id TEXT REFERENCES spaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  default_permission INTEGER NOT NULL,
  options TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX commands_app ON commands(app_id, space_id);
CREATE TABLE interactions (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  space_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  message_id BIGINT,
  custom_id TEXT,
  modal TEXT,
  consumed INTEGER NOT NULL DEFAULT 0,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX interactions_expiry ON interactions(expires_at);
CREATE TABLE event_streams (
  stream TEXT PRIMARY KEY,
  last_seq BIGINT NOT NULL
);
CREATE TABLE events (
  stream TEXT NOT NULL,
  seq BIGINT NOT NULL,
  gseq BIGINT NOT NULL,
  type TEXT NOT NULL,
  space_id TEXT,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (stream, seq)
);
CREATE INDEX events_age ON events(created_at);
CREATE TABLE stream_positions (
  owner_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (owner_id, stream)
);
CREATE UNIQUE INDEX events_global ON events(gseq);
)SQL"},
  };
  return kMigrations;
}

}  // namespace argon::store
