#pragma once
// Bridges an HTTP chunked response to the event hub's FrameSink.
#include <memory>

#include "argon/domain/task.hpp"
#include "argon/events/hub.hpp"
#include "argon/http/message.hpp"
#include "argon/http/stream.hpp"

namespace argon::api {

class HttpFrameSink final : public events::FrameSink {
 public:
  explicit HttpFrameSink(std::shared_ptr<http::StreamWriter> writer) : writer_(std::move(writer)) {}
  bool write(std::shared_ptr<const std::string> bytes) override {
    return writer_->write(std::move(bytes));
  }
  bool is_closed() const override { return writer_->is_closed(); }
  void close() override { writer_->close(); }

 private:
  std::shared_ptr<http::StreamWriter> writer_;
};

// Starts opening a stream (from StreamStart::on_open, on a worker): once `opening` produced the
// connection, `closed(connection)` is arranged to run when the HTTP stream ends. If opening
// fails, the HTTP stream is closed.
void open_stream(const std::shared_ptr<http::StreamWriter>& writer,
                 Task<std::shared_ptr<events::StreamConnection>> opening,
                 std::function<void(const std::shared_ptr<events::StreamConnection>&)> closed);

// The SSE response: headers now, then `open` runs with the writer once they are sent.
http::Response sse_response(std::size_t max_queued_bytes,
                            std::function<void(std::shared_ptr<http::StreamWriter>)> open);

}  // namespace argon::api
