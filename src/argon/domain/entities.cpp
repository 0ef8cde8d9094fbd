#include "argon/domain/entities.hpp"

#include <array>

#include "argon/domain/text.hpp"

namespace argon {
namespace {

constexpr std::array<std::string_view, kEntityTypeCount> kNames = {
    "hashtag",
    "mention",
    "mentionEveryone",
    "mentionRole",
    "email",
    "url",
    "monospace",
    "quote",
    "spoiler",
    "strikethrough",
    "bold",
    "italic",
    "underline",
    "fraction",
    "ordinal",
    "capitalized",
    "systemCallStarted",
    "systemCallEnded",
    "systemCallTimeout",
    "systemUserJoined",
    "attachment",
    "gif",
};

std::string field(std::string_view path, std::size_t index, std::string_view name) {
  std::string out(path);
  out += '[';
  out += std::to_string(index);
  out += "].";
  out += name;
  return out;
}

Status missing(std::string_view path, std::size_t index, std::string_view name, EntityType type) {
  return Error::validation(field(path, index, name) + ": required for " +
                           std::string(entity_type_name(type)) + " entities");
}

// gif: gifId and hmac non-empty tokens, width and height in range, previewUrl an http(s) URL.
Status validate_gif(const Entity& e, std::string_view path, std::size_t i) {
  for (auto [name, value] :
       {std::pair<std::string_view, const std::optional<std::string>*>{"gifId", &e.gif_id},
        {"hmac", &e.hmac}}) {
    if (!*value) return missing(path, i, name, e.type);
    if ((*value)->empty() || (*value)->size() > kMaxGifToken || is_blank(**value))
      return Error::validation(field(path, i, name) + ": must be 1.." +
                               std::to_string(kMaxGifToken) + " bytes, not blank");
  }
  for (auto [name, value] :
       {std::pair<std::string_view, const std::optional<std::int32_t>*>{"width", &e.width},
        {"height", &e.height}}) {
    if (!*value) return missing(path, i, name, e.type);
    if (**value < 1 || **value > kMaxGifSide)
      return Error::validation(field(path, i, name) + ": must be 1.." +
                               std::to_string(kMaxGifSide));
  }
  if (e.preview_url) {
    const std::string& url = *e.preview_url;
    const bool web = url.starts_with("https://") || url.starts_with("http://");
    if (!web || url.size() > kMaxGifUrl || !is_valid_utf8(url) ||
        url.find_first_of(" \t\r\n") != std::string::npos)
      return Error::validation(field(path, i, "previewUrl") +
                               ": must be an http(s) URL of at most " + std::to_string(kMaxGifUrl) +
                               " bytes");
  }
  return ok_status();
}

}  // namespace

std::span<const std::string_view> entity_type_names() {
  return kNames;
}

std::string_view entity_type_name(EntityType type) {
  auto i = static_cast<std::size_t>(type);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

std::optional<EntityType> entity_type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (equals_ignore_case(kNames[i], name)) return static_cast<EntityType>(i);
  }
  return std::nullopt;
}

std::optional<EntityType> entity_type_from_int(std::int64_t value) {
  if (value < 0 || value >= static_cast<std::int64_t>(kEntityTypeCount)) return std::nullopt;
  return static_cast<EntityType>(value);
}

bool is_system_entity(EntityType type) {
  return type == EntityType::kSystemCallStarted || type == EntityType::kSystemCallEnded ||
         type == EntityType::kSystemCallTimeout || type == EntityType::kSystemUserJoined;
}

void apply_entity_defaults(std::vector<Entity>& entities) {
  for (auto& e : entities) {
    switch (e.type) {
      case EntityType::kUnderline:
        if (!e.colour) e.colour = 0;
        break;
      case EntityType::kFraction:
        if (!e.numerator) e.numerator = 0;
        if (!e.denominator) e.denominator = 0;
        break;
      case EntityType::kUrl:
        if (!e.path) e.path = std::string();
        break;
      default:
        break;
    }
  }
}

Status validate_entities(std::string_view text, const std::vector<Entity>& entities,
                         EntityOrigin origin, std::string_view path) {
  if (entities.size() > kMaxEntitiesPerMessage) {
    return Error::validation(std::string(path) + ": at most " +
                             std::to_string(kMaxEntitiesPerMessage) + " entities allowed (got " +
                             std::to_string(entities.size()) + ")");
  }
  const auto text_units = static_cast<std::int64_t>(utf16_length(text));
  std::size_t attachments = 0;
  for (std::size_t i = 0; i < entities.size(); ++i) {
    const Entity& e = entities[i];
    const auto type_index = static_cast<std::int64_t>(e.type);
    if (type_index < 0 || type_index >= static_cast<std::int64_t>(kEntityTypeCount)) {
      return Error::validation(field(path, i, "type") + ": unknown entity type");
    }
    if (is_system_entity(e.type) && origin != EntityOrigin::kSystem) {
      return Error::validation(field(path, i, "type") + ": " +
                               std::string(entity_type_name(e.type)) +
                               " entities are created only by the server");
    }
    if (e.type == EntityType::kGif && origin == EntityOrigin::kBot) {
      return Error::validation(field(path, i, "type") +
                               ": gif entities (type 21) cannot be sent by bots");
    }
    if (e.offset < 0) {
      return Error::validation(field(path, i, "offset") + ": must not be negative");
    }
    if (e.length < 0) {
      return Error::validation(field(path, i, "length") + ": must not be negative");
    }
    const std::int64_t end = static_cast<std::int64_t>(e.offset) + e.length;
    if (end > text_units) {
      return Error::validation(field(path, i, "length") + ": span ends past the end of text (" +
                               std::to_string(end) + " > " + std::to_string(text_units) + ")");
    }
    switch (e.type) {
      case EntityType::kHashtag:
        if (!e.hashtag) return missing(path, i, "hashtag", e.type);
        break;
      case EntityType::kMention:
        if (!e.user_id) return missing(path, i, "userId", e.type);
        break;
      case EntityType::kMentionRole:
        if (!e.archetype_id) return missing(path, i, "archetypeId", e.type);
        break;
      case EntityType::kEmail:
        if (!e.email) return missing(path, i, "email", e.type);
        break;
      case EntityType::kUrl:
        if (!e.domain) return missing(path, i, "domain", e.type);
        break;
      case EntityType::kSystemCallStarted:
      case EntityType::kSystemCallEnded:
      case EntityType::kSystemCallTimeout:
        if (!e.caller_id) return missing(path, i, "callerId", e.type);
        if (!e.call_id) return missing(path, i, "callId", e.type);
        if (e.type == EntityType::kSystemCallEnded && !e.duration_seconds) {
          return missing(path, i, "durationSeconds", e.type);
        }
        break;
      case EntityType::kSystemUserJoined:
        if (!e.user_id) return missing(path, i, "userId", e.type);
        break;
      case EntityType::kAttachment:
        if (!e.file_id) return missing(path, i, "fileId", e.type);
        ++attachments;
        break;
      case EntityType::kGif:
        ARGON_TRY(validate_gif(e, path, i));
        break;
      default:
        break;
    }
  }
  if (attachments > kMaxAttachmentsPerMessage) {
    return Error::validation(std::string(path) + ": at most " +
                             std::to_string(kMaxAttachmentsPerMessage) +
                             " attachments allowed (got " + std::to_string(attachments) + ")");
  }
  return ok_status();
}

}  // namespace argon
