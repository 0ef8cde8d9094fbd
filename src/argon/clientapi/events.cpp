// GET /api/v1/events: a person's live feed, on the same engine as the bot stream. A browser's
// EventSource authenticates with ?ticket= (tickets.cpp).
#include "argon/api/respond.hpp"
#include "argon/api/stream_sink.hpp"
#include "argon/api/task_handler.hpp"
#include "argon/clientapi/routes.hpp"

namespace argon::clientapi {

void register_event_routes(http::Router& router, ClientServices& s) {
  router.add(
      "GET", "/api/v1/events", api::task_handler([&s](http::Request& req) -> Task<http::Response> {
        CO_API_TRY(user, co_await authenticate_person_or_ticket(req, s));
        std::optional<std::string> resume;
        if (const auto* header = req.header("last-event-id")) resume = *header;
        if (const auto* query = req.query_param("lastEventId")) resume = *query;
        // What may fail (the store) fails before the 200: a clean 503, not an empty stream.
        auto prepared = co_await s.streams.prepare_person(user, resume);
        auto setup = std::make_shared<events::StreamSetup>(std::move(prepared));
        co_return api::sse_response(
            s.stream_queue_bytes, [&s, setup](std::shared_ptr<http::StreamWriter> writer) {
              api::open_stream(
                  writer,
                  s.streams.attach_person(std::move(*setup),
                                          std::make_shared<api::HttpFrameSink>(writer), nullptr),
                  [&s](const auto& connection) { s.streams.closed(connection); });
            });
      }));
}

}  // namespace argon::clientapi
