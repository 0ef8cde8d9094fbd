#include "argon/services/interactions.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "argon/services/commands.hpp"
#include "argon/services/people_actions.hpp"
#include "argon/store/accounts_repo.hpp"
#include "argon/store/commands_repo.hpp"
#include "argon/store/messages_repo.hpp"
#include "argon/store/spaces_repo.hpp"
#include "argon/wire/commands_json.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/shapes.hpp"

namespace argon::services {
namespace json = boost::json;

namespace {
Error interaction_not_found() {
  return Error::not_found("interaction_not_found", "Interaction does not exist or has expired");
}
}  // namespace

json::value InteractionService::voice_state_json(store::Connection& c, const Uuid& space_id,
                                                 const Uuid& person_id) const {
  VoicePresence* voice = voice_.load();
  auto slot = voice ? voice->slot_in_space(c, space_id, person_id) : std::nullopt;
  if (!slot) return nullptr;
  // state: ChannelMemberState flags; we track no mute/deafen/stream state (0 = none).
  return json::object{{"channelId", slot->channel_id.str()},
                      {"joinedAt", format_iso8601_ms(slot->joined_at_ms)},
                      {"state", 0}};
}

Task<Result<Uuid>> InteractionService::invoke_command(const Uuid& person_id, const Uuid& channel_id,
                                                      const Uuid& command_id,
                                                      const std::vector<SubmittedValue>& options) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Uuid> {
    batch.clear();
    auto access = require_channel_member(c, channel_id, person_id);
    if (!access) return access.error();
    auto stored = store::commands::find(c, command_id);
    const Uuid& space_id = access->channel.space_id;
    auto app = stored ? store::apps::find(c, stored->app_id) : std::nullopt;
    if (!stored || !app || (stored->space_id && *stored->space_id != space_id) ||
        !store::members::exists(c, space_id, app->bot_user_id))
      return Error::not_found("not_found", "No such command in this space.");
    ARGON_TRY(require_permission(access->access, entitlement::kUseCommands));
    Command command = command_from_storage(*stored);
    if (!command.default_permission)
      ARGON_TRY(require_permission(access->access, entitlement::kManageServer));
    ARGON_TRY(require_text_channel(access->channel));
    auto typed = type_command_values(command.options, options);
    if (!typed) return typed.error();
    ARGON_TRY(check_ids_in_space(c, space_id, *typed));

    auto interaction = new_interaction(ctx_, app->id, "command", access->channel, person_id);
    store::interactions::insert(c, interaction);
    json::array values;
    for (const auto& v : *typed)
      values.push_back(json::object{{"name", v.name},
                                    {"type", static_cast<std::int64_t>(v.type)},
                                    {"value", wire::command_value_json(v.value)}});
    json::object payload{{"interactionId", interaction.id.str()},
                         {"spaceId", space_id.str()},
                         {"channelId", channel_id.str()},
                         {"commandId", command.id.str()},
                         {"commandName", command.name},
                         {"user", person_json(ctx_, c, space_id, person_id)},
                         {"options", std::move(values)},
                         {"voiceState", voice_state_json(c, space_id, person_id)}};
    batch.append(c, events::bot_stream(app->bot_user_id), "commandInteraction", space_id,
                 json::serialize(payload), ctx_.now_ms());
    return interaction.id;
  });
  co_return result;
}

