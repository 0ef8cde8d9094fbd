// Browser auth tickets (services/tickets.hpp): 30 s, single use, bound to the session.
#include "argon/services/services_test_fixture.hpp"
#include "argon/services/tickets.hpp"

namespace argon::services::testing {
namespace {

class TicketsTest : public ServicesTest {
 protected:
  SessionGrant signed_up(const std::string& username) {
    auto r = sync_wait(accounts_.register_person({username, "correct horse", std::nullopt}));
    EXPECT_TRUE(r.ok());
    return *r;
  }
  std::string ticket_for(const SessionGrant& g) {
    auto t = sync_wait(tickets_.issue(g.user.id, g.token));
    EXPECT_TRUE(t.ok());
    EXPECT_EQ(t->expires_at_ms, clock_.now_unix_ms() + TicketService::kLifetimeMs);
    return t->ticket;
  }
  Result<User> redeem(const std::string& ticket,
                      std::optional<std::string> session = std::nullopt) {
    return sync_wait(tickets_.redeem(ticket, std::move(session)));
  }

  TicketService tickets_{ctx_};
};

TEST_F(TicketsTest, ATicketNamesItsPersonOnceAndIsStoredHashed) {
  auto alice = signed_up("alice");
  auto t = ticket_for(alice);
  EXPECT_GE(t.size(), 40u);
  auto user = redeem(t);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->id, alice.user.id);
  EXPECT_EQ(redeem(t).error().status, 401);
  EXPECT_EQ(rows("auth_tickets"), 0);
  auto other = ticket_for(alice);
  EXPECT_EQ(db_->read_now([&](store::Connection& c) {
    return c.query_one("SELECT COUNT(*) FROM auth_tickets WHERE ticket_hash = $1", {other})->i64(0);
  }),
            0);  // not the ticket itself
}

TEST_F(TicketsTest, ExpiresAfterThirtySeconds) {
  auto alice = signed_up("alice");
  auto early = ticket_for(alice);
  auto late = ticket_for(alice);
  clock_.advance_ms(TicketService::kLifetimeMs - 1);
  EXPECT_TRUE(redeem(early).ok());
  clock_.advance_ms(1);
  auto expired = redeem(late);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().status, 401);
  EXPECT_EQ(expired.error().code, "unauthorized");
}

TEST_F(TicketsTest, BoundToItsSessionAndSpentByARefusal) {
  auto alice = signed_up("alice");
  auto bob = signed_up("bob");
  auto t = ticket_for(alice);
  EXPECT_EQ(redeem(t, bob.token).error().status, 401);    // someone else's ticket, own session
  EXPECT_EQ(redeem(t, alice.token).error().status, 401);  // spent by that attempt
  auto mine = ticket_for(alice);
  EXPECT_TRUE(redeem(mine, alice.token).ok());
}

TEST_F(TicketsTest, DiesWithItsSession) {
  auto alice = signed_up("alice");
  auto t = ticket_for(alice);
  ASSERT_TRUE(sync_wait(accounts_.end_session(alice.token)).ok());
  EXPECT_EQ(redeem(t).error().status, 401);
  EXPECT_EQ(sync_wait(accounts_.authenticate(alice.token)).error().status, 401);
}

TEST_F(TicketsTest, UnknownEmptyOrOversizedTicketsAre401) {
  EXPECT_EQ(redeem("").error().status, 401);
  EXPECT_EQ(redeem("nope").error().status, 401);
  EXPECT_EQ(redeem(std::string(300, 'a')).error().status, 401);
}

TEST_F(TicketsTest, ExpiredTicketsAreClearedByTheNextIssue) {
  auto alice = signed_up("alice");
  (void)ticket_for(alice);
  (void)ticket_for(alice);
  EXPECT_EQ(rows("auth_tickets"), 2);
  clock_.advance_ms(TicketService::kLifetimeMs);
  (void)ticket_for(alice);
  EXPECT_EQ(rows("auth_tickets"), 1);
}

}  // namespace
}  // namespace argon::services::testing
