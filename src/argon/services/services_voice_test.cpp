// VoiceService on two nodes sharing one store (docs/architecture.md "Voice across nodes"): each
// room is served by one node; the other hands out that node's URL, refuses sockets for it, and
// sends kicks, leaves and hang-ups there over the bus; voice and call events go out once.
// Runs on SQLite and, with ARGON_TEST_STORE=postgres, on PostgreSQL.
#include <gtest/gtest.h>

#include "argon/services/services_test_fixture.hpp"
#include "argon/services/voice.hpp"
#include "argon/store/nodes_repo.hpp"

namespace argon::services::testing {
namespace {

// The bus between the test's nodes: events go to the fixture's bus (one log, one recorder);
// requests reach the handlers the addressed node registered, at once.
class Cluster {
 public:
  void add(int node, const std::string& topic, events::EventBus::RequestHandler h) {
    std::lock_guard lock(mutex_);
    handlers_[{node, topic}] = std::move(h);
  }
  events::EventBus::RequestHandler find(int node, const std::string& topic) {
    std::lock_guard lock(mutex_);
    auto it = handlers_.find({node, topic});
    return it == handlers_.end() ? nullptr : it->second;
  }
  void set_down(int node, bool down) {
    std::lock_guard lock(mutex_);
    if (down)
      down_.insert(node);
    else
      down_.erase(node);
  }
  bool is_down(int node) {
    std::lock_guard lock(mutex_);
    return down_.count(node) > 0;
  }
  std::atomic<int> requests{0};

 private:
  std::mutex mutex_;
  std::map<std::pair<int, std::string>, events::EventBus::RequestHandler> handlers_;
  std::set<int> down_;
};

class NodeBus final : public events::EventBus {
 public:
  NodeBus(events::LocalEventBus& events, Cluster& cluster, int node)
      : events_(events), cluster_(cluster), node_(node) {}
  void publish(std::vector<events::EventRecord> records) override {
    events_.publish(std::move(records));
  }
  SubscriptionId subscribe(Subscriber s) override { return events_.subscribe(std::move(s)); }
  void unsubscribe(SubscriptionId id) override { events_.unsubscribe(id); }
  bool clustered() const override { return true; }
  void broadcast(const std::string&, const std::string&) override {}
  SubscriptionId on_broadcast(const std::string&, BroadcastHandler) override { return 0; }
  void request(int node_id, const std::string& topic, const std::string& payload,
               std::chrono::milliseconds, ReplyHandler done) override {
    ++cluster_.requests;
    auto handler = cluster_.is_down(node_id) ? nullptr : cluster_.find(node_id, topic);
    if (!handler) {
      done(std::nullopt);
      return;
    }
    done(handler(payload));
  }
  void on_request(const std::string& topic, RequestHandler handler) override {
    cluster_.add(node_, topic, std::move(handler));
  }

 private:
  events::LocalEventBus& events_;
  Cluster& cluster_;
  int node_;
};

// One socket as the relay sees it.
class FakePeer final : public voice::AudioPeer {
 public:
  bool send_packet(std::shared_ptr<const std::string> bytes) override {
    std::lock_guard lock(mutex_);
    packets_.push_back(*bytes);
    return true;
  }
  void send_status(std::string json) override {
    std::lock_guard lock(mutex_);
    statuses_.push_back(std::move(json));
  }
  void close(std::uint16_t code, std::string) override {
    std::lock_guard lock(mutex_);
    if (!closed_) closed_ = code;
  }
  std::vector<std::string> packets() {
    std::lock_guard lock(mutex_);
    return packets_;
  }
  std::optional<std::uint16_t> closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> packets_;
  std::vector<std::string> statuses_;
  std::optional<std::uint16_t> closed_;
};

struct Node {
  Node(ServicesTest& t, store::Database& db, const Clock& clock, Random& random,
       SnowflakeGenerator& snowflake, events::LocalEventBus& events, Cluster& cluster, int id,
       VoiceSettings settings)
      : bus(events, cluster, id),
        ctx{db, clock, random, snowflake, &bus, nullptr, &scheduler, test_limits()},
        voice(ctx, with_node(settings, id)) {
    (void)t;
    voice.set_public_base(url());
    voice.start(nullptr);
  }
  static VoiceSettings with_node(VoiceSettings s, int id) {
    s.node_id = id;
    return s;
  }
  std::string url() const { return "http://node-" + std::to_string(voice.node_id()) + ":80"; }
  std::string ws() const { return "ws://node-" + std::to_string(voice.node_id()) + ":80"; }

