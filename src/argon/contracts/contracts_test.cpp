#include "argon/contracts/contracts.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "argon/crypto/crypto.hpp"

namespace argon::contracts {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// The project's copy of the Bot API manifests and canonical texts (tests/fixtures/spec). A
// missing file fails the test: these assertions are the contract, never optional.
fs::path spec_dir() {
  return fs::path(ARGON_FIXTURE_DIR) / "spec";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::object load_manifest(const char* file) {
  return json::parse(read_file(spec_dir() / file)).as_object();
}
json::object latest_manifest() {
  return load_manifest("api-manifest-latest.json");
}

std::string str_or_empty(const json::value& v) {
  return v.is_null() ? std::string() : std::string(v.as_string());
}

// "IMessages.v1" / "Event.Ready" → computedHash, for one manifest.
std::map<std::string, std::string> manifest_hashes(const json::object& manifest) {
  std::map<std::string, std::string> out;
  for (const auto& i : manifest.at("interfaces").as_array()) {
    const auto& o = i.as_object();
    out[std::string(o.at("name").as_string()) + ".v" + std::to_string(o.at("version").as_int64())] =
        o.at("computedHash").as_string();
  }
  for (const auto& e : manifest.at("events").as_array()) {
    const auto& o = e.as_object();
    out["Event." + std::string(o.at("name").as_string())] = o.at("computedHash").as_string();
  }
  return out;
}

// Our canonical text for "IMessages.v1" / "Event.Ready"; "" if we have no such contract.
std::string our_text(const std::string& key, const TypeLookup* lookup = nullptr) {
  auto dot = key.find('.');
  std::string head = key.substr(0, dot), tail = key.substr(dot + 1);
  if (head == "Event") {
    const auto* e = find_event(tail);
    if (!e) return "";
    return lookup ? canonical_text(*e, *lookup) : canonical_text(*e);
  }
  const auto* i = find_interface(head, std::stoi(tail.substr(1)));
  if (!i) return "";
  return lookup ? canonical_text(*i, *lookup) : canonical_text(*i);
}

// callIncoming.fromLocale is the reference server's, after 1.9.0 and in no public manifest
// (UPSTREAM.md §5): our CallIncoming hashes to the text in contracts-latest/refhead-unverified/,
// and without that one property to the manifest's value.
constexpr const char* kCallIncomingRefHead =
    "34230d8ea1aadb4f19c6779cf80de9db9dbcecc34e9a2a792694280d55e83b83";

TypeLookup without_from_locale(std::vector<TypeDecl>& copy) {
  copy = types();
  for (auto& t : copy) {
    if (t.name != "CallIncomingEvent") continue;
    std::erase_if(t.properties, [](const PropertyDecl& p) { return p.name == "FromLocale"; });
  }
  return [&copy](std::string_view name) -> const TypeDecl* {
    for (const auto& t : copy) {
      if (t.name == name) return &t;
    }
    return nullptr;
  };
}

TEST(Contracts, FixturesArePresent) {
  for (const char* f : {"api-manifest.json", "api-manifest-latest.json", "contracts",
                        "contracts-latest", "contracts-latest/refhead-unverified"}) {
    EXPECT_TRUE(fs::exists(spec_dir() / f)) << (spec_dir() / f);
  }
}

TEST(Contracts, CountsAndLookups) {
  EXPECT_EQ(kBotApiVersion, "1.9.0");
  EXPECT_EQ(interfaces().size(), 14u);
  EXPECT_EQ(events().size(), 28u);
  EXPECT_EQ(intents().size(), 14u);
  EXPECT_EQ(manifest_rate_limits().size(), 11u);
  std::size_t routes = 0;
  for (const auto& i : interfaces()) routes += i.routes.size();
  EXPECT_EQ(routes, 37u);

  EXPECT_EQ(all_non_privileged_intents(), 12253);
  EXPECT_EQ(all_intents(), 16383);

  const auto* messages = find_interface("imessages", 1);
  ASSERT_NE(messages, nullptr);
  EXPECT_EQ(messages->name, "IMessages");
  EXPECT_EQ(find_interface("IMessages", 2), nullptr);
  const auto* calls = find_interface("ICalls", 20260401);
  ASSERT_NE(calls, nullptr);
  EXPECT_FALSE(calls->stable);
  EXPECT_FALSE(calls->declared_hash);
  EXPECT_EQ(calls->routes.size(), 3u);  // SubscribeCallTrack left the contract in 1.8.0
  const auto* reactions = find_interface("IReactions", 1);
  ASSERT_NE(reactions, nullptr);
  EXPECT_EQ(reactions->rate_limit_per_minute, 60);
  EXPECT_EQ(reactions->routes.size(), 4u);
  EXPECT_EQ(find_interface("IArchetypes", 1)->rate_limit_per_minute, 30);
  EXPECT_EQ(find_interface("ITyping", 1)->rate_limit_per_minute, 60);
  EXPECT_EQ(find_interface("IEvents", 1)->rate_limit_per_minute, 5);

  const auto* create = find_event_by_wire_name("messageCreate");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->name, "MessageCreate");
  EXPECT_EQ(create->intent_bit, 0);
  EXPECT_EQ(find_event_by_wire_name("MessageCreate"), nullptr);
  for (const char* always : {"ready", "heartbeat", "resumed", "botInstallingToSpace",
                             "botUninstallingFromSpace", "botEntitlementsUpdated"}) {
    const auto* e = find_event_by_wire_name(always);
    ASSERT_NE(e, nullptr) << always;
    EXPECT_FALSE(e->intent_bit) << always;
  }
  for (const char* reaction : {"reactionAdd", "reactionRemove"}) {
    const auto* e = find_event_by_wire_name(reaction);
    ASSERT_NE(e, nullptr) << reaction;
    EXPECT_EQ(e->intent_bit, 3) << reaction;
  }
  EXPECT_EQ(find_intent("Reactions")->value, 8);
  EXPECT_EQ(find_intent("Reactions")->events,
            (std::vector<std::string>{"ReactionAdd", "ReactionRemove"}));
  EXPECT_EQ(find_event_by_wire_name("ready")->payload_type, "ReadyEventPayload");

  // The SSE type enum lists every event once, in the manifest's order (UPSTREAM.md §0).
  const auto* event_type = find_type("BotEventType");
  ASSERT_NE(event_type, nullptr);
  ASSERT_EQ(event_type->enum_values.size(), events().size());
  for (const auto& e : events()) {
    EXPECT_NE(
        std::find(event_type->enum_values.begin(), event_type->enum_values.end(), e.wire_name),
        event_type->enum_values.end())
        << e.wire_name;
  }
  EXPECT_EQ(event_type->enum_values[18], "botEntitlementsUpdated");
}

TEST(Contracts, VerifyIsClean) {
  auto mismatches = verify();
  for (const auto& m : mismatches) {
    ADD_FAILURE() << m.subject << " declared " << m.declared << " computed " << m.computed;
  }
  EXPECT_TRUE(mismatches.empty());
}

TEST(Contracts, SpecWorkedExamples) {
  EXPECT_EQ(canonical_text(*find_event("Heartbeat")), "EVENT:Heartbeat\n  Timestamp:long\n");
  EXPECT_EQ(crypto::sha256_hex("EVENT:Ready\n  Intents:long\n  SpaceIds:Guid[]\n"),
            "af9c11272a6b02ea211da307137349df80f2d3b0c3e3f569e66d7f3bde53ba14");  // 1.7.0
  EXPECT_EQ(canonical_text(*find_event("Ready")),
            "EVENT:Ready\n  Intents:long\n  Spaces:BotSpaceInfo[]\n"
            "    GrantedEntitlements:ArgonEntitlement\n    PendingApproval:bool\n"
            "    SpaceId:Guid\n");
  EXPECT_EQ(computed_hash(*find_event("Ready")),
            "ed6777c0df6afe84a18e0909683a943f781c56658becd371c697e87241616fb0");
}

// Every contract of the latest manifest: our rendering equals its canonical text byte for byte
// (contracts-latest/ for what changed since 1.7.0, contracts/ for the rest) and hashes to the
// manifest's value — except CallIncoming (kCallIncomingRefHead).
TEST(Contracts, CanonicalTextsMatchLatestFixtures) {
  auto hashes = manifest_hashes(latest_manifest());
  ASSERT_EQ(hashes.size(), 14u + 28u);
  std::vector<TypeDecl> copy;
  TypeLookup without_locale = without_from_locale(copy);
  for (const auto& [key, hash] : hashes) {
    SCOPED_TRACE(key);
    std::string file = key + "." + hash.substr(0, 12) + ".txt";
    fs::path path = spec_dir() / "contracts-latest" / file;
    if (!fs::exists(path)) path = spec_dir() / "contracts" / file;
    std::string fixture = read_file(path);
    ASSERT_EQ(crypto::sha256_hex(fixture), hash);
    if (key == "Event.CallIncoming") {
      EXPECT_EQ(our_text(key, &without_locale), fixture);
      std::string ours = our_text(key);
      EXPECT_EQ(ours, read_file(spec_dir() / "contracts-latest/refhead-unverified" /
                                "Event.CallIncoming.34230d8ea1aa.txt"));
      EXPECT_EQ(crypto::sha256_hex(ours), kCallIncomingRefHead);
      continue;
    }
    std::string ours = our_text(key);
    EXPECT_EQ(ours, fixture);
    EXPECT_EQ(crypto::sha256_hex(ours), hash);
  }
  // Every latest text is used: contracts-latest/ holds nothing the manifest does not name.
  int latest_files = 0;
  for (const auto& entry : fs::directory_iterator(spec_dir() / "contracts-latest")) {
    if (entry.path().extension() != ".txt") continue;
    ++latest_files;
    std::string stem = entry.path().stem().string();
    std::string key = stem.substr(0, stem.rfind('.'));
    ASSERT_TRUE(hashes.contains(key)) << stem;
    EXPECT_EQ(hashes[key].substr(0, 12), stem.substr(stem.rfind('.') + 1));
  }
  EXPECT_EQ(latest_files, 11);
}

// What 1.7.0 declared and 1.9.0 did not change still renders to the 1.7.0 texts; what changed is
// exactly the list of UPSTREAM.md §1.
TEST(Contracts, UnchangedContractsKeepTheir170Hashes) {
  auto old_hashes = manifest_hashes(load_manifest("api-manifest.json"));
  auto new_hashes = manifest_hashes(latest_manifest());
  ASSERT_EQ(old_hashes.size(), 13u + 25u);
  std::vector<std::string> changed;
  int unchanged = 0;
  for (const auto& [key, old_hash] : old_hashes) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(new_hashes.contains(key));
    if (new_hashes[key] != old_hash) {
      changed.push_back(key);
      continue;
    }
    if (key == "Event.CallIncoming") continue;  // fromLocale, see above
    ++unchanged;
    std::string fixture =
        read_file(spec_dir() / "contracts" / (key + "." + old_hash.substr(0, 12) + ".txt"));
    EXPECT_EQ(our_text(key), fixture);
    EXPECT_EQ(crypto::sha256_hex(our_text(key)), old_hash);
  }
  EXPECT_EQ(unchanged, 38 - 7 - 1);
  EXPECT_EQ(changed,
            (std::vector<std::string>{"Event.CommandInteraction", "Event.ControlInteraction",
                                      "Event.ModalSubmit", "Event.Ready", "Event.SelectInteraction",
                                      "ICalls.v20260401", "IMessages.v1"}));
}

