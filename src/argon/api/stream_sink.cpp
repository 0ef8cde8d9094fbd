#include "argon/api/stream_sink.hpp"

#include <spdlog/spdlog.h>

namespace argon::api {

void open_stream(const std::shared_ptr<http::StreamWriter>& writer,
                 Task<std::shared_ptr<events::StreamConnection>> opening,
                 std::function<void(const std::shared_ptr<events::StreamConnection>&)> closed) {
  spawn(
      std::move(opening),
      [writer, closed = std::move(closed)](std::shared_ptr<events::StreamConnection> connection) {
        // Runs at once if the client already went away while the stream was opening.
        writer->on_closed([closed, connection] { closed(connection); });
      },
      [writer](std::exception_ptr e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("events: opening a stream failed: {}", ex.what());
        } catch (...) {
          spdlog::error("events: opening a stream failed");
        }
        writer->close();
      });
}

http::Response sse_response(std::size_t max_queued_bytes,
                            std::function<void(std::shared_ptr<http::StreamWriter>)> open) {
  http::Response response;
  response.status = 200;
  response.content_type = "text/event-stream; charset=utf-8";
  response.headers.emplace_back("Cache-Control", "no-cache");
  http::StreamStart start;
  start.max_queued_bytes = max_queued_bytes;
  start.on_open = std::move(open);
  response.stream = std::move(start);
  return response;
}

}  // namespace argon::api
