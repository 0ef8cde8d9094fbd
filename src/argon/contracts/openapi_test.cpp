#include "argon/contracts/openapi.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace argon::contracts {
namespace {

namespace json = boost::json;

const json::object& document() {
  static const json::value doc = openapi_document();
  return doc.as_object();
}

json::object latest_manifest() {
  auto path = std::filesystem::path(ARGON_FIXTURE_DIR) / "spec" / "api-manifest-latest.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str()).as_object();
}

const json::object& schema(std::string_view name) {
  return document().at("components").at("schemas").at(name).as_object();
}

// Follows a local JSON pointer ("#/components/schemas/X"); nullptr when it does not resolve.
const json::value* resolve(std::string_view ref) {
  if (!ref.starts_with("#/")) return nullptr;
  static const json::value root = openapi_document();
  const json::value* at = &root;
  ref.remove_prefix(2);
  while (!ref.empty()) {
    auto slash = ref.find('/');
    std::string_view token = ref.substr(0, slash);
    ref = slash == std::string_view::npos ? std::string_view() : ref.substr(slash + 1);
    if (!at->is_object()) return nullptr;
    at = at->as_object().if_contains(token);
    if (!at) return nullptr;
  }
  return at;
}

void collect_refs(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) {
      if (k == "$ref") out.emplace_back(child.as_string());
      collect_refs(child, out);
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) collect_refs(child, out);
  }
}

TEST(OpenApi, Header) {
  const auto& doc = document();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_EQ(doc.at("info").at("version").as_string(), kBotApiVersion);
  const auto& bot = doc.at("components").at("securitySchemes").at("Bot").as_object();
  EXPECT_EQ(bot.at("type").as_string(), "http");
  EXPECT_EQ(bot.at("scheme").as_string(), "Bot");
  EXPECT_EQ(doc.at("security").as_array()[0].as_object().count("Bot"), 1u);
  EXPECT_EQ(doc.at("tags").as_array().size(), 14u);
}

// Every route of api-manifest-latest.json is an operation with its method, and carries the
// common and the route's own error statuses.
TEST(OpenApi, EveryManifestRouteIsAnOperation) {
  const auto& paths = document().at("paths").as_object();
  std::size_t operations = 0;
  for (const auto& [path, item] : paths) operations += item.as_object().size();
  EXPECT_EQ(operations, 37u);

  std::set<std::string> operation_ids;
  const auto manifest = latest_manifest();
  for (const auto& iv : manifest.at("interfaces").as_array()) {
    const auto& i = iv.as_object();
    std::string prefix = "/api/bot/" + std::string(i.at("name").as_string()) + "/v" +
                         std::to_string(i.at("version").as_int64());
    for (const auto& rv : i.at("routes").as_array()) {
      const auto& r = rv.as_object();
      std::string path = prefix + std::string(r.at("path").as_string());
      SCOPED_TRACE(path);
      ASSERT_TRUE(paths.contains(path));
      std::string method(r.at("method").as_string());
      for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto* op = paths.at(path).as_object().if_contains(method);
      ASSERT_NE(op, nullptr);
      const auto& o = op->as_object();
      EXPECT_TRUE(operation_ids.insert(std::string(o.at("operationId").as_string())).second);
      EXPECT_EQ(o.at("description").as_string().subview().substr(0, 20),
                r.at("description").as_string().subview().substr(0, 20));
      const auto& responses = o.at("responses").as_object();
      for (const char* status : {"200", "401", "429"}) {
        EXPECT_TRUE(responses.contains(status)) << status;
      }
      bool reads_input = !r.at("requestTypeName").is_null() || o.contains("parameters");
      EXPECT_EQ(responses.contains("400"),
                reads_input ||
                    json::serialize(r.at("errors")).find("\"status\":400") != std::string::npos);
      if (reads_input) {
        EXPECT_NE(json::serialize(responses.at("400")).find("validation_error"), std::string::npos);
      }
      EXPECT_EQ(o.contains("requestBody"), !r.at("requestTypeName").is_null());
      if (!r.at("errors").is_null()) {
        for (const auto& ev : r.at("errors").as_array()) {
          const auto& e = ev.as_object();
          auto status = std::to_string(e.at("status").as_int64());
          ASSERT_TRUE(responses.contains(status)) << status;
          std::string body = json::serialize(responses.at(status));
          EXPECT_NE(body.find(std::string(e.at("code").as_string())), std::string::npos);
        }
      }
    }
  }
  // Answered, but not part of the contract since 1.8.0.
  EXPECT_FALSE(paths.contains("/api/bot/ICalls/v20260401/SubscribeCallTrack"));
}

TEST(OpenApi, EveryRefResolves) {
  std::vector<std::string> refs;
  collect_refs(openapi_document(), refs);
  EXPECT_GT(refs.size(), 100u);
  for (const auto& ref : refs) EXPECT_NE(resolve(ref), nullptr) << ref;
}

