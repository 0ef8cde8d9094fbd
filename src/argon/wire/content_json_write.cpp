// Writers of content_json.hpp: the response and event JSON shapes of entities, controls and modals.
#include "argon/wire/content_json.hpp"

namespace argon::wire {
namespace {

namespace json = boost::json;

json::value opt(const std::optional<Uuid>& v) {
  return v ? json::value(v->str()) : nullptr;
}
json::value opt(const std::optional<std::string>& v) {
  return v ? json::value(*v) : nullptr;
}
json::value opt(const std::optional<std::int32_t>& v) {
  return v ? json::value(*v) : nullptr;
}
json::value opt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : nullptr;
}
json::value opt(const std::optional<bool>& v) {
  return v ? json::value(*v) : nullptr;
}

json::value entity_type_json(EntityType type, EnumStyle style) {
  if (style == EnumStyle::kName) return json::value(entity_type_name(type));
  return json::value(static_cast<std::int64_t>(type));
}

}  // namespace

json::object entity_union_json(const Entity& e, EnumStyle style) {
  json::object o;
  o["type"] = entity_type_json(e.type, style);
  o["offset"] = e.offset;
  o["length"] = e.length;
  o["version"] = e.version;
  switch (e.type) {
    case EntityType::kHashtag:
      o["hashtag"] = opt(e.hashtag);
      break;
    case EntityType::kMention:
      o["userId"] = opt(e.user_id);
      break;
    case EntityType::kMentionRole:
      o["archetypeId"] = opt(e.archetype_id);
      break;
    case EntityType::kEmail:
      o["email"] = opt(e.email);
      break;
    case EntityType::kUrl:
      o["domain"] = opt(e.domain);
      o["path"] = opt(e.path);
      break;
    case EntityType::kQuote:
      o["quotedUserId"] = opt(e.quoted_user_id);
      break;
    case EntityType::kUnderline:
      o["colour"] = opt(e.colour);
      break;
    case EntityType::kFraction:
      o["numerator"] = opt(e.numerator);
      o["denominator"] = opt(e.denominator);
      break;
    case EntityType::kSystemCallStarted:
    case EntityType::kSystemCallTimeout:
      o["callerId"] = opt(e.caller_id);
      o["callId"] = opt(e.call_id);
      break;
    case EntityType::kSystemCallEnded:
      o["callerId"] = opt(e.caller_id);
      o["callId"] = opt(e.call_id);
      o["durationSeconds"] = opt(e.duration_seconds);
      break;
    case EntityType::kSystemUserJoined:
      o["userId"] = opt(e.user_id);
      o["inviterId"] = opt(e.inviter_id);
      break;
    case EntityType::kAttachment:
      o["fileId"] = opt(e.file_id);
      o["fileName"] = opt(e.file_name);
      o["fileSize"] = opt(e.file_size);
      o["contentType"] = opt(e.content_type);
      o["width"] = opt(e.width);
      o["height"] = opt(e.height);
      o["thumbHash"] = opt(e.thumb_hash);
      break;
    case EntityType::kGif:  // UPSTREAM.md §5
      o["gifId"] = opt(e.gif_id);
      o["hmac"] = opt(e.hmac);
      o["fileId"] = opt(e.file_id);
      o["width"] = opt(e.width);
      o["height"] = opt(e.height);
      o["previewUrl"] = opt(e.preview_url);
      break;
    default:
      break;
  }
  return o;
}

json::array entities_union_json(const std::vector<Entity>& entities, EnumStyle style) {
  json::array out;
  out.reserve(entities.size());
  for (const auto& e : entities) out.push_back(entity_union_json(e, style));
  return out;
}

