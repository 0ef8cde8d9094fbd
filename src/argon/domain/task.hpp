#pragma once
// Asynchronous operations as C++20 coroutines, without Asio in the headers (DESIGN.md "Threads").
//
// A service operation that needs the store is a `Task<T>` coroutine: it `co_await`s the store,
// which runs the transaction on its own threads, and is resumed on the executor it was running
// on once the transaction committed. No thread waits in between (issue: "no worker thread parked
// in a condition wait per request").
//
//   Task<Result<int>> count(Database& db) {
//     auto n = co_await db.read([&](store::Connection& c) { return ...; });
//     co_return n;
//   }
//
// - Task<T> is lazy: nothing runs until it is awaited (or started with spawn / sync_wait). When
//   it finishes, the awaiting coroutine continues on the same thread (symmetric transfer).
// - Executor: where resumed coroutines run. Each thread that runs coroutines knows its executor
//   (current_executor(), set with ExecutorScope); an awaiter completed from a foreign thread
//   (the store's) posts the resumption to the executor captured when it suspended.
// - spawn(task, on_value, on_error) starts a task from ordinary code; sync_wait(task) runs one
//   on the calling thread and blocks until it is done (CLI, start-up, tests; never a request).
//
// GCC 12 notes: keep every co_await in its own statement (`auto x = co_await ...;`); co_await
// inside conditional expressions or initializer lists hits compiler bugs. In a coroutine, never
// bind a temporary to a reference (`auto&& r = f();`, `const T& r = f();`): GCC 12 destroys such
// lifetime-extended temporaries wrongly (a double free); take the value instead. And never put a
// brace-initialised aggregate temporary in a co_await expression (`co_await f({a, b})`,
// `co_await Awaiter{x}`): GCC 12 destroys it wrongly too; name it first (`T t{a, b};
// co_await f(t);`) or give the type a constructor.
#include <condition_variable>
#include <coroutine>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "argon/domain/result.hpp"

namespace argon {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs fn soon on one of the executor's threads (with current_executor() == this). Never runs
  // fn inside post() itself unless the executor has stopped (then fn runs on the caller's
  // thread, so that no coroutine is left suspended forever).
  virtual void post(std::function<void()> fn) = 0;
};

namespace detail {
inline thread_local Executor* t_current_executor = nullptr;
}  // namespace detail

// The executor whose thread this is, or nullptr.
inline Executor* current_executor() {
  return detail::t_current_executor;
}

// Declares, for the rest of this thread's life, which executor it belongs to (a pool's threads).
inline void set_thread_executor(Executor* executor) {
  detail::t_current_executor = executor;
}

// Declares, for the scope's duration, which executor the current thread belongs to.
class ExecutorScope {
 public:
  explicit ExecutorScope(Executor* executor) : previous_(detail::t_current_executor) {
    detail::t_current_executor = executor;
  }
  ~ExecutorScope() { detail::t_current_executor = previous_; }
  ExecutorScope(const ExecutorScope&) = delete;
  ExecutorScope& operator=(const ExecutorScope&) = delete;

 private:
  Executor* previous_;
};

template <class T>
class Task;

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();
  std::exception_ptr exception;

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      return h.promise().continuation;
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception = std::current_exception(); }
};

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  void return_value(T v) { value.emplace(std::move(v)); }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;

  explicit Task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    // Nulled after destroying: a (miscompiled) second destructor call must not free twice.
    if (handle_) std::exchange(handle_, {}).destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    handle_.promise().continuation = awaiting;
    return handle_;
  }
  T await_resume() {
    auto& p = handle_.promise();
    if (p.exception) std::rethrow_exception(p.exception);
    if constexpr (!std::is_void_v<T>) return std::move(*p.value);
  }

 private:
  std::coroutine_handle<promise_type> handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

// A coroutine that starts at once and frees itself when it ends (the root under spawn).
struct Detached {
  struct promise_type {
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }  // the handlers must not throw
  };
};

template <class T, class OnValue, class OnError>
Detached run_detached(Task<T> task, OnValue on_value, OnError on_error) {
  std::exception_ptr error;
  if constexpr (std::is_void_v<T>) {
    try {
      co_await std::move(task);
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      on_error(error);
    } else {
      on_value();
    }
  } else {
    std::optional<T> value;
    try {
      value.emplace(co_await std::move(task));
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      on_error(error);
    } else {
      on_value(std::move(*value));
    }
  }
}
}  // namespace detail

// Starts task now, on this thread, until its first suspension. on_value(T) (on_value() for
// Task<void>) or on_error(std::exception_ptr) runs once, on whichever executor thread finishes
// the task. Neither may throw.
template <class T, class OnValue, class OnError>
void spawn(Task<T> task, OnValue on_value, OnError on_error) {
  detail::run_detached(std::move(task), std::move(on_value), std::move(on_error));
}

// Resumes a suspended coroutine on `executor` (or right here when there is none).
inline void resume_on(Executor* executor, std::coroutine_handle<> h) {
  if (executor) {
    executor->post([h] { h.resume(); });
  } else {
    h.resume();
  }
}

// `co_await ResumeOn(executor)` moves the rest of the coroutine to `executor`'s thread(s): work
// that blocks (password hashing) leaves a network thread for a pool. Nothing happens when
// `executor` is null or is already this thread's.
class ResumeOn {
 public:
  explicit ResumeOn(Executor* executor) : executor_(executor) {}
  bool await_ready() const noexcept {
    return executor_ == nullptr || executor_ == current_executor();
  }
  void await_suspend(std::coroutine_handle<> h) const {
    executor_->post([h] { h.resume(); });
  }
  void await_resume() const noexcept {}

 private:
  Executor* executor_;
};

// An executor whose work runs on the thread that calls run() (sync_wait's loop).
class LoopExecutor final : public Executor {
 public:
  // Both notify under the lock: once run() has seen the work or the stop, sync_wait may return
  // and destroy this executor (on its stack), so nothing of it is touched after the unlock.
  void post(std::function<void()> fn) override {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(fn));
    cv_.notify_one();
  }
  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    cv_.notify_one();
  }
  // Runs posted work until stop() was called and nothing is queued.
  void run() {
    ExecutorScope scope(this);
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stopped_ || !queue_.empty(); });
        if (queue_.empty()) return;
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopped_ = false;
};

// Runs task to completion on the calling thread (which waits meanwhile) and returns its value or
// rethrows its exception. For the CLI, start-up, background threads and tests: a request handler
// never calls it.
template <class T>
T sync_wait(Task<T> task) {
  LoopExecutor loop;
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
  std::exception_ptr error;
  {
    ExecutorScope scope(&loop);
    if constexpr (std::is_void_v<T>) {
      spawn(
          std::move(task),
          [&] {
            value.emplace(true);
            loop.stop();
          },
          [&](std::exception_ptr e) {
            error = e;
            loop.stop();
          });
    } else {
      spawn(
          std::move(task),
          [&](T v) {
            value.emplace(std::move(v));
            loop.stop();
          },
          [&](std::exception_ptr e) {
            error = e;
            loop.stop();
          });
    }
  }
  loop.run();
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>) return std::move(*value);
}

}  // namespace argon

// ARGON_TRY for coroutines: co_returns the error of a Result/Status expression.
#define ARGON_CO_TRY(expr)                                               \
  do {                                                                   \
    auto argon_co_try_result_ = (expr); /* by value: see the GCC note */ \
    if (!argon_co_try_result_) co_return argon_co_try_result_.error();   \
  } while (0)
