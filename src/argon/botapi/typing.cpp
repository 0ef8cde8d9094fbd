// ITyping/v1: Start (kinds, 8 s expiry) and Stop.
#include "argon/api/respond.hpp"
#include "argon/botapi/routes.hpp"

namespace argon::botapi {

void add_typing_handlers(HandlerTable& table, BotServices& s) {
  table["ITyping.Start"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(channel_id, in.required_uuid("channelId"));
    CO_TRY(kind_name, in.optional_string("kind"));
    services::TypingKind kind = services::TypingKind::Typing;
    if (kind_name) {
      auto parsed = services::parse_typing_kind(*kind_name);
      if (!parsed)
        co_return Error::bad_request("invalid_kind",
                                     "Unknown typing kind '" + *kind_name +
                                         "'. Supported: typing, thinking, uploading, searching.");
      kind = *parsed;
    }
    CO_CHECK(co_await s.typing.start(call.caller(), channel_id, kind));
    co_return empty_ok();
  };

  table["ITyping.Stop"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(body, api::body_object(call.request));
    wire::ObjectReader in(body);
    CO_TRY(channel_id, in.required_uuid("channelId"));
    CO_CHECK(co_await s.typing.stop(call.caller(), channel_id));
    co_return empty_ok();
  };
}

}  // namespace argon::botapi