// The descriptors agree with api-manifest-latest.json field by field.
TEST(Contracts, DescriptorsMatchManifest) {
  auto manifest = latest_manifest();

  const auto& mi = manifest.at("interfaces").as_array();
  ASSERT_EQ(mi.size(), interfaces().size());
  for (std::size_t n = 0; n < mi.size(); ++n) {
    const auto& o = mi[n].as_object();
    const auto& d = interfaces()[n];
    SCOPED_TRACE(d.name);
    EXPECT_EQ(d.name, o.at("name").as_string());
    EXPECT_EQ(d.version, o.at("version").as_int64());
    EXPECT_EQ(d.stable, o.at("isStable").as_bool());
    EXPECT_EQ(d.deprecated, o.at("isDeprecated").as_bool());
    EXPECT_EQ(d.description, o.at("description").as_string());
    EXPECT_EQ(d.declared_hash.value_or(""), str_or_empty(o.at("declaredHash")));
    const auto& routes = o.at("routes").as_array();
    ASSERT_EQ(routes.size(), d.routes.size());
    for (std::size_t k = 0; k < routes.size(); ++k) {
      const auto& r = routes[k].as_object();
      const auto& dr = d.routes[k];
      SCOPED_TRACE(dr.name);
      EXPECT_EQ(dr.method, r.at("method").as_string());
      EXPECT_EQ(dr.path(), r.at("path").as_string());
      EXPECT_EQ(dr.description, r.at("description").as_string());
      EXPECT_EQ(dr.request_type, str_or_empty(r.at("requestTypeName")));
      EXPECT_EQ(dr.response_type, str_or_empty(r.at("responseTypeName")));
      EXPECT_EQ(dr.permission, r.at("permission").is_null()
                                   ? std::nullopt
                                   : parse_route_permission(r.at("permission").as_string()));
      if (!r.at("permission").is_null()) {
        EXPECT_TRUE(dr.permission.has_value());
      }
      EXPECT_EQ(dr.privileged, r.at("isPrivileged").as_bool());
      const auto& errors = r.at("errors");
      std::size_t count = errors.is_null() ? 0 : errors.as_array().size();
      ASSERT_EQ(dr.errors.size(), count);
      for (std::size_t e = 0; e < count; ++e) {
        const auto& eo = errors.as_array()[e].as_object();
        EXPECT_EQ(dr.errors[e].status, eo.at("status").as_int64());
        EXPECT_EQ(dr.errors[e].code, eo.at("code").as_string());
        EXPECT_EQ(dr.errors[e].description, eo.at("description").as_string());
      }
    }
  }

  const auto& me = manifest.at("events").as_array();
  ASSERT_EQ(me.size(), events().size());
  for (std::size_t n = 0; n < me.size(); ++n) {
    const auto& o = me[n].as_object();
    const auto& d = events()[n];
    SCOPED_TRACE(d.name);
    EXPECT_EQ(d.name, o.at("name").as_string());
    EXPECT_EQ(d.description, o.at("description").as_string());
    EXPECT_EQ(d.category, o.at("category").as_string());
    EXPECT_EQ(d.payload_type, o.at("payloadTypeName").as_string());
    EXPECT_EQ(d.declared_hash.value_or(""), str_or_empty(o.at("declaredHash")));
    EXPECT_EQ(d.stable(), o.at("isStable").as_bool());
    if (o.at("intent").is_null()) {
      EXPECT_FALSE(d.intent_bit);
    } else {
      const auto* intent = find_intent(o.at("intent").as_string());
      ASSERT_NE(intent, nullptr);
      EXPECT_EQ(d.intent_bit, intent->bit);
    }
  }

  const auto& mn = manifest.at("intents").as_array();
  ASSERT_EQ(mn.size(), intents().size());
  for (std::size_t n = 0; n < mn.size(); ++n) {
    const auto& o = mn[n].as_object();
    const auto& d = intents()[n];
    EXPECT_EQ(d.name, o.at("name").as_string());
    EXPECT_EQ(d.bit, o.at("bit").as_int64());
    EXPECT_EQ(d.value, o.at("value").as_int64());
    EXPECT_EQ(d.privileged, o.at("isPrivileged").as_bool());
    std::vector<std::string> names;
    for (const auto& v : o.at("events").as_array()) names.emplace_back(v.as_string());
    EXPECT_EQ(d.events, names) << d.name;
  }

  const auto& ml = manifest.at("rateLimits").as_array();
  ASSERT_EQ(ml.size(), manifest_rate_limits().size());
  for (std::size_t n = 0; n < ml.size(); ++n) {
    const auto& o = ml[n].as_object();
    EXPECT_EQ(manifest_rate_limits()[n].interface_name, o.at("interfaceName").as_string());
    EXPECT_EQ(manifest_rate_limits()[n].permit_limit, o.at("permitLimit").as_int64());
    EXPECT_NE(o.at("interfaceName").as_string(), "IReactions");  // UPSTREAM.md §2.6
    const auto* i = find_interface(o.at("interfaceName").as_string(), 1);
    if (!i) i = find_interface(o.at("interfaceName").as_string(), 20260401);
    ASSERT_NE(i, nullptr);
    EXPECT_EQ(i->rate_limit_per_minute, o.at("permitLimit").as_int64());
  }
}

