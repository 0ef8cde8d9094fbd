#pragma once
// The interaction lifecycle (SPEC.md §7–8, DECISIONS.md §9): people invoke commands, click
// buttons, submit selects and modals; the owning bot acknowledges, defers or opens a modal.
// Interactions live in the store (any node can answer) for limits.interaction_ttl_ms.
#include <atomic>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "argon/domain/commands.hpp"
#include "argon/domain/modal.hpp"
#include "argon/services/bots.hpp"
#include "argon/services/voice_rooms.hpp"

namespace argon::services {

// One submitted modal field: text for a text input, "true"/"false" for a checkbox, the chosen
// values for a select.
struct ModalFieldValue {
  std::string custom_id;
  std::vector<std::string> values;
  bool is_text = false;  // given as one string
  bool is_bool = false;  // given as a JSON boolean
};

class InteractionService {
 public:
  explicit InteractionService(Context& ctx, VoicePresence* voice = nullptr)
      : ctx_(ctx), voice_(voice) {}

  // Where the people's voice membership is read for the events' `voiceState` (the voice
  // service's rooms, which exist once the server runs); null: nobody is in voice.
  void use_voice(VoicePresence* voice) { voice_.store(voice); }

  // People. Each returns the new interaction id and emits its event to the owning bot.
  Task<Result<Uuid>> invoke_command(const Uuid& person_id, const Uuid& channel_id,
                                    const Uuid& command_id,
                                    const std::vector<SubmittedValue>& options);
  Task<Result<Uuid>> click(const Uuid& person_id, std::int64_t message_id,
                           const std::string& control_id);
  Task<Result<Uuid>> select(const Uuid& person_id, std::int64_t message_id,
                            const std::string& custom_id, const std::vector<std::string>& values);
  Task<Result<Uuid>> submit_modal(const Uuid& person_id, const Uuid& interaction_id,
                                  const std::vector<ModalFieldValue>& values);

  // The owning bot. 404 interaction_not_found when unknown, expired, consumed or foreign.
  Task<Status> ack(const BotIdentity& bot, const Uuid& interaction_id);
  Task<Status> defer(const BotIdentity& bot, const Uuid& interaction_id);
  // Validates the modal (400, consumes nothing), consumes the interaction and returns the
  // modal's own interaction id; the person sees showModal.
  Task<Result<Uuid>> show_modal(const BotIdentity& bot, const Uuid& interaction_id,
                                const ModalDefinition& modal);

  Task<std::int64_t> prune_expired();

 private:
  Task<Status> respond(const BotIdentity& bot, const Uuid& interaction_id, const char* event_type);
  // BotVoiceStateV1 {channelId, joinedAt, state: 0} of the person's voice channel in the space,
  // or null (UPSTREAM.md §4), read inside the event's transaction.
  boost::json::value voice_state_json(store::Connection& c, const Uuid& space_id,
                                      const Uuid& person_id) const;

  Context& ctx_;
  std::atomic<VoicePresence*> voice_;
};

}  // namespace argon::services
