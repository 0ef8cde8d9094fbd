#include <spdlog/spdlog.h>

#include "argon/events/bus.hpp"

namespace argon::events {
namespace {
// Streams idle this long forget their position (bounded memory with many spaces).
constexpr std::chrono::seconds kForgetIdle{60};
}  // namespace

LocalEventBus::LocalEventBus(std::chrono::milliseconds hold) : hold_(hold) {
  thread_ = std::thread([this] { run(); });
}

LocalEventBus::~LocalEventBus() {
  stop();
}

void LocalEventBus::publish(std::vector<EventRecord> records) {
  if (records.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(records));
    ++published_;
  }
  wake_.notify_one();
}

EventBus::SubscriptionId LocalEventBus::subscribe(Subscriber subscriber) {
  std::lock_guard lock(mutex_);
  SubscriptionId id = next_id_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void LocalEventBus::unsubscribe(SubscriptionId id) {
  std::unique_lock lock(mutex_);
  // Not while the delivery thread is inside a subscriber: afterwards it is never called again.
  if (std::this_thread::get_id() != thread_.get_id())
    idle_.wait(lock, [&] { return !delivering_; });
  subscribers_.erase(id);
  broadcast_handlers_.erase(id);  // ids come from one counter: a broadcast handler's goes too
}

void LocalEventBus::broadcast(const std::string& topic, const std::string& payload) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    calls_.push_back([this, topic, payload] {
      std::vector<BroadcastHandler> handlers;
      {
        std::lock_guard inner(mutex_);
        for (const auto& [id, h] : broadcast_handlers_)
          if (h.first == topic) handlers.push_back(h.second);
      }
      for (const auto& h : handlers) h(payload);
    });
  }
  wake_.notify_one();
}

EventBus::SubscriptionId LocalEventBus::on_broadcast(const std::string& topic,
                                                     BroadcastHandler handler) {
  std::lock_guard lock(mutex_);
  SubscriptionId id = next_id_++;
  broadcast_handlers_.emplace(id, std::make_pair(topic, std::move(handler)));
  return id;
}

void LocalEventBus::request(int, const std::string& topic, const std::string& payload,
                            std::chrono::milliseconds, ReplyHandler done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      calls_.push_back([this, topic, payload, done] {
        RequestHandler handler;
        {
          std::lock_guard inner(mutex_);
          if (auto it = request_handlers_.find(topic); it != request_handlers_.end())
            handler = it->second;
        }
        if (handler) {
          done(handler(payload));
        } else {
          done(std::nullopt);
        }
      });
      wake_.notify_one();
      return;
    }
  }
  done(std::nullopt);
}

void LocalEventBus::on_request(const std::string& topic, RequestHandler handler) {
  std::lock_guard lock(mutex_);
  request_handlers_[topic] = std::move(handler);
}

void LocalEventBus::flush() {
  std::unique_lock lock(mutex_);
  std::uint64_t target = published_;
  release_all_ = true;
  wake_.notify_one();
  idle_.wait(lock, [&] {
    return (delivered_ >= target && held_count_ == 0 && calls_.empty() && !calling_) || stopped_;
  });
}

std::uint64_t LocalEventBus::published_batches() const {
  std::lock_guard lock(mutex_);
  return published_;
}

std::uint64_t LocalEventBus::reordered() const {
  std::lock_guard lock(mutex_);
  return reordered_;
}

std::uint64_t LocalEventBus::released_with_gap() const {
  std::lock_guard lock(mutex_);
  return released_with_gap_;
}

void LocalEventBus::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  idle_.notify_all();
}

void LocalEventBus::order(std::vector<EventRecord> batch, std::vector<EventRecord>& ready) {
  const auto now = SteadyClock::now();
  for (auto& r : batch) {
    StreamOrder& o = streams_[r.stream];
    o.last_seen = now;
    if (o.next == 0 || r.seq <= o.next) {
      // In order (or the first seen, or late: subscribers drop what they already have).
      if (r.seq >= o.next) o.next = r.seq + 1;
      ready.push_back(std::move(r));
      // What was waiting for this one can go too.
      while (!o.held.empty() && o.held.begin()->first <= o.next) {
        auto node = o.held.extract(o.held.begin());
        --held_count_;
        ++reordered_;
        if (node.key() == o.next) ++o.next;
        ready.push_back(std::move(node.mapped()));
      }
    } else {
      if (o.held.empty()) o.held_since = now;
      if (o.held.emplace(r.seq, std::move(r)).second) ++held_count_;
    }
  }
}

void LocalEventBus::release_held(bool all, std::vector<EventRecord>& ready) {
  const auto now = SteadyClock::now();
  for (auto it = streams_.begin(); it != streams_.end();) {
    StreamOrder& o = it->second;
    if (!o.held.empty() && (all || now - o.held_since >= hold_)) {
      // The missing event did not come (another process committed it, or it is lost): go on;
      // the subscribers see the gap and read it from the log.
      released_with_gap_ += o.held.size();
      held_count_ -= o.held.size();
      for (auto& [seq, r] : o.held) ready.push_back(std::move(r));
      o.next = o.held.rbegin()->first + 1;
      o.held.clear();
    }
    if (o.held.empty() && now - o.last_seen >= kForgetIdle) {
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

LocalEventBus::SteadyClock::time_point LocalEventBus::next_deadline() const {
  auto deadline = SteadyClock::time_point::max();
  if (held_count_ == 0) return deadline;
  for (const auto& [stream, o] : streams_)
    if (!o.held.empty()) deadline = std::min(deadline, o.held_since + hold_);
  return deadline;
}

void LocalEventBus::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    auto due = [&] {
      return stopping_ || !queue_.empty() || !calls_.empty() || release_all_ ||
             (held_count_ > 0 && SteadyClock::now() >= next_deadline());
    };
    if (held_count_ == 0) {
      wake_.wait(lock, due);
    } else {
      wake_.wait_until(lock, next_deadline(), due);
    }
    while (!calls_.empty()) {
      auto call = std::move(calls_.front());
      calls_.pop_front();
      calling_ = true;
      lock.unlock();
      try {
        call();
      } catch (const std::exception& e) {
        spdlog::error("events: a bus handler threw: {}", e.what());
      }
      lock.lock();
      calling_ = false;
    }
    std::vector<EventRecord> ready;
    bool took_batch = false;
    if (!queue_.empty()) {
      order(std::move(queue_.front()), ready);
      queue_.pop_front();
      took_batch = true;
    }
    const bool all = release_all_ || stopping_;
    if (all && queue_.empty()) release_all_ = false;
    const auto now = SteadyClock::now();
    if (held_count_ > 0 || now >= next_sweep_) {
      release_held(all && queue_.empty(), ready);
      next_sweep_ = now + std::chrono::seconds(1);
    }
    if (!ready.empty()) {
      delivering_ = true;
      // Subscribers are called outside the lock (they may publish); the map is only changed
      // while no delivery runs (unsubscribe waits), so the pointers stay valid.
      std::vector<Subscriber*> targets;
      for (auto& [id, s] : subscribers_) targets.push_back(&s);
      lock.unlock();
      for (auto* s : targets) {
        try {
          (*s)(ready);
        } catch (const std::exception& e) {
          spdlog::error("events: a bus subscriber threw: {}", e.what());
        }
      }
      lock.lock();
      delivering_ = false;
    }
    if (took_batch) ++delivered_;
    idle_.notify_all();
    if (stopping_ && queue_.empty() && calls_.empty() && held_count_ == 0) return;
  }
}

}  // namespace argon::events
