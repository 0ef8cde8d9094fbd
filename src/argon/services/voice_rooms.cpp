#include "argon/services/voice_rooms.hpp"

namespace argon::services {

bool LocalVoiceRoomMembers::join(const std::string& room, const Uuid& who) {
  std::lock_guard lock(mutex_);
  return rooms_[room].insert(who).second;
}

bool LocalVoiceRoomMembers::leave(const std::string& room, const Uuid& who) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end() || it->second.erase(who) == 0) return false;
  if (it->second.empty()) rooms_.erase(it);
  return true;
}

bool LocalVoiceRoomMembers::contains(const std::string& room, const Uuid& who) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  return it != rooms_.end() && it->second.count(who) > 0;
}

}  // namespace argon::services
