#include "argon/domain/message_content.hpp"

#include "argon/domain/text.hpp"

namespace argon {

Status validate_message_content(const MessageContent& content, EntityOrigin origin,
                                std::size_t max_text_utf16) {
  if (!is_valid_utf8(content.text)) return Error::validation("text: must be valid UTF-8");
  const std::size_t units = utf16_length(content.text);
  if (units > max_text_utf16) {
    return Error::validation("text: must be at most " + std::to_string(max_text_utf16) +
                             " UTF-16 code units (got " + std::to_string(units) + ")");
  }
  if (content.text.empty() && content.entities.empty() && content.controls.empty()) {
    return Error::validation("text: must not be empty without entities or controls");
  }
  ARGON_TRY(validate_entities(content.text, content.entities, origin));
  ARGON_TRY(validate_controls(content.controls));
  return ok_status();
}

}  // namespace argon
