#include "argon/voice/relay.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace argon::voice {

std::string status_json(std::string_view status, std::string_view session_id,
                        std::optional<Uuid> participant, std::optional<std::string> track_sid) {
  boost::json::object o{{"status", status}, {"session_id", session_id}};
  if (track_sid) o["track_sid"] = *track_sid;
  if (participant) o["participant_identity"] = participant->str();
  return boost::json::serialize(o);
}

namespace {
std::string track_sid_of(const std::string&, const Uuid& identity) {
  return "TR_" + identity.hex().substr(0, 12);
}
}  // namespace

std::size_t Relay::sockets_of(const Room& room, const Uuid& identity) const {
  return static_cast<std::size_t>(
      std::count_if(room.participants.begin(), room.participants.end(),
                    [&](const auto& p) { return p->identity == identity; }));
}

std::shared_ptr<Participant> Relay::join(std::string room_name, Uuid identity, PeerMode mode,
                                         std::optional<Uuid> target,
                                         std::shared_ptr<AudioPeer> peer, std::string session_id) {
  auto p = std::make_shared<Participant>();
  p->room = std::move(room_name);
  p->identity = identity;
  p->mode = mode;
  p->target = target;
  p->peer = std::move(peer);
  p->session_id = std::move(session_id);
  bool first = false;
  std::vector<std::shared_ptr<Participant>> waiting_for_me;
  {
    std::lock_guard lock(mutex_);
    auto& room = rooms_[p->room];
    first = sockets_of(room, identity) == 0;
    room.participants.push_back(p);
    if (p->mode == PeerMode::Person) room.people.push_back(p);
    if (p->target) room.listeners[*p->target].push_back(p);
    if (p->publishes()) p->peer->send_status(status_json("ready", p->session_id));
    if (p->target) {
      bool present = false;
      for (const auto& other : room.participants)
        present = present || (other->identity == *p->target && other->publishes() && other != p);
      p->target_present = present;
      p->peer->send_status(present ? status_json("subscribed", p->session_id, *p->target,
                                                 track_sid_of(p->room, *p->target))
                                   : status_json("waiting", p->session_id, *p->target));
    }
    if (p->publishes())
      for (const auto& other : room.participants)
        if (other != p && other->target == identity && !other->target_present)
          waiting_for_me.push_back(other);
    for (const auto& other : waiting_for_me) {
      other->target_present = true;
      other->peer->send_status(
          status_json("subscribed", other->session_id, identity, track_sid_of(p->room, identity)));
    }
  }
  if (first && observer_.joined) observer_.joined(p->room, identity);
  return p;
}

void Relay::leave(const std::shared_ptr<Participant>& p) {
  bool last = false;
  std::vector<std::shared_ptr<Participant>> orphans;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(p->room);
    if (it == rooms_.end()) return;
    auto& list = it->second.participants;
    auto before = list.size();
    std::erase(list, p);
    if (list.size() == before) return;  // already gone
    std::erase(it->second.people, p);
    if (p->target) {
      auto l = it->second.listeners.find(*p->target);
      if (l != it->second.listeners.end()) {
        std::erase(l->second, p);
        if (l->second.empty()) it->second.listeners.erase(l);
      }
    }
    last = sockets_of(it->second, p->identity) == 0;
    bool still_publishing = std::any_of(list.begin(), list.end(), [&](const auto& o) {
      return o->identity == p->identity && o->publishes();
    });
    if (p->publishes() && !still_publishing)
      for (const auto& other : list)
        if (other->target == p->identity) orphans.push_back(other);
    if (list.empty()) rooms_.erase(it);
  }
  // Listeners of someone who left are told, then their socket closes (SPEC.md §11.2).
  for (const auto& o : orphans) {
    o->peer->send_status(status_json("target_left", o->session_id, p->identity));
    o->peer->close(1000, "target left");
  }
  if (last && observer_.left) observer_.left(p->room, p->identity);
}

void Relay::publish(const Participant& from, std::string_view packet) {
  std::shared_ptr<const std::string> raw;
  std::shared_ptr<const std::string> prefixed;
  std::vector<std::shared_ptr<Participant>> to_raw, to_prefixed;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(from.room);
    if (it == rooms_.end()) return;
    if (auto l = it->second.listeners.find(from.identity); l != it->second.listeners.end())
      for (const auto& other : l->second)
        if (other->identity != from.identity && other->mode != PeerMode::Person)
          to_raw.push_back(other);
    for (const auto& other : it->second.people)
      if (other->identity != from.identity) to_prefixed.push_back(other);
    forwarded_ += to_raw.size() + to_prefixed.size();
  }
  if (!to_raw.empty()) raw = std::make_shared<const std::string>(packet);
  if (!to_prefixed.empty()) {
    std::string bytes(from.identity.bytes().begin(), from.identity.bytes().end());
    bytes.append(packet);
    prefixed = std::make_shared<const std::string>(std::move(bytes));
  }
  for (const auto& p : to_raw) p->peer->send_packet(raw);
  for (const auto& p : to_prefixed) p->peer->send_packet(prefixed);
}

bool Relay::kick(const std::string& room, const Uuid& identity, std::uint16_t code,
                 const std::string& reason) {
  std::vector<std::shared_ptr<Participant>> sockets;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return false;
    for (const auto& p : it->second.participants)
      if (p->identity == identity) sockets.push_back(p);
  }
  for (const auto& p : sockets) p->peer->close(code, reason);
  for (const auto& p : sockets) leave(p);  // do not wait for the transport to report the close
  return !sockets.empty();
}

bool Relay::in_room(const std::string& room, const Uuid& identity) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  return it != rooms_.end() && sockets_of(it->second, identity) > 0;
}

bool Relay::room_empty(const std::string& room) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  return it == rooms_.end() || it->second.participants.empty();
}

std::size_t Relay::room_count() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

std::size_t Relay::participant_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [name, room] : rooms_) n += room.participants.size();
  return n;
}

}  // namespace argon::voice