  NodeBus bus;
  FakeScheduler scheduler;
  Context ctx;
  VoiceService voice;
};

class VoiceClusterTest : public HomeSpaceTest {
 protected:
  void SetUp() override {
    HomeSpaceTest::SetUp();
    VoiceSettings settings;
    settings.secret = "0123456789abcdef0123456789abcdef";
    settings.ring_timeout_ms = 2000;
    settings.join_grace_ms = 30000;
    for (int id : {1, 2}) live(id, "http://node-" + std::to_string(id) + ":80");
    a_ = std::make_unique<Node>(*this, *db_, clock_, random_, snowflake_, bus_, cluster_, 1,
                                settings);
    b_ = std::make_unique<Node>(*this, *db_, clock_, random_, snowflake_, bus_, cluster_, 2,
                                settings);
    ASSERT_TRUE(a_->voice.clustered());
    // A bot in the space that may kick.
    auto app = sync_wait(bots_.create_app(alice_.id, {"Voice", "voice_bot"}));
    ASSERT_TRUE(app.ok());
    ASSERT_TRUE(sync_wait(bots_.install(alice_.id, home_.space.id, app->app.id)).ok());
    auto kicker = sync_wait(spaces_.create_archetype(
        alice_.id, home_.space.id, {std::string("kicker"), 0, entitlement::kKickMember}));
    ASSERT_TRUE(kicker.ok());
    ASSERT_TRUE(sync_wait(spaces_.assign_archetype(alice_.id, home_.space.id, app->app.bot_user_id,
                                                   kicker->id, true))
                    .ok());
    auto who = sync_wait(bots_.authenticate(app->token));
    ASSERT_TRUE(who.ok());
    bot_ = *who;
    room_ = voice_room(home_.space.id, voice_);
  }
  void TearDown() override {
    b_.reset();
    a_.reset();
  }
  // A node's lease, renewed now (or `age_ms` ago).
  void live(int node_id, const std::string& url, std::int64_t age_ms = 0) {
    const std::int64_t at = clock_.now_unix_ms() - age_ms;
    db_->transact_now([&](store::Connection& c) -> Status {
      store::nodes::claim(c, node_id, "i" + std::to_string(node_id), url, at, at - 30000);
      c.exec("UPDATE nodes SET heartbeat_at = $2 WHERE node_id = $1", {std::int64_t{node_id}, at});
      return {};
    });
  }
  // A socket that reached `node` for `room`: admitted and joined to its relay, or refused.
  std::shared_ptr<voice::Participant> connect(Node& node, const std::string& room, const Uuid& who,
                                              voice::PeerMode mode, std::shared_ptr<FakePeer> peer,
                                              std::optional<Uuid> target = std::nullopt) {
    auto entry = sync_wait(node.voice.enter(room));
    EXPECT_TRUE(entry.ok());
    if (!entry || !entry->ticket) return nullptr;
    auto p = node.voice.relay().join(room, who, mode, target, peer, "S");
    entry->ticket.reset();
    return p;
  }
  std::size_t voice_events(const std::string& type, const Uuid& user) {
    std::size_t n = 0;
    for (const auto& r : space_log(home_))
      if (r.type == type && payload(r).at("user").at("userId").as_string() == user.str()) ++n;
    return n;
  }
  std::size_t direct_events(const std::string& stream, const std::string& type) {
    std::size_t n = 0;
    for (const auto& r : log(stream))
      if (r.type == type) ++n;
    return n;
  }
  std::optional<std::int64_t> owner_in_store(const std::string& room) {
    return db_->read_now([&](store::Connection& c) -> std::optional<std::int64_t> {
      auto row = c.query_one("SELECT node_id FROM voice_rooms WHERE room = $1", {room});
      if (!row) return std::nullopt;
      return row->i64(0);
    });
  }

