#include "argon/wire/content_json.hpp"

#include <limits>

#include "argon/wire/json_in.hpp"

namespace argon::wire {
namespace {

namespace json = boost::json;

constexpr std::int64_t kI32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kI32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();

Error invalid(std::string_view path, std::string_view problem) {
  return Error::validation(std::string(path) + ": " + std::string(problem));
}

// Reads into an optional field, propagating errors. Usage: ARGON_TRY(get(out, r.optional_x(..)));
template <class T, class R>
Status get(std::optional<T>& out, R&& result) {
  if (!result) return result.error();
  if (*result) out = static_cast<T>(**result);
  return ok_status();
}

Status get_i32(std::optional<std::int32_t>& out, const ObjectReader& r, std::string_view name) {
  return get(out, r.optional_int(name, kI32Min, kI32Max));
}

// How much of an entity to read: the request's variant fields, or (storage) every field.
enum class EntityFields { kVariant, kAll };

Result<Entity> parse_entity(const json::value& v, const std::string& path, EntityFields which) {
  if (!v.is_object()) return invalid(path, "must be an object");
  ObjectReader r(v.get_object(), path);
  Entity e;
  auto type = r.required_enum("type", entity_type_names());
  if (!type) return type.error();
  e.type = static_cast<EntityType>(*type);
  auto offset = r.required_int("offset", kI32Min, kI32Max);
  if (!offset) return offset.error();
  e.offset = static_cast<std::int32_t>(*offset);
  auto length = r.required_int("length", kI32Min, kI32Max);
  if (!length) return length.error();
  e.length = static_cast<std::int32_t>(*length);
  auto version = r.optional_int("version", kI32Min, kI32Max);
  if (!version) return version.error();
  e.version = static_cast<std::int32_t>(version->value_or(0));

  const bool all = which == EntityFields::kAll;
  const EntityType t = e.type;
  const bool system_call = t == EntityType::kSystemCallStarted ||
                           t == EntityType::kSystemCallEnded || t == EntityType::kSystemCallTimeout;
  if (all || t == EntityType::kMention || t == EntityType::kSystemUserJoined) {
    ARGON_TRY(get(e.user_id, r.optional_uuid("userId")));
  }
  if (all || t == EntityType::kMentionRole) {
    ARGON_TRY(get(e.archetype_id, r.optional_uuid("archetypeId")));
  }
  if (all || t == EntityType::kQuote) {
    ARGON_TRY(get(e.quoted_user_id, r.optional_uuid("quotedUserId")));
  }
  if (all || system_call) {
    ARGON_TRY(get(e.caller_id, r.optional_uuid("callerId")));
    ARGON_TRY(get(e.call_id, r.optional_uuid("callId")));
  }
  if (all || t == EntityType::kSystemCallEnded) {
    ARGON_TRY(get_i32(e.duration_seconds, r, "durationSeconds"));
  }
  if (all || t == EntityType::kSystemUserJoined) {
    ARGON_TRY(get(e.inviter_id, r.optional_uuid("inviterId")));
  }
  if (all || t == EntityType::kEmail) ARGON_TRY(get(e.email, r.optional_string("email")));
  if (all || t == EntityType::kHashtag) ARGON_TRY(get(e.hashtag, r.optional_string("hashtag")));
  if (all || t == EntityType::kUrl) {
    ARGON_TRY(get(e.domain, r.optional_string("domain")));
    ARGON_TRY(get(e.path, r.optional_string("path")));
  }
  if (all || t == EntityType::kUnderline) ARGON_TRY(get_i32(e.colour, r, "colour"));
  if (all || t == EntityType::kFraction) {
    ARGON_TRY(get_i32(e.numerator, r, "numerator"));
    ARGON_TRY(get_i32(e.denominator, r, "denominator"));
  }
  if (all || t == EntityType::kAttachment) {
    ARGON_TRY(get(e.file_id, r.optional_uuid("fileId")));
    ARGON_TRY(get(e.file_name, r.optional_string("fileName")));
    ARGON_TRY(get(e.file_size, r.optional_int("fileSize", kI64Min, kI64Max)));
    ARGON_TRY(get(e.content_type, r.optional_string("contentType")));
    ARGON_TRY(get_i32(e.width, r, "width"));
    ARGON_TRY(get_i32(e.height, r, "height"));
    ARGON_TRY(get(e.thumb_hash, r.optional_string("thumbHash")));
  }
  if (all || t == EntityType::kGif) {
    ARGON_TRY(get(e.gif_id, r.optional_string("gifId")));
    ARGON_TRY(get(e.hmac, r.optional_string("hmac")));
    ARGON_TRY(get(e.preview_url, r.optional_string("previewUrl")));
  }
  if (t == EntityType::kGif && !all) {
    ARGON_TRY(get(e.file_id, r.optional_uuid("fileId")));
    ARGON_TRY(get_i32(e.width, r, "width"));
    ARGON_TRY(get_i32(e.height, r, "height"));
  }
  return e;
}

Result<std::vector<Entity>> parse_entity_list(const json::value* value, std::string_view path,
                                              EntityFields which) {
  std::vector<Entity> out;
  if (!value || value->is_null()) return out;
  if (!value->is_array()) return invalid(path, "must be an array");
  const auto& array = value->get_array();
  out.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    auto e = parse_entity(array[i], index_path(path, i), which);
    if (!e) return e.error();
    out.push_back(std::move(*e));
  }
  return out;
}

Result<std::vector<SelectOption>> parse_options(const json::array& array, const std::string& path) {
  std::vector<SelectOption> out;
  out.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string p = index_path(path, i);
    if (!array[i].is_object()) return invalid(p, "must be an object");
    ObjectReader r(array[i].get_object(), p);
    SelectOption o;
    std::optional<std::string> s;
    ARGON_TRY(get(s, r.optional_string("label")));
    o.label = s.value_or("");
    s.reset();
    ARGON_TRY(get(s, r.optional_string("value")));
    o.value = s.value_or("");
    ARGON_TRY(get(o.description, r.optional_string("description")));
    ARGON_TRY(get(o.is_default, r.optional_bool("default")));
    out.push_back(std::move(o));
  }
  return out;
}

