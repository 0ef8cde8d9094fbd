#pragma once
// The one request pipeline of both HTTP APIs (docs/operations.md "Request pipeline").
//
// Every request first passes the server's own stages, the same for every route: the request id
// (X-Request-Id, kept or generated), the Date header, and on the way out the access log and the
// metrics, labelled by the matched route pattern (http::ServerOptions::on_answered). Then the
// route's descriptor decides the API's stages (Envoy's filter chain): each stage may stop the
// request with a response (auth → rate limit → …); the handler answers with a response or an
// Error, which the API renders as its JSON error body; the stages that let the request through
// then see the response on its way out, last first (rate-limit headers, releasing a permit).
//
// Handlers therefore contain no authentication or limiting code and no error plumbing:
// CO_TRY / CO_CHECK return an Error, the pipeline turns it into the response.
#include <functional>
#include <optional>
#include <vector>

#include "argon/api/respond.hpp"
#include "argon/domain/result.hpp"
#include "argon/domain/task.hpp"
#include "argon/http/message.hpp"

namespace argon::api {

template <class Call>
struct Stage {
  // nullopt: on to the next stage; a response: answer with it (later stages and the handler do
  // not run).
  std::function<Task<std::optional<http::Response>>(Call&)> admit;
  // Runs on the response of every request `admit` let through (may be empty).
  std::function<Task<void>(Call&, http::Response&)> finish;
};

template <class Call>
using Handler = std::function<Task<Result<http::Response>>(Call&)>;

template <class Call>
struct Pipeline {
  std::vector<Stage<Call>> stages;
  // An Error of the handler as the API's response (both APIs: error_response, the Bot API naming
  // a missing entitlement by the route's permission).
  std::function<http::Response(const Call&, Error)> render_error;
};

// The stages, then the handler, then the finishing steps in reverse order.
template <class Call>
Task<http::Response> run(const Pipeline<Call>& pipeline, const Handler<Call>& handler, Call& call) {
  http::Response response;
  std::size_t admitted = 0;
  bool stopped = false;
  for (; admitted < pipeline.stages.size(); ++admitted) {
    const auto& stage = pipeline.stages[admitted];
    if (!stage.admit) continue;
    std::optional<http::Response> verdict = co_await stage.admit(call);
    if (verdict) {
      response = std::move(*verdict);
      stopped = true;
      break;
    }
  }
  if (!stopped) {
    Result<http::Response> answer = co_await handler(call);
    if (answer)
      response = std::move(*answer);
    else
      response = pipeline.render_error(call, std::move(answer.error()));
  }
  for (std::size_t i = admitted; i-- > 0;) {
    const auto& stage = pipeline.stages[i];
    if (stage.finish) co_await stage.finish(call, response);
  }
  co_return response;
}

}  // namespace argon::api

// In a handler returning Task<Result<http::Response>>: `var` is the value of a Result
// expression, or the handler returns its Error (the pipeline renders it). By value: see the
// GCC note in domain/task.hpp.
#define CO_TRY(var, expr)                              \
  auto var##_result_ = (expr);                         \
  if (!var##_result_) co_return var##_result_.error(); \
  auto& var = *var##_result_

#define CO_CHECK(expr)                                         \
  do {                                                         \
    auto co_check_result_ = (expr);                            \
    if (!co_check_result_) co_return co_check_result_.error(); \
  } while (0)