json::value strip(const json::value& v, const std::vector<std::string_view>& drop) {
  if (v.is_object()) {
    json::object out;
    for (const auto& [k, child] : v.as_object()) {
      if (std::find(drop.begin(), drop.end(), std::string_view(k)) != drop.end()) continue;
      out[k] = strip(child, drop);
    }
    return out;
  }
  if (v.is_array()) {
    json::array out;
    for (const auto& child : v.as_array()) out.push_back(strip(child, drop));
    return out;
  }
  return v;
}

// manifest_json() reproduces api-manifest-latest.json minus the type shapes and dtos (and with
// CallIncoming's reference-head hash).
TEST(Contracts, ManifestJsonRoundTrips) {
  auto manifest = latest_manifest();
  for (auto& e : manifest.at("events").as_array()) {
    if (e.as_object().at("name").as_string() == "CallIncoming")
      e.as_object()["computedHash"] = kCallIncomingRefHead;
  }
  auto ours = manifest_json().as_object();
  EXPECT_EQ(ours.at("botApiVersion").as_string(), kBotApiVersion);

  // Drop what we do not render (keeping key order), then compare whole values.
  json::value stripped = strip(manifest, {"requestTypeShape", "responseTypeShape",
                                          "payloadTypeShape", "payloadVariants", "dtos"});
  const auto& expected = stripped.as_object();

  for (const char* key : {"interfaces", "intents", "events", "rateLimits"}) {
    EXPECT_EQ(json::serialize(ours.at(key)), json::serialize(expected.at(key))) << key;
  }
  // Spot checks that do not depend on key order.
  const auto& first = ours.at("interfaces").as_array()[0].as_object();
  EXPECT_EQ(first.at("name").as_string(), "IArchetypes");
  EXPECT_EQ(first.at("computedHash").as_string(), first.at("declaredHash").as_string());
}

