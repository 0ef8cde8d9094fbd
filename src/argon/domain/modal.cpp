#include "argon/domain/modal.hpp"

#include <array>
#include <set>

#include "argon/domain/text.hpp"

namespace argon {
namespace {

constexpr std::array<std::string_view, 6> kComponentNames = {
    "textInput", "stringSelect", "userSelect", "archetypeSelect", "channelSelect", "checkbox"};
constexpr std::array<std::string_view, 2> kStyleNames = {"short", "paragraph"};

Error invalid(const std::string& path, std::string_view problem) {
  return Error::validation(path + ": " + std::string(problem));
}

std::string chars(std::size_t min, std::size_t max) {
  return "must be " + std::to_string(min) + " to " + std::to_string(max) + " characters";
}

Status check_length(const std::string& value, const std::string& path, std::size_t max) {
  if (value.empty()) return invalid(path, "required");
  if (codepoint_length(value) > max) return invalid(path, chars(1, max));
  return ok_status();
}

bool is_select(ModalComponentType type) {
  return type == ModalComponentType::kStringSelect || type == ModalComponentType::kUserSelect ||
         type == ModalComponentType::kArchetypeSelect || type == ModalComponentType::kChannelSelect;
}

Status check_text_input(const ModalComponent& c, const std::string& p) {
  if (!c.style) return invalid(p + ".style", "required for textInput");
  if (c.placeholder && codepoint_length(*c.placeholder) > kMaxTextInputPlaceholder) {
    return invalid(p + ".placeholder", "must be at most 100 characters");
  }
  if (c.min_length && (*c.min_length < 0 || *c.min_length > kMaxTextInputLength)) {
    return invalid(p + ".minLength", "must be between 0 and 4000");
  }
  if (c.max_length && (*c.max_length < 1 || *c.max_length > kMaxTextInputLength)) {
    return invalid(p + ".maxLength", "must be between 1 and 4000");
  }
  const std::int64_t min = c.min_length.value_or(0);
  const std::int64_t max = c.max_length.value_or(kMaxTextInputLength);
  if (min > max) {
    return invalid(p + ".minLength", "must not exceed maxLength (" + std::to_string(min) + " > " +
                                         std::to_string(max) + ")");
  }
  if (c.value && codepoint_length(*c.value) > kMaxTextInputLength) {
    return invalid(p + ".value", "must be at most 4000 characters");
  }
  return ok_status();
}

Status check_select(const ModalComponent& c, const std::string& p) {
  if (c.min_values && (*c.min_values < 0 || *c.min_values > kMaxSelectValues)) {
    return invalid(p + ".minValues", "must be between 0 and 25");
  }
  if (c.max_values && (*c.max_values < 1 || *c.max_values > kMaxSelectValues)) {
    return invalid(p + ".maxValues", "must be between 1 and 25");
  }
  const auto min = c.min_values.value_or(kDefaultSelectValues);
  const auto max = c.max_values.value_or(kDefaultSelectValues);
  if (min > max) {
    return invalid(p + ".minValues", "must not exceed maxValues (" + std::to_string(min) + " > " +
                                         std::to_string(max) + ")");
  }
  if (c.type == ModalComponentType::kStringSelect) {
    ARGON_TRY(validate_select_options(c.options, p + ".options"));
  } else if (c.options && !c.options->empty()) {
    return invalid(p + ".options", "allowed only on a stringSelect");
  }
  return ok_status();
}

}  // namespace

std::span<const std::string_view> modal_component_type_names() {
  return kComponentNames;
}
std::span<const std::string_view> text_input_style_names() {
  return kStyleNames;
}

std::string_view modal_component_type_name(ModalComponentType type) {
  auto i = static_cast<std::size_t>(type);
  return i < kComponentNames.size() ? kComponentNames[i] : std::string_view("unknown");
}

Status validate_modal(const ModalDefinition& modal) {
  ARGON_TRY(check_length(modal.custom_id, "modal.customId", kMaxModalCustomId));
  ARGON_TRY(check_length(modal.title, "modal.title", kMaxModalTitle));
  const auto& components = modal.components;
  if (components.empty() || components.size() > kMaxModalComponents) {
    return invalid("modal.components",
                   "must hold 1 to 5 components (got " + std::to_string(components.size()) + ")");
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < components.size(); ++i) {
    const ModalComponent& c = components[i];
    const std::string p = "modal.components[" + std::to_string(i) + "]";
    const auto type_index = static_cast<std::size_t>(c.type);
    if (type_index >= kComponentNames.size()) return invalid(p + ".type", "unknown component type");
    ARGON_TRY(check_length(c.custom_id, p + ".customId", kMaxModalCustomId));
    if (!ids.insert(c.custom_id).second) {
      return invalid(p + ".customId", "duplicate customId \"" + c.custom_id + "\"");
    }
    ARGON_TRY(check_length(c.label, p + ".label", kMaxModalLabel));
    if (is_blank(c.label)) return invalid(p + ".label", "must not be blank");
    if (c.type == ModalComponentType::kTextInput) {
      ARGON_TRY(check_text_input(c, p));
    } else if (is_select(c.type)) {
      ARGON_TRY(check_select(c, p));
    }
    if (!is_select(c.type) && c.options && !c.options->empty()) {
      return invalid(p + ".options", "allowed only on a stringSelect");
    }
  }
  return ok_status();
}

}  // namespace argon
