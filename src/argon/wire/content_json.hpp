#pragma once
// JSON forms of message content (SPEC.md §8, §9.3, §17; DECISIONS.md §3, §6).
// Parsing checks only JSON types and shape; the rules live in the domain validate_* functions.
#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "argon/domain/controls.hpp"
#include "argon/domain/entities.hpp"
#include "argon/domain/modal.hpp"
#include "argon/domain/result.hpp"

namespace argon::wire {

// How an enum is written: the integer value (DECISIONS.md §3, the reference's style) or the
// camelCase manifest name.
enum class EnumStyle { kInteger, kName };

// ---- input ---------------------------------------------------------------------------------

// Union form (IMessageEntity): `type` as integer or case-insensitive name (alias "hashTag"),
// numbers lenient, only the variant's own extras are read; SPEC defaults applied (underline
// colour 0, fraction numerator/denominator 0, url path ""). nullptr (absent/null) -> empty.
Result<std::vector<Entity>> parse_entities(const boost::json::value* value,
                                           std::string_view path = "entities");

// Rows as {"controls":[…]} or as a bare array (landing-page form). A button without `variant` is a
// callback when it has `id`, else a link when it has `url`. nullptr -> empty.
Result<std::vector<ControlRow>> parse_controls(const boost::json::value* value,
                                               std::string_view path = "controls");

// nullptr -> "<path>: required".
Result<ModalDefinition> parse_modal(const boost::json::value* value,
                                    std::string_view path = "modal");

// ---- output --------------------------------------------------------------------------------

// Union form for History / MessageDto: type, offset, length, version and that variant's own
// fields (null when absent), incl. fileId for attachments and gif {gifId, hmac, fileId, width,
// height, previewUrl}. Type written as the name by default.
boost::json::object entity_union_json(const Entity& entity, EnumStyle style = EnumStyle::kName);
boost::json::array entities_union_json(const std::vector<Entity>& entities,
                                       EnumStyle style = EnumStyle::kName);

// Flattened event form BotMessageEntityV1: every field, null when absent; no fileId, no version
// (a gif fills only width and height).
// Type written as the integer by default (DECISIONS.md §3).
boost::json::object entity_flat_json(const Entity& entity, EnumStyle style = EnumStyle::kInteger);
boost::json::array entities_flat_json(const std::vector<Entity>& entities,
                                      EnumStyle style = EnumStyle::kInteger);

// Array of {"controls":[…]} rows; every BotControlV1 field present (null when absent); type and
// variant as integers.
boost::json::object control_json(const Control& control);
boost::json::array controls_json(const std::vector<ControlRow>& rows);
boost::json::object select_option_json(const SelectOption& option);

// ModalDefinitionV1 with every component field present; type and style as integers.
boost::json::object modal_json(const ModalDefinition& modal);

// ---- storage (compact JSON text in a DB column, read back losslessly) -----------------------

std::string serialize_entities_for_storage(const std::vector<Entity>& entities);
// "" -> empty; malformed text -> 500 internal_error.
Result<std::vector<Entity>> parse_entities_from_storage(std::string_view text);

std::string serialize_controls_for_storage(const std::vector<ControlRow>& rows);
Result<std::vector<ControlRow>> parse_controls_from_storage(std::string_view text);

std::string serialize_modal_for_storage(const ModalDefinition& modal);
Result<ModalDefinition> parse_modal_from_storage(std::string_view text);

}  // namespace argon::wire