  Cluster cluster_;
  std::unique_ptr<Node> a_, b_;
  BotIdentity bot_;
  std::string room_;
};

TEST_F(VoiceClusterTest, APersonOnOneNodeAndABotOnTheOtherShareTheOwnersRelay) {
  // Alice joins through node A: A serves the room now.
  auto joined = sync_wait(a_->voice.person_join(alice_.id, voice_));
  ASSERT_TRUE(joined.ok()) << joined.error().code;
  EXPECT_EQ(joined->url, a_->ws() + "/audio/voice");
  EXPECT_EQ(owner_in_store(room_), 1);
  // The bot asks node B for its token: it is sent to A.
  auto token = sync_wait(b_->voice.bot_stream_token(bot_, home_.space.id, voice_));
  ASSERT_TRUE(token.ok()) << token.error().code;
  EXPECT_EQ(token->url, a_->ws());
  // Egress too.
  auto egress = sync_wait(b_->voice.subscribe_track(bot_, home_.space.id, voice_, alice_.id));
  ASSERT_TRUE(egress.ok());
  EXPECT_EQ(egress->url, a_->ws() + "/audio/subscribe");

  // A socket that reaches B anyway is refused with A's address.
  auto elsewhere = sync_wait(b_->voice.enter(room_));
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->ticket);
  EXPECT_EQ(elsewhere->elsewhere, a_->ws());

  auto alice = std::make_shared<FakePeer>();
  auto bot = std::make_shared<FakePeer>();
  auto pa = connect(*a_, room_, alice_.id, voice::PeerMode::Person, alice);
  auto pb = connect(*a_, room_, bot_.user.id, voice::PeerMode::Duplex, bot, alice_.id);
  ASSERT_TRUE(pa && pb);
  a_->voice.relay().publish(*pb, "\x78\x01\x02");
  a_->voice.relay().publish(*pa, "\x78\x03\x04");
  ASSERT_EQ(alice->packets().size(), 1u);
  EXPECT_EQ(alice->packets()[0].substr(16), "\x78\x01\x02");
  ASSERT_EQ(bot->packets().size(), 1u);
  EXPECT_EQ(bot->packets()[0], "\x78\x03\x04");
  EXPECT_EQ(voice_events("voiceJoin", alice_.id), 1u);
  EXPECT_EQ(voice_events("voiceJoin", bot_.user.id), 1u);

  // Everyone leaves: the room is given up, and the next claim may be another node's.
  a_->voice.relay().leave(pb);
  a_->voice.relay().leave(pa);
  EXPECT_EQ(voice_events("voiceLeave", alice_.id), 1u);
  EXPECT_EQ(voice_events("voiceLeave", bot_.user.id), 1u);
  EXPECT_FALSE(owner_in_store(room_).has_value());
  auto next = sync_wait(b_->voice.bot_stream_token(bot_, home_.space.id, voice_));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->url, b_->ws());
  EXPECT_EQ(owner_in_store(room_), 2);
}

TEST_F(VoiceClusterTest, AKickAskedOfTheOtherNodeClosesTheSocketOnTheOwnerWithOneVoiceLeave) {
  ASSERT_TRUE(sync_wait(a_->voice.person_join(bob_.id, voice_)).ok());
  auto bob = std::make_shared<FakePeer>();
  ASSERT_TRUE(connect(*a_, room_, bob_.id, voice::PeerMode::Person, bob));
  auto kicked = sync_wait(b_->voice.kick(bot_, home_.space.id, voice_, bob_.id));
  ASSERT_TRUE(kicked.ok()) << kicked.error().code;
  EXPECT_EQ(bob->closed(), 4001);
  EXPECT_FALSE(a_->voice.relay().in_room(room_, bob_.id));
  EXPECT_EQ(voice_events("voiceLeave", bob_.id), 1u);
  auto again = sync_wait(b_->voice.kick(bot_, home_.space.id, voice_, bob_.id));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "kick_failed");
  // Joined through B, not connected: B's kick takes them out of the shared membership.
  ASSERT_TRUE(sync_wait(b_->voice.person_join(bob_.id, voice_)).ok());
  EXPECT_TRUE(sync_wait(b_->voice.kick(bot_, home_.space.id, voice_, bob_.id)).ok());
  EXPECT_EQ(voice_events("voiceLeave", bob_.id), 2u);
}

