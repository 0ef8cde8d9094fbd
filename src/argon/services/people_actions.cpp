#include "argon/services/people_actions.hpp"

#include <algorithm>
#include <set>

#include "argon/domain/text.hpp"
#include "argon/services/messages.hpp"
#include "argon/services/user_locales.hpp"
#include "argon/store/accounts_repo.hpp"
#include "argon/store/messages_repo.hpp"
#include "argon/store/spaces_repo.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {
namespace json = boost::json;

store::StoredInteraction new_interaction(Context& ctx, const Uuid& app_id, std::string kind,
                                         const Channel& channel, const Uuid& person_id) {
  store::StoredInteraction i;
  i.id = ctx.random.uuid();
  i.app_id = app_id;
  i.kind = std::move(kind);
  i.space_id = channel.space_id;
  i.channel_id = channel.id;
  i.user_id = person_id;
  i.created_at_ms = ctx.now_ms();
  i.expires_at_ms = i.created_at_ms + ctx.limits.interaction_ttl_ms;
  return i;
}

json::object person_json(const Context& ctx, store::Connection& c, const Uuid& space_id,
                         const Uuid& person_id) {
  if (auto member = store::members::find(c, space_id, person_id)) return user_json(ctx, *member);
  if (auto user = store::users::find(c, person_id)) return user_json(ctx, *user);
  return json::object{
      {"userId", person_id.str()}, {"username", ""}, {"displayName", ""},
      {"avatarUrl", nullptr},      {"flags", 0},     {"locale", locale_json(ctx, person_id)}};
}

namespace {
bool archetype_in_space(store::Connection& c, const Uuid& space_id, const Uuid& id) {
  auto a = store::archetypes::find(c, id);
  return a && a->space_id == space_id;
}
bool channel_in_space(store::Connection& c, const Uuid& space_id, const Uuid& id) {
  auto ch = store::channels::find(c, id);
  return ch && ch->space_id == space_id;
}
}  // namespace

Status check_ids_in_space(store::Connection& c, const Uuid& space_id,
                          const std::vector<TypedValue>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& v = values[i];
    const auto* text = std::get_if<std::string>(&v.value);
    if (!text) continue;
    auto id = Uuid::parse(*text);
    std::string p = "options[" + std::to_string(i) + "].value";
    if (v.type == CommandOptionType::kUser && (!id || !store::members::exists(c, space_id, *id)))
      return Error::validation(p + ": not a member of this space");
    if (v.type == CommandOptionType::kChannel && (!id || !channel_in_space(c, space_id, *id)))
      return Error::validation(p + ": not a channel of this space");
    if (v.type == CommandOptionType::kRole && (!id || !archetype_in_space(c, space_id, *id)))
      return Error::validation(p + ": not an archetype of this space");
  }
  return {};
}

Result<ControlTarget> find_message_control(store::Connection& c, const Uuid& person_id,
                                           std::int64_t message_id) {
  auto stored = store::messages::find(c, message_id);
  if (!stored) return Error::not_found("message_not_found", "Message not found.");
  auto access = require_channel_member(c, stored->channel_id, person_id);
  if (!access) return access.error();
  auto app = store::apps::find_by_bot_user(c, stored->creator_id);
  // A bot that was uninstalled no longer answers its old messages' controls.
  if (!app || !stored->controls_json ||
      !store::members::exists(c, stored->space_id, app->bot_user_id))
    return Error::not_found("control_not_found", "The message has no controls.");
  ControlTarget target;
  target.message.id = stored->id;
  target.message.channel_id = stored->channel_id;
  target.message.space_id = stored->space_id;
  target.message.creator_id = stored->creator_id;
  if (auto rows = wire::parse_controls_from_storage(*stored->controls_json))
    target.message.controls = std::move(*rows);
  target.channel = access->channel;
  target.app = *app;
  target.access = access->access;
  target.person_id = person_id;
  return target;
}

Status check_control_usable(store::Connection& c, const ControlTarget& target,
                            const Control& control) {
  if (control.disabled.value_or(false))
    return Error::bad_request("control_disabled", "This control is disabled.");
  if (control.required_archetype_id && !target.access.permissions.administrator()) {
    // Holders of ManageServer (and the owner) always pass (SPEC.md §7.2, changelog 1.7.0).
    auto member = store::members::find(c, target.channel.space_id, target.person_id);
    bool holds = member && std::find(member->archetype_ids.begin(), member->archetype_ids.end(),
                                     *control.required_archetype_id) != member->archetype_ids.end();
    if (!holds)
      return Error::forbidden("archetype_required",
                              "This control needs an archetype you do not have.");
  }
  return {};
}

