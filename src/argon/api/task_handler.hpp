#pragma once
// Handlers written as coroutines: they co_await the services (which co_await the store) and the
// worker that started them is free meanwhile; the response goes out when the coroutine ends.
#include <functional>

#include "argon/api/respond.hpp"
#include "argon/domain/task.hpp"
#include "argon/http/router.hpp"

namespace argon::api {

using argon::Task;
using TaskHandler = std::function<Task<http::Response>(http::Request&)>;

// An http::AsyncHandler that runs `handler` and answers with what it returns (500
// internal_error, logged, if it throws). The handler object must stay where it is while
// requests run (routers keep their handlers for the server's life).
http::AsyncHandler task_handler(TaskHandler handler);

}  // namespace argon::api
