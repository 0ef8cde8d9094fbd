#pragma once
// Streaming responses (the transport under Server-Sent Events). No Beast or Asio here.
//
// A handler returns a Response whose `stream` is set. The server then sends the status line and
// headers without Content-Length (HTTP/1.1: `Transfer-Encoding: chunked`, one chunk per write();
// HTTP/1.0: raw bytes, the end of the body is the closing of the connection), always with
// `Connection: close` semantics, and hands a StreamWriter to StreamStart::on_open. While the
// stream is open the connection keeps a read pending so that a client going away is noticed at
// once; bytes the client sends are discarded. Read and idle timeouts do not apply; a write that
// cannot complete within ServerOptions::write_timeout ends the stream.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace argon::http {

// Handed to the code that produces a streamed body. Thread-safe: any thread may call it.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;

  // Queues bytes to send (shared so one serialization can go to many streams). Returns false
  // when the stream is closed (or close() was called), or when the queue already holds more than
  // max_queued_bytes; the bytes are NOT queued then. Bytes count as queued until written to the
  // socket. An empty or null buffer queues nothing (true while the stream is open).
  virtual bool write(std::shared_ptr<const std::string> bytes) = 0;
  virtual std::size_t queued_bytes() const = 0;

  // Ends the response: what is queued is still sent, then the last chunk, then the connection is
  // closed. Further writes return false. Idempotent.
  virtual void close() = 0;
  // True once close() was called or the stream ended.
  virtual bool is_closed() const = 0;

  // `callback` runs exactly once, when the stream ends for any reason (client gone, close()
  // finished, write failed or timed out, server shutdown). It runs on a network thread and must
  // not block; it may call this writer. If the stream already ended, it runs at once on the
  // calling thread. Setting it again before the end replaces the previous callback.
  virtual void on_closed(std::function<void()> callback) = 0;
};

struct StreamStart {
  std::size_t max_queued_bytes = 256 * 1024;
  // Called once, on a worker thread, after the response headers were sent. Not called for HEAD
  // requests (headers only, then close) or when the headers could not be sent. An exception
  // thrown here is logged and closes the stream.
  std::function<void(std::shared_ptr<StreamWriter>)> on_open;
};

}  // namespace argon::http