// Changing a descriptor (one property on a shared type) changes the hashes that depend on it.
TEST(Contracts, AlteredDescriptorChangesHash) {
  std::vector<TypeDecl> copy = types();
  for (auto& t : copy) {
    if (t.name == "BotArchetypeV1") t.properties.push_back({"Position", named("int")});
  }
  TypeLookup altered = [&copy](std::string_view name) -> const TypeDecl* {
    for (const auto& t : copy) {
      if (t.name == name) return &t;
    }
    return nullptr;
  };
  const auto& archetypes = *find_interface("IArchetypes", 1);
  std::string text = canonical_text(archetypes, altered);
  EXPECT_NE(text, canonical_text(archetypes));
  EXPECT_NE(text.find("    Position:int\n"), std::string::npos);
  EXPECT_NE(text.find("      Position:int\n"), std::string::npos);  // inside List<BotArchetypeV1>
  EXPECT_NE(crypto::sha256_hex(text), *archetypes.declared_hash);
  // Events only name BotArchetypeV1 as a plain property: not expanded, so unchanged.
  EXPECT_EQ(canonical_text(*find_event("ArchetypeCreate"), altered),
            canonical_text(*find_event("ArchetypeCreate")));

  // A changed route (method) changes the interface hash too.
  InterfaceDecl changed = archetypes;
  changed.routes[0].method = "POST";
  EXPECT_NE(computed_hash(changed), *archetypes.declared_hash);
}

