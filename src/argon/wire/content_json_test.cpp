#include "argon/wire/content_json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "argon/domain/message_content.hpp"
#include "argon/wire/json_in.hpp"

namespace argon::wire {
namespace {

namespace json = boost::json;

template <class T>
std::string message(const Result<T>& r) {
  return r.ok() ? "" : r.error().message.value_or("");
}

json::value parse(std::string_view text) {
  return json::parse(text);
}

const char* kUser = "d3b07384-d9a0-4c9b-8a3d-1234567890ab";
const char* kFile = "0f8fad5b-d9cb-469f-a165-70867728950e";

// ---- controls input ----

TEST(ParseControlsTest, LandingPageExampleWorksAsWritten) {
  auto body = parse_object(
      R"({"channelId":"d3b07384-d9a0-4c9b-8a3d-1234567890ab","text":"Hello from my bot!",)"
      R"("randomId":1,"controls":[[{"type":"Button","label":"Click me","id":"btn_hello"}]]})");
  ASSERT_TRUE(body);
  ObjectReader r(*body);
  auto rows = parse_controls(r.find("controls"));
  ASSERT_TRUE(rows) << message(rows);
  ASSERT_EQ(rows->size(), 1u);
  ASSERT_EQ((*rows)[0].controls.size(), 1u);
  const Control& c = (*rows)[0].controls[0];
  EXPECT_EQ(c.type, ControlType::kButton);
  EXPECT_EQ(c.variant, ButtonVariant::kCallback);
  EXPECT_EQ(c.label, "Click me");
  EXPECT_EQ(c.id, "btn_hello");
  MessageContent content{*r.required_string("text"), {}, *rows};
  EXPECT_TRUE(validate_message_content(content, EntityOrigin::kBot));
  // Output always uses row objects.
  auto out = controls_json(*rows);
  EXPECT_EQ(out[0].as_object().at("controls").as_array()[0].at("type").as_int64(), 0);
  EXPECT_EQ(out[0].as_object().at("controls").as_array()[0].at("variant").as_int64(), 0);
}

TEST(ParseControlsTest, GuideDeployExampleParsesValidatesAndWrites) {
  auto body = parse_object(
      R"({"channelId":"d3b07384-d9a0-4c9b-8a3d-1234567890ab","text":"Deploy to production?",)"
      R"("randomId":42,"controls":[{"controls":[{"type":0,"variant":0,"label":"✅ Deploy",)"
      R"("id":"deploy_confirm","colour":{"l":0.72,"c":0.19,"h":142}},{"type":0,"variant":0,)"
      R"("label":"❌ Cancel","id":"deploy_cancel","colour":{"l":0.55,"c":0.25,"h":29}},)"
      R"({"type":0,"variant":1,"label":"📚 Runbook","url":"https://wiki.example.com/deploy"}]}]})");
  ASSERT_TRUE(body);
  auto rows = parse_controls(ObjectReader(*body).find("controls"));
  ASSERT_TRUE(rows) << message(rows);
  ASSERT_EQ((*rows)[0].controls.size(), 3u);
  EXPECT_EQ((*rows)[0].controls[0].colour, (OklchColor{0.72, 0.19, 142}));
  EXPECT_EQ((*rows)[0].controls[2].variant, ButtonVariant::kLink);
  EXPECT_EQ((*rows)[0].controls[2].url, "https://wiki.example.com/deploy");
  EXPECT_TRUE(validate_controls(*rows));

  json::array out = controls_json(*rows);
  const json::object& link = out[0].as_object().at("controls").as_array()[2].as_object();
  for (const char* key :
       {"type", "variant", "label", "labelLocalizations", "id", "url", "colour", "disabled",
        "customId", "placeholder", "minValues", "maxValues", "options", "requiredArchetypeId"}) {
    EXPECT_TRUE(link.contains(key)) << key;
  }
  EXPECT_EQ(link.size(), 14u);
  EXPECT_EQ(link.at("variant").as_int64(), 1);
  EXPECT_TRUE(link.at("id").is_null());
  EXPECT_TRUE(link.at("colour").is_null());
  const json::object& deploy = out[0].as_object().at("controls").as_array()[0].as_object();
  EXPECT_DOUBLE_EQ(deploy.at("colour").at("l").as_double(), 0.72);
  EXPECT_EQ(deploy.at("label").as_string(), "✅ Deploy");
}

TEST(ParseControlsTest, ButtonVariantInferredFromUrl) {
  auto v = parse(R"([[{"type":"button","label":"Docs","url":"https://example.com"}]])");
  auto rows2 = parse_controls(&v);
  ASSERT_TRUE(rows2);
  EXPECT_EQ((*rows2)[0].controls[0].variant, ButtonVariant::kLink);
  auto none = parse(R"([[{"type":"button","label":"Nothing"}]])");
  auto rows3 = parse_controls(&none);
  ASSERT_TRUE(rows3);
  EXPECT_FALSE((*rows3)[0].controls[0].variant);
  EXPECT_EQ(validate_controls(*rows3).error().message,
            "controls[0].controls[0].variant: required for buttons");
}

TEST(ParseControlsTest, AbsentOrNullIsEmpty) {
  auto rows = parse_controls(nullptr);
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
  json::value null_value;
  EXPECT_TRUE(parse_controls(&null_value)->empty());
}

TEST(ParseControlsTest, ShapeErrorsNameThePath) {
  auto v1 = parse(R"({"controls":[]})");
  EXPECT_EQ(message(parse_controls(&v1)), "controls: must be an array");
  auto v2 = parse(R"([42])");
  EXPECT_EQ(message(parse_controls(&v2)), "controls[0]: must be an object or an array");
  auto v3 = parse(R"([{"controls":[{"type":0,"id":"a","label":"b"}]},{"controls":[7]}])");
  EXPECT_EQ(message(parse_controls(&v3)), "controls[1].controls[0]: must be an object");
  auto v4 = parse(R"([[{"label":"x"}]])");
  EXPECT_EQ(message(parse_controls(&v4)), "controls[0].controls[0].type: required");
  auto v5 = parse(R"([[{"type":"dropdown"}]])");
  EXPECT_EQ(message(parse_controls(&v5)),
            "controls[0].controls[0].type: must be one of button, stringSelect, userSelect, "
            "archetypeSelect, channelSelect (or 0 to 4)");
  auto v6 = parse(R"([[{"type":0,"id":"a","label":"b","colour":{"c":0.1,"h":3}}]])");
  EXPECT_EQ(message(parse_controls(&v6)), "controls[0].controls[0].colour.l: required");
  auto v7 = parse(R"([[{"type":1,"customId":"s","minValues":"two"}]])");
  EXPECT_EQ(message(parse_controls(&v7)), "controls[0].controls[0].minValues: must be an integer");
  auto v8 = parse(R"([[{"type":1,"customId":"s","options":[{"label":5}]}]])");
  EXPECT_EQ(message(parse_controls(&v8)),
            "controls[0].controls[0].options[0].label: must be a string");
  auto v9 = parse(R"([[{"type":0,"id":"a","label":"b","labelLocalizations":{"ru":1}}]])");
  EXPECT_EQ(message(parse_controls(&v9)),
            "controls[0].controls[0].labelLocalizations.ru: must be a string");
  auto v10 = parse(R"([[{"type":0,"id":"a","label":"b","requiredArchetypeId":"x"}]])");
  EXPECT_EQ(message(parse_controls(&v10)),
            "controls[0].controls[0].requiredArchetypeId: must be a UUID");
}

TEST(ParseControlsTest, SelectsWithLenientValues) {
  auto v = parse(R"([{"Controls":[{"Type":"StringSelect","CustomId":"pick","minValues":"1",)"
                 R"("maxValues":2.0,"placeholder":"Choose","disabled":"true","options":[)"
                 R"({"label":"A","value":"a","description":"first","default":true},)"
                 R"({"label":"B","value":"b"}]}]}])");
  auto rows = parse_controls(&v);
  ASSERT_TRUE(rows) << message(rows);
  const Control& c = (*rows)[0].controls[0];
  EXPECT_EQ(c.type, ControlType::kStringSelect);
  EXPECT_EQ(c.custom_id, "pick");
  EXPECT_EQ(c.min_values, 1);
  EXPECT_EQ(c.max_values, 2);
  EXPECT_EQ(c.disabled, true);
  ASSERT_TRUE(c.options);
  EXPECT_EQ(c.options->size(), 2u);
  EXPECT_EQ((*c.options)[0].description, "first");
  EXPECT_EQ((*c.options)[0].is_default, true);
  EXPECT_FALSE((*c.options)[1].is_default);
  EXPECT_TRUE(validate_controls(*rows));
  auto out = controls_json(*rows);
  const auto& j = out[0].at("controls").at(0).as_object();
  EXPECT_EQ(j.at("type").as_int64(), 1);
  EXPECT_TRUE(j.at("variant").is_null());
  EXPECT_EQ(j.at("options").at(0).at("default").as_bool(), true);
  EXPECT_TRUE(j.at("options").at(1).at("description").is_null());
  EXPECT_TRUE(j.at("options").at(1).at("default").is_null());
}

TEST(ParseControlsTest, RuleViolationsSurfaceFromValidation) {
  auto v = parse(R"([[{"type":"button","variant":"callback","id":"a","label":")" +
                 std::string(81, 'x') + R"("}]])");
  auto rows = parse_controls(&v);
  ASSERT_TRUE(rows);
  EXPECT_EQ(validate_controls(*rows).error().message,
            "controls[0].controls[0].label: must be at most 80 characters");
}