TEST(OpenApi, SchemasFollowTheWireRules) {
  const auto& dto = schema("MessageDto").at("properties").as_object();
  EXPECT_EQ(json::serialize(dto.at("messageId")), R"({"type":"integer","format":"int64"})");
  EXPECT_EQ(json::serialize(dto.at("channelId")), R"({"type":"string","format":"uuid"})");
  EXPECT_EQ(json::serialize(dto.at("replyTo")), R"({"type":["integer","null"],"format":"int64"})");
  // Reference types may be null (SPEC.md §0), value types only as Nullable<T>.
  EXPECT_EQ(json::serialize(dto.at("reactions")),
            R"({"type":["array","null"],"items":{"$ref":"#/components/schemas/ReactionDto"}})");
  EXPECT_EQ(json::serialize(dto.at("text")), R"({"type":["string","null"]})");
  EXPECT_EQ(json::serialize(dto.at("createdAt")), R"({"type":"string","format":"date-time"})");
  EXPECT_EQ(json::serialize(dto.at("entities").at("items")),
            R"({"$ref":"#/components/schemas/BotMessageEntityV1"})");
  EXPECT_FALSE(document().at("components").at("schemas").as_object().contains("IMessageEntity"));

  const auto& command = schema("CommandInteractionEvent").at("properties").as_object();
  EXPECT_EQ(json::serialize(command.at("voiceState")),
            R"({"anyOf":[{"$ref":"#/components/schemas/BotVoiceStateV1"},{"type":"null"}]})");
  EXPECT_EQ(json::serialize(schema("CallIncomingEvent").at("properties").at("fromLocale")),
            R"({"type":["string","null"]})");
  EXPECT_EQ(json::serialize(schema("BotUserV1").at("properties").at("locale")),
            R"({"type":["string","null"]})");

  const auto& entitlement = schema("ArgonEntitlement");
  EXPECT_EQ(entitlement.at("type").as_string(), "integer");
  EXPECT_EQ(entitlement.at("x-argon-flags").at("addReactions").to_number<std::uint64_t>(), 1u << 8);
  EXPECT_EQ(schema("ChannelMemberState").at("x-argon-flags").at("muted").to_number<int>(), 2);
  // Enums: the integer on the wire (DECISIONS.md §3), the name accepted on input.
  const auto& written = schema("ControlType").at("anyOf").as_array()[0].as_object();
  EXPECT_EQ(written.at("type").as_string(), "integer");
  EXPECT_EQ(json::serialize(written.at("enum")), "[0,1,2,3,4]");
  EXPECT_EQ(written.at("x-enum-varnames").as_array()[1].as_string(), "stringSelect");
  EXPECT_EQ(json::serialize(schema("ControlInteractionEvent").at("properties").at("controlType")),
            R"({"$ref":"#/components/schemas/ControlType"})");
}

// The SSE route documents the stream and its 28 event types in the manifest's enum order.
TEST(OpenApi, StreamDocumentsEveryEvent) {
  const auto& ok = document()
                       .at("paths")
                       .at("/api/bot/IEvents/v1/Stream")
                       .at("get")
                       .at("responses")
                       .at("200")
                       .as_object();
  const auto& sse = ok.at("content").at("text/event-stream").as_object();
  const auto& list = sse.at("x-argon-events").as_array();
  ASSERT_EQ(list.size(), 28u);
  EXPECT_EQ(list[0].at("type").as_string(), "ready");
  EXPECT_EQ(list[18].at("type").as_string(), "botEntitlementsUpdated");
  EXPECT_TRUE(list[18].at("intent").is_null());
  EXPECT_EQ(list[27].at("type").as_string(), "reactionRemove");
  EXPECT_EQ(list[27].at("intentValue").as_int64(), 8);
  EXPECT_EQ(list[27].at("payload").at("$ref").as_string(),
            "#/components/schemas/ReactionRemoveEvent");
  EXPECT_EQ(schema("BotEventPayload").at("anyOf").as_array().size(), 28u);

  const auto& params =
      document().at("paths").at("/api/bot/IEvents/v1/Stream").at("get").at("parameters").as_array();
  EXPECT_EQ(params.size(), 3u);  // intents, lastEventId, Last-Event-ID
}

TEST(OpenApi, GetRoutesTakeQueryParameters) {
  const auto& history =
      document().at("paths").at("/api/bot/IMessages/v1/History").at("get").as_object();
  const auto& params = history.at("parameters").as_array();
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].at("name").as_string(), "channelId");
  EXPECT_TRUE(params[0].at("required").as_bool());
  EXPECT_FALSE(params[1].at("required").as_bool());
  EXPECT_FALSE(history.contains("requestBody"));
  const auto& rate_limited = document().at("components").at("responses").at("RateLimited");
  EXPECT_TRUE(rate_limited.at("headers").as_object().contains("Retry-After"));
}

}  // namespace
}  // namespace argon::contracts
