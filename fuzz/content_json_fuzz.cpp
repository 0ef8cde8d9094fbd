// Message content as bots and people send it (wire/content_json.hpp, domain/ validators): a body
// like IMessages/Send's or IInteractions/Modal's, {"text", "entities", "controls", "modal"}, read
// with parse_entities / parse_controls / parse_modal and checked with validate_message_content
// (as a bot, a person and the system) and validate_modal; the storage and response writers on
// what was read; the storage readers on the raw bytes too.
//
// Input: the request body (a JSON object; anything else exercises the storage readers only).
//
// Invariants:
//  - read errors are 400 validation_error naming the field ("entities[0].type: …");
//  - what validates (what the services store) is written for storage and read back unchanged
//    (the database keeps content as that JSON text), and is also unchanged through the response
//    forms (History's union entities, controls_json, modal_json) read back as a request: a bot
//    can send back what it received; every writer's output for it is JSON;
//  - a system entity validates only with the system as author;
//  - the storage readers refuse malformed text with 500 internal_error, never anything else.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "argon/domain/message_content.hpp"
#include "argon/domain/modal.hpp"
#include "argon/wire/content_json.hpp"
#include "argon/wire/json_in.hpp"
#include "fuzz_check.hpp"

namespace {

namespace json = boost::json;
using argon::Error;
using argon::fuzz::quoted;

void check_read_error(const Error& e, std::string_view field) {
  FUZZ_CHECK(e.status == 400 && e.code == "validation_error", e.code);
  FUZZ_CHECK(e.message && e.message->starts_with(field),
             e.message.value_or("") + " / " + std::string(field));
}

void check_validation_error(const Error& e) {
  FUZZ_CHECK(e.status == 400 && !e.code.empty() && e.message && !e.message->empty(), e.code);
}

void check_storage_error(const Error& e, std::string_view text) {
  FUZZ_CHECK(e.status == 500 && e.code == "internal_error", e.code + " for " + quoted(text));
}

// A writer's output; for content that validated (what the services write) it must be JSON.
std::string written_json(const json::value& v, bool valid = true) {
  std::string out = json::serialize(v);
  boost::system::error_code ec;
  (void)json::parse(out, ec);
  if (valid) FUZZ_CHECK(!ec, "a writer produced invalid JSON: " + quoted(out));
  return out;
}

void check_entities(const std::vector<argon::Entity>& entities, const std::string& text,
                    bool valid) {
  const std::string stored = argon::wire::serialize_entities_for_storage(entities);
  auto back = argon::wire::parse_entities_from_storage(stored);
  if (valid)
    FUZZ_CHECK(back && *back == entities, "entities changed through storage: " + quoted(stored));
  written_json(argon::wire::entities_flat_json(entities), valid);
  written_json(argon::wire::entities_flat_json(entities, argon::wire::EnumStyle::kName), valid);
  for (auto style : {argon::wire::EnumStyle::kName, argon::wire::EnumStyle::kInteger}) {
    const json::value out = argon::wire::entities_union_json(entities, style);
    const std::string written = written_json(out, valid);
    if (!valid) continue;
    auto read = argon::wire::parse_entities(&out);
    FUZZ_CHECK(read && *read == entities,
               "valid entities changed through their response form: " + quoted(written));
  }
}

// `read` with each colour component replaced by `written`'s when they are near_double: what the
// storage round trip may change (see fuzz_check.hpp), and nothing else.
std::vector<argon::ControlRow> snap_doubles(std::vector<argon::ControlRow> read,
                                            const std::vector<argon::ControlRow>& written) {
  for (std::size_t i = 0; i < read.size() && i < written.size(); ++i) {
    auto& r = read[i].controls;
    const auto& w = written[i].controls;
    for (std::size_t j = 0; j < r.size() && j < w.size(); ++j) {
      if (!r[j].colour || !w[j].colour) continue;
      for (auto [x, y] : {std::pair{&r[j].colour->l, &w[j].colour->l},
                          std::pair{&r[j].colour->c, &w[j].colour->c},
                          std::pair{&r[j].colour->h, &w[j].colour->h}}) {
        if (argon::fuzz::near_double(*x, *y)) *x = *y;
      }
    }
  }
  return read;
}

void check_controls(const std::vector<argon::ControlRow>& rows, bool valid) {
  const std::string stored = argon::wire::serialize_controls_for_storage(rows);
  auto back = argon::wire::parse_controls_from_storage(stored);
  if (valid)
    FUZZ_CHECK(back && snap_doubles(*back, rows) == rows,
               "controls changed through storage: " + quoted(stored));
  const json::value out = argon::wire::controls_json(rows);
  const std::string written = written_json(out, valid);
  if (!valid) return;
  auto read = argon::wire::parse_controls(&out);
  FUZZ_CHECK(read && *read == rows,
             "valid controls changed through their response form: " + quoted(written));
}

void check_modal(const argon::ModalDefinition& modal) {
  const bool valid = argon::validate_modal(modal).ok();
  if (!valid) check_validation_error(argon::validate_modal(modal).error());
  const std::string stored = argon::wire::serialize_modal_for_storage(modal);
  auto back = argon::wire::parse_modal_from_storage(stored);
  if (valid) FUZZ_CHECK(back && *back == modal, "modal changed through storage: " + quoted(stored));
  const json::value out = argon::wire::modal_json(modal);
  const std::string written = written_json(out, valid);
  if (!valid) return;
  auto read = argon::wire::parse_modal(&out);
  FUZZ_CHECK(read && *read == modal,
             "a valid modal changed through its response form: " + quoted(written));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);

  // The storage readers on arbitrary text: a value or a 500, nothing else.
  if (!raw.empty()) {
    if (auto e = argon::wire::parse_entities_from_storage(raw); !e)
      check_storage_error(e.error(), raw);
    if (auto c = argon::wire::parse_controls_from_storage(raw); !c)
      check_storage_error(c.error(), raw);
    if (auto m = argon::wire::parse_modal_from_storage(raw); !m)
      check_storage_error(m.error(), raw);
  }

  auto body = argon::wire::parse_object(raw);
  if (!body) return 0;
  argon::wire::ObjectReader in(*body);
  std::string text;
  if (auto t = in.optional_string("text"); t && *t) text = **t;

  auto entities = argon::wire::parse_entities(in.find("entities"));
  if (!entities) check_read_error(entities.error(), "entities");
  auto controls = argon::wire::parse_controls(in.find("controls"));
  if (!controls) check_read_error(controls.error(), "controls");

  if (entities && controls) {
    argon::MessageContent content{text, *entities, *controls};
    bool valid_for_anyone = false;
    for (auto origin :
         {argon::EntityOrigin::kBot, argon::EntityOrigin::kPerson, argon::EntityOrigin::kSystem}) {
      auto status = argon::validate_message_content(content, origin);
      if (!status) {
        check_validation_error(status.error());
        continue;
      }
      valid_for_anyone = true;
      if (origin != argon::EntityOrigin::kSystem) {
        for (const auto& e : *entities)
          FUZZ_CHECK(!argon::is_system_entity(e.type), "a system entity from a bot or person");
      }
    }
    check_entities(*entities, text, valid_for_anyone);
    check_controls(*controls, argon::validate_controls(*controls).ok());
  }

  if (in.has("modal")) {
    auto modal = argon::wire::parse_modal(in.find("modal"));
    if (modal) {
      check_modal(*modal);
    } else {
      check_read_error(modal.error(), "modal");
    }
  }
  return 0;
}