// ---- entities ----

TEST(ParseEntitiesTest, DocsExamples) {
  auto v = parse(R"([{"type":"bold","offset":6,"length":5},
                     {"type":"mention","offset":0,"length":6,"userId":"d3b07384-d9a0-4c9b-8a3d-1234567890ab"},
                     {"type":"url","offset":0,"length":11,"domain":"example.com","path":"/x"}])");
  auto entities = parse_entities(&v);
  ASSERT_TRUE(entities) << message(entities);
  ASSERT_EQ(entities->size(), 3u);
  EXPECT_EQ((*entities)[0].type, EntityType::kBold);
  EXPECT_EQ((*entities)[0].offset, 6);
  EXPECT_EQ((*entities)[0].length, 5);
  EXPECT_EQ((*entities)[0].version, 0);
  EXPECT_EQ((*entities)[1].user_id->str(), kUser);
  EXPECT_EQ((*entities)[2].domain, "example.com");
  EXPECT_EQ((*entities)[2].path, "/x");
  EXPECT_TRUE(validate_entities("Hello world!", *entities, EntityOrigin::kBot));
}

TEST(ParseEntitiesTest, TypeAsIntegerNameOrAliasAndLenientNumbers) {
  auto v = parse(R"([{"type":10,"offset":"1","length":2.0,"version":"3"},
                     {"type":"hashTag","offset":0,"length":1,"hashtag":"news"},
                     {"TYPE":"UNDERLINE","Offset":0,"Length":1},
                     {"type":"fraction","offset":0,"length":1,"numerator":"3"},
                     {"type":"url","offset":0,"length":1,"domain":"a.b"}])");
  auto e = parse_entities(&v);
  ASSERT_TRUE(e) << message(e);
  EXPECT_EQ((*e)[0].type, EntityType::kBold);
  EXPECT_EQ((*e)[0].offset, 1);
  EXPECT_EQ((*e)[0].length, 2);
  EXPECT_EQ((*e)[0].version, 3);
  EXPECT_EQ((*e)[1].type, EntityType::kHashtag);
  EXPECT_EQ((*e)[1].hashtag, "news");
  EXPECT_EQ((*e)[2].type, EntityType::kUnderline);
  EXPECT_EQ((*e)[2].colour, 0);  // default
  EXPECT_EQ((*e)[3].numerator, 3);
  EXPECT_EQ((*e)[3].denominator, 0);  // default
  EXPECT_EQ((*e)[4].path, "");        // default
}

