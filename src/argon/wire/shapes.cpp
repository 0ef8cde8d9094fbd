#include "argon/wire/shapes.hpp"

#include <boost/json/array.hpp>

#include "argon/domain/clock.hpp"
#include "argon/wire/content_json.hpp"

namespace argon::wire {
namespace json = boost::json;

json::value uuid_or_null(const std::optional<Uuid>& id) {
  if (!id) return nullptr;
  return json::value(id->str());
}

json::value string_or_null(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::value(*s);
}

json::object bot_user_json(const User& u, const std::optional<std::string>& locale) {
  return {{"userId", u.id.str()},
          {"username", u.username},
          {"displayName", u.display_name},
          {"avatarUrl", string_or_null(u.avatar_url)},
          {"flags", u.flags},
          {"locale", string_or_null(locale)}};
}

json::object bot_user_json(const Member& m, const std::optional<std::string>& locale) {
  return {{"userId", m.user_id.str()},     {"username", m.username},
          {"displayName", m.display_name}, {"avatarUrl", string_or_null(m.avatar_url)},
          {"flags", m.user_flags},         {"locale", string_or_null(locale)}};
}

json::object channel_json(const Channel& c) {
  return {{"channelId", c.id.str()},
          {"spaceId", c.space_id.str()},
          {"name", c.name},
          {"description", string_or_null(c.description)},
          {"channelType", static_cast<std::int64_t>(c.type)}};
}

std::string_view channel_type_title(ChannelType type) {
  switch (type) {
    case ChannelType::Text:
      return "Text";
    case ChannelType::Voice:
      return "Voice";
    case ChannelType::Announcement:
      return "Announcement";
  }
  return "Text";
}

json::object bot_channel_json(const Channel& c) {
  return {{"channelId", c.id.str()},
          {"spaceId", c.space_id.str()},
          {"name", c.name},
          {"description", string_or_null(c.description)},
          {"channelType", channel_type_title(c.type)},
          {"groupId", uuid_or_null(c.group_id)}};
}

json::object channel_full_json(const Channel& c) {
  return {{"channelId", c.id.str()},
          {"spaceId", c.space_id.str()},
          {"type", static_cast<std::int64_t>(c.type)},
          {"name", c.name},
          {"description", string_or_null(c.description)}};
}

json::object archetype_json(const Archetype& a, bool show_permissions) {
  json::value permissions = nullptr;
  if (show_permissions) permissions = static_cast<std::int64_t>(a.permissions);
  return {
      {"archetypeId", a.id.str()}, {"spaceId", a.space_id.str()},       {"name", a.name},
      {"colour", a.colour},        {"isMentionable", a.is_mentionable}, {"isDefault", a.is_default},
      {"permissions", permissions}};
}

json::object member_json(const Member& m) {
  json::array ids;
  for (const auto& id : m.archetype_ids) ids.emplace_back(id.str());
  return {{"userId", m.user_id.str()},
          {"spaceId", m.space_id.str()},
          {"username", m.username},
          {"displayName", m.display_name},
          {"archetypeIds", std::move(ids)}};
}

json::object space_json(const Space& s) {
  return {{"spaceId", s.id.str()},
          {"name", s.name},
          {"description", string_or_null(s.description)},
          {"ownerId", s.owner_id.str()},
          {"defaultArchetypeId", s.default_archetype_id.str()}};
}

namespace {
json::value reply_or_null(const std::optional<std::int64_t>& id) {
  if (!id) return nullptr;
  return json::value(*id);
}
json::value controls_or_null(const std::vector<ControlRow>& rows) {
  if (rows.empty()) return nullptr;
  return controls_json(rows);
}
}  // namespace

json::object reaction_json(const Reaction& r) {
  json::array users;
  for (const auto& id : r.user_ids) users.emplace_back(id.str());
  return {{"emoji", r.emoji}, {"count", r.count}, {"userIds", std::move(users)}};
}

json::array reactions_json(const std::vector<Reaction>& reactions) {
  json::array out;
  for (const auto& r : reactions) out.push_back(reaction_json(r));
  return out;
}

json::object message_dto_json(const Message& m) {
  json::array entities;
  for (const auto& e : m.entities) entities.push_back(entity_union_json(e, EnumStyle::kInteger));
  return {{"messageId", m.id},
          {"channelId", m.channel_id.str()},
          {"spaceId", m.space_id.str()},
          {"text", m.text},
          {"creatorId", m.creator_id.str()},
          {"createdAt", format_iso8601_ms(m.created_at_ms)},
          {"replyTo", reply_or_null(m.reply_to)},
          {"entities", std::move(entities)},
          {"controls", controls_or_null(m.controls)},
          {"reactions", reactions_json(m.reactions)}};
}

json::object bot_message_json(const Message& m, const json::object& sender) {
  json::array entities;
  for (const auto& e : m.entities) entities.push_back(entity_flat_json(e, EnumStyle::kInteger));
  return {{"messageId", m.id},
          {"replyId", reply_or_null(m.reply_to)},
          {"channelId", m.channel_id.str()},
          {"spaceId", m.space_id.str()},
          {"text", m.text},
          {"entities", std::move(entities)},
          {"timeSent", format_iso8601_ms(m.created_at_ms)},
          {"sender", sender},
          {"controls", controls_or_null(m.controls)},
          {"reactions", reactions_json(m.reactions)}};
}

json::object presence_json(const Presence& p) {
  json::value activity = nullptr;
  if (p.activity) {
    activity = json::object{{"kind", static_cast<std::int64_t>(p.activity->kind)},
                            {"startTimestampSeconds", p.activity->start_timestamp_seconds},
                            {"titleName", p.activity->title_name}};
  }
  return {{"status", static_cast<std::int64_t>(p.status)}, {"activity", std::move(activity)}};
}

}  // namespace argon::wire
