#pragma once
// The Bot API surface as declarative descriptors (SPEC.md §1, §2.6, §3, §4.7, §5, §13): one
// InterfaceDecl per interface version and one EventDecl per event. The router's route table is
// built from them, and the canonical contract text of §13.2 is rendered from them, hashed with
// SHA-256 and compared with the declared hash (the server refuses to start on a mismatch).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "argon/contracts/shapes.hpp"
#include "argon/domain/permissions.hpp"

namespace argon::contracts {

// The Bot API version the descriptors describe (the docs' changelog; UPSTREAM.md §0). Beyond it
// argon adopts the reference server's later additions (user locale, callIncoming.fromLocale, the
// gif entity), which change no verified hash.
inline constexpr std::string_view kBotApiVersion = "1.9.0";

struct ErrorDecl {
  int status;
  std::string code;
  std::string description;
};

// A query parameter of a route (SPEC.md §16). Not part of the §13.2 text nor of the manifest,
// whose descriptions name them in prose; the OpenAPI document lists them.
struct QueryParamDecl {
  std::string name;  // camelCase, as on the wire
  TypeRef type;
  bool required = true;
};

struct RouteDecl {
  std::string method{};       // "GET" | "POST" | "PATCH" | "DELETE"
  std::string name{};         // "GetMe" (path is "/" + name)
  std::string description{};  // manifest description
  std::optional<RoutePermission> permission{};
  bool privileged = false;
  std::string request_type{};       // simple type name (manifest requestTypeName), "" if none
  std::string response_type{};      // "" if none
  std::vector<ErrorDecl> errors{};  // the manifest's, in manifest order
  std::vector<QueryParamDecl> query{};

  std::string path() const { return "/" + name; }
};

struct InterfaceDecl {
  std::string name;
  int version = 1;
  bool stable = true;
  bool deprecated = false;
  std::string description;
  std::optional<std::string> declared_hash;  // null for drafts
  int rate_limit_per_minute = 0;             // manifest policy; IArchetypes 30, ITyping 60
  std::vector<RouteDecl> routes;             // manifest order
};

struct EventDecl {
  std::string name;               // "MessageCreate"
  std::string wire_name;          // "messageCreate"
  std::optional<int> intent_bit;  // null: always delivered
  std::string category, description;
  std::optional<std::string> declared_hash;  // null for draft events
  std::string payload_type;                  // "MessageCreateEvent" (manifest payloadTypeName)

  bool stable() const { return declared_hash.has_value(); }
};

struct IntentDecl {
  std::string name;
  int bit;
  std::int64_t value;
  bool privileged;
  std::vector<std::string> events;  // event names, ordinal order
};

const std::vector<InterfaceDecl>& interfaces();  // ordered by name, then version
const std::vector<EventDecl>& events();          // ordered by name
const std::vector<IntentDecl>& intents();        // ordered by bit
const InterfaceDecl* find_interface(std::string_view name, int version);  // name ASCII ci
const EventDecl* find_event_by_wire_name(std::string_view wire_name);
const EventDecl* find_event(std::string_view name);  // "MessageCreate"
const IntentDecl* find_intent(std::string_view name);
std::int64_t all_non_privileged_intents();  // 12253
std::int64_t all_intents();                 // 16383

// The manifest's rate-limit policies (11 entries, manifest order). IArchetypes, ITyping and
// IReactions limits (DECISIONS.md §8, UPSTREAM.md §2.6) are only in rate_limit_per_minute.
struct RateLimitPolicy {
  std::string interface_name;
  int permit_limit;
};
const std::vector<RateLimitPolicy>& manifest_rate_limits();

std::string canonical_text(const InterfaceDecl&);
std::string canonical_text(const EventDecl&);
std::string computed_hash(const InterfaceDecl&);  // lowercase hex SHA-256 of canonical_text
std::string computed_hash(const EventDecl&);

// Rendering against an explicit type lookup (tests render altered copies of the descriptors).
using TypeLookup = std::function<const TypeDecl*(std::string_view)>;
std::string canonical_text(const InterfaceDecl&, const TypeLookup&);
std::string canonical_text(const EventDecl&, const TypeLookup&);
// The §13.2 type shape of `type` at `indent` spaces (one top-level shape: fresh visited set).
std::string render_shape(const TypeDecl& type, int indent, const TypeLookup&);

struct Mismatch {
  std::string subject;  // "IMessages/v1" or "Event:Ready"
  std::string declared;
  std::string computed;
};
// Every stable interface and stable event whose computed hash differs from its declared hash.
std::vector<Mismatch> verify();

// JSON in the shape of api-manifest.json (without type shapes and dtos), plus the version the
// manifest itself does not name: {"botApiVersion":"1.9.0", "interfaces":[…], "intents":[…],
// "events":[…], "rateLimits":[…]}.
boost::json::value manifest_json();

}  // namespace argon::contracts