Task<Result<Uuid>> InteractionService::click(const Uuid& person_id, std::int64_t message_id,
                                             const std::string& control_id) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Uuid> {
    batch.clear();
    auto target = find_message_control(c, person_id, message_id);
    if (!target) return target.error();
    const Control* control = nullptr;
    for (const auto& row : target->message.controls)
      for (const auto& ctl : row.controls)
        if (ctl.type == ControlType::kButton && ctl.id == control_id) control = &ctl;
    if (!control)
      return Error::not_found("control_not_found",
                              "The message has no button '" + control_id + "'.");
    if (control->variant == ButtonVariant::kLink)
      return Error::bad_request("not_a_callback",
                                "Link buttons open their URL; they send no interaction.");
    ARGON_TRY(check_control_usable(c, *target, *control));
    auto interaction = new_interaction(ctx_, target->app.id, "control", target->channel, person_id);
    interaction.message_id = message_id;
    store::interactions::insert(c, interaction);
    json::object payload{{"interactionId", interaction.id.str()},
                         {"controlType", static_cast<std::int64_t>(ControlType::kButton)},
                         {"messageId", message_id},
                         {"channelId", target->channel.id.str()},
                         {"spaceId", target->channel.space_id.str()},
                         {"user", person_json(ctx_, c, target->channel.space_id, person_id)},
                         {"controlId", control_id},
                         {"voiceState", voice_state_json(c, target->channel.space_id, person_id)}};
    batch.append(c, events::bot_stream(target->app.bot_user_id), "controlInteraction",
                 target->channel.space_id, json::serialize(payload), ctx_.now_ms());
    return interaction.id;
  });
  co_return result;
}

Task<Result<Uuid>> InteractionService::select(const Uuid& person_id, std::int64_t message_id,
                                              const std::string& custom_id,
                                              const std::vector<std::string>& values) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Uuid> {
    batch.clear();
    auto target = find_message_control(c, person_id, message_id);
    if (!target) return target.error();
    const Control* control = nullptr;
    for (const auto& row : target->message.controls)
      for (const auto& ctl : row.controls)
        if (ctl.type != ControlType::kButton && ctl.custom_id == custom_id) control = &ctl;
    if (!control)
      return Error::not_found("control_not_found",
                              "The message has no select '" + custom_id + "'.");
    ARGON_TRY(check_control_usable(c, *target, *control));
    ARGON_TRY(check_select_values(c, target->channel.space_id, control->type, control->options,
                                  control->min_values.value_or(kDefaultSelectValues),
                                  control->max_values.value_or(kDefaultSelectValues), values,
                                  "values"));
    auto interaction = new_interaction(ctx_, target->app.id, "select", target->channel, person_id);
    interaction.message_id = message_id;
    store::interactions::insert(c, interaction);
    json::array list;
    for (const auto& v : values) list.emplace_back(v);
    json::object payload{{"interactionId", interaction.id.str()},
                         {"controlType", static_cast<std::int64_t>(control->type)},
                         {"customId", custom_id},
                         {"messageId", message_id},
                         {"channelId", target->channel.id.str()},
                         {"spaceId", target->channel.space_id.str()},
                         {"user", person_json(ctx_, c, target->channel.space_id, person_id)},
                         {"values", std::move(list)},
                         {"voiceState", voice_state_json(c, target->channel.space_id, person_id)}};
    batch.append(c, events::bot_stream(target->app.bot_user_id), "selectInteraction",
                 target->channel.space_id, json::serialize(payload), ctx_.now_ms());
    return interaction.id;
  });
  co_return result;
}

