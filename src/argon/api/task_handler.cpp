#include "argon/api/task_handler.hpp"

#include <spdlog/spdlog.h>

#include <memory>

namespace argon::api {
namespace {
http::Response store_unavailable_response() {
  return http::Response::error(503, "service_unavailable",
                               "The database is unavailable; try again shortly.",
                               {{"Retry-After", "1"}});
}
}  // namespace

http::AsyncHandler task_handler(TaskHandler handler) {
  auto shared = std::make_shared<TaskHandler>(std::move(handler));
  return [shared](http::Request& request, http::Respond respond) {
    std::string what = request.method + " " + request.path;
    spawn((*shared)(request), [respond](http::Response r) { respond(std::move(r)); },
          [respond, what](std::exception_ptr e) {
            try {
              std::rethrow_exception(e);
            } catch (const UnavailableMarker&) {
              // e.g. a read while the database server is down: a clean, retryable 503.
              spdlog::warn("http: {}: the database is unavailable", what);
              respond(store_unavailable_response());
              return;
            } catch (const std::exception& ex) {
              spdlog::error("http: handler for {} threw: {}", what, ex.what());
            } catch (...) {
              spdlog::error("http: handler for {} threw a non-exception", what);
            }
            respond(http::Response::error(500, "internal_error", "Internal server error"));
          });
  };
}

}  // namespace argon::api