Status get_options(std::optional<std::vector<SelectOption>>& out, const ObjectReader& r) {
  auto array = r.optional_array("options");
  if (!array) return array.error();
  if (!*array) return ok_status();
  auto options = parse_options(**array, r.path("options"));
  if (!options) return options.error();
  out = std::move(*options);
  return ok_status();
}

Result<double> required_number(const ObjectReader& r, std::string_view name) {
  const json::value* v = r.find(name);
  if (!v) return invalid(r.path(name), "required");
  return read_number(*v, r.path(name));
}

Result<Control> parse_control(const json::value& v, const std::string& path, bool infer_variant) {
  if (!v.is_object()) return invalid(path, "must be an object");
  ObjectReader r(v.get_object(), path);
  Control c;
  auto type = r.required_enum("type", control_type_names());
  if (!type) return type.error();
  c.type = static_cast<ControlType>(*type);
  std::optional<int> variant;
  ARGON_TRY(get(variant, r.optional_enum("variant", button_variant_names())));
  if (variant) c.variant = static_cast<ButtonVariant>(*variant);
  ARGON_TRY(get(c.label, r.optional_string("label")));
  auto localizations = r.optional_object("labelLocalizations");
  if (!localizations) return localizations.error();
  if (*localizations) {
    c.label_localizations.emplace();
    for (const auto& kv : **localizations) {
      if (kv.value().is_null()) continue;
      auto text =
          read_string(kv.value(), r.path("labelLocalizations") + "." + std::string(kv.key()));
      if (!text) return text.error();
      c.label_localizations->emplace_back(std::string(kv.key()), std::move(*text));
    }
  }
  ARGON_TRY(get(c.id, r.optional_string("id")));
  ARGON_TRY(get(c.url, r.optional_string("url")));
  auto colour = r.optional_object("colour");
  if (!colour) return colour.error();
  if (*colour) {
    ObjectReader cr(**colour, r.path("colour"));
    auto l = required_number(cr, "l");
    if (!l) return l.error();
    auto ch = required_number(cr, "c");
    if (!ch) return ch.error();
    auto h = required_number(cr, "h");
    if (!h) return h.error();
    c.colour = OklchColor{*l, *ch, *h};
  }
  ARGON_TRY(get(c.disabled, r.optional_bool("disabled")));
  ARGON_TRY(get(c.custom_id, r.optional_string("customId")));
  ARGON_TRY(get(c.placeholder, r.optional_string("placeholder")));
  ARGON_TRY(get_i32(c.min_values, r, "minValues"));
  ARGON_TRY(get_i32(c.max_values, r, "maxValues"));
  ARGON_TRY(get_options(c.options, r));
  ARGON_TRY(get(c.required_archetype_id, r.optional_uuid("requiredArchetypeId")));
  if (infer_variant && c.type == ControlType::kButton && !c.variant) {
    if (c.id) {
      c.variant = ButtonVariant::kCallback;
    } else if (c.url) {
      c.variant = ButtonVariant::kLink;
    }
  }
  return c;
}

