#pragma once
// Checks shared by the interactions people start: where a control lives, whether this person may
// use it, and whether submitted values fit a select or a modal. Used inside a store write.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "argon/domain/commands.hpp"
#include "argon/domain/modal.hpp"
#include "argon/services/access.hpp"
#include "argon/services/context.hpp"
#include "argon/services/interactions.hpp"
#include "argon/store/commands_repo.hpp"

namespace argon::services {

store::StoredInteraction new_interaction(Context& ctx, const Uuid& app_id, std::string kind,
                                         const Channel& channel, const Uuid& person_id);
// BotUserV1 of a member as the space shows them.
boost::json::object person_json(const Context& ctx, store::Connection& c, const Uuid& space_id,
                                const Uuid& person_id);
// user/channel/role values must name a member, a channel, an archetype of the space.
Status check_ids_in_space(store::Connection& c, const Uuid& space_id,
                          const std::vector<TypedValue>& values);

struct ControlTarget {
  Message message;
  Channel channel;
  BotApp app;          // the bot that sent the message and receives the interaction
  SpaceAccess access;  // the person's
  Uuid person_id;
};
// The bot message holding the controls; the person must be a member of its space.
Result<ControlTarget> find_message_control(store::Connection& c, const Uuid& person_id,
                                           std::int64_t message_id);
// disabled → 400 control_disabled; requiredArchetypeId not held (and no ManageServer) → 403
// archetype_required.
Status check_control_usable(store::Connection& c, const ControlTarget& target,
                            const Control& control);
// Count within [min, max]; string selects: values among the options; user / archetype /
// channel selects: ids of the space.
Status check_select_values(store::Connection& c, const Uuid& space_id, ControlType type,
                           const std::optional<std::vector<SelectOption>>& options,
                           std::int32_t min_values, std::int32_t max_values,
                           const std::vector<std::string>& values, const std::string& path);
// The modal's fields as modalSubmit carries them: [{customId, values}].
Result<boost::json::array> check_modal_values(store::Connection& c, const Uuid& space_id,
                                              const ModalDefinition& modal,
                                              const std::vector<ModalFieldValue>& values);

}  // namespace argon::services