TEST(ParseEntitiesTest, ReadsOnlyTheVariantsOwnFields) {
  auto v = parse(
      R"([{"type":"bold","offset":0,"length":1,"userId":"d3b07384-d9a0-4c9b-8a3d-1234567890ab",
                      "email":"x@y.z","fileId":"0f8fad5b-d9cb-469f-a165-70867728950e"}])");
  auto e = parse_entities(&v);
  ASSERT_TRUE(e);
  EXPECT_FALSE((*e)[0].user_id);
  EXPECT_FALSE((*e)[0].email);
  EXPECT_FALSE((*e)[0].file_id);
}

TEST(ParseEntitiesTest, Errors) {
  auto v1 = parse(R"({"type":"bold"})");
  EXPECT_EQ(message(parse_entities(&v1)), "entities: must be an array");
  auto v2 = parse(R"([{"type":"bold","offset":0,"length":1},"x"])");
  EXPECT_EQ(message(parse_entities(&v2)), "entities[1]: must be an object");
  auto v3 = parse(R"([{"type":"blink","offset":0,"length":1}])");
  EXPECT_NE(message(parse_entities(&v3)).find("entities[0].type: must be one of hashtag,"),
            std::string::npos);
  auto v4 = parse(R"([{"type":22,"offset":0,"length":1}])");
  EXPECT_NE(message(parse_entities(&v4)).find("(or 0 to 21)"), std::string::npos);
  auto v5 = parse(R"([{"type":"bold","length":1}])");
  EXPECT_EQ(message(parse_entities(&v5)), "entities[0].offset: required");
  auto v6 = parse(R"([{"type":"mention","offset":0,"length":1,"userId":"nope"}])");
  EXPECT_EQ(message(parse_entities(&v6)), "entities[0].userId: must be a UUID");
  auto v7 = parse(R"([{"type":"bold","offset":0,"length":2147483648}])");
  EXPECT_EQ(message(parse_entities(&v7)),
            "entities[0].length: must be between -2147483648 and 2147483647");
  EXPECT_TRUE(parse_entities(nullptr)->empty());
}

