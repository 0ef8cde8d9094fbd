#pragma once
// The user-visible content of a message: text, entities and controls (DECISIONS.md §6).
#include <cstddef>
#include <string>
#include <vector>

#include "argon/domain/controls.hpp"
#include "argon/domain/entities.hpp"
#include "argon/domain/result.hpp"

namespace argon {

inline constexpr std::size_t kDefaultMaxTextUtf16 = 4000;

struct MessageContent {
  std::string text;
  std::vector<Entity> entities;
  std::vector<ControlRow> controls;

  bool operator==(const MessageContent&) const = default;
};

// text valid UTF-8 and 0..max_text_utf16 UTF-16 units (empty only with entities or controls),
// then validate_entities and validate_controls.
Status validate_message_content(const MessageContent& content, EntityOrigin origin,
                                std::size_t max_text_utf16 = kDefaultMaxTextUtf16);

}  // namespace argon