Result<std::vector<ControlRow>> parse_control_rows(const json::value* value, std::string_view path,
                                                   bool infer_variant) {
  std::vector<ControlRow> rows;
  if (!value || value->is_null()) return rows;
  if (!value->is_array()) return invalid(path, "must be an array");
  const auto& array = value->get_array();
  rows.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string row_path = index_path(path, i);
    const json::array* controls = nullptr;
    if (array[i].is_array()) {
      controls = &array[i].get_array();
    } else if (array[i].is_object()) {
      auto inner = ObjectReader(array[i].get_object(), row_path).optional_array("controls");
      if (!inner) return inner.error();
      controls = *inner;
    } else {
      return invalid(row_path, "must be an object or an array");
    }
    ControlRow row;
    if (controls) {
      const std::string controls_path = row_path + ".controls";
      for (std::size_t j = 0; j < controls->size(); ++j) {
        auto c = parse_control((*controls)[j], index_path(controls_path, j), infer_variant);
        if (!c) return c.error();
        row.controls.push_back(std::move(*c));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<ModalComponent> parse_component(const json::value& v, const std::string& path) {
  if (!v.is_object()) return invalid(path, "must be an object");
  ObjectReader r(v.get_object(), path);
  ModalComponent c;
  auto type = r.required_enum("type", modal_component_type_names());
  if (!type) return type.error();
  c.type = static_cast<ModalComponentType>(*type);
  std::optional<std::string> s;
  ARGON_TRY(get(s, r.optional_string("customId")));
  c.custom_id = s.value_or("");
  s.reset();
  ARGON_TRY(get(s, r.optional_string("label")));
  c.label = s.value_or("");
  std::optional<int> style;
  ARGON_TRY(get(style, r.optional_enum("style", text_input_style_names())));
  if (style) c.style = static_cast<TextInputStyle>(*style);
  ARGON_TRY(get(c.placeholder, r.optional_string("placeholder")));
  ARGON_TRY(get_i32(c.min_length, r, "minLength"));
  ARGON_TRY(get_i32(c.max_length, r, "maxLength"));
  ARGON_TRY(get(c.required, r.optional_bool("required")));
  ARGON_TRY(get(c.value, r.optional_string("value")));
  ARGON_TRY(get_options(c.options, r));
  ARGON_TRY(get_i32(c.min_values, r, "minValues"));
  ARGON_TRY(get_i32(c.max_values, r, "maxValues"));
  ARGON_TRY(get(c.default_value, r.optional_bool("default")));
  ARGON_TRY(get(c.description, r.optional_string("description")));
  return c;
}

// ---- storage helpers ----

void strip_nulls(json::value& v) {
  if (v.is_object()) {
    auto& o = v.get_object();
    for (auto it = o.begin(); it != o.end();) {
      if (it->value().is_null()) {
        it = o.erase(it);
      } else {
        strip_nulls(it->value());
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& item : v.get_array()) strip_nulls(item);
  }
}

template <class T>
void put(json::object& o, std::string_view key, const std::optional<T>& value) {
  if (!value) return;
  if constexpr (std::is_same_v<T, Uuid>) {
    o[key] = value->str();
  } else {
    o[key] = *value;
  }
}

json::object entity_storage_json(const Entity& e) {
  json::object o;
  o["type"] = static_cast<std::int64_t>(e.type);
  o["offset"] = e.offset;
  o["length"] = e.length;
  if (e.version != 0) o["version"] = e.version;
  put(o, "userId", e.user_id);
  put(o, "archetypeId", e.archetype_id);
  put(o, "quotedUserId", e.quoted_user_id);
  put(o, "callerId", e.caller_id);
  put(o, "callId", e.call_id);
  put(o, "inviterId", e.inviter_id);
  put(o, "fileId", e.file_id);
  put(o, "email", e.email);
  put(o, "hashtag", e.hashtag);
  put(o, "domain", e.domain);
  put(o, "path", e.path);
  put(o, "fileName", e.file_name);
  put(o, "contentType", e.content_type);
  put(o, "thumbHash", e.thumb_hash);
  put(o, "gifId", e.gif_id);
  put(o, "hmac", e.hmac);
  put(o, "previewUrl", e.preview_url);
  put(o, "colour", e.colour);
  put(o, "numerator", e.numerator);
  put(o, "denominator", e.denominator);
  put(o, "durationSeconds", e.duration_seconds);
  put(o, "width", e.width);
  put(o, "height", e.height);
  put(o, "fileSize", e.file_size);
  return o;
}

Result<json::value> parse_stored(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Error::internal("Stored " + std::string(what) + " are not valid JSON.");
  return v;
}

template <class T>
Result<T> as_internal(Result<T> r, std::string_view what) {
  if (!r)
    return Error::internal("Stored " + std::string(what) +
                           " are malformed: " + r.error().message.value_or(""));
  return r;
}

}  // namespace

Result<std::vector<Entity>> parse_entities(const json::value* value, std::string_view path) {
  auto entities = parse_entity_list(value, path, EntityFields::kVariant);
  if (entities) apply_entity_defaults(*entities);
  return entities;
}

Result<std::vector<ControlRow>> parse_controls(const json::value* value, std::string_view path) {
  return parse_control_rows(value, path, /*infer_variant=*/true);
}

Result<ModalDefinition> parse_modal(const json::value* value, std::string_view path) {
  if (!value || value->is_null()) return invalid(path, "required");
  if (!value->is_object()) return invalid(path, "must be an object");
  ObjectReader r(value->get_object(), std::string(path));
  ModalDefinition m;
  std::optional<std::string> s;
  ARGON_TRY(get(s, r.optional_string("customId")));
  m.custom_id = s.value_or("");
  s.reset();
  ARGON_TRY(get(s, r.optional_string("title")));
  m.title = s.value_or("");
  auto components = r.optional_array("components");
  if (!components) return components.error();
  if (*components) {
    const std::string cp = r.path("components");
    for (std::size_t i = 0; i < (*components)->size(); ++i) {
      auto c = parse_component((**components)[i], index_path(cp, i));
      if (!c) return c.error();
      m.components.push_back(std::move(*c));
    }
  }
  return m;
}

std::string serialize_entities_for_storage(const std::vector<Entity>& entities) {
  json::array out;
  out.reserve(entities.size());
  for (const auto& e : entities) out.push_back(entity_storage_json(e));
  return json::serialize(out);
}

Result<std::vector<Entity>> parse_entities_from_storage(std::string_view text) {
  if (text.empty()) return std::vector<Entity>();
  auto v = parse_stored(text, "entities");
  if (!v) return v.error();
  return as_internal(parse_entity_list(&*v, "entities", EntityFields::kAll), "entities");
}

std::string serialize_controls_for_storage(const std::vector<ControlRow>& rows) {
  json::value v = controls_json(rows);
  strip_nulls(v);
  return json::serialize(v);
}

Result<std::vector<ControlRow>> parse_controls_from_storage(std::string_view text) {
  if (text.empty()) return std::vector<ControlRow>();
  auto v = parse_stored(text, "controls");
  if (!v) return v.error();
  return as_internal(parse_control_rows(&*v, "controls", /*infer_variant=*/false), "controls");
}

std::string serialize_modal_for_storage(const ModalDefinition& modal) {
  json::value v = modal_json(modal);
  strip_nulls(v);
  return json::serialize(v);
}

Result<ModalDefinition> parse_modal_from_storage(std::string_view text) {
  auto v = parse_stored(text, "modal");
  if (!v) return v.error();
  return as_internal(parse_modal(&*v, "modal"), "modal");
}

}  // namespace argon::wire
