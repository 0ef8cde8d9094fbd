// Assembles the descriptor files once, checks their internal consistency and answers look-ups.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "argon/contracts/descriptors.hpp"

namespace argon::contracts {
namespace detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// A descriptor that references an unknown type, or a route type without a full name, is a
// programming error: fail loudly the first time the descriptors are used.
void validate(const Descriptors& d) {
  std::map<std::string_view, const TypeDecl*> by_name;
  for (const auto& t : d.types) {
    if (!by_name.emplace(t.name, &t).second) {
      throw std::logic_error("contracts: duplicate type " + t.name);
    }
  }
  for (const auto& t : d.types) {
    for (const auto& p : t.properties) {
      const auto& e = p.type.element;
      if (!is_simple_type(e) && !by_name.contains(e)) {
        throw std::logic_error("contracts: " + t.name + "." + p.name + " references unknown " + e);
      }
    }
  }
  for (const auto& i : d.interfaces) {
    for (const auto& r : i.routes) {
      for (const auto* name : {&r.request_type, &r.response_type}) {
        if (name->empty()) continue;
        auto it = by_name.find(*name);
        if (it == by_name.end() || it->second->kind != TypeKind::Class ||
            it->second->full_name.empty()) {
          throw std::logic_error("contracts: route " + i.name + r.path() +
                                 " names undeclared type " + *name);
        }
      }
    }
  }
  for (const auto& e : d.events) {
    if (!by_name.contains(e.payload_type)) {
      throw std::logic_error("contracts: event " + e.name + " has no payload " + e.payload_type);
    }
  }
}

Descriptors assemble() {
  Descriptors d;
  add_shared_types(d);
  add_space_interfaces(d);
  add_message_interfaces(d);
  add_command_interfaces(d);
  add_voice_interfaces(d);
  add_events(d);
  std::sort(d.interfaces.begin(), d.interfaces.end(), [](const auto& a, const auto& b) {
    return a.name != b.name ? a.name < b.name : a.version < b.version;
  });
  std::sort(d.events.begin(), d.events.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  validate(d);
  return d;
}

}  // namespace

const Descriptors& descriptors() {
  static const Descriptors d = assemble();
  return d;
}

}  // namespace detail

const std::vector<InterfaceDecl>& interfaces() {
  return detail::descriptors().interfaces;
}
const std::vector<EventDecl>& events() {
  return detail::descriptors().events;
}
const std::vector<TypeDecl>& types() {
  return detail::descriptors().types;
}

const TypeDecl* find_type(std::string_view name) {
  static const auto index = [] {
    std::map<std::string, const TypeDecl*, std::less<>> m;
    for (const auto& t : types()) m.emplace(t.name, &t);
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

const std::vector<IntentDecl>& intents() {
  static const std::vector<IntentDecl> all = [] {
    auto list = detail::intent_descriptors();
    for (auto& intent : list) {
      for (const auto& e : events()) {
        if (e.intent_bit == intent.bit) intent.events.push_back(e.name);
      }
      std::sort(intent.events.begin(), intent.events.end());
    }
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.bit < b.bit; });
    return list;
  }();
  return all;
}

const InterfaceDecl* find_interface(std::string_view name, int version) {
  for (const auto& i : interfaces()) {
    if (i.version == version && detail::iequals(i.name, name)) return &i;
  }
  return nullptr;
}

const EventDecl* find_event_by_wire_name(std::string_view wire_name) {
  for (const auto& e : events()) {
    if (e.wire_name == wire_name) return &e;
  }
  return nullptr;
}

const EventDecl* find_event(std::string_view name) {
  for (const auto& e : events()) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const IntentDecl* find_intent(std::string_view name) {
  for (const auto& i : intents()) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

std::int64_t all_non_privileged_intents() {
  std::int64_t mask = 0;
  for (const auto& i : intents()) {
    if (!i.privileged) mask |= i.value;
  }
  return mask;
}

std::int64_t all_intents() {
  std::int64_t mask = 0;
  for (const auto& i : intents()) mask |= i.value;
  return mask;
}

const std::vector<RateLimitPolicy>& manifest_rate_limits() {
  // The manifest lists a policy for every interface except these three, whose limits come from
  // the changelog (DECISIONS.md §8; IReactions: UPSTREAM.md §2.6).
  static const std::vector<RateLimitPolicy> policies = [] {
    std::vector<RateLimitPolicy> out;
    for (const auto& i : interfaces()) {
      if (i.name == "IArchetypes" || i.name == "ITyping" || i.name == "IReactions") continue;
      out.push_back({i.name, i.rate_limit_per_minute});
    }
    return out;
  }();
  return policies;
}

}  // namespace argon::contracts