TEST(Contracts, ShapeRulesOrderingAndCircularity) {
  TypeDecl node = class_type("Node", "X.Node",
                             {{"Zeta", named("string")},
                              {"Children", list_of("Node")},
                              {"alpha", named("int")},
                              {"Items", array_of("Leaf")},
                              {"Maybe", nullable("Leaf")},
                              {"Plain", named("Leaf")},
                              {"Ro", read_only_list_of("Leaf")}});
  TypeDecl leaf = class_type("Leaf", "", {{"B", named("bool")}, {"A", named("Guid")}});
  TypeLookup lookup = [&](std::string_view n) -> const TypeDecl* {
    return n == "Node" ? &node : n == "Leaf" ? &leaf : nullptr;
  };
  // Ordinal: uppercase before lowercase; Leaf expanded once, then circular everywhere else.
  EXPECT_EQ(render_shape(node, 2, lookup),
            "  Children:List<Node>\n"
            "    [circular:Node]\n"
            "  Items:Leaf[]\n"
            "    A:Guid\n"
            "    B:bool\n"
            "  Maybe:Leaf?\n"
            "    [circular:Leaf]\n"
            "  Plain:Leaf\n"
            "  Ro:IReadOnlyList<Leaf>\n"
            "    [circular:Leaf]\n"
            "  Zeta:string\n"
            "  alpha:int\n");
}

TEST(Contracts, RouteTableFacts) {
  const auto* spaces = find_interface("ISpaces", 1);
  ASSERT_NE(spaces, nullptr);
  const auto& list_members = spaces->routes[2];
  EXPECT_EQ(list_members.path(), "/ListMembers");
  EXPECT_TRUE(list_members.privileged);
  EXPECT_EQ(list_members.permission, RoutePermission::ViewMembers);
  const auto* egress = find_interface("IVoiceEgress", 20260401);
  ASSERT_NE(egress, nullptr);
  EXPECT_EQ(egress->routes[1].method, "DELETE");
  EXPECT_EQ(egress->routes[1].request_type, "UnsubscribeTrackRequest");
  for (const auto& i : interfaces()) {
    EXPECT_GT(i.rate_limit_per_minute, 0) << i.name;
    EXPECT_EQ(i.stable, i.declared_hash.has_value()) << i.name;
  }
}

}  // namespace
}  // namespace argon::contracts
