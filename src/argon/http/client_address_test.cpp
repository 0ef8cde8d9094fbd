#include "argon/http/client_address.hpp"

#include <gtest/gtest.h>

namespace argon::http {
namespace {

std::string canon(std::string_view text) {
  auto a = parse_ip(text);
  return a ? a->str() : "<invalid>";
}

TEST(ParseIp, TakesIpv4AndIpv6InCanonicalForm) {
  EXPECT_EQ(canon("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(canon("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(canon("255.255.255.255"), "255.255.255.255");
  EXPECT_EQ(canon("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(canon("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(canon("::1"), "::1");
  EXPECT_FALSE(parse_ip("192.0.2.1")->v6);
  EXPECT_TRUE(parse_ip("::1")->v6);
}

TEST(ParseIp, AnIpv4MappedAddressIsIpv4AndAZoneIsDropped) {
  auto mapped = parse_ip("::ffff:127.0.0.1");
  ASSERT_TRUE(mapped);
  EXPECT_FALSE(mapped->v6);
  EXPECT_EQ(*mapped, *parse_ip("127.0.0.1"));
  EXPECT_EQ(canon("::FFFF:7f00:1"), "127.0.0.1");
  EXPECT_EQ(canon("fe80::1%eth0"), "fe80::1");
}

TEST(ParseIp, RefusesEverythingElse) {
  for (std::string_view bad : {"",
                               " ",
                               "192.0.2.1 ",
                               " 192.0.2.1",
                               "192.0.2",
                               "192.0.2.1.5",
                               "256.0.0.1",
                               "010.0.0.1",
                               "1.2.3.-4",
                               "0x7f.0.0.1",
                               "192.0.2.1:80",
                               "[::1]",
                               "::1:",
                               "2001:db8::1::2",
                               "fe80::1%",
                               "localhost",
                               "unknown",
                               "_hidden",
                               "2001:db8:0:0:0:0:0:0:1",
                               "1.2.3.4/32"}) {
    EXPECT_FALSE(parse_ip(bad)) << "'" << bad << "'";
  }
}

TEST(ParseForwardedElement, TakesSpacesBracketsAndPorts) {
  auto str = [](std::string_view text) {
    auto a = parse_forwarded_element(text);
    return a ? a->str() : "<invalid>";
  };
  EXPECT_EQ(str(" 203.0.113.7 "), "203.0.113.7");
  EXPECT_EQ(str("\t203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(str("203.0.113.7:4711"), "203.0.113.7");
  EXPECT_EQ(str("2001:db8::7"), "2001:db8::7");
  EXPECT_EQ(str("[2001:db8::7]"), "2001:db8::7");
  EXPECT_EQ(str(" [2001:db8::7]:443 "), "2001:db8::7");
  for (std::string_view bad : {"", "  ", "203.0.113.7:", "203.0.113.7:x", "[203.0.113.7]",
                               "[2001:db8::7", "[2001:db8::7]x", "[2001:db8::7]:", "unknown",
                               "203.0.113.7 198.51.100.1", "\"203.0.113.7\""}) {
    EXPECT_FALSE(parse_forwarded_element(bad)) << "'" << bad << "'";
  }
}

TEST(IpRange, MatchesByPrefix) {
  auto r = parse_ip_range("10.0.0.0/8");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(*parse_ip("10.1.2.3")));
  EXPECT_TRUE(r->contains(*parse_ip("10.255.255.255")));
  EXPECT_FALSE(r->contains(*parse_ip("11.0.0.0")));
  EXPECT_FALSE(r->contains(*parse_ip("2001:db8::1")));
  EXPECT_TRUE(r->contains(*parse_ip("::ffff:a00:1")));
  EXPECT_TRUE(r->contains(*parse_ip("::ffff:10.0.0.1")));  // mapped = IPv4

  auto odd = parse_ip_range("192.168.4.0/22");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(*parse_ip("192.168.7.255")));
  EXPECT_FALSE(odd->contains(*parse_ip("192.168.8.0")));
  EXPECT_FALSE(odd->contains(*parse_ip("192.168.3.255")));

  auto v6 = parse_ip_range("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*parse_ip("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->contains(*parse_ip("2001:db9::1")));
  EXPECT_FALSE(v6->contains(*parse_ip("32.1.13.184")));  // same first bytes, IPv4

  auto one = parse_ip_range("127.0.0.1");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->prefix_bits, 32);
  EXPECT_TRUE(one->contains(*parse_ip("127.0.0.1")));
  EXPECT_FALSE(one->contains(*parse_ip("127.0.0.2")));
  EXPECT_EQ(parse_ip_range("::1")->prefix_bits, 128);

  auto all = parse_ip_range("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains(*parse_ip("198.51.100.1")));
  EXPECT_FALSE(all->contains(*parse_ip("::1")));
  EXPECT_TRUE(parse_ip_range("::/0")->contains(*parse_ip("::1")));
  EXPECT_EQ(parse_ip_range("fd00::/8")->str(), "fd00::/8");
}

TEST(IpRange, RefusesMalformedRanges) {
  for (std::string_view bad :
       {"10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8x",
        "10.0.0.1/8", "2001:db8::1/32", "10/8", "/8", "", "10.0.0.0 /8", "10.0.0.0/ 8"}) {
    EXPECT_FALSE(parse_ip_range(bad)) << "'" << bad << "'";
  }
}

TEST(TrustedProxies, ParsesACommaSeparatedList) {
  auto t = TrustedProxies::parse(" 127.0.0.1, 10.0.0.0/8 ,,::1,fd00::/8 ");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ranges().size(), 4u);
  EXPECT_EQ(t->str(), "127.0.0.1/32, 10.0.0.0/8, ::1/128, fd00::/8");
  EXPECT_TRUE(t->contains("127.0.0.1"));
  EXPECT_TRUE(t->contains("::ffff:127.0.0.1"));
  EXPECT_TRUE(t->contains("10.20.30.40"));
  EXPECT_TRUE(t->contains("::1"));
  EXPECT_TRUE(t->contains("fd12::5"));
  EXPECT_FALSE(t->contains("127.0.0.2"));
  EXPECT_FALSE(t->contains("2001:db8::1"));
  EXPECT_FALSE(t->contains("not an address"));

  auto none = TrustedProxies::parse("");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(none->contains("127.0.0.1"));
  EXPECT_TRUE(TrustedProxies::parse(" , ")->empty());
  EXPECT_TRUE(TrustedProxies().empty());
}

TEST(TrustedProxies, NamesTheMalformedItem) {
  std::string error;
  EXPECT_FALSE(TrustedProxies::parse("127.0.0.1, proxy.example.org", &error));
  EXPECT_NE(error.find("'proxy.example.org'"), std::string::npos) << error;
  EXPECT_FALSE(TrustedProxies::parse("10.0.0.1/8", &error));
  EXPECT_NE(error.find("'10.0.0.1/8'"), std::string::npos) << error;
  EXPECT_FALSE(TrustedProxies::parse("127.0.0.1 10.0.0.1", &error));
}

class ClientAddress : public ::testing::Test {
 protected:
  TrustedProxies trusted = *TrustedProxies::parse("127.0.0.1, 10.0.0.0/8, fd00::/8");
  std::string from(std::string_view peer, std::vector<std::string_view> xff) {
    return client_address(peer, trusted.contains(peer), xff, trusted);
  }
};

TEST_F(ClientAddress, AnUntrustedPeerIsTheClientWhateverItsXffSays) {
  EXPECT_EQ(from("198.51.100.1", {"203.0.113.7"}), "198.51.100.1");
  EXPECT_EQ(from("198.51.100.1", {}), "198.51.100.1");
  // Nobody trusted at all (the default).
  TrustedProxies none;
  std::vector<std::string_view> xff{"203.0.113.7"};
  EXPECT_EQ(client_address("127.0.0.1", none.contains("127.0.0.1"), xff, none), "127.0.0.1");
}

TEST_F(ClientAddress, ATrustedPeerForwardsTheRightMostUntrustedAddress) {
  EXPECT_EQ(from("127.0.0.1", {"203.0.113.7"}), "203.0.113.7");
  // The client forged the left part; the proxy appended what it saw.
  EXPECT_EQ(from("127.0.0.1", {"1.1.1.1, 203.0.113.7"}), "203.0.113.7");
  // Several trusted hops are skipped.
  EXPECT_EQ(from("127.0.0.1", {"203.0.113.7, 10.0.0.5, 10.0.0.6"}), "203.0.113.7");
  EXPECT_EQ(from("10.9.9.9", {"1.1.1.1,203.0.113.7,10.0.0.5"}), "203.0.113.7");
  // Every element trusted: the left-most.
  EXPECT_EQ(from("127.0.0.1", {"10.0.0.1, 10.0.0.2"}), "10.0.0.1");
  // IPv6, ports and brackets; the result is canonical.
  EXPECT_EQ(from("fd00::1", {"2001:DB8::7"}), "2001:db8::7");
  EXPECT_EQ(from("127.0.0.1", {"[2001:db8::7]:5000, fd00::2"}), "2001:db8::7");
  EXPECT_EQ(from("::ffff:127.0.0.1", {"203.0.113.7:5000"}), "203.0.113.7");
  EXPECT_EQ(from("127.0.0.1", {"::ffff:203.0.113.7"}), "203.0.113.7");
}

TEST_F(ClientAddress, SeveralHeaderLinesAreOneListInOrder) {
  EXPECT_EQ(from("127.0.0.1", {"1.1.1.1", "203.0.113.7"}), "203.0.113.7");
  EXPECT_EQ(from("127.0.0.1", {"203.0.113.7", "10.0.0.1, 10.0.0.2"}), "203.0.113.7");
  EXPECT_EQ(from("127.0.0.1", {"10.0.0.3", "10.0.0.1"}), "10.0.0.3");
}

TEST_F(ClientAddress, AMalformedElementOnTheWalkFallsBackToThePeer) {
  EXPECT_EQ(from("127.0.0.1", {""}), "127.0.0.1");
  EXPECT_EQ(from("127.0.0.1", {"  "}), "127.0.0.1");
  EXPECT_EQ(from("127.0.0.1", {"unknown"}), "127.0.0.1");
  EXPECT_EQ(from("127.0.0.1", {"203.0.113.7,"}), "127.0.0.1");
  EXPECT_EQ(from("127.0.0.1", {"203.0.113.7, garbage"}), "127.0.0.1");
  EXPECT_EQ(from("127.0.0.1", {"203.0.113.7, 10.0.0.1, "}), "127.0.0.1");
  EXPECT_EQ(from("127.0.0.1", {"203.0.113.7", ""}), "127.0.0.1");
  EXPECT_EQ(from("127.0.0.1", {"garbage, 10.0.0.1"}), "127.0.0.1");
  // Past the client's own address nothing is read: junk to its left does not matter.
  EXPECT_EQ(from("127.0.0.1", {"garbage, 203.0.113.7"}), "203.0.113.7");
  EXPECT_EQ(from("127.0.0.1", {",,, 203.0.113.7, 10.0.0.1"}), "203.0.113.7");
}

}  // namespace
}  // namespace argon::http
