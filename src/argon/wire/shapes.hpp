#pragma once
// The JSON shapes both APIs and the event log write (SPEC.md §17, CLIENT-API.md). Every field of
// a shape is always present, null when absent (DECISIONS.md §3).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "argon/domain/model.hpp"

namespace argon::wire {

boost::json::value uuid_or_null(const std::optional<Uuid>& id);
boost::json::value string_or_null(const std::optional<std::string>& s);

// BotUserV1 {userId, username, displayName, avatarUrl, flags, locale} (`locale`: the person's
// current app locale, UPSTREAM.md §5; services compose it with services::user_json)
boost::json::object bot_user_json(const User& user, const std::optional<std::string>& locale);
boost::json::object bot_user_json(const Member& member, const std::optional<std::string>& locale);
// Client API channel {channelId, spaceId, name, description, channelType: 0|1|2}
boost::json::object channel_json(const Channel& channel);
// Bot API BotChannel {channelId, spaceId, name, description, channelType: "Text"|…, groupId}
boost::json::object bot_channel_json(const Channel& channel);
// BotChannelFullV1 {channelId, spaceId, type, name, description} (events)
boost::json::object channel_full_json(const Channel& channel);
// BotArchetypeV1; permissions null unless shown.
boost::json::object archetype_json(const Archetype& archetype, bool show_permissions);
// BotMember {userId, spaceId, username, displayName, archetypeIds}
boost::json::object member_json(const Member& member);
// Space summary {spaceId, name, description, ownerId, defaultArchetypeId}
boost::json::object space_json(const Space& space);
// BotReactionV1 {emoji, count, userIds (the first three holders)}
boost::json::object reaction_json(const Reaction& reaction);
boost::json::array reactions_json(const std::vector<Reaction>& reactions);
// MessageDto (History) {messageId, channelId, spaceId, text, creatorId, createdAt, replyTo,
// entities (union form), controls, reactions (always an array)}
boost::json::object message_dto_json(const Message& message);
// BotMessageV1 (messageCreate) {messageId, replyId, channelId, spaceId, text, entities (flat),
// timeSent, sender, controls, reactions ([] for a new message)}
boost::json::object bot_message_json(const Message& message, const boost::json::object& sender);
// BotPresenceV1 {status, activity}
boost::json::object presence_json(const Presence& presence);

std::string_view channel_type_title(ChannelType type);  // "Text" | "Voice" | "Announcement"

}  // namespace argon::wire
