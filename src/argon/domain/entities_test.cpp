#include "argon/domain/entities.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace argon {
namespace {

Uuid id(const char* text) {
  return *Uuid::parse(text);
}
const char* kUser = "d3b07384-d9a0-4c9b-8a3d-1234567890ab";

Entity span(EntityType type, int offset, int length) {
  Entity e;
  e.type = type;
  e.offset = offset;
  e.length = length;
  return e;
}

std::string message(const Status& s) {
  return s.ok() ? "" : s.error().message.value_or("");
}

TEST(EntityTypeTest, NamesFollowSpecOrder) {
  ASSERT_EQ(entity_type_names().size(), 22u);
  EXPECT_EQ(entity_type_name(EntityType::kHashtag), "hashtag");
  EXPECT_EQ(entity_type_name(EntityType::kMentionEveryone), "mentionEveryone");
  EXPECT_EQ(entity_type_name(EntityType::kUnderline), "underline");
  EXPECT_EQ(entity_type_name(EntityType::kSystemUserJoined), "systemUserJoined");
  EXPECT_EQ(entity_type_name(EntityType::kAttachment), "attachment");
  EXPECT_EQ(static_cast<int>(EntityType::kBold), 10);
  EXPECT_EQ(static_cast<int>(EntityType::kAttachment), 20);
  EXPECT_EQ(entity_type_name(EntityType::kGif), "gif");
  EXPECT_EQ(static_cast<int>(EntityType::kGif), 21);
}

TEST(EntityTypeTest, ParsesNamesCaseInsensitivelyWithAlias) {
  EXPECT_EQ(entity_type_from_name("hashTag"), EntityType::kHashtag);
  EXPECT_EQ(entity_type_from_name("HASHTAG"), EntityType::kHashtag);
  EXPECT_EQ(entity_type_from_name("Bold"), EntityType::kBold);
  EXPECT_EQ(entity_type_from_name("mentionrole"), EntityType::kMentionRole);
  EXPECT_FALSE(entity_type_from_name("blink"));
  EXPECT_EQ(entity_type_from_int(0), EntityType::kHashtag);
  EXPECT_EQ(entity_type_from_int(20), EntityType::kAttachment);
  EXPECT_EQ(entity_type_from_int(21), EntityType::kGif);
  EXPECT_EQ(entity_type_from_name("GIF"), EntityType::kGif);
  EXPECT_FALSE(entity_type_from_int(22));
  EXPECT_FALSE(entity_type_from_int(-1));
}

TEST(EntityTypeTest, SystemTypes) {
  EXPECT_TRUE(is_system_entity(EntityType::kSystemCallStarted));
  EXPECT_TRUE(is_system_entity(EntityType::kSystemCallEnded));
  EXPECT_TRUE(is_system_entity(EntityType::kSystemCallTimeout));
  EXPECT_TRUE(is_system_entity(EntityType::kSystemUserJoined));
  EXPECT_FALSE(is_system_entity(EntityType::kAttachment));
  EXPECT_FALSE(is_system_entity(EntityType::kMention));
}

TEST(ValidateEntitiesTest, DocsExampleIsValid) {
  EXPECT_TRUE(
      validate_entities("Hello world!", {span(EntityType::kBold, 6, 5)}, EntityOrigin::kBot));
  EXPECT_TRUE(validate_entities("", {}, EntityOrigin::kBot));
}

TEST(ValidateEntitiesTest, SpanBounds) {
  const std::string text = "0123456789";  // 10 units
  EXPECT_TRUE(validate_entities(text, {span(EntityType::kBold, 0, 10)}, EntityOrigin::kBot));
  EXPECT_TRUE(validate_entities(text, {span(EntityType::kBold, 10, 0)}, EntityOrigin::kBot));
  EXPECT_TRUE(validate_entities(text, {span(EntityType::kBold, 9, 1)}, EntityOrigin::kBot));
  auto past = validate_entities(text, {span(EntityType::kBold, 9, 2)}, EntityOrigin::kBot);
  EXPECT_EQ(message(past), "entities[0].length: span ends past the end of text (11 > 10)");
  EXPECT_EQ(past.error().status, 400);
  EXPECT_EQ(past.error().code, "validation_error");
  auto offset_past = validate_entities(text, {span(EntityType::kBold, 11, 0)}, EntityOrigin::kBot);
  EXPECT_EQ(message(offset_past), "entities[0].length: span ends past the end of text (11 > 10)");
  EXPECT_EQ(message(validate_entities(text, {span(EntityType::kBold, -1, 1)}, EntityOrigin::kBot)),
            "entities[0].offset: must not be negative");
  EXPECT_EQ(message(validate_entities(text, {span(EntityType::kBold, 0, -1)}, EntityOrigin::kBot)),
            "entities[0].length: must not be negative");
}

TEST(ValidateEntitiesTest, SpanDoesNotOverflowInt32) {
  auto s = validate_entities("abc", {span(EntityType::kBold, 2147483647, 2147483647)},
                             EntityOrigin::kBot);
  EXPECT_EQ(message(s), "entities[0].length: span ends past the end of text (4294967294 > 3)");
}

TEST(ValidateEntitiesTest, OffsetsCountUtf16Units) {
  const std::string text = "\xF0\x9F\x93\x9A ok";  // 📚 = 2 units, total 5
  EXPECT_TRUE(validate_entities(text, {span(EntityType::kBold, 3, 2)}, EntityOrigin::kBot));
  EXPECT_EQ(message(validate_entities(text, {span(EntityType::kBold, 3, 3)}, EntityOrigin::kBot)),
            "entities[0].length: span ends past the end of text (6 > 5)");
}

TEST(ValidateEntitiesTest, IndexInPathIsTheFailingEntity) {
  std::vector<Entity> list(4, span(EntityType::kItalic, 0, 1));
  list[3].length = 12;
  EXPECT_EQ(message(validate_entities("0123456789", list, EntityOrigin::kBot)),
            "entities[3].length: span ends past the end of text (12 > 10)");
}

TEST(ValidateEntitiesTest, AtMostHundred) {
  std::vector<Entity> list(100, span(EntityType::kBold, 0, 1));
  EXPECT_TRUE(validate_entities("x", list, EntityOrigin::kBot));
  list.push_back(span(EntityType::kBold, 0, 1));
  EXPECT_EQ(message(validate_entities("x", list, EntityOrigin::kBot)),
            "entities: at most 100 entities allowed (got 101)");
}

TEST(ValidateEntitiesTest, AtMostTenAttachments) {
  Entity a = span(EntityType::kAttachment, 0, 0);
  a.file_id = id(kUser);
  std::vector<Entity> list(10, a);
  EXPECT_TRUE(validate_entities("x", list, EntityOrigin::kBot));
  list.push_back(a);
  EXPECT_EQ(message(validate_entities("x", list, EntityOrigin::kBot)),
            "entities: at most 10 attachments allowed (got 11)");
}

TEST(ValidateEntitiesTest, SystemEntitiesOnlyFromServer) {
  Entity e = span(EntityType::kSystemCallStarted, 0, 1);
  e.caller_id = id(kUser);
  e.call_id = id(kUser);
  EXPECT_EQ(message(validate_entities("x", {e}, EntityOrigin::kBot)),
            "entities[0].type: systemCallStarted entities are created only by the server");
  EXPECT_FALSE(validate_entities("x", {e}, EntityOrigin::kPerson));
  EXPECT_TRUE(validate_entities("x", {e}, EntityOrigin::kSystem));

  Entity joined = span(EntityType::kSystemUserJoined, 0, 1);
  joined.user_id = id(kUser);
  EXPECT_FALSE(validate_entities("x", {joined}, EntityOrigin::kBot));
  EXPECT_TRUE(validate_entities("x", {joined}, EntityOrigin::kSystem));
  for (auto t : {EntityType::kSystemCallEnded, EntityType::kSystemCallTimeout}) {
    Entity s = span(t, 0, 1);
    s.caller_id = s.call_id = id(kUser);
    s.duration_seconds = 5;
    EXPECT_FALSE(validate_entities("x", {s}, EntityOrigin::kBot));
    EXPECT_TRUE(validate_entities("x", {s}, EntityOrigin::kSystem));
  }
  Entity ended = span(EntityType::kSystemCallEnded, 0, 1);
  ended.caller_id = ended.call_id = id(kUser);
  EXPECT_EQ(message(validate_entities("x", {ended}, EntityOrigin::kSystem)),
            "entities[0].durationSeconds: required for systemCallEnded entities");
}

struct RequiredCase {
  EntityType type;
  const char* field;
};

TEST(ValidateEntitiesTest, RequiredVariantExtras) {
  const RequiredCase cases[] = {
      {EntityType::kMention, "userId"}, {EntityType::kMentionRole, "archetypeId"},
      {EntityType::kEmail, "email"},    {EntityType::kHashtag, "hashtag"},
      {EntityType::kUrl, "domain"},     {EntityType::kAttachment, "fileId"},
  };
  for (const auto& c : cases) {
    Entity e = span(c.type, 0, 1);
    EXPECT_EQ(message(validate_entities("x", {e}, EntityOrigin::kBot)),
              std::string("entities[0].") + c.field + ": required for " +
                  std::string(entity_type_name(c.type)) + " entities");
  }
  Entity mention = span(EntityType::kMention, 0, 1);
  mention.user_id = id(kUser);
  EXPECT_TRUE(validate_entities("x", {mention}, EntityOrigin::kBot));
  Entity role = span(EntityType::kMentionRole, 0, 1);
  role.archetype_id = id(kUser);
  EXPECT_TRUE(validate_entities("x", {role}, EntityOrigin::kBot));
  Entity email = span(EntityType::kEmail, 0, 1);
  email.email = "a@b.c";
  EXPECT_TRUE(validate_entities("x", {email}, EntityOrigin::kBot));
  Entity tag = span(EntityType::kHashtag, 0, 1);
  tag.hashtag = "news";
  EXPECT_TRUE(validate_entities("x", {tag}, EntityOrigin::kBot));
  Entity url = span(EntityType::kUrl, 0, 1);
  url.domain = "example.com";  // path may be absent
  EXPECT_TRUE(validate_entities("x", {url}, EntityOrigin::kBot));
  Entity quote = span(EntityType::kQuote, 0, 1);  // quotedUserId optional
  EXPECT_TRUE(validate_entities("x", {quote}, EntityOrigin::kBot));
  Entity everyone = span(EntityType::kMentionEveryone, 0, 1);
  EXPECT_TRUE(validate_entities("x", {everyone}, EntityOrigin::kBot));
}

TEST(ValidateEntitiesTest, CustomPathPrefix) {
  EXPECT_EQ(message(validate_entities("x", {span(EntityType::kBold, 0, 2)}, EntityOrigin::kBot,
                                      "message.entities")),
            "message.entities[0].length: span ends past the end of text (2 > 1)");
}

TEST(ApplyEntityDefaultsTest, FillsNumericAndPathDefaults) {
  std::vector<Entity> list = {span(EntityType::kUnderline, 0, 1), span(EntityType::kFraction, 0, 1),
                              span(EntityType::kUrl, 0, 1), span(EntityType::kBold, 0, 1)};
  list[1].numerator = 3;
  apply_entity_defaults(list);
  EXPECT_EQ(list[0].colour, 0);
  EXPECT_EQ(list[1].numerator, 3);
  EXPECT_EQ(list[1].denominator, 0);
  EXPECT_EQ(list[2].path, "");
  EXPECT_FALSE(list[3].colour);
  EXPECT_FALSE(list[3].path);
}

Entity gif(int offset = 0, int length = 1) {
  Entity e = span(EntityType::kGif, offset, length);
  e.gif_id = "tenor-123";
  e.hmac = "9f86d081884c7d65";
  e.width = 320;
  e.height = 240;
  return e;
}

TEST(ValidateEntitiesTest, GifFromAPersonWithItsExtras) {
  EXPECT_TRUE(validate_entities("x", {gif()}, EntityOrigin::kPerson));
  Entity full = gif();
  full.file_id = id(kUser);
  full.preview_url = "https://media.example/preview.gif";
  full.version = 2;
  EXPECT_TRUE(validate_entities("x", {full}, EntityOrigin::kPerson));
  EXPECT_FALSE(is_system_entity(EntityType::kGif));
}

TEST(ValidateEntitiesTest, GifNeverFromABot) {
  Entity bold = span(EntityType::kBold, 0, 1);
  EXPECT_EQ(message(validate_entities("xy", {bold, gif(1)}, EntityOrigin::kBot)),
            "entities[1].type: gif entities (type 21) cannot be sent by bots");
  EXPECT_EQ(validate_entities("x", {gif()}, EntityOrigin::kBot).error().code, "validation_error");
  EXPECT_TRUE(validate_entities("x", {gif()}, EntityOrigin::kSystem));
}

TEST(ValidateEntitiesTest, GifExtrasAreChecked) {
  struct Case {
    void (*change)(Entity&);
    const char* expected;
  };
  const Case cases[] = {
      {[](Entity& e) { e.gif_id.reset(); }, "entities[0].gifId: required for gif entities"},
      {[](Entity& e) { e.hmac.reset(); }, "entities[0].hmac: required for gif entities"},
      {[](Entity& e) { e.width.reset(); }, "entities[0].width: required for gif entities"},
      {[](Entity& e) { e.height.reset(); }, "entities[0].height: required for gif entities"},
      {[](Entity& e) { e.gif_id = ""; }, "entities[0].gifId: must be 1..256 bytes, not blank"},
      {[](Entity& e) { e.hmac = "  "; }, "entities[0].hmac: must be 1..256 bytes, not blank"},
      {[](Entity& e) { e.gif_id = std::string(257, 'a'); },
       "entities[0].gifId: must be 1..256 bytes, not blank"},
      {[](Entity& e) { e.width = 0; }, "entities[0].width: must be 1..16384"},
      {[](Entity& e) { e.height = 16385; }, "entities[0].height: must be 1..16384"},
      {[](Entity& e) { e.preview_url = "ftp://x/y.gif"; },
       "entities[0].previewUrl: must be an http(s) URL of at most 2048 bytes"},
      {[](Entity& e) { e.preview_url = "https://x/a b.gif"; },
       "entities[0].previewUrl: must be an http(s) URL of at most 2048 bytes"},
      {[](Entity& e) { e.preview_url = "https://x/" + std::string(2048, 'a'); },
       "entities[0].previewUrl: must be an http(s) URL of at most 2048 bytes"},
  };
  for (const auto& c : cases) {
    Entity e = gif();
    c.change(e);
    EXPECT_EQ(message(validate_entities("x", {e}, EntityOrigin::kPerson)), c.expected);
  }
  Entity past = gif(0, 2);
  EXPECT_EQ(message(validate_entities("x", {past}, EntityOrigin::kPerson)),
            "entities[0].length: span ends past the end of text (2 > 1)");
}

}  // namespace
}  // namespace argon
