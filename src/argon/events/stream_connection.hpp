#pragma once
// One open event stream: its cursor over the streams it follows, its mode (catching up from the
// log or live) and its transport. Driven by the Hub; see hub.hpp.
#include <memory>
#include <mutex>
#include <vector>

#include "argon/events/hub.hpp"

namespace argon::events {

// An event as the hub publishes it: the record and its SSE frame, built once for every stream.
struct PublishedEvent {
  EventRecord record;
  std::shared_ptr<const std::string> frame;
};

class StreamConnection : public std::enable_shared_from_this<StreamConnection> {
  friend class Hub;

 public:
  StreamConnection(Hub& hub, StreamSetup setup, std::shared_ptr<FrameSink> sink);

  const Uuid& owner() const { return setup_.owner; }
  const std::string& own_stream() const { return setup_.own_stream; }
  std::vector<std::string> streams() const;
  // What the hub may have subscribed it to: the setup's streams until start(), then the cursor's.
  std::vector<std::string> subscribed_streams() const;
  Cursor cursor() const;

  // Hub side.
  void start(const Cursor& ends);  // ready, then catch up (ends: each stream's last seq now)
  void offer(const std::shared_ptr<const PublishedEvent>& event);  // a live event
  void follow(const std::string& stream, std::int64_t after_seq);  // a space joined live
  // A space left (the leave is the space stream's event until_seq): a stream that is catching up
  // still gets the space's events up to the leave from the log, then drops it.
  void unfollow(const std::string& stream, std::int64_t until_seq);
  // Catches up from the log if a followed stream's cursor is below its threshold (events the
  // bus did not bring). Returns whether it did.
  bool repair(const std::map<std::string, std::int64_t>& thresholds);
  // Heartbeat when idle; returns the cursor to save when a save is due.
  std::optional<Cursor> sweep(std::int64_t now_ms);
  // Marks the stream ended; returns false when it already was.
  bool end();
  bool ended() const;
  void run_on_closed();

 private:
  enum class Mode { CatchingUp, Live, Ended };
  void schedule_catch_up(std::int64_t delay_ms);
  void catch_up();
  // Under mutex_: deliver one live event in order; false when it must wait for a catch-up.
  bool deliver_live(const PublishedEvent& event);
  void finish_initial_catch_up();
  bool write(std::shared_ptr<const std::string> bytes);
  // Under mutex_: the delay before retrying a transport that refused, doubling with each refusal
  // in a row (HubOptions::backoff_ms up to backoff_max_ms).
  std::int64_t next_backoff();

  Hub& hub_;
  StreamSetup setup_;
  std::shared_ptr<FrameSink> sink_;
  mutable std::mutex mutex_;
  Mode mode_ = Mode::CatchingUp;
  Cursor cursor_;
  std::map<std::string, std::int64_t> leaving_;  // stream → seq of its leave, while catching up
  std::vector<std::shared_ptr<const PublishedEvent>> pending_;
  std::vector<std::string> far_behind_;
  int refusals_ = 0;  // transport refusals since the last pass that wrote everything  // streams
                      // still behind after the last catch-up pass
  bool pending_overflowed_ = false;
  bool catch_up_scheduled_ = false;
  bool initial_ = true;
  std::int64_t replayed_ = 0;
  std::int64_t last_write_ms_ = 0;
  std::int64_t last_save_ms_ = 0;
  bool dirty_ = false;
  bool on_closed_ran_ = false;
  bool started_ = false;  // `ready` was written
};

}  // namespace argon::events
