#include <spdlog/spdlog.h>

#include "argon/services/context.hpp"

namespace argon::services {
namespace {
Task<void> logged(std::function<Task<Status>()> make, std::string what) {
  try {
    Status done = co_await make();
    if (!done) spdlog::warn("{} failed: {}", what, done.error().code);
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", what, e.what());
  }
}
}  // namespace

void start_background(const Context& ctx, std::function<Task<Status>()> make, std::string what) {
  if (!ctx.background) {
    sync_wait(logged(std::move(make), std::move(what)));
    return;
  }
  ctx.background->post([make = std::move(make), what = std::move(what)]() mutable {
    spawn(
        logged(std::move(make), std::move(what)), [] {}, [](std::exception_ptr) {});
  });
}

}  // namespace argon::services
