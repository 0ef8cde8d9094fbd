// openapi_document(): the descriptors (routes, types, events, intents) as OpenAPI 3.1. JSON
// names are the camelCase of the CLR property names (SPEC.md §1); a reference-type field may be
// null, a value-type field only as Nullable<T> (or TypeRef::null_on_wire); enums and flags are
// integers on the wire (DECISIONS.md §3).
#include "argon/contracts/openapi.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <string_view>

namespace argon::contracts {
namespace {

namespace json = boost::json;

constexpr std::string_view kSchemas = "#/components/schemas/";

std::string camel(std::string_view pascal) {
  std::string out(pascal);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] + 32);
  return out;
}

std::string ref_to(std::string_view name) {
  return std::string(kSchemas) + std::string(name);
}

json::object ref_schema(std::string_view name) {
  return json::object{{"$ref", ref_to(name)}};
}

// The JSON Schema of a CLR simple type (shapes.hpp clr::*).
json::object simple_schema(std::string_view t) {
  using namespace clr;
  if (t == kString) return {{"type", "string"}};
  if (t == kInt) return {{"type", "integer"}, {"format", "int32"}};
  if (t == kLong) return {{"type", "integer"}, {"format", "int64"}};
  if (t == kBool) return {{"type", "boolean"}};
  if (t == kGuid) return {{"type", "string"}, {"format", "uuid"}};
  if (t == kDateTime || t == kDateTimeOffset) return {{"type", "string"}, {"format", "date-time"}};
  if (t == kSingle) return {{"type", "number"}, {"format", "float"}};
  if (t == kDouble || t == kDecimal) return {{"type", "number"}, {"format", "double"}};
  if (t == kUInt32) return {{"type", "integer"}, {"minimum", 0}, {"maximum", 4294967295LL}};
  if (t == kStringMap) return {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
  return {{"description", "Any JSON value."}};  // Object
}

json::object element_schema(const std::string& element) {
  if (is_simple_type(element)) return simple_schema(element);
  const TypeDecl* t = find_type(element);
  return t ? json::object{{"$ref", openapi_schema_ref(*t)}} : ref_schema(element);
}

// `X | null`: a typed schema gets "null" in its type list, anything else is wrapped in anyOf.
json::object or_null_schema(json::object schema) {
  if (auto* type = schema.if_contains("type"); type && type->is_string()) {
    json::array types{type->as_string(), "null"};
    schema["type"] = std::move(types);
    return schema;
  }
  return {{"anyOf", json::array{std::move(schema), json::object{{"type", "null"}}}}};
}

// As in the reference (CLR) server, a reference type — string, object, map, array, class — may
// be null on the wire (SPEC.md §0: the manifest never flags them); value types (numbers,
// booleans, Guid, timestamps, enums) are null only as Nullable<T>.
bool is_reference_type(const std::string& element) {
  using namespace clr;
  if (element == kString || element == kObject || element == kStringMap) return true;
  if (is_simple_type(element)) return false;
  const TypeDecl* t = find_type(element);
  return !t || t->kind != TypeKind::Enum;
}

json::object type_ref_schema(const TypeRef& ref) {
  json::object schema = element_schema(ref.element);
  bool may_be_null = ref.null_on_wire || ref.wrapper == Wrapper::Nullable;
  switch (ref.wrapper) {
    case Wrapper::List:
    case Wrapper::ReadOnlyList:
    case Wrapper::Array:
      schema = {{"type", "array"}, {"items", std::move(schema)}};
      may_be_null = true;
      break;
    case Wrapper::Nullable:
    case Wrapper::None:
      may_be_null = may_be_null || is_reference_type(ref.element);
      break;
  }
  return may_be_null ? or_null_schema(std::move(schema)) : schema;
}

json::object enum_schema(const TypeDecl& t) {
  json::array names;
  for (const auto& n : t.enum_values) names.push_back(json::value(n));
  if (t.flags) {
    json::object bits;
    std::string listing;
    for (std::size_t i = 0; i < t.enum_values.size(); ++i) {
      bits[t.enum_values[i]] = t.flag_values[i];
      if (!listing.empty()) listing += ", ";
      listing += t.enum_values[i] + "=" + std::to_string(t.flag_values[i]);
    }
    return {
        {"type", "integer"},
        {"format", "int64"},
        {"minimum", 0},
        {"description", "Flags " + t.name + ", written as an integer bitmask: " + listing + "."},
        {"x-argon-flags", std::move(bits)}};
  }
  // Written as the integer value, the reference's style (DECISIONS.md §3), except the union
  // entities of History (their name); read as either, the name in any case.
  json::array values;
  std::string listing;
  for (std::size_t i = 0; i < t.enum_values.size(); ++i) {
    values.push_back(static_cast<std::int64_t>(i));
    if (!listing.empty()) listing += ", ";
    listing += std::to_string(i) + " = " + t.enum_values[i];
  }
  return {{"description", "Enum " + t.name + ": " + listing +
                              ". Written as the integer; requests may send the integer or the "
                              "name (any case)."},
          {"anyOf", json::array{json::object{{"type", "integer"},
                                             {"enum", std::move(values)},
                                             {"x-enum-varnames", std::move(names)}},
                                json::object{{"type", "string"}}}}};
}

json::object class_schema(const TypeDecl& t) {
  json::object props;
  for (const auto& p : t.properties) props[camel(p.name)] = type_ref_schema(p.type);
  json::object schema{{"type", "object"}, {"properties", std::move(props)}};
  if (!t.description.empty()) schema["description"] = t.description;
  if (!t.full_name.empty()) schema["x-argon-clr-type"] = t.full_name;
  return schema;
}

json::object components_schemas() {
  json::object out;
  for (const auto& t : types()) {
    if (!t.wire_type.empty()) continue;  // referenced as its wire type
    switch (t.kind) {
      case TypeKind::Class:
        out[t.name] = class_schema(t);
        break;
      case TypeKind::Enum:
        out[t.name] = enum_schema(t);
        break;
      case TypeKind::Opaque:
        out[t.name] = json::object{{"type", "object"}};
        break;
    }
  }
  out["Error"] = json::object{
      {"type", "object"},
      {"description", "Every error body (DECISIONS.md §2)."},
      {"required", json::array{"error", "message"}},
      {"properties", json::object{{"error", {{"type", "string"}, {"description", "Error code."}}},
                                  {"message", {{"type", json::array{"string", "null"}}}}}}};
  out["RateLimitedError"] = json::object{
      {"allOf",
       json::array{
           ref_schema("Error"),
           json::object{{"type", "object"},
                        {"required", json::array{"retry_after"}},
                        {"properties",
                         {{"error", {{"const", "rate_limited"}}},
                          {"retry_after",
                           {{"type", "number"}, {"description", "Seconds, fractional."}}}}}}}}};
  json::array payloads;
  for (const auto& e : events()) payloads.push_back(ref_schema(e.payload_type));
  out["BotEventPayload"] = json::object{
      {"description", "The `data:` of one SSE event: the payload of its type (x-argon-events)."},
      {"anyOf", std::move(payloads)}};
  return out;
}

json::object json_content(json::object schema) {
  return {{"application/json", {{"schema", std::move(schema)}}}};
}

json::object rate_headers() {
  json::object number{{"schema", {{"type", "integer"}}}};
  return {{"X-RateLimit-Limit", number},
          {"X-RateLimit-Remaining", number},
          {"X-RateLimit-Reset-After",
           {{"schema", {{"type", "string"}}}, {"description", "Seconds, e.g. 12.345."}}}};
}

json::object components_responses() {
  json::object headers = rate_headers();
  headers["Retry-After"] =
      json::object{{"description", "Whole seconds until a permit frees (at least 1)."},
                   {"schema", {{"type", "integer"}, {"minimum", 1}}}};
  return {{"Unauthorized",
           {{"description", "`unauthorized`: missing or invalid `Authorization: Bot <token>`."},
            {"content", json_content(ref_schema("Error"))}}},
          {"RateLimited",
           {{"description",
             "`rate_limited`: the interface's per-minute limit or the bot's "
             "concurrent-request limit was reached."},
            {"headers", std::move(headers)},
            {"content", json_content(ref_schema("RateLimitedError"))}}}};
}

// The route's errors by status; 400 validation_error on every route that reads input (a body or
// query parameters; DECISIONS.md §2) and 403 not_verified on privileged ones join the
// manifest's.
std::map<int, std::vector<ErrorDecl>> errors_by_status(const RouteDecl& route) {
  std::map<int, std::vector<ErrorDecl>> out;
  auto add = [&out](const ErrorDecl& e) {
    auto& list = out[e.status];
    for (const auto& have : list) {
      if (have.code == e.code) return;
    }
    list.push_back(e);
  };
  for (const auto& e : route.errors) add(e);
  if (!route.request_type.empty() || !route.query.empty())
    add({400, "validation_error", "A field is missing or malformed (the message names it)."});
  if (route.privileged) add({403, "not_verified", "This endpoint requires a verified bot."});
  return out;
}

json::object error_response(const std::vector<ErrorDecl>& errors) {
  std::string description;
  json::array codes;
  for (const auto& e : errors) {
    if (!description.empty()) description += " ";
    description += "`" + e.code + "`: " + e.description;
    codes.push_back(json::value(e.code));
  }
  json::object narrowed{{"type", "object"}, {"properties", {{"error", {{"enum", codes}}}}}};
  return {{"description", description},
          {"content", json_content({{"allOf", json::array{ref_schema("Error"), narrowed}}})}};
}

std::string first_sentence(const std::string& text) {
  auto end = text.find(". ");
  return end == std::string::npos ? text : text.substr(0, end + 1);
}

json::array sse_events() {
  json::array out;
  const TypeDecl* order = find_type("BotEventType");
  for (const auto& wire : order->enum_values) {
    const EventDecl* e = find_event_by_wire_name(wire);
    if (!e) continue;
    json::value intent = nullptr, intent_value = nullptr;
    for (const auto& i : intents()) {
      if (e->intent_bit && i.bit == *e->intent_bit) {
        intent = json::value(i.name);
        intent_value = i.value;
      }
    }
    out.push_back(json::object{{"type", e->wire_name},
                               {"name", e->name},
                               {"category", e->category},
                               {"description", e->description},
                               {"intent", intent},
                               {"intentValue", intent_value},
                               {"payload", ref_schema(e->payload_type)},
                               {"stable", e->stable()},
                               {"contractHash", computed_hash(*e)}});
  }
  return out;
}

json::object ok_response(const InterfaceDecl& iface, const RouteDecl& route) {
  if (iface.name == "IEvents" && route.name == "Stream") {
    return {{"description",
             "The SSE stream, open until either side closes it. Each event is `id:`, `event:` "
             "(the camelCase type) and one `data:` line with the bare JSON payload "
             "(BotEventPayload), then a blank line. The first event is `ready` (id `ready`); "
             "`heartbeat` carries a resume cursor as its id; after a resume `resumed` follows "
             "the replayed events. x-argon-events lists every type with its intent and payload."},
            {"content",
             {{"text/event-stream",
               {{"schema",
                 {{"type", "string"},
                  {"contentMediaType", "text/event-stream"},
                  {"x-argon-event-payload", ref_schema("BotEventPayload")}}},
                {"x-argon-events", sse_events()}}}}}};
  }
  if (route.response_type.empty()) return {{"description", "Done; the body is empty."}};
  return {
      {"description", "OK"},
      {"content", json_content({{"$ref", openapi_schema_ref(*find_type(route.response_type))}})}};
}

json::object operation(const InterfaceDecl& iface, const RouteDecl& route) {
  json::object op;
  op["operationId"] = openapi_operation_id(iface, route);
  op["summary"] = first_sentence(route.description);
  std::string description = route.description;
  if (route.permission)
    description += "\n\nNeeds the " + std::string(route_permission_name(*route.permission)) +
                   " permission in the space.";
  if (route.privileged) description += "\n\nVerified bots only.";
  op["description"] = description;
  op["tags"] = json::array{json::value(iface.name)};
  if (!route.query.empty()) {
    json::array params;
    for (const auto& q : route.query) {
      params.push_back(json::object{{"name", q.name},
                                    {"in", "query"},
                                    {"required", q.required},
                                    {"schema", element_schema(q.type.element)}});
    }
    if (iface.name == "IEvents") {
      params.push_back(json::object{{"name", "Last-Event-ID"},
                                    {"in", "header"},
                                    {"required", false},
                                    {"description", "Resume position (the query wins)."},
                                    {"schema", {{"type", "string"}}}});
    }
    op["parameters"] = std::move(params);
  }
  if (!route.request_type.empty()) {
    op["requestBody"] = json::object{
        {"required", true},
        {"content", json_content({{"$ref", openapi_schema_ref(*find_type(route.request_type))}})}};
  }
  json::object responses;
  responses["200"] = ok_response(iface, route);
  for (const auto& [status, errors] : errors_by_status(route))
    responses[std::to_string(status)] = error_response(errors);
  responses["401"] = json::object{{"$ref", "#/components/responses/Unauthorized"}};
  responses["429"] = json::object{{"$ref", "#/components/responses/RateLimited"}};
  op["responses"] = std::move(responses);
  json::value permission = nullptr;
  if (route.permission) permission = json::value(route_permission_name(*route.permission));
  op["x-argon-permission"] = permission;
  op["x-argon-privileged"] = route.privileged;
  return op;
}

std::string lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return s;
}

