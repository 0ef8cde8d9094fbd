#pragma once
// The built-in audio relay (DECISIONS.md §10, SPEC.md §11.2): rooms of participants, each on a
// WebSocket. A publisher's Opus packets are forwarded unchanged to the subscribers that target
// it and, prefixed with the sender's 16-byte user id, to the people in the room. Forwarding
// never waits: a slow receiver's transport drops packets instead of delaying the others.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "argon/domain/uuid.hpp"

namespace argon::voice {

// One participant's socket, as the relay sees it. Thread-safe.
class AudioPeer {
 public:
  virtual ~AudioPeer() = default;
  virtual bool send_packet(std::shared_ptr<const std::string> bytes) = 0;  // may drop
  virtual void send_status(std::string json) = 0;
  virtual void close(std::uint16_t code, std::string reason) = 0;
};

enum class PeerMode {
  Publish,    // /audio/connect: sends only
  Subscribe,  // /audio/subscribe: hears its target only
  Duplex,     // /audio/duplex: sends, and hears its target
  Person,     // a person's socket: sends, and hears everyone (packets prefixed with the sender)
};

struct Participant {
  std::string room;
  Uuid identity;
  PeerMode mode = PeerMode::Publish;
  std::optional<Uuid> target;
  std::shared_ptr<AudioPeer> peer;
  std::string session_id;
  bool target_present = false;  // subscribe/duplex: whether "subscribed" was sent
  bool publishes() const { return mode != PeerMode::Subscribe; }
};

// Told when an identity enters a room (its first socket) or leaves it (its last socket).
struct RelayObserver {
  std::function<void(const std::string& room, const Uuid& identity)> joined;
  std::function<void(const std::string& room, const Uuid& identity)> left;
};

class Relay {
 public:
  explicit Relay(RelayObserver observer = {}) : observer_(std::move(observer)) {}

  // Adds the participant and sends its status frames (ready / waiting / subscribed).
  std::shared_ptr<Participant> join(std::string room, Uuid identity, PeerMode mode,
                                    std::optional<Uuid> target, std::shared_ptr<AudioPeer> peer,
                                    std::string session_id);
  // Removes it (its socket ended). Subscribers of an identity that left get target_left and close.
  void leave(const std::shared_ptr<Participant>& participant);
  // A validated packet from a publishing participant.
  void publish(const Participant& from, std::string_view packet);
  // Closes every socket of `identity` in `room`; false when it has none there.
  bool kick(const std::string& room, const Uuid& identity, std::uint16_t code,
            const std::string& reason);

  bool in_room(const std::string& room, const Uuid& identity) const;
  // No socket at all in `room`.
  bool room_empty(const std::string& room) const;
  std::size_t participant_count() const;
  std::size_t room_count() const;  // rooms with at least one socket here
  std::uint64_t forwarded_packets() const { return forwarded_.load(); }

 private:
  struct Room {
    std::vector<std::shared_ptr<Participant>> participants;
    // Indexes for the hot path: who listens to whom, and the people (who hear everyone), so a
    // packet touches only its receivers, not the whole room.
    std::unordered_map<Uuid, std::vector<std::shared_ptr<Participant>>> listeners;
    std::vector<std::shared_ptr<Participant>> people;
  };
  std::size_t sockets_of(const Room& room, const Uuid& identity) const;

  RelayObserver observer_;
  mutable std::mutex mutex_;
  std::map<std::string, Room> rooms_;
  std::atomic<std::uint64_t> forwarded_{0};
};

std::string status_json(std::string_view status, std::string_view session_id,
                        std::optional<Uuid> participant = std::nullopt,
                        std::optional<std::string> track_sid = std::nullopt);

}  // namespace argon::voice
