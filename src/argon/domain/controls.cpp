#include "argon/domain/controls.hpp"

#include <array>
#include <set>

#include "argon/domain/text.hpp"

namespace argon {
namespace {

constexpr std::array<std::string_view, 5> kControlTypeNames = {
    "button", "stringSelect", "userSelect", "archetypeSelect", "channelSelect"};
constexpr std::array<std::string_view, 2> kVariantNames = {"callback", "link"};

Error invalid(const std::string& path, std::string_view problem) {
  return Error::validation(path + ": " + std::string(problem));
}

std::string join(std::string_view path, std::string_view name) {
  return std::string(path) + "." + std::string(name);
}

std::string indexed(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

// Required, non-blank, at most `max` code points.
Status check_text(const std::optional<std::string>& value, const std::string& path,
                  std::size_t max) {
  if (!value) return invalid(path, "required");
  if (is_blank(*value)) return invalid(path, "must not be blank");
  if (codepoint_length(*value) > max) {
    return invalid(path, "must be at most " + std::to_string(max) + " characters");
  }
  return ok_status();
}

Status check_max(const std::optional<std::string>& value, const std::string& path,
                 std::size_t max) {
  if (value && codepoint_length(*value) > max) {
    return invalid(path, "must be at most " + std::to_string(max) + " characters");
  }
  return ok_status();
}

Status check_button(const Control& c, const std::string& p) {
  if (c.custom_id) return invalid(join(p, "customId"), "not allowed on a button");
  if (c.placeholder) return invalid(join(p, "placeholder"), "not allowed on a button");
  if (c.min_values) return invalid(join(p, "minValues"), "not allowed on a button");
  if (c.max_values) return invalid(join(p, "maxValues"), "not allowed on a button");
  if (c.options) return invalid(join(p, "options"), "not allowed on a button");
  if (!c.variant) return invalid(join(p, "variant"), "required for buttons");
  ARGON_TRY(check_text(c.label, join(p, "label"), kMaxButtonLabel));
  if (*c.variant == ButtonVariant::kCallback) {
    ARGON_TRY(check_text(c.id, join(p, "id"), kMaxControlId));
    if (c.url) return invalid(join(p, "url"), "not allowed on a callback button");
  } else if (*c.variant == ButtonVariant::kLink) {
    if (!c.url) return invalid(join(p, "url"), "required");
    if (is_blank(*c.url)) return invalid(join(p, "url"), "must not be blank");
    if (codepoint_length(*c.url) > kMaxLinkUrl) {
      return invalid(join(p, "url"),
                     "must be at most " + std::to_string(kMaxLinkUrl) + " characters");
    }
    if (!is_http_url(*c.url)) {
      return invalid(join(p, "url"), "must be an absolute http or https URL");
    }
    if (c.id) return invalid(join(p, "id"), "not allowed on a link button");
  } else {
    return invalid(join(p, "variant"), "unknown button variant");
  }
  if (c.colour) {
    const OklchColor& k = *c.colour;
    // Written so NaN fails every range.
    if (!(k.l >= 0.40 && k.l <= 0.80)) {
      return invalid(join(p, "colour.l"), "must be between 0.40 and 0.80");
    }
    if (!(k.c >= 0.0 && k.c <= 0.37)) {
      return invalid(join(p, "colour.c"), "must be between 0.00 and 0.37");
    }
    if (!(k.h >= 0.0 && k.h < 360.0)) {
      return invalid(join(p, "colour.h"), "must be at least 0 and less than 360");
    }
  }
  return ok_status();
}

Status check_select(const Control& c, const std::string& p) {
  if (c.variant) return invalid(join(p, "variant"), "not allowed on a select");
  if (c.label) return invalid(join(p, "label"), "not allowed on a select");
  if (c.id) return invalid(join(p, "id"), "not allowed on a select");
  if (c.url) return invalid(join(p, "url"), "not allowed on a select");
  if (c.colour) return invalid(join(p, "colour"), "not allowed on a select");
  ARGON_TRY(check_text(c.custom_id, join(p, "customId"), kMaxControlId));
  ARGON_TRY(check_max(c.placeholder, join(p, "placeholder"), kMaxSelectPlaceholder));
  if (c.min_values && (*c.min_values < 0 || *c.min_values > kMaxSelectValues)) {
    return invalid(join(p, "minValues"), "must be between 0 and 25");
  }
  if (c.max_values && (*c.max_values < 1 || *c.max_values > kMaxSelectValues)) {
    return invalid(join(p, "maxValues"), "must be between 1 and 25");
  }
  const auto min = c.min_values.value_or(kDefaultSelectValues);
  const auto max = c.max_values.value_or(kDefaultSelectValues);
  if (min > max) {
    return invalid(join(p, "minValues"), "must not exceed maxValues (" + std::to_string(min) +
                                             " > " + std::to_string(max) + ")");
  }
  if (c.type == ControlType::kStringSelect) {
    ARGON_TRY(validate_select_options(c.options, join(p, "options")));
  } else if (c.options && !c.options->empty()) {
    return invalid(join(p, "options"), "allowed only on a stringSelect");
  }
  return ok_status();
}

}  // namespace

std::span<const std::string_view> control_type_names() {
  return kControlTypeNames;
}
std::span<const std::string_view> button_variant_names() {
  return kVariantNames;
}

std::string_view control_type_name(ControlType type) {
  auto i = static_cast<std::size_t>(type);
  return i < kControlTypeNames.size() ? kControlTypeNames[i] : std::string_view("unknown");
}

std::string_view button_variant_name(ButtonVariant variant) {
  auto i = static_cast<std::size_t>(variant);
  return i < kVariantNames.size() ? kVariantNames[i] : std::string_view("unknown");
}

bool is_select(ControlType type) {
  return type == ControlType::kStringSelect || type == ControlType::kUserSelect ||
         type == ControlType::kArchetypeSelect || type == ControlType::kChannelSelect;
}

bool is_http_url(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  std::string_view scheme = url.substr(0, scheme_end);
  if (!equals_ignore_case(scheme, "http") && !equals_ignore_case(scheme, "https")) return false;
  for (char ch : url) {
    auto b = static_cast<unsigned char>(ch);
    if (b <= 0x20 || b == 0x7F) return false;
  }
  std::string_view rest = url.substr(scheme_end + 3);
  std::size_t host_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, host_end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    return close + 1 == host.size() || host[close + 1] == ':';
  }
  if (auto colon = host.find(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  return !host.empty();
}

Status validate_select_options(const std::optional<std::vector<SelectOption>>& options,
                               std::string_view path) {
  const std::string p(path);
  if (!options || options->empty()) return invalid(p, "a stringSelect needs 1 to 25 options");
  if (options->size() > kMaxSelectOptions) {
    return invalid(p, "at most 25 options allowed (got " + std::to_string(options->size()) + ")");
  }
  std::set<std::string> values;
  for (std::size_t i = 0; i < options->size(); ++i) {
    const SelectOption& o = (*options)[i];
    const std::string op = indexed(p, i);
    if (o.label.empty()) return invalid(join(op, "label"), "required");
    ARGON_TRY(check_text(o.label, join(op, "label"), kMaxOptionText));
    if (o.value.empty()) return invalid(join(op, "value"), "required");
    ARGON_TRY(check_text(o.value, join(op, "value"), kMaxOptionText));
    ARGON_TRY(check_max(o.description, join(op, "description"), kMaxOptionText));
    if (!values.insert(o.value).second) {
      return invalid(join(op, "value"), "duplicate option value \"" + o.value + "\"");
    }
  }
  return ok_status();
}

Status validate_controls(const std::vector<ControlRow>& rows, std::string_view path) {
  const std::string base(path);
  if (rows.size() > kMaxControlRows) {
    return invalid(base, "at most 5 rows allowed (got " + std::to_string(rows.size()) + ")");
  }
  std::set<std::string> ids;  // button id and select customId share one namespace
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& controls = rows[r].controls;
    const std::string row_path = join(indexed(base, r), "controls");
    if (controls.empty()) return invalid(row_path, "a row must contain at least one control");
    bool has_select = false;
    for (const auto& c : controls) has_select = has_select || is_select(c.type);
    if (has_select && controls.size() > 1) {
      return invalid(row_path, "a row holds either 1 to 5 buttons or exactly one select");
    }
    if (controls.size() > kMaxButtonsPerRow) {
      return invalid(row_path, "at most 5 buttons per row allowed (got " +
                                   std::to_string(controls.size()) + ")");
    }
    for (std::size_t i = 0; i < controls.size(); ++i) {
      const Control& c = controls[i];
      const std::string cp = indexed(row_path, i);
      if (c.type == ControlType::kButton) {
        ARGON_TRY(check_button(c, cp));
      } else if (is_select(c.type)) {
        ARGON_TRY(check_select(c, cp));
      } else {
        return invalid(join(cp, "type"), "unknown control type");
      }
      const std::optional<std::string>& key = c.type == ControlType::kButton ? c.id : c.custom_id;
      if (key && !ids.insert(*key).second) {
        return invalid(join(cp, c.type == ControlType::kButton ? "id" : "customId"),
                       "duplicate control id \"" + *key + "\"");
      }
    }
  }
  return ok_status();
}

}  // namespace argon