std::string info_description() {
  return "The Argon Bot API " + std::string(kBotApiVersion) +
         " as argon serves it, plus the reference server's later additions (user `locale`, "
         "`callIncoming.fromLocale`, the `gif` entity). Generated from the same descriptors "
         "as the server's route table and contract hashes.\n\n"
         "Every route answers at `/api/bot/{Interface}/v{N}/{Method}` (listed here) and at the "
         "short form `/{Interface}/v{N}/{Method}`; interface and method names are "
         "case-insensitive. Authenticate with `Authorization: Bot <token>`. Every error body "
         "is `{error, message}`. Every field of a response is present; as in the reference "
         "server, a string, object or array field may be null, a number, boolean, id, timestamp "
         "or enum only where its schema says so. `GET /api/bot/` lists the interfaces with their "
         "contract "
         "hashes (also in each tag's x-argon-contract).";
}

}  // namespace

std::string openapi_schema_ref(const TypeDecl& type) {
  return ref_to(type.wire_type.empty() ? type.name : type.wire_type);
}

std::string openapi_operation_id(const InterfaceDecl& iface, const RouteDecl& route) {
  return iface.name + "_v" + std::to_string(iface.version) + "_" + route.name;
}

boost::json::value openapi_document() {
  json::object paths;
  json::array tags;
  for (const auto& iface : interfaces()) {
    std::string hash = computed_hash(iface);
    tags.push_back(json::object{{"name", iface.name},
                                {"description", iface.description},
                                {"x-argon-contract",
                                 {{"version", iface.version},
                                  {"stable", iface.stable},
                                  {"deprecated", iface.deprecated},
                                  {"hash", hash},
                                  {"rateLimitPerMinute", iface.rate_limit_per_minute}}}});
    for (const auto& route : iface.routes) {
      std::string path =
          "/api/bot/" + iface.name + "/v" + std::to_string(iface.version) + "/" + route.name;
      json::object& item = paths[path].emplace_object();
      item[lower(route.method)] = operation(iface, route);
    }
  }
  return json::object{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Argon Bot API"},
        {"version", kBotApiVersion},
        {"description", info_description()}}},
      {"servers", json::array{json::object{{"url", "/"},
                                           {"description",
                                            "This server; the short paths without "
                                            "/api/bot work as well."}}}},
      {"security", json::array{json::object{{"Bot", json::array{}}}}},
      {"tags", std::move(tags)},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"Bot",
           {{"type", "http"},
            {"scheme", "Bot"},
            {"description", "`Authorization: Bot <token>` with the bot's token."}}}}},
        {"schemas", components_schemas()},
        {"responses", components_responses()}}}};
}

}  // namespace argon::contracts
