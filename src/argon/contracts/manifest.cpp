// manifest_json(): the descriptors in the shape of api-manifest.json (without type shapes/dtos).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "argon/contracts/contracts.hpp"

namespace argon::contracts {
namespace {

namespace json = boost::json;

json::value string_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}
json::value string_or_null(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

json::object route_json(const RouteDecl& r) {
  json::object o;
  o["method"] = r.method;
  o["path"] = r.path();
  o["description"] = r.description;
  o["requestTypeName"] = string_or_null(r.request_type);
  o["responseTypeName"] = string_or_null(r.response_type);
  o["permission"] =
      r.permission ? json::value(route_permission_name(*r.permission)) : json::value(nullptr);
  o["isPrivileged"] = r.privileged;
  if (r.errors.empty()) {
    o["errors"] = nullptr;  // the manifest writes null, never []
  } else {
    json::array errors;
    for (const auto& e : r.errors) {
      errors.push_back(
          json::object{{"status", e.status}, {"code", e.code}, {"description", e.description}});
    }
    o["errors"] = std::move(errors);
  }
  return o;
}

json::object interface_json(const InterfaceDecl& i) {
  json::object o;
  o["name"] = i.name;
  o["version"] = i.version;
  o["computedHash"] = computed_hash(i);
  o["declaredHash"] = string_or_null(i.declared_hash);
  o["isStable"] = i.stable;
  o["isDeprecated"] = i.deprecated;
  o["description"] = i.description;
  json::array routes;
  for (const auto& r : i.routes) routes.push_back(route_json(r));
  o["routes"] = std::move(routes);
  return o;
}

json::object event_json(const EventDecl& e) {
  json::object o;
  o["name"] = e.name;
  json::value intent = nullptr;
  if (e.intent_bit) {
    for (const auto& i : intents()) {
      if (i.bit == *e.intent_bit) intent = json::value(i.name);
    }
  }
  o["intent"] = std::move(intent);
  o["description"] = e.description;
  o["category"] = e.category;
  o["payloadTypeName"] = e.payload_type;
  o["computedHash"] = computed_hash(e);
  o["declaredHash"] = string_or_null(e.declared_hash);
  o["isStable"] = e.stable();
  return o;
}

}  // namespace

boost::json::value manifest_json() {
  json::array ifaces;
  for (const auto& i : interfaces()) ifaces.push_back(interface_json(i));

  json::array intent_list;
  for (const auto& i : intents()) {
    json::array names;
    for (const auto& n : i.events) names.push_back(json::value(n));
    intent_list.push_back(json::object{{"name", i.name},
                                       {"bit", i.bit},
                                       {"value", i.value},
                                       {"isPrivileged", i.privileged},
                                       {"events", std::move(names)}});
  }

  json::array event_list;
  for (const auto& e : events()) event_list.push_back(event_json(e));

  json::array limits;
  for (const auto& p : manifest_rate_limits()) {
    limits.push_back(json::object{
        {"interfaceName", p.interface_name}, {"permitLimit", p.permit_limit}, {"window", "1m"}});
  }

  return json::object{{"botApiVersion", kBotApiVersion},
                      {"interfaces", std::move(ifaces)},
                      {"intents", std::move(intent_list)},
                      {"events", std::move(event_list)},
                      {"rateLimits", std::move(limits)}};
}

}  // namespace argon::contracts
