// IInteractions/v1: Ack, Defer, Modal, Reply (Send semantics) and EditMessage (own messages).
#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"
#include "argon/wire/content_json.hpp"

namespace argon::botapi {
namespace json = boost::json;

void add_interactions_handlers(HandlerTable& table, BotServices& s) {
  table["IInteractions.Ack"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    CO_TRY(id, wire::ObjectReader(body).required_uuid("interactionId"));
    CO_CHECK(co_await s.interactions.ack(call.bot, id));
    co_return empty_ok();
  };

  table["IInteractions.Defer"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    CO_TRY(id, wire::ObjectReader(body).required_uuid("interactionId"));
    CO_CHECK(co_await s.interactions.defer(call.bot, id));
    co_return empty_ok();
  };

  table["IInteractions.Modal"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(id, in.required_uuid("interactionId"));
    CO_TRY(modal, wire::parse_modal(in.find("modal")));
    CO_TRY(modal_id, co_await s.interactions.show_modal(call.bot, id, modal));
    co_return api::json_response(200, json::object{{"modalInteractionId", modal_id.str()}});
  };

  // Reply has Send's semantics and body (SPEC.md §7.2), counted against IInteractions.
  table["IInteractions.Reply"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    CO_TRY(request, read_send_request(body));
    CO_TRY(sent, co_await s.messages.send(call.caller(), std::move(request)));
    co_return api::json_response(200, json::object{{"messageId", sent.message_id}});
  };

  table["IInteractions.EditMessage"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    services::EditRequest r;
    CO_TRY(channel_id, in.required_uuid("channelId"));
    CO_TRY(message_id, in.required_int("messageId", 1, INT64_MAX));
    CO_TRY(text, in.optional_string("text"));
    r.channel_id = channel_id;
    r.message_id = message_id;
    r.text = text;
    // `controls: []` clears them, null or absent keeps them (DECISIONS.md §9).
    if (in.has("controls")) {
      CO_TRY(controls, wire::parse_controls(in.find("controls")));
      r.controls = controls;
    }
    CO_CHECK(co_await s.messages.edit(call.caller(), std::move(r)));
    co_return empty_ok();
  };
}

}  // namespace argon::botapi
