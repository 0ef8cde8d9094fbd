// IEvents/v1/Stream: the bot's SSE stream (SPEC.md §4–5, DECISIONS.md §7).
#include "argon/api/respond.hpp"
#include "argon/api/stream_sink.hpp"
#include "argon/botapi/routes.hpp"

namespace argon::botapi {

void add_events_handlers(HandlerTable& table, BotServices& s) {
  table["IEvents.Stream"] = [&s](BotCall& call) -> Task<Result<http::Response>> {
    CO_TRY(intents, services::StreamService::parse_intents(call.request.query_param("intents")));
    // lastEventId in the query wins over the Last-Event-ID header.
    std::optional<std::string> resume;
    if (const auto* header = call.request.header("last-event-id")) resume = *header;
    if (const auto* query = call.request.query_param("lastEventId")) resume = *query;
    // The stream holds its concurrency slot until it ends.
    auto slot =
        std::make_shared<std::optional<services::RateLimiter::Permit>>(std::move(call.permit));
    call.permit.reset();
    // What may fail (the store) fails before the 200: a clean 503, not an empty stream.
    auto prepared = co_await s.streams.prepare_bot(call.bot, intents, resume);
    auto setup = std::make_shared<events::StreamSetup>(std::move(prepared));
    co_return api::sse_response(
        s.stream_queue_bytes, [&s, setup, slot](std::shared_ptr<http::StreamWriter> writer) {
          api::open_stream(
              writer,
              s.streams.attach_bot(std::move(*setup), std::make_shared<api::HttpFrameSink>(writer),
                                   [slot] { slot->reset(); }),
              [&s](const auto& connection) { s.streams.closed(connection); });
        });
  };
}

}  // namespace argon::botapi
