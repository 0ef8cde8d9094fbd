#include "argon/api/pipeline.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace argon::api {
namespace {

struct TestCall {
  std::vector<std::string> trace;
  bool authorized = false;
};
using Verdict = std::optional<http::Response>;

Stage<TestCall> recording_stage(std::string name, bool stops = false) {
  return Stage<TestCall>{[name, stops](TestCall& call) -> Task<Verdict> {
                           call.trace.push_back("admit " + name);
                           if (stops) co_return http::Response::error(401, "unauthorized", "no");
                           co_return std::nullopt;
                         },
                         [name](TestCall& call, http::Response& response) -> Task<void> {
                           call.trace.push_back("finish " + name);
                           response.headers.emplace_back("X-Seen-By", name);
                           co_return;
                         }};
}

Pipeline<TestCall> pipeline_of(std::vector<Stage<TestCall>> stages) {
  Pipeline<TestCall> p;
  p.stages = std::move(stages);
  p.render_error = [](const TestCall&, Error e) {
    e.message = "rendered: " + e.message.value_or("");
    return error_response(e);
  };
  return p;
}

Handler<TestCall> answering(int status) {
  return [status](TestCall& call) -> Task<Result<http::Response>> {
    call.trace.push_back("handler");
    co_return http::Response::empty(status);
  };
}

TEST(PipelineTest, StagesRunInOrderThenTheHandlerThenFinishInReverse) {
  auto p = pipeline_of({recording_stage("auth"), recording_stage("limit")});
  TestCall call;
  http::Response r = sync_wait(run(p, answering(204), call));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(call.trace, (std::vector<std::string>{"admit auth", "admit limit", "handler",
                                                  "finish limit", "finish auth"}));
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].second, "limit");
  EXPECT_EQ(r.headers[1].second, "auth");
}

TEST(PipelineTest, AStageThatAnswersStopsTheRequestAndOnlyEarlierStagesFinish) {
  auto p = pipeline_of(
      {recording_stage("id"), recording_stage("auth", /*stops=*/true), recording_stage("limit")});
  TestCall call;
  http::Response r = sync_wait(run(p, answering(200), call));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(call.trace, (std::vector<std::string>{"admit id", "admit auth", "finish id"}));
}

TEST(PipelineTest, AHandlerErrorIsRenderedByTheApiAndStillFinished) {
  auto p = pipeline_of({recording_stage("limit")});
  Handler<TestCall> failing = [](TestCall& call) -> Task<Result<http::Response>> {
    call.trace.push_back("handler");
    CO_TRY(n, (Result<int>(Error::validation("name: required"))));
    co_return http::Response::empty(200 + n);
  };
  TestCall call;
  http::Response r = sync_wait(run(p, failing, call));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("rendered: name: required"), std::string::npos) << r.body;
  EXPECT_EQ(call.trace, (std::vector<std::string>{"admit limit", "handler", "finish limit"}));
}

TEST(PipelineTest, CoCheckPassesAValueThroughAndReturnsAnError) {
  auto p = pipeline_of({});
  Handler<TestCall> checking = [](TestCall& call) -> Task<Result<http::Response>> {
    CO_CHECK(Status{});
    call.trace.push_back("after ok");
    CO_CHECK(Status{Error::forbidden("nope", "Not yours.")});
    call.trace.push_back("after error");
    co_return http::Response::empty(200);
  };
  TestCall call;
  http::Response r = sync_wait(run(p, checking, call));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(call.trace, (std::vector<std::string>{"after ok"}));
}

TEST(PipelineTest, StagesWithoutStepsAreSkipped) {
  Pipeline<TestCall> p = pipeline_of({Stage<TestCall>{nullptr, nullptr}, recording_stage("auth")});
  TestCall call;
  http::Response r = sync_wait(run(p, answering(200), call));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(call.trace, (std::vector<std::string>{"admit auth", "handler", "finish auth"}));
}

}  // namespace
}  // namespace argon::api
