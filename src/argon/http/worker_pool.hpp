#pragma once
// A small fixed-size thread pool for blocking work (handlers that wait on the database). The
// server posts each dispatch here so that network threads never block.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace argon::http {

class WorkerPool {
 public:
  // on_thread_start runs first on each thread (e.g. to declare the thread's executor).
  explicit WorkerPool(int threads, std::function<void()> on_thread_start = {});
  ~WorkerPool();  // shutdown()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a task; false (task not run) once shutdown() has begun. Tasks must not throw; one
  // that does is caught and logged.
  bool submit(std::function<void()> task);

  // Refuses new tasks, runs every queued one, joins the threads. Idempotent.
  void shutdown();

  std::size_t thread_count() const { return threads_.size(); }
  std::size_t queued() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace argon::http