TEST_F(VoiceClusterTest, LeavingThroughTheOtherNodeClosesThePersonsSocketThere) {
  auto joined = sync_wait(a_->voice.person_join(bob_.id, voice_));
  ASSERT_TRUE(joined.ok());
  auto bob = std::make_shared<FakePeer>();
  ASSERT_TRUE(connect(*a_, room_, bob_.id, voice::PeerMode::Person, bob));
  // Joining again through B: the same room on A, no second voiceJoin.
  auto again = sync_wait(b_->voice.person_join(bob_.id, voice_));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->url, a_->ws() + "/audio/voice");
  EXPECT_EQ(voice_events("voiceJoin", bob_.id), 1u);
  ASSERT_TRUE(sync_wait(b_->voice.person_leave(bob_.id, voice_)).ok());
  EXPECT_EQ(bob->closed(), 1000);
  EXPECT_EQ(voice_events("voiceLeave", bob_.id), 1u);
  EXPECT_FALSE(owner_in_store(room_).has_value());
}

TEST_F(VoiceClusterTest, AJoinNeverConnectedLeavesAfterTheGraceWhicheverNodeServesTheRoom) {
  ASSERT_TRUE(sync_wait(a_->voice.person_join(alice_.id, voice_)).ok());  // A serves it
  ASSERT_TRUE(sync_wait(b_->voice.person_join(bob_.id, voice_)).ok());    // through B
  auto alice = std::make_shared<FakePeer>();
  ASSERT_TRUE(connect(*a_, room_, alice_.id, voice::PeerMode::Person, alice));
  // B's grace timer asks A whether bob connected: he did not.
  for (auto id : b_->scheduler.pending())
    if (b_->scheduler.task(id).delay_ms == 30000) b_->scheduler.fire(id);
  EXPECT_EQ(voice_events("voiceLeave", bob_.id), 1u);
  // A's timer for alice: she is connected there, she stays.
  for (auto id : a_->scheduler.pending())
    if (a_->scheduler.task(id).delay_ms == 30000) a_->scheduler.fire(id);
  EXPECT_EQ(voice_events("voiceLeave", alice_.id), 0u);
  EXPECT_GE(cluster_.requests.load(), 1);
}

TEST_F(VoiceClusterTest, TheOwnersSweepLeavesJoinsNeverConnectedWhoseNodeForgotThem) {
  ASSERT_TRUE(sync_wait(a_->voice.person_join(alice_.id, voice_)).ok());  // A serves it
  ASSERT_TRUE(sync_wait(b_->voice.person_join(bob_.id, voice_)).ok());    // B's timer never fires
  auto alice = std::make_shared<FakePeer>();
  ASSERT_TRUE(connect(*a_, room_, alice_.id, voice::PeerMode::Person, alice));
  ASSERT_TRUE(sync_wait(a_->voice.sweep()).ok());
  EXPECT_EQ(voice_events("voiceLeave", bob_.id), 0u);  // within the grace
  clock_.advance_ms(30001);
  live(1, "http://node-1:80");
  live(2, "http://node-2:80");
  ASSERT_TRUE(sync_wait(a_->voice.sweep()).ok());
  ASSERT_TRUE(sync_wait(a_->voice.sweep()).ok());
  EXPECT_EQ(voice_events("voiceLeave", bob_.id), 1u);
  EXPECT_EQ(voice_events("voiceLeave", alice_.id), 0u);  // connected: stays
}

