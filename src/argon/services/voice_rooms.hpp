#pragma once
// Voice-room state shared by the nodes (shared_state.hpp's seams, for voice): who joined a room
// through the client API. LocalVoiceRoomMembers keeps it in memory for one node.
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "argon/domain/uuid.hpp"

namespace argon::services {

// The people in each voice room who joined through the client API (connected to the relay or
// not yet). In a cluster a room is served by one node at a time; this is where its membership is
// kept so that any node can answer a join, a leave or a kick.
class VoiceRoomMembers {
 public:
  virtual ~VoiceRoomMembers() = default;
  // true when `who` was not in the room yet.
  virtual bool join(const std::string& room, const Uuid& who) = 0;
  // true when `who` was in the room (exactly one caller sees true: one voiceLeave).
  virtual bool leave(const std::string& room, const Uuid& who) = 0;
  virtual bool contains(const std::string& room, const Uuid& who) const = 0;
};

class LocalVoiceRoomMembers final : public VoiceRoomMembers {
 public:
  bool join(const std::string& room, const Uuid& who) override;
  bool leave(const std::string& room, const Uuid& who) override;
  bool contains(const std::string& room, const Uuid& who) const override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::set<Uuid>> rooms_;
};

}  // namespace argon::services
