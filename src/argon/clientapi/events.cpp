// GET /api/v1/events: a person's live feed, on the same engine as the bot stream. A browser's
// EventSource authenticates with ?ticket= (Access::PersonOrTicket, tickets.cpp).
#include "argon/api/respond.hpp"
#include "argon/api/stream_sink.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {

void add_event_routes(ClientRoutes& routes, ClientServices& s) {
  routes.add(
      "GET", "/api/v1/events", Access::PersonOrTicket,
      [&s](ClientCall& call) -> Task<Result<http::Response>> {
        std::optional<std::string> resume;
        if (const auto* header = call.request.header("last-event-id")) resume = *header;
        if (const auto* query = call.request.query_param("lastEventId")) resume = *query;
        // What may fail (the store) fails before the 200: a clean 503, not an empty stream.
        auto prepared = co_await s.streams.prepare_person(call.user(), resume);
        auto setup = std::make_shared<events::StreamSetup>(std::move(prepared));
        co_return api::sse_response(
            s.stream_queue_bytes, [&s, setup](std::shared_ptr<http::StreamWriter> writer) {
              api::open_stream(
                  writer,
                  s.streams.attach_person(std::move(*setup),
                                          std::make_shared<api::HttpFrameSink>(writer), nullptr),
                  [&s](const auto& connection) { s.streams.closed(connection); });
            });
      });
}

}  // namespace argon::clientapi