TEST_F(VoiceClusterTest, ACallStartedOnOneNodeAndAcceptedOnTheOtherIsServedByTheAcceptingNode) {
  auto call_id = sync_wait(a_->voice.start_call(alice_.id, bot_.user.id));
  ASSERT_TRUE(call_id.ok()) << call_id.error().code;
  auto ringing = sync_wait(b_->voice.ringing(bot_));
  ASSERT_EQ(ringing.size(), 1u);
  EXPECT_EQ(ringing[0].first, *call_id);
  auto accepted = sync_wait(b_->voice.accept_call(bot_, *call_id));
  ASSERT_TRUE(accepted.ok()) << accepted.error().code;
  EXPECT_EQ(accepted->url, b_->ws());
  EXPECT_EQ(sync_wait(a_->voice.accept_call(bot_, *call_id)).error().code, "not_ringing");
  auto events = log(events::user_stream(alice_.id));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type, "callAccepted");
  EXPECT_EQ(payload(events.back()).at("url").as_string(), b_->ws() + "/audio/voice");
  auto track = sync_wait(a_->voice.subscribe_call_track(bot_, *call_id));
  ASSERT_TRUE(track.ok());
  EXPECT_EQ(track->url, b_->ws() + "/audio/subscribe");

  // Both connect to B and hear each other.
  std::string room = call_room(*call_id);
  auto alice = std::make_shared<FakePeer>();
  auto bot = std::make_shared<FakePeer>();
  auto refused = sync_wait(a_->voice.enter(room));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->elsewhere, b_->ws());
  auto pa = connect(*b_, room, alice_.id, voice::PeerMode::Person, alice);
  auto pb = connect(*b_, room, bot_.user.id, voice::PeerMode::Duplex, bot, alice_.id);
  ASSERT_TRUE(pa && pb);
  b_->voice.relay().publish(*pa, "\x78\x09");
  b_->voice.relay().publish(*pb, "\x78\x0a");
  EXPECT_EQ(bot->packets().size(), 1u);
  EXPECT_EQ(alice->packets().size(), 1u);

  // Alice hangs up through A: one callEnded each, both sockets on B close.
  ASSERT_TRUE(sync_wait(a_->voice.hang_up(alice_.id, *call_id)).ok());
  EXPECT_EQ(alice->closed(), 1000);
  EXPECT_EQ(bot->closed(), 1000);
  EXPECT_EQ(direct_events(events::bot_stream(bot_.user.id), "callEnded"), 1u);
  EXPECT_EQ(direct_events(events::user_stream(alice_.id), "callEnded"), 1u);
  EXPECT_FALSE(owner_in_store(room).has_value());
  EXPECT_FALSE(sync_wait(a_->voice.hang_up(alice_.id, *call_id)).ok());
}

TEST_F(VoiceClusterTest, TheRingTimeoutEndsACallOnceWhicheverNodeNoticesIt) {
  auto call_id = sync_wait(a_->voice.start_call(alice_.id, bot_.user.id));
  ASSERT_TRUE(call_id.ok());
  clock_.advance_ms(2000);
  // B's sweep, A's own timer and A's sweep all see it.
  ASSERT_TRUE(sync_wait(b_->voice.sweep()).ok());
  for (auto id : a_->scheduler.pending())
    if (a_->scheduler.task(id).delay_ms == 2000) a_->scheduler.fire(id);
  ASSERT_TRUE(sync_wait(a_->voice.sweep()).ok());
  EXPECT_EQ(direct_events(events::bot_stream(bot_.user.id), "callEnded"), 1u);
  EXPECT_EQ(direct_events(events::user_stream(alice_.id), "callEnded"), 1u);
  EXPECT_TRUE(sync_wait(b_->voice.ringing(bot_)).empty());
  EXPECT_EQ(sync_wait(b_->voice.accept_call(bot_, *call_id)).error().code, "not_ringing");
}

