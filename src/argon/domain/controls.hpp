#pragma once
// Message controls: rows of buttons or one select (SPEC.md §8.1, §8.2; BotControlV1 flattened).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "argon/domain/result.hpp"
#include "argon/domain/uuid.hpp"

namespace argon {

enum class ControlType : std::int32_t {
  kButton = 0,
  kStringSelect = 1,
  kUserSelect = 2,
  kArchetypeSelect = 3,
  kChannelSelect = 4,
};
enum class ButtonVariant : std::int32_t { kCallback = 0, kLink = 1 };

// camelCase manifest names indexed by numeric value.
std::span<const std::string_view> control_type_names();
std::span<const std::string_view> button_variant_names();
std::string_view control_type_name(ControlType type);
std::string_view button_variant_name(ButtonVariant variant);
bool is_select(ControlType type);

inline constexpr std::size_t kMaxControlRows = 5;
inline constexpr std::size_t kMaxButtonsPerRow = 5;
inline constexpr std::size_t kMaxButtonLabel = 80;
inline constexpr std::size_t kMaxControlId = 100;
inline constexpr std::size_t kMaxLinkUrl = 512;
inline constexpr std::size_t kMaxSelectPlaceholder = 150;
inline constexpr std::int64_t kMaxSelectValues = 25;
inline constexpr std::size_t kMaxSelectOptions = 25;
inline constexpr std::size_t kMaxOptionText = 100;
inline constexpr std::int32_t kDefaultSelectValues = 1;  // minValues/maxValues when absent

struct OklchColor {
  double l = 0;
  double c = 0;
  double h = 0;
  bool operator==(const OklchColor&) const = default;
};

struct SelectOption {
  std::string label;  // required: empty means absent
  std::string value;  // required: empty means absent
  std::optional<std::string> description;
  std::optional<bool> is_default;  // JSON "default"
  bool operator==(const SelectOption&) const = default;
};

struct Control {
  ControlType type = ControlType::kButton;
  // button fields
  std::optional<ButtonVariant> variant;
  std::optional<std::string> label;
  std::optional<std::vector<std::pair<std::string, std::string>>> label_localizations;
  std::optional<std::string> id;
  std::optional<std::string> url;
  std::optional<OklchColor> colour;
  std::optional<bool> disabled;
  // select fields
  std::optional<std::string> custom_id;
  std::optional<std::string> placeholder;
  std::optional<std::int32_t> min_values;
  std::optional<std::int32_t> max_values;
  std::optional<std::vector<SelectOption>> options;
  // shared
  std::optional<Uuid> required_archetype_id;

  bool operator==(const Control&) const = default;
};

struct ControlRow {
  std::vector<Control> controls;
  bool operator==(const ControlRow&) const = default;
};

// SPEC.md §8.1/§8.2. Messages: "controls[1].controls[0].label: must be at most 80 characters".
// Character limits count code points. An empty list is valid (same as no controls).
Status validate_controls(const std::vector<ControlRow>& rows, std::string_view path = "controls");

// Shared with modals: 1–25 options, label/value non-blank ≤ 100, description ≤ 100, unique values.
// `path` names the options array, e.g. "controls[0].controls[0].options".
Status validate_select_options(const std::optional<std::vector<SelectOption>>& options,
                               std::string_view path);

// Absolute http(s) URL with a non-empty host and no white space or control characters.
bool is_http_url(std::string_view url);

}  // namespace argon