Task<Result<Uuid>> InteractionService::submit_modal(const Uuid& person_id,
                                                    const Uuid& interaction_id,
                                                    const std::vector<ModalFieldValue>& values) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Uuid> {
    batch.clear();
    auto shown = store::interactions::find(c, interaction_id);
    std::int64_t now = ctx_.now_ms();
    if (!shown || shown->kind != "modal" || shown->user_id != person_id || shown->consumed ||
        shown->expires_at_ms <= now || !shown->modal_json)
      return interaction_not_found();
    auto member = require_member(c, shown->space_id, person_id);
    if (!member) return member.error();
    auto modal = wire::parse_modal_from_storage(*shown->modal_json);
    if (!modal) return modal.error();
    auto fields = check_modal_values(c, shown->space_id, *modal, values);
    if (!fields) return fields.error();
    auto app = store::apps::find(c, shown->app_id);
    auto channel = store::channels::find(c, shown->channel_id);
    if (!app || !channel) return interaction_not_found();
    // Consumed by a concurrent submission since the read (PostgreSQL): only one of them wins.
    if (!store::interactions::consume(c, interaction_id)) return interaction_not_found();
    auto interaction = new_interaction(ctx_, app->id, "modal_submit", *channel, person_id);
    store::interactions::insert(c, interaction);
    json::object payload{{"interactionId", interaction.id.str()},
                         {"customId", modal->custom_id},
                         {"channelId", channel->id.str()},
                         {"spaceId", channel->space_id.str()},
                         {"user", person_json(ctx_, c, channel->space_id, person_id)},
                         {"values", std::move(*fields)},
                         {"voiceState", voice_state_json(c, channel->space_id, person_id)}};
    batch.append(c, events::bot_stream(app->bot_user_id), "modalSubmit", channel->space_id,
                 json::serialize(payload), now);
    return interaction.id;
  });
  co_return result;
}

Task<Status> InteractionService::respond(const BotIdentity& bot, const Uuid& interaction_id,
                                         const char* event_type) {
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Status {
    batch.clear();
    auto i = store::interactions::find(c, interaction_id);
    std::int64_t now = ctx_.now_ms();
    if (!i || i->app_id != bot.app.id || i->consumed || i->expires_at_ms <= now ||
        i->kind == "modal")  // an open modal waits for the person, not the bot
      return interaction_not_found();
    json::object payload{{"interactionId", interaction_id.str()}};
    batch.append(c, events::user_stream(i->user_id), event_type, i->space_id,
                 json::serialize(payload), now);
    return {};
  });
  co_return result;
}

Task<Status> InteractionService::ack(const BotIdentity& bot, const Uuid& id) {
  auto done = co_await respond(bot, id, "interactionAcked");
  co_return done;
}
Task<Status> InteractionService::defer(const BotIdentity& bot, const Uuid& id) {
  auto done = co_await respond(bot, id, "interactionDeferred");
  co_return done;
}

Task<Result<Uuid>> InteractionService::show_modal(const BotIdentity& bot,
                                                  const Uuid& interaction_id,
                                                  const ModalDefinition& modal) {
  ARGON_CO_TRY(validate_modal(modal));
  std::string modal_json = wire::serialize_modal_for_storage(modal);
  EventBatch batch{ctx_};
  auto result = co_await ctx_.db.transact([&](store::Connection& c) -> Result<Uuid> {
    batch.clear();
    auto i = store::interactions::find(c, interaction_id);
    std::int64_t now = ctx_.now_ms();
    if (!i || i->app_id != bot.app.id || i->consumed || i->expires_at_ms <= now ||
        i->kind == "modal")
      return interaction_not_found();
    auto channel = store::channels::find(c, i->channel_id);
    if (!channel) return interaction_not_found();
    // Consumed by a concurrent call since the read (PostgreSQL): only one of them wins.
    if (!store::interactions::consume(c, interaction_id)) return interaction_not_found();
    auto shown = new_interaction(ctx_, bot.app.id, "modal", *channel, i->user_id);
    shown.custom_id = modal.custom_id;
    shown.modal_json = modal_json;
    store::interactions::insert(c, shown);
    json::object payload{{"interactionId", shown.id.str()}, {"modal", wire::modal_json(modal)}};
    batch.append(c, events::user_stream(i->user_id), "showModal", i->space_id,
                 json::serialize(payload), now);
    return shown.id;
  });
  co_return result;
}

Task<std::int64_t> InteractionService::prune_expired() {
  std::int64_t cutoff = ctx_.now_ms() - 60 * 60 * 1000;  // keep an hour for diagnostics
  auto r = co_await ctx_.db.transact([&](store::Connection& c) -> Result<std::int64_t> {
    return store::interactions::prune(c, cutoff);
  });
  co_return r ? *r : 0;
}

}  // namespace argon::services