TEST(ParseEntitiesTest, SystemEntitiesParseButBotsCannotSendThem) {
  auto v = parse(R"([{"type":"systemCallStarted","offset":0,"length":1,
                      "callerId":"d3b07384-d9a0-4c9b-8a3d-1234567890ab",
                      "callId":"0f8fad5b-d9cb-469f-a165-70867728950e"}])");
  auto e = parse_entities(&v);
  ASSERT_TRUE(e);
  EXPECT_EQ(validate_entities("x", *e, EntityOrigin::kBot).error().message,
            "entities[0].type: systemCallStarted entities are created only by the server");
}

Entity attachment() {
  Entity e;
  e.type = EntityType::kAttachment;
  e.offset = 0;
  e.length = 3;
  e.version = 2;
  e.file_id = *Uuid::parse(kFile);
  e.file_name = "cat.png";
  e.file_size = 5000000000LL;
  e.content_type = "image/png";
  e.width = 640;
  e.thumb_hash = "abc";
  return e;
}

TEST(EntityJsonTest, UnionFormHasOnlyTheVariantFields) {
  Entity bold;
  bold.type = EntityType::kBold;
  bold.offset = 6;
  bold.length = 5;
  bold.user_id = *Uuid::parse(kUser);  // stray, not a bold field
  auto j = entity_union_json(bold);
  EXPECT_EQ(json::serialize(j), R"({"type":"bold","offset":6,"length":5,"version":0})");
  EXPECT_EQ(entity_union_json(bold, EnumStyle::kInteger).at("type").as_int64(), 10);

  auto a = entity_union_json(attachment());
  EXPECT_EQ(a.at("type").as_string(), "attachment");
  EXPECT_EQ(a.at("fileId").as_string(), kFile);
  EXPECT_EQ(a.at("fileSize").as_int64(), 5000000000LL);
  EXPECT_TRUE(a.at("height").is_null());
  EXPECT_EQ(a.at("version").as_int64(), 2);
  EXPECT_EQ(a.size(), 11u);

  Entity quote;
  quote.type = EntityType::kQuote;
  auto q = entity_union_json(quote);
  EXPECT_TRUE(q.at("quotedUserId").is_null());
  EXPECT_EQ(q.size(), 5u);

  Entity tag;
  tag.type = EntityType::kHashtag;
  tag.hashtag = "news";
  EXPECT_EQ(entity_union_json(tag).at("hashtag").as_string(), "news");
  EXPECT_EQ(entities_union_json({bold, tag}).size(), 2u);
}

