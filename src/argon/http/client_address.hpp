#pragma once
// The client's address behind reverse proxies (server.trusted_proxies): IP addresses, CIDR
// ranges, the set of trusted proxies, and the client address of a request read from
// X-Forwarded-For. Pure functions, no I/O; the server (server.cpp) calls them.
//
// The algorithm is the usual one (nginx's real_ip_recursive, Go's and Rails' trusted-proxy
// lists): a request whose TCP peer is not a trusted proxy comes from its peer, whatever its
// X-Forwarded-For says. From a trusted proxy, X-Forwarded-For (every such header line, in order,
// as one comma-separated list) is read from the right: each proxy appends the address it was
// connected from, so the right-most element that is not itself a trusted proxy is the first
// address no trusted party vouches beyond; everything to its left may be forged and is not read.
// When every element is trusted the left-most is the client. A malformed element on that walk
// (empty, not an address), or no X-Forwarded-For at all, leaves the peer's address.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace argon::http {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // network order; an IPv4 address in the first 4

  // Canonical text: "192.0.2.1", "2001:db8::1" (RFC 5952).
  std::string str() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// "192.0.2.1" or "2001:db8::1" (an IPv6 zone, "fe80::1%eth0", is dropped). An IPv4-mapped IPv6
// address ("::ffff:192.0.2.1", what a dual-stack socket reports for an IPv4 peer) is the IPv4
// address. nullopt for anything else (names, ports, brackets, spaces, octal-looking "010.0.0.1").
std::optional<IpAddress> parse_ip(std::string_view text);

// One element of X-Forwarded-For: an address as parse_ip takes it, optionally with spaces or tabs
// around it, IPv6 optionally in brackets, optionally followed by a port ("192.0.2.1:4711",
// "[2001:db8::1]:4711"), as some proxies write it.
std::optional<IpAddress> parse_forwarded_element(std::string_view text);

// An address range: "10.0.0.0/8", "2001:db8::/32", or one address ("192.0.2.1" = /32, "::1" =
// /128). Bits of the address past the prefix must be zero ("10.0.0.1/8" is refused: it reads as
// a mistake).
struct IpRange {
  IpAddress base;
  int prefix_bits = 0;

  bool contains(const IpAddress& address) const;
  std::string str() const;  // "10.0.0.0/8"
};
std::optional<IpRange> parse_ip_range(std::string_view text);

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts nobody

  // A comma-separated list of addresses and ranges (spaces around items ignored, empty items
  // skipped); "" trusts nobody. nullopt, with `error` naming the item, when one is malformed.
  static std::optional<TrustedProxies> parse(std::string_view list, std::string* error = nullptr);

  bool empty() const { return ranges_.empty(); }
  bool contains(const IpAddress& address) const;
  // False for text that is not an address.
  bool contains(std::string_view address) const;
  const std::vector<IpRange>& ranges() const { return ranges_; }
  // "127.0.0.1/32, 10.0.0.0/8" (for the log).
  std::string str() const;

 private:
  std::vector<IpRange> ranges_;
};

// The client address of a request whose TCP peer is `peer` (as text) and that carried these
// X-Forwarded-For header values (in the order received): see the top of this file.
// `peer_trusted` says whether `peer` is one of `trusted` (the server works that out once per
// connection). The result is `peer` unchanged, or an element of X-Forwarded-For in canonical
// form (IpAddress::str).
std::string client_address(std::string_view peer, bool peer_trusted,
                           std::span<const std::string_view> forwarded_for,
                           const TrustedProxies& trusted);

}  // namespace argon::http