json::object entity_flat_json(const Entity& e, EnumStyle style) {
  json::object o;
  o["type"] = entity_type_json(e.type, style);
  o["offset"] = e.offset;
  o["length"] = e.length;
  o["userId"] = opt(e.user_id);
  o["archetypeId"] = opt(e.archetype_id);
  o["email"] = opt(e.email);
  o["hashtag"] = opt(e.hashtag);
  o["quotedUserId"] = opt(e.quoted_user_id);
  o["colour"] = opt(e.colour);
  o["domain"] = opt(e.domain);
  o["path"] = opt(e.path);
  o["numerator"] = opt(e.numerator);
  o["denominator"] = opt(e.denominator);
  o["callerId"] = opt(e.caller_id);
  o["callId"] = opt(e.call_id);
  o["durationSeconds"] = opt(e.duration_seconds);
  o["inviterId"] = opt(e.inviter_id);
  o["fileName"] = opt(e.file_name);
  o["fileSize"] = opt(e.file_size);
  o["contentType"] = opt(e.content_type);
  o["width"] = opt(e.width);
  o["height"] = opt(e.height);
  o["thumbHash"] = opt(e.thumb_hash);
  return o;
}

json::array entities_flat_json(const std::vector<Entity>& entities, EnumStyle style) {
  json::array out;
  out.reserve(entities.size());
  for (const auto& e : entities) out.push_back(entity_flat_json(e, style));
  return out;
}

json::object select_option_json(const SelectOption& option) {
  json::object o;
  o["label"] = option.label;
  o["value"] = option.value;
  o["description"] = opt(option.description);
  o["default"] = opt(option.is_default);
  return o;
}

namespace {
json::value options_json(const std::optional<std::vector<SelectOption>>& options) {
  if (!options) return nullptr;
  json::array out;
  out.reserve(options->size());
  for (const auto& option : *options) out.push_back(select_option_json(option));
  return out;
}
}  // namespace

json::object control_json(const Control& c) {
  json::object o;
  o["type"] = static_cast<std::int64_t>(c.type);
  o["variant"] = c.variant ? json::value(static_cast<std::int64_t>(*c.variant)) : nullptr;
  o["label"] = opt(c.label);
  if (c.label_localizations) {
    json::object loc;
    for (const auto& [tag, text] : *c.label_localizations) loc[tag] = text;
    o["labelLocalizations"] = std::move(loc);
  } else {
    o["labelLocalizations"] = nullptr;
  }
  o["id"] = opt(c.id);
  o["url"] = opt(c.url);
  if (c.colour) {
    o["colour"] = json::object{{"l", c.colour->l}, {"c", c.colour->c}, {"h", c.colour->h}};
  } else {
    o["colour"] = nullptr;
  }
  o["disabled"] = opt(c.disabled);
  o["customId"] = opt(c.custom_id);
  o["placeholder"] = opt(c.placeholder);
  o["minValues"] = opt(c.min_values);
  o["maxValues"] = opt(c.max_values);
  o["options"] = options_json(c.options);
  o["requiredArchetypeId"] = opt(c.required_archetype_id);
  return o;
}

json::array controls_json(const std::vector<ControlRow>& rows) {
  json::array out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    json::array controls;
    controls.reserve(row.controls.size());
    for (const auto& c : row.controls) controls.push_back(control_json(c));
    out.push_back(json::object{{"controls", std::move(controls)}});
  }
  return out;
}

json::object modal_json(const ModalDefinition& modal) {
  json::object o;
  o["customId"] = modal.custom_id;
  o["title"] = modal.title;
  json::array components;
  components.reserve(modal.components.size());
  for (const auto& c : modal.components) {
    json::object j;
    j["type"] = static_cast<std::int64_t>(c.type);
    j["customId"] = c.custom_id;
    j["label"] = c.label;
    j["style"] = c.style ? json::value(static_cast<std::int64_t>(*c.style)) : nullptr;
    j["placeholder"] = opt(c.placeholder);
    j["minLength"] = opt(c.min_length);
    j["maxLength"] = opt(c.max_length);
    j["required"] = opt(c.required);
    j["value"] = opt(c.value);
    j["options"] = options_json(c.options);
    j["minValues"] = opt(c.min_values);
    j["maxValues"] = opt(c.max_values);
    j["default"] = opt(c.default_value);
    j["description"] = opt(c.description);
    components.push_back(std::move(j));
  }
  o["components"] = std::move(components);
  return o;
}

}  // namespace argon::wire
