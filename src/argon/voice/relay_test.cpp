#include "argon/voice/relay.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace argon::voice {
namespace {

// Records what the relay sends to one socket.
class FakePeer final : public AudioPeer {
 public:
  bool send_packet(std::shared_ptr<const std::string> bytes) override {
    packets.push_back(*bytes);
    return true;
  }
  void send_status(std::string json) override {
    statuses.push_back(std::string(boost::json::parse(json).as_object().at("status").as_string()));
  }
  void close(std::uint16_t code, std::string reason) override {
    closed_code = code;
    closed_reason = std::move(reason);
  }
  std::vector<std::string> packets;
  std::vector<std::string> statuses;
  int closed_code = 0;
  std::string closed_reason;
};

Uuid id(int n) {
  std::array<std::uint8_t, 16> b{};
  b[15] = static_cast<std::uint8_t>(n);
  return Uuid(b);
}

struct RelayTest : ::testing::Test {
  std::vector<std::pair<std::string, Uuid>> joined, left;
  Relay relay{
      RelayObserver{[this](const std::string& r, const Uuid& u) { joined.emplace_back(r, u); },
                    [this](const std::string& r, const Uuid& u) { left.emplace_back(r, u); }}};
  std::shared_ptr<FakePeer> peer() { return std::make_shared<FakePeer>(); }
};

TEST_F(RelayTest, PublisherIsReadyAndSubscriberWaitsThenSubscribes) {
  auto sub = peer();
  auto s = relay.join("room", id(2), PeerMode::Subscribe, id(1), sub, "S2");
  EXPECT_EQ(sub->statuses, (std::vector<std::string>{"waiting"}));
  auto pub = peer();
  auto p = relay.join("room", id(1), PeerMode::Publish, std::nullopt, pub, "S1");
  EXPECT_EQ(pub->statuses, (std::vector<std::string>{"ready"}));
  EXPECT_EQ(sub->statuses, (std::vector<std::string>{"waiting", "subscribed"}));
  relay.publish(*p, "\x78\x01\x02");
  EXPECT_EQ(sub->packets, (std::vector<std::string>{"\x78\x01\x02"}));
  EXPECT_TRUE(pub->packets.empty());  // nobody hears themselves
}

TEST_F(RelayTest, OnlyTheTargetsSubscribersHearAPublisherAndPeopleGetThePrefix) {
  auto p1 = relay.join("room", id(1), PeerMode::Publish, std::nullopt, peer(), "a");
  auto other = peer();
  relay.join("room", id(3), PeerMode::Subscribe, id(9), other, "b");
  auto person = peer();
  relay.join("room", id(4), PeerMode::Person, std::nullopt, person, "c");
  auto elsewhere = peer();
  relay.join("other-room", id(5), PeerMode::Person, std::nullopt, elsewhere, "d");
  relay.publish(*p1, "pkt");
  EXPECT_TRUE(other->packets.empty());
  ASSERT_EQ(person->packets.size(), 1u);
  const Uuid sender = id(1);
  std::string expected(sender.bytes().begin(), sender.bytes().end());
  EXPECT_EQ(person->packets[0], expected + "pkt");
  EXPECT_TRUE(elsewhere->packets.empty());
  EXPECT_EQ(relay.forwarded_packets(), 1u);
}

TEST_F(RelayTest, TargetLeavingTellsItsListenersAndClosesThem) {
  auto p = relay.join("room", id(1), PeerMode::Publish, std::nullopt, peer(), "a");
  auto sub = peer();
  relay.join("room", id(2), PeerMode::Duplex, id(1), sub, "b");
  relay.leave(p);
  EXPECT_EQ(sub->statuses.back(), "target_left");
  EXPECT_EQ(sub->closed_code, 1000);
}

TEST_F(RelayTest, JoinAndLeaveAreReportedOncePerIdentity) {
  auto a = relay.join("room", id(1), PeerMode::Publish, std::nullopt, peer(), "a");
  auto b = relay.join("room", id(1), PeerMode::Subscribe, id(7), peer(), "b");
  EXPECT_EQ(joined.size(), 1u);
  relay.leave(a);
  EXPECT_TRUE(left.empty());
  EXPECT_TRUE(relay.in_room("room", id(1)));
  relay.leave(b);
  relay.leave(b);  // a second report of the same socket changes nothing
  ASSERT_EQ(left.size(), 1u);
  EXPECT_FALSE(relay.in_room("room", id(1)));
  EXPECT_EQ(relay.participant_count(), 0u);
}

TEST_F(RelayTest, KickClosesEverySocketOfThatIdentityInThatRoomOnly) {
  auto one = peer(), two = peer(), other_room = peer();
  relay.join("room", id(1), PeerMode::Publish, std::nullopt, one, "a");
  relay.join("room", id(1), PeerMode::Duplex, id(2), two, "b");
  relay.join("room2", id(1), PeerMode::Publish, std::nullopt, other_room, "c");
  EXPECT_TRUE(relay.kick("room", id(1), 4001, "kicked"));
  EXPECT_EQ(one->closed_code, 4001);
  EXPECT_EQ(two->closed_code, 4001);
  EXPECT_EQ(other_room->closed_code, 0);
  EXPECT_FALSE(relay.in_room("room", id(1)));
  EXPECT_FALSE(relay.kick("room", id(1), 4001, "kicked"));
}

TEST_F(RelayTest, ARoomIsEmptyOnceItsLastSocketLeftWhateverOtherRoomsHold) {
  EXPECT_TRUE(relay.room_empty("room"));
  auto a = relay.join("room", id(1), PeerMode::Publish, std::nullopt, peer(), "a");
  auto b = relay.join("room", id(1), PeerMode::Subscribe, id(2), peer(), "b");
  relay.join("other", id(3), PeerMode::Publish, std::nullopt, peer(), "c");
  EXPECT_FALSE(relay.room_empty("room"));
  relay.leave(a);
  EXPECT_FALSE(relay.room_empty("room"));  // one socket of that identity is left
  relay.leave(b);
  EXPECT_TRUE(relay.room_empty("room"));
  EXPECT_FALSE(relay.room_empty("other"));
}

}  // namespace
}  // namespace argon::voice
