#pragma once
// Modal dialogs a bot opens in answer to an interaction (SPEC.md §8.3, ModalDefinitionV1).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "argon/domain/controls.hpp"
#include "argon/domain/result.hpp"

namespace argon {

enum class ModalComponentType : std::int32_t {
  kTextInput = 0,
  kStringSelect = 1,
  kUserSelect = 2,
  kArchetypeSelect = 3,
  kChannelSelect = 4,
  kCheckbox = 5,
};
enum class TextInputStyle : std::int32_t { kShort = 0, kParagraph = 1 };

std::span<const std::string_view> modal_component_type_names();
std::span<const std::string_view> text_input_style_names();
std::string_view modal_component_type_name(ModalComponentType type);

inline constexpr std::size_t kMaxModalCustomId = 100;
inline constexpr std::size_t kMaxModalTitle = 45;
inline constexpr std::size_t kMaxModalComponents = 5;
inline constexpr std::size_t kMaxModalLabel = 45;
inline constexpr std::size_t kMaxTextInputPlaceholder = 100;
inline constexpr std::int64_t kMaxTextInputLength = 4000;

struct ModalComponent {
  ModalComponentType type = ModalComponentType::kTextInput;
  std::string custom_id;  // required: empty means absent
  std::string label;      // required: empty means absent
  std::optional<TextInputStyle> style;
  std::optional<std::string> placeholder;
  std::optional<std::int32_t> min_length;
  std::optional<std::int32_t> max_length;
  std::optional<bool> required;
  std::optional<std::string> value;
  std::optional<std::vector<SelectOption>> options;
  std::optional<std::int32_t> min_values;
  std::optional<std::int32_t> max_values;
  std::optional<bool> default_value;  // JSON "default"
  std::optional<std::string> description;

  bool operator==(const ModalComponent&) const = default;
};

struct ModalDefinition {
  std::string custom_id;
  std::string title;
  std::vector<ModalComponent> components;

  bool operator==(const ModalDefinition&) const = default;
};

// SPEC.md §8.3; messages start with "modal." e.g. "modal.components[0].label: required".
Status validate_modal(const ModalDefinition& modal);

}  // namespace argon
