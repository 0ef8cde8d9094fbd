#include "argon/api/stream_sink.hpp"

namespace argon::api {

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