TEST(EntityJsonTest, FlatFormHasEveryFieldButNoFileIdOrVersion) {
  auto j = entity_flat_json(attachment());
  const char* keys[] = {
      "type",        "offset",       "length", "userId",          "archetypeId", "email",
      "hashtag",     "quotedUserId", "colour", "domain",          "path",        "numerator",
      "denominator", "callerId",     "callId", "durationSeconds", "inviterId",   "fileName",
      "fileSize",    "contentType",  "width",  "height",          "thumbHash"};
  for (const char* key : keys) EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j.size(), 23u);
  EXPECT_FALSE(j.contains("fileId"));
  EXPECT_FALSE(j.contains("version"));
  EXPECT_EQ(j.at("type").as_int64(), 20);
  EXPECT_EQ(j.at("fileName").as_string(), "cat.png");
  EXPECT_TRUE(j.at("userId").is_null());
  EXPECT_TRUE(j.at("height").is_null());
  EXPECT_EQ(entity_flat_json(attachment(), EnumStyle::kName).at("type").as_string(), "attachment");
  EXPECT_EQ(entities_flat_json({attachment()}).size(), 1u);
}

TEST(ParseEntitiesTest, GifUnionFormParsesAndEchoes) {
  auto v = parse(R"([{"type":21,"offset":0,"length":1,"version":1,"gifId":"tenor-9","hmac":"abc",
                      "fileId":"0f8fad5b-d9cb-469f-a165-70867728950e","width":"320","height":240,
                      "previewUrl":"https://media.example/p.gif","userId":"ignored"}])");
  auto e = parse_entities(&v);
  ASSERT_TRUE(e) << message(e);
  ASSERT_EQ(e->size(), 1u);
  const Entity& g = (*e)[0];
  EXPECT_EQ(g.type, EntityType::kGif);
  EXPECT_EQ(g.gif_id, "tenor-9");
  EXPECT_EQ(g.hmac, "abc");
  EXPECT_EQ(g.file_id, Uuid::parse(kFile));
  EXPECT_EQ(g.width, 320);
  EXPECT_EQ(g.height, 240);
  EXPECT_EQ(g.preview_url, "https://media.example/p.gif");
  EXPECT_FALSE(g.user_id);  // not a gif field
  EXPECT_TRUE(validate_entities("x", *e, EntityOrigin::kPerson));
  EXPECT_EQ(validate_entities("x", *e, EntityOrigin::kBot).error().message,
            "entities[0].type: gif entities (type 21) cannot be sent by bots");

  auto u = entity_union_json(g, EnumStyle::kInteger);
  EXPECT_EQ(json::serialize(u),
            R"({"type":21,"offset":0,"length":1,"version":1,"gifId":"tenor-9","hmac":"abc",)"
            R"("fileId":"0f8fad5b-d9cb-469f-a165-70867728950e","width":320,"height":240,)"
            R"("previewUrl":"https://media.example/p.gif"})");
  Entity bare = g;
  bare.file_id.reset();
  bare.preview_url.reset();
  auto b = entity_union_json(bare);
  EXPECT_EQ(b.at("type").as_string(), "gif");
  EXPECT_TRUE(b.at("fileId").is_null());
  EXPECT_TRUE(b.at("previewUrl").is_null());
  EXPECT_EQ(b.size(), 10u);

  // The flattened event form has its fixed fields: only width and height carry the gif.
  auto f = entity_flat_json(g);
  EXPECT_EQ(f.size(), 23u);
  EXPECT_EQ(f.at("type").as_int64(), 21);
  EXPECT_EQ(f.at("width").as_int64(), 320);
  EXPECT_EQ(f.at("height").as_int64(), 240);
  EXPECT_FALSE(f.contains("gifId"));
  EXPECT_TRUE(f.at("fileName").is_null());

  auto named = parse(R"([{"type":"GIF","offset":0,"length":0,"gifId":"g","hmac":"h"}])");
  auto n = parse_entities(&named);
  ASSERT_TRUE(n);
  EXPECT_EQ(validate_entities("x", *n, EntityOrigin::kPerson).error().message,
            "entities[0].width: required for gif entities");
  auto wrong = parse(R"([{"type":21,"offset":0,"length":0,"gifId":5}])");
  EXPECT_FALSE(parse_entities(&wrong));
}