Status check_select_values(store::Connection& c, const Uuid& space_id, ControlType type,
                           const std::optional<std::vector<SelectOption>>& options,
                           std::int32_t min_values, std::int32_t max_values,
                           const std::vector<std::string>& values, const std::string& path) {
  if (static_cast<std::int32_t>(values.size()) < min_values ||
      static_cast<std::int32_t>(values.size()) > max_values)
    return Error::validation(path + ": choose between " + std::to_string(min_values) + " and " +
                             std::to_string(max_values) + " values");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& v = values[i];
    std::string p = path + "[" + std::to_string(i) + "]";
    if (!seen.insert(v).second) return Error::validation(p + ": chosen twice");
    switch (type) {
      case ControlType::kStringSelect: {
        bool known = false;
        if (options)
          for (const auto& o : *options) known = known || o.value == v;
        if (!known) return Error::validation(p + ": not one of the select's options");
        break;
      }
      case ControlType::kUserSelect: {
        auto id = Uuid::parse(v);
        if (!id || !store::members::exists(c, space_id, *id))
          return Error::validation(p + ": not a member of this space");
        break;
      }
      case ControlType::kArchetypeSelect: {
        auto id = Uuid::parse(v);
        if (!id || !archetype_in_space(c, space_id, *id))
          return Error::validation(p + ": not an archetype of this space");
        break;
      }
      case ControlType::kChannelSelect: {
        auto id = Uuid::parse(v);
        if (!id || !channel_in_space(c, space_id, *id))
          return Error::validation(p + ": not a channel of this space");
        break;
      }
      case ControlType::kButton:
        return Error::validation(p + ": not a select");
    }
  }
  return {};
}

Result<json::array> check_modal_values(store::Connection& c, const Uuid& space_id,
                                       const ModalDefinition& modal,
                                       const std::vector<ModalFieldValue>& values) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::string p = "values[" + std::to_string(i) + "].customId";
    bool known = false;
    for (const auto& comp : modal.components)
      known = known || comp.custom_id == values[i].custom_id;
    if (!known)
      return Error::validation(p + ": the modal has no field '" + values[i].custom_id + "'");
    if (!seen.insert(values[i].custom_id).second) return Error::validation(p + ": given twice");
  }
  json::array out;
  for (const auto& comp : modal.components) {
    const ModalFieldValue* given = nullptr;
    std::size_t index = 0;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i].custom_id == comp.custom_id) given = &values[i], index = i;
    std::string p = "values[" + std::to_string(index) + "].value";
    std::vector<std::string> chosen;
    switch (comp.type) {
      case ModalComponentType::kTextInput: {
        if (!given || given->values.empty() ||
            (given->values.size() == 1 && given->values[0].empty())) {
          if (comp.required.value_or(true))
            return Error::validation("values: the required field '" + comp.custom_id +
                                     "' is missing");
          break;
        }
        if (!given->is_text || given->values.size() != 1)
          return Error::validation(p + ": must be text");
        const std::string& text = given->values[0];
        auto length = static_cast<std::int64_t>(codepoint_length(text));
        if (!is_valid_utf8(text) || length < comp.min_length.value_or(0) ||
            length > comp.max_length.value_or(kMaxTextInputLength))
          return Error::validation(p + ": length must be between " +
                                   std::to_string(comp.min_length.value_or(0)) + " and " +
                                   std::to_string(comp.max_length.value_or(kMaxTextInputLength)));
        chosen.push_back(text);
        break;
      }
      case ModalComponentType::kCheckbox: {
        bool checked = comp.default_value.value_or(false);
        if (given) {
          bool ok = given->values.size() == 1 &&
                    (given->values[0] == "true" || given->values[0] == "false");
          if (!ok) return Error::validation(p + ": must be true or false");
          checked = given->values[0] == "true";
        }
        chosen.push_back(checked ? "true" : "false");
        break;
      }
      default: {
        if (!given) {
          if (comp.required.value_or(false))
            return Error::validation("values: the required field '" + comp.custom_id +
                                     "' is missing");
          break;
        }
        static constexpr ControlType kSelectOf[] = {
            ControlType::kButton, ControlType::kStringSelect, ControlType::kUserSelect,
            ControlType::kArchetypeSelect, ControlType::kChannelSelect};
        ARGON_TRY(check_select_values(c, space_id, kSelectOf[static_cast<int>(comp.type)],
                                      comp.options, comp.min_values.value_or(kDefaultSelectValues),
                                      comp.max_values.value_or(kDefaultSelectValues), given->values,
                                      p));
        chosen = given->values;
      }
    }
    if (chosen.empty() && comp.type != ModalComponentType::kCheckbox && !given) continue;
    json::array list;
    for (const auto& v : chosen) list.emplace_back(v);
    out.push_back(json::object{{"customId", comp.custom_id}, {"values", std::move(list)}});
  }
  return out;
}

}  // namespace argon::services
