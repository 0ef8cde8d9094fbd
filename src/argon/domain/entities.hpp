#pragma once
// Message entities (SPEC.md §9.3, DECISIONS.md §6): typed spans over the message text, offsets and
// lengths in UTF-16 code units.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "argon/domain/result.hpp"
#include "argon/domain/uuid.hpp"

namespace argon {

// Numeric value = index in SPEC.md §9.3 (= manifest enumValues order).
enum class EntityType : std::int32_t {
  kHashtag = 0,
  kMention = 1,
  kMentionEveryone = 2,
  kMentionRole = 3,
  kEmail = 4,
  kUrl = 5,
  kMonospace = 6,
  kQuote = 7,
  kSpoiler = 8,
  kStrikethrough = 9,
  kBold = 10,
  kItalic = 11,
  kUnderline = 12,
  kFraction = 13,
  kOrdinal = 14,
  kCapitalized = 15,
  kSystemCallStarted = 16,
  kSystemCallEnded = 17,
  kSystemCallTimeout = 18,
  kSystemUserJoined = 19,
  kAttachment = 20,
  kGif = 21,  // UPSTREAM.md §5 (reference-only): people may post one, bots may not
};

inline constexpr std::size_t kEntityTypeCount = 22;
// gif extras: gifId and hmac at most this many bytes, previewUrl at most kMaxGifUrl, width and
// height 1..kMaxGifSide.
inline constexpr std::size_t kMaxGifToken = 256;
inline constexpr std::size_t kMaxGifUrl = 2048;
inline constexpr std::int32_t kMaxGifSide = 16384;
inline constexpr std::size_t kMaxEntitiesPerMessage = 100;
inline constexpr std::size_t kMaxAttachmentsPerMessage = 10;

// camelCase names indexed by the numeric value ("hashtag", "mention", …, "attachment", "gif").
std::span<const std::string_view> entity_type_names();
std::string_view entity_type_name(EntityType type);
// Case-insensitive; also accepts the guide's alias "hashTag" (which matches case-insensitively).
std::optional<EntityType> entity_type_from_name(std::string_view name);
std::optional<EntityType> entity_type_from_int(std::int64_t value);
bool is_system_entity(EntityType type);

// Who authored the content: only the server itself may create system entities.
enum class EntityOrigin { kBot, kPerson, kSystem };

// Flattened entity: base fields plus every variant's extras, each optional.
struct Entity {
  EntityType type = EntityType::kBold;
  std::int32_t offset = 0;
  std::int32_t length = 0;
  std::int32_t version = 0;

  std::optional<Uuid> user_id;                   // mention, systemUserJoined
  std::optional<Uuid> archetype_id;              // mentionRole
  std::optional<Uuid> quoted_user_id;            // quote
  std::optional<Uuid> caller_id;                 // systemCall*
  std::optional<Uuid> call_id;                   // systemCall*
  std::optional<Uuid> inviter_id;                // systemUserJoined
  std::optional<Uuid> file_id;                   // attachment, gif (optional there)
  std::optional<std::string> email;              // email
  std::optional<std::string> hashtag;            // hashtag (without '#')
  std::optional<std::string> domain;             // url
  std::optional<std::string> path;               // url
  std::optional<std::string> file_name;          // attachment
  std::optional<std::string> content_type;       // attachment
  std::optional<std::string> thumb_hash;         // attachment
  std::optional<std::string> gif_id;             // gif
  std::optional<std::string> hmac;               // gif
  std::optional<std::string> preview_url;        // gif (optional)
  std::optional<std::int32_t> colour;            // underline
  std::optional<std::int32_t> numerator;         // fraction
  std::optional<std::int32_t> denominator;       // fraction
  std::optional<std::int32_t> duration_seconds;  // systemCallEnded
  std::optional<std::int32_t> width;             // attachment, gif
  std::optional<std::int32_t> height;            // attachment, gif
  std::optional<std::int64_t> file_size;         // attachment

  bool operator==(const Entity&) const = default;
};

// Fills the defaults SPEC.md §9.3 gives for missing extras: underline colour 0, fraction
// numerator/denominator 0, url path "".
void apply_entity_defaults(std::vector<Entity>& entities);

// Checks count (≤ 100, ≤ 10 attachments), spans inside `text` (UTF-16 units), system types only
// from the server, gif never from a bot (the reference's request converter rejects it), and the
// variant's required extras. Messages are "<path>[i].<field>: <problem>"
// with `path` defaulting to "entities".
Status validate_entities(std::string_view text, const std::vector<Entity>& entities,
                         EntityOrigin origin, std::string_view path = "entities");

}  // namespace argon