// ---- modal ----

TEST(ModalJsonTest, ParsesValidatesAndWrites) {
  auto v = parse(R"({"customId":"feedback","title":"Feedback","components":[
      {"type":"textInput","customId":"comment","label":"Comment","style":"Paragraph",
       "minLength":"10","maxLength":500,"required":true,"placeholder":"Tell us"},
      {"type":1,"customId":"rating","label":"Rating","options":[{"label":"Good","value":"good"}]},
      {"type":"checkbox","customId":"subscribe","label":"Subscribe","default":"false"}]})");
  auto m = parse_modal(&v);
  ASSERT_TRUE(m) << message(m);
  EXPECT_EQ(m->custom_id, "feedback");
  ASSERT_EQ(m->components.size(), 3u);
  EXPECT_EQ(m->components[0].style, TextInputStyle::kParagraph);
  EXPECT_EQ(m->components[0].min_length, 10);
  EXPECT_EQ(m->components[0].required, true);
  EXPECT_EQ(m->components[1].type, ModalComponentType::kStringSelect);
  EXPECT_EQ(m->components[2].default_value, false);
  EXPECT_TRUE(validate_modal(*m));

  auto j = modal_json(*m);
  EXPECT_EQ(j.at("customId").as_string(), "feedback");
  const auto& c0 = j.at("components").at(0).as_object();
  EXPECT_EQ(c0.at("type").as_int64(), 0);
  EXPECT_EQ(c0.at("style").as_int64(), 1);
  EXPECT_TRUE(c0.at("options").is_null());
  EXPECT_EQ(c0.size(), 14u);
  EXPECT_TRUE(j.at("components").at(2).at("style").is_null());
}

TEST(ModalJsonTest, ShapeErrors) {
  EXPECT_EQ(message(parse_modal(nullptr)), "modal: required");
  auto v1 = parse(R"([1])");
  EXPECT_EQ(message(parse_modal(&v1)), "modal: must be an object");
  auto v2 = parse(R"({"customId":"m","title":"t","components":[{"type":"slider"}]})");
  EXPECT_NE(message(parse_modal(&v2)).find("modal.components[0].type: must be one of textInput"),
            std::string::npos);
  auto v3 = parse(R"({"customId":"m","title":"t","components":[{"type":0,"style":"tall"}]})");
  EXPECT_EQ(message(parse_modal(&v3)),
            "modal.components[0].style: must be one of short, paragraph (or 0 to 1)");
  auto v4 = parse(R"({"customId":"m","title":"t","components":[{"type":0,"customId":"a"}]})");
  auto m = parse_modal(&v4);
  ASSERT_TRUE(m);
  EXPECT_EQ(validate_modal(*m).error().message, "modal.components[0].label: required");
}

// ---- storage ----