TEST_F(VoiceClusterTest, ADeadNodesRoomsAreReleasedAndTheirPeopleLeaveOnce) {
  ASSERT_TRUE(sync_wait(a_->voice.person_join(alice_.id, voice_)).ok());
  ASSERT_TRUE(sync_wait(b_->voice.person_join(bob_.id, voice_)).ok());
  auto alice = std::make_shared<FakePeer>();
  ASSERT_TRUE(connect(*a_, room_, alice_.id, voice::PeerMode::Person, alice));
  // A call served by A, in progress.
  auto call_id = sync_wait(b_->voice.start_call(eve_.id, bot_.user.id));
  ASSERT_TRUE(call_id.ok());
  ASSERT_TRUE(sync_wait(a_->voice.accept_call(bot_, *call_id)).ok());

  // A stops renewing its lease; both survivors' hooks run (B, and a third node: B again).
  cluster_.set_down(1, true);
  clock_.advance_ms(30001);
  live(2, "http://node-2:80");
  ASSERT_TRUE(sync_wait(b_->voice.release_dead_nodes({1})).ok());
  ASSERT_TRUE(sync_wait(b_->voice.release_dead_nodes({1})).ok());
  EXPECT_EQ(voice_events("voiceLeave", alice_.id), 1u);
  EXPECT_EQ(voice_events("voiceLeave", bob_.id), 1u);
  EXPECT_FALSE(owner_in_store(room_).has_value());
  EXPECT_EQ(direct_events(events::bot_stream(bot_.user.id), "callEnded"), 1u);
  // The room is B's to serve now.
  auto token = sync_wait(b_->voice.bot_stream_token(bot_, home_.space.id, voice_));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->url, b_->ws());
}

TEST_F(VoiceClusterTest, ARoomWhoseOwnerDiedIsTakenOverByTheNextClaim) {
  ASSERT_TRUE(sync_wait(a_->voice.person_join(alice_.id, voice_)).ok());
  EXPECT_EQ(owner_in_store(room_), 1);
  cluster_.set_down(1, true);
  clock_.advance_ms(30001);
  live(2, "http://node-2:80");
  // Before any survivor cleaned up: a socket reaching B claims the room; alice (who was on A)
  // is out, once.
  auto entry = sync_wait(b_->voice.enter(room_));
  ASSERT_TRUE(entry.ok());
  EXPECT_TRUE(entry->ticket);
  EXPECT_EQ(owner_in_store(room_), 2);
  EXPECT_EQ(voice_events("voiceLeave", alice_.id), 1u);
  ASSERT_TRUE(sync_wait(b_->voice.release_dead_nodes({1})).ok());
  EXPECT_EQ(voice_events("voiceLeave", alice_.id), 1u);
  EXPECT_EQ(owner_in_store(room_), 2);
}

TEST_F(VoiceClusterTest, ARestartedNodeReleasesTheRoomsItsEarlierProcessServed) {
  ASSERT_TRUE(sync_wait(a_->voice.person_join(alice_.id, voice_)).ok());
  EXPECT_EQ(owner_in_store(room_), 1);
  a_.reset();  // gone without a clean stop
  VoiceSettings settings;
  settings.secret = "0123456789abcdef0123456789abcdef";
  a_ =
      std::make_unique<Node>(*this, *db_, clock_, random_, snowflake_, bus_, cluster_, 1, settings);
  EXPECT_FALSE(owner_in_store(room_).has_value());
  EXPECT_EQ(voice_events("voiceLeave", alice_.id), 1u);
}

TEST_F(VoiceClusterTest, ACleanStopReleasesTheRoomsServedThere) {
  ASSERT_TRUE(sync_wait(b_->voice.person_join(bob_.id, voice_)).ok());
  EXPECT_EQ(owner_in_store(room_), 2);
  b_->voice.shutdown();
  EXPECT_FALSE(owner_in_store(room_).has_value());
  EXPECT_EQ(voice_events("voiceLeave", bob_.id), 1u);
}

}  // namespace
}  // namespace argon::services::testing
