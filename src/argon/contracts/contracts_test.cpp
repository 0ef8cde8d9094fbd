#include "argon/contracts/contracts.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "argon/crypto/crypto.hpp"

namespace argon::contracts {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// /work/main/src/argon/contracts -> /work/shared/spec; else $ARGON_SPEC_DIR.
std::optional<fs::path> spec_dir() {
  std::error_code ec;
  fs::path beside = fs::path(__FILE__).parent_path() / "../../../../shared/spec";
  if (fs::exists(beside / "api-manifest.json", ec)) return fs::weakly_canonical(beside, ec);
  if (const char* env = std::getenv("ARGON_SPEC_DIR")) {
    fs::path p(env);
    if (fs::exists(p / "api-manifest.json", ec)) return p;
  }
  return std::nullopt;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#define REQUIRE_SPEC(var)                                                                     \
  auto var##_opt = spec_dir();                                                                \
  if (!var##_opt) GTEST_SKIP() << "spec not found beside the source tree or $ARGON_SPEC_DIR"; \
  const fs::path var = *var##_opt

json::object load_manifest(const fs::path& dir) {
  return json::parse(read_file(dir / "api-manifest.json")).as_object();
}

std::string str_or_empty(const json::value& v) {
  return v.is_null() ? std::string() : std::string(v.as_string());
}

TEST(Contracts, CountsAndLookups) {
  EXPECT_EQ(interfaces().size(), 13u);
  EXPECT_EQ(events().size(), 25u);
  EXPECT_EQ(intents().size(), 14u);
  EXPECT_EQ(manifest_rate_limits().size(), 11u);
  std::size_t routes = 0;
  for (const auto& i : interfaces()) routes += i.routes.size();
  EXPECT_EQ(routes, 34u);

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
  EXPECT_EQ(find_interface("IArchetypes", 1)->rate_limit_per_minute, 30);
  EXPECT_EQ(find_interface("ITyping", 1)->rate_limit_per_minute, 60);
  EXPECT_EQ(find_interface("IEvents", 1)->rate_limit_per_minute, 5);

  const auto* create = find_event_by_wire_name("messageCreate");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->name, "MessageCreate");
  EXPECT_EQ(create->intent_bit, 0);
  EXPECT_EQ(find_event_by_wire_name("MessageCreate"), nullptr);
  for (const char* always :
       {"ready", "heartbeat", "resumed", "botInstallingToSpace", "botUninstallingFromSpace"}) {
    const auto* e = find_event_by_wire_name(always);
    ASSERT_NE(e, nullptr) << always;
    EXPECT_FALSE(e->intent_bit) << always;
  }
  EXPECT_EQ(find_event_by_wire_name("ready")->payload_type, "ReadyEventPayload");
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
  EXPECT_EQ(canonical_text(*find_event("Ready")),
            "EVENT:Ready\n  Intents:long\n  SpaceIds:Guid[]\n");
  EXPECT_EQ(computed_hash(*find_event("Ready")),
            "af9c11272a6b02ea211da307137349df80f2d3b0c3e3f569e66d7f3bde53ba14");
}

// Every fixture: our rendering equals the file byte for byte, and hashes to the manifest value.
TEST(Contracts, CanonicalTextsMatchFixtures) {
  REQUIRE_SPEC(dir);
  auto manifest = load_manifest(dir);
  std::map<std::string, std::string> manifest_hash;  // "IMessages.v1" / "Event.Ready"
  for (const auto& i : manifest.at("interfaces").as_array()) {
    const auto& o = i.as_object();
    manifest_hash[std::string(o.at("name").as_string()) + ".v" +
                  std::to_string(o.at("version").as_int64())] = o.at("computedHash").as_string();
  }
  for (const auto& e : manifest.at("events").as_array()) {
    const auto& o = e.as_object();
    manifest_hash["Event." + std::string(o.at("name").as_string())] =
        o.at("computedHash").as_string();
  }

  int files = 0, interface_files = 0, event_files = 0;
  for (const auto& entry : fs::directory_iterator(dir / "contracts")) {
    if (entry.path().extension() != ".txt") continue;
    ++files;
    std::string stem = entry.path().stem().string();  // "IMessages.v1.2885642024b3"
    auto last_dot = stem.rfind('.');
    ASSERT_NE(last_dot, std::string::npos) << stem;
    std::string key = stem.substr(0, last_dot);
    std::string prefix = stem.substr(last_dot + 1);
    auto first_dot = key.find('.');
    std::string head = key.substr(0, first_dot), tail = key.substr(first_dot + 1);
    std::string fixture = read_file(entry.path());

    std::string ours;
    if (head == "Event") {
      ++event_files;
      const auto* e = find_event(tail);
      ASSERT_NE(e, nullptr) << stem;
      ours = canonical_text(*e);
      EXPECT_EQ(computed_hash(*e), manifest_hash[key]) << stem;
      if (e->declared_hash) {
        EXPECT_EQ(*e->declared_hash, manifest_hash[key]) << stem;
      }
    } else {
      ++interface_files;
      ASSERT_EQ(tail[0], 'v') << stem;
      const auto* i = find_interface(head, std::stoi(tail.substr(1)));
      ASSERT_NE(i, nullptr) << stem;
      ours = canonical_text(*i);
      EXPECT_EQ(computed_hash(*i), manifest_hash[key]) << stem;
      if (i->declared_hash) {
        EXPECT_EQ(*i->declared_hash, manifest_hash[key]) << stem;
      }
    }
    EXPECT_EQ(ours, fixture) << stem;
    auto hash = crypto::sha256_hex(ours);
    EXPECT_EQ(hash.substr(0, 12), prefix) << stem;
    EXPECT_EQ(hash, manifest_hash[key]) << stem;
  }
  EXPECT_EQ(files, 38);
  EXPECT_EQ(interface_files, 13);
  EXPECT_EQ(event_files, 25);
}

// The descriptors agree with api-manifest.json field by field.
TEST(Contracts, DescriptorsMatchManifest) {
  REQUIRE_SPEC(dir);
  auto manifest = load_manifest(dir);

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

// manifest_json() reproduces api-manifest.json minus the type shapes and dtos.
TEST(Contracts, ManifestJsonRoundTrips) {
  REQUIRE_SPEC(dir);
  auto manifest = load_manifest(dir);
  auto ours = manifest_json().as_object();

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