TEST(StorageTest, EntitiesRoundTripLosslessly) {
  std::vector<Entity> list;
  list.push_back(attachment());
  Entity joined;
  joined.type = EntityType::kSystemUserJoined;
  joined.user_id = *Uuid::parse(kUser);
  joined.inviter_id = *Uuid::parse(kFile);
  list.push_back(joined);
  Entity ended;
  ended.type = EntityType::kSystemCallEnded;
  ended.caller_id = *Uuid::parse(kUser);
  ended.call_id = *Uuid::parse(kFile);
  ended.duration_seconds = 42;
  list.push_back(ended);
  Entity frac;
  frac.type = EntityType::kFraction;
  frac.numerator = 1;
  frac.denominator = 2;
  frac.offset = 3;
  frac.length = 4;
  list.push_back(frac);
  Entity url;
  url.type = EntityType::kUrl;
  url.domain = "example.com";  // path deliberately absent: must stay absent
  list.push_back(url);
  Entity gif;
  gif.type = EntityType::kGif;
  gif.gif_id = "g1";
  gif.hmac = "h1";
  gif.file_id = *Uuid::parse(kFile);
  gif.width = 10;
  gif.height = 20;
  gif.preview_url = "https://p/x.gif";
  list.push_back(gif);

  std::string text = serialize_entities_for_storage(list);
  EXPECT_EQ(text.find("null"), std::string::npos);
  auto back = parse_entities_from_storage(text);
  ASSERT_TRUE(back) << message(back);
  EXPECT_EQ(*back, list);
  EXPECT_TRUE(parse_entities_from_storage("")->empty());
  EXPECT_TRUE(parse_entities_from_storage("[]")->empty());
  auto bad = parse_entities_from_storage("{oops");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, 500);
}

TEST(StorageTest, ControlsRoundTripLosslessly) {
  Control button;
  button.type = ControlType::kButton;
  button.variant = ButtonVariant::kCallback;
  button.id = "go";
  button.label = "Go";
  button.label_localizations = std::vector<std::pair<std::string, std::string>>{
      {"ru", "\xD0\x98\xD0\xB4\xD1\x82\xD0\xB8"}, {"en-US", "Go!"}};
  button.colour = OklchColor{0.65, 0.2, 260.123456789};
  button.disabled = false;
  button.required_archetype_id = *Uuid::parse(kUser);
  Control select;
  select.type = ControlType::kStringSelect;
  select.custom_id = "pick";
  select.placeholder = "Choose";
  select.min_values = 0;
  select.max_values = 2;
  select.options = std::vector<SelectOption>{{"A", "a", "first", true}, {"B", "b", {}, {}}};
  Control users;
  users.type = ControlType::kUserSelect;
  users.custom_id = "who";
  std::vector<ControlRow> rows = {ControlRow{{button}}, ControlRow{{select}}, ControlRow{{users}}};

  std::string text = serialize_controls_for_storage(rows);
  EXPECT_EQ(text.find("null"), std::string::npos);
  auto back = parse_controls_from_storage(text);
  ASSERT_TRUE(back) << message(back);
  EXPECT_EQ(*back, rows);
  EXPECT_TRUE(parse_controls_from_storage("")->empty());
  EXPECT_EQ(parse_controls_from_storage("{").error().status, 500);
}

TEST(StorageTest, ModalRoundTripsLosslessly) {
  ModalDefinition m;
  m.custom_id = "feedback";
  m.title = "Feedback";
  ModalComponent text;
  text.type = ModalComponentType::kTextInput;
  text.custom_id = "comment";
  text.label = "Comment";
  text.style = TextInputStyle::kShort;
  text.min_length = 0;
  text.value = "pre";
  ModalComponent check;
  check.type = ModalComponentType::kCheckbox;
  check.custom_id = "sub";
  check.label = "Subscribe";
  check.default_value = true;
  check.description = "weekly";
  m.components = {text, check};
  auto back = parse_modal_from_storage(serialize_modal_for_storage(m));
  ASSERT_TRUE(back) << message(back);
  EXPECT_EQ(*back, m);
}

}  // namespace
}  // namespace argon::wire
