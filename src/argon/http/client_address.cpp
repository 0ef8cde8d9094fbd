#include "argon/http/client_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace argon::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_v4_mapped(const std::array<std::uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i)
    if (b[i] != 0) return false;
  return b[10] == 0xff && b[11] == 0xff;
}

}  // namespace

std::string IpAddress::str() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (!::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text)) return {};
  return text;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  // inet_pton wants a NUL-terminated string: the longest address, with a zone cut off, fits.
  char buffer[INET6_ADDRSTRLEN + 1];
  IpAddress out;
  if (text.find(':') != std::string_view::npos) {
    if (auto zone = text.find('%'); zone != std::string_view::npos) {
      if (zone + 1 == text.size()) return std::nullopt;  // "fe80::1%"
      text = text.substr(0, zone);
    }
    if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
    text.copy(buffer, text.size());
    buffer[text.size()] = '\0';
    if (::inet_pton(AF_INET6, buffer, out.bytes.data()) != 1) return std::nullopt;
    if (is_v4_mapped(out.bytes)) {
      std::array<std::uint8_t, 16> v4{};
      for (int i = 0; i < 4; ++i) v4[i] = out.bytes[12 + i];
      out.bytes = v4;
      return out;
    }
    out.v6 = true;
    return out;
  }
  if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
  text.copy(buffer, text.size());
  buffer[text.size()] = '\0';
  // glibc's inet_pton takes exactly four decimal parts and refuses leading zeros.
  if (::inet_pton(AF_INET, buffer, out.bytes.data()) != 1) return std::nullopt;
  return out;
}

std::optional<IpAddress> parse_forwarded_element(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '[') {  // "[v6]" or "[v6]:port"
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || rest.size() < 2) return std::nullopt;
      for (char c : rest.substr(1))
        if (c < '0' || c > '9') return std::nullopt;
    }
    auto address = parse_ip(text.substr(1, close - 1));
    if (!address || !address->v6) return std::nullopt;
    return address;
  }
  auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    // One colon: IPv4 with a port.
    std::string_view port = text.substr(colon + 1);
    if (port.empty()) return std::nullopt;
    for (char c : port)
      if (c < '0' || c > '9') return std::nullopt;
    auto address = parse_ip(text.substr(0, colon));
    if (!address || address->v6) return std::nullopt;
    return address;
  }
  return parse_ip(text);
}

bool IpRange::contains(const IpAddress& address) const {
  if (address.v6 != base.v6) return false;
  int bits = prefix_bits;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask =
        bits >= 8 ? std::uint8_t{0xff} : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((address.bytes[i] & mask) != base.bytes[i]) return false;
  }
  return true;
}

std::string IpRange::str() const {
  return base.str() + "/" + std::to_string(prefix_bits);
}

std::optional<IpRange> parse_ip_range(std::string_view text) {
  IpRange range;
  auto slash = text.find('/');
  auto address = parse_ip(text.substr(0, slash));
  if (!address) return std::nullopt;
  range.base = *address;
  const int max_bits = address->v6 ? 128 : 32;
  if (slash == std::string_view::npos) {
    range.prefix_bits = max_bits;
    return range;
  }
  std::string_view digits = text.substr(slash + 1);
  int bits = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || bits < 0 ||
      bits > max_bits || (digits.size() > 1 && digits.front() == '0'))
    return std::nullopt;
  range.prefix_bits = bits;
  // No address bits past the prefix.
  for (int i = 0; i < 16; ++i) {
    const int left = bits - i * 8;
    const std::uint8_t mask = left >= 8   ? std::uint8_t{0xff}
                              : left <= 0 ? std::uint8_t{0}
                                          : static_cast<std::uint8_t>(0xff << (8 - left));
    if ((range.base.bytes[i] & ~mask & 0xff) != 0) return std::nullopt;
  }
  return range;
}

std::optional<TrustedProxies> TrustedProxies::parse(std::string_view list, std::string* error) {
  TrustedProxies out;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    auto range = parse_ip_range(item);
    if (!range) {
      if (error)
        *error =
            "'" + std::string(item) +
            "' is not an IP address or a CIDR range (like 10.0.0.0/8 or fd00::/8, no address bits "
            "past the prefix)";
      return std::nullopt;
    }
    out.ranges_.push_back(*range);
  }
  return out;
}

bool TrustedProxies::contains(const IpAddress& address) const {
  for (const auto& range : ranges_)
    if (range.contains(address)) return true;
  return false;
}

bool TrustedProxies::contains(std::string_view address) const {
  if (ranges_.empty()) return false;
  auto parsed = parse_ip(address);
  return parsed && contains(*parsed);
}

std::string TrustedProxies::str() const {
  std::string out;
  for (const auto& range : ranges_) {
    if (!out.empty()) out += ", ";
    out += range.str();
  }
  return out;
}

std::string client_address(std::string_view peer, bool peer_trusted,
                           std::span<const std::string_view> forwarded_for,
                           const TrustedProxies& trusted) {
  if (!peer_trusted || forwarded_for.empty()) return std::string(peer);
  std::optional<IpAddress> leftmost;  // the last element read, every one so far trusted
  for (auto value = forwarded_for.rbegin(); value != forwarded_for.rend(); ++value) {
    std::string_view rest = *value;
    for (;;) {
      const auto comma = rest.rfind(',');
      const std::string_view item = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
      auto address = parse_forwarded_element(item);
      if (!address) return std::string(peer);
      if (!trusted.contains(*address)) return address->str();
      leftmost = *address;
      if (comma == std::string_view::npos) break;
      rest = rest.substr(0, comma);
    }
  }
  return leftmost ? leftmost->str() : std::string(peer);
}

}  // namespace argon::http
