#pragma once
// The live delivery engine (DESIGN.md "How a request flows" step 4). The hub subscribes to the
// event bus (bus.hpp); for each committed batch it serializes each event once and hands the same
// bytes to every open stream subscribed to the event's stream. Each stream has a bounded queue in
// its transport; a stream that falls behind (queue full) or sees a gap in a stream's sequence
// catches up from the event log instead of growing memory, so a slow client never slows the others
// and an out-of-order publish never loses an event. Streams start with `ready`, replay what they
// missed, send `resumed`, then go live; heartbeats carry the stream's cursor.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "argon/domain/clock.hpp"
#include "argon/domain/scheduler.hpp"
#include "argon/events/bus.hpp"
#include "argon/events/stream_ids.hpp"
#include "argon/store/database.hpp"

namespace argon::events {

// The transport under a stream (an HTTP chunked response). Thread-safe.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // false: closed, or its queue is full (the bytes were not taken).
  virtual bool write(std::shared_ptr<const std::string> bytes) = 0;
  virtual bool is_closed() const = 0;
  virtual void close() = 0;
};

struct StreamSetup {
  Uuid owner;                        // the bot's user id or the person's id
  std::string own_stream;            // bot:{id} or user:{id}
  std::vector<std::string> streams;  // every stream to follow (own stream and space streams)
  Cursor start;                      // where each stream starts; missing ones start live
  bool resumed_always = false;       // an id was given: send `resumed` even when nothing replayed
  bool resumed_if_replayed = false;  // implicit resume: `resumed` only when something replayed
  std::function<bool(const EventRecord&)> filter;  // intents; null = everything
  std::string ready_payload;                       // `ready` data
  std::function<void()> on_closed;  // runs once, on the scheduler thread, after the stream ended
};

struct HubOptions {
  std::int64_t heartbeat_ms = 30000;
  std::int64_t sweep_interval_ms = 1000;  // heartbeat / position-save check
  std::int64_t position_save_ms = 15000;  // how often a live stream's position is saved
  int catchup_batch = 1000;               // events read per store round trip
  // With a remote store: pages read beside the main one, in parallel, for a stream still behind.
  int catchup_pages_ahead = 1;
  std::size_t catchup_chunk_bytes = 64 * 1024;  // replayed frames are written in chunks this big
  // Retry delay when a transport queue is full: backoff_ms at first, doubling with each refusal
  // in a row up to backoff_max_ms.
  std::int64_t backoff_ms = 1;
  std::int64_t backoff_max_ms = 100;
  std::size_t max_pending = 4096;  // live events held while catching up
  // With a clustered bus, how often the log is checked for events the bus did not bring (an
  // event another node published while this one was disconnected, or a message NATS dropped
  // that no later event revealed): every repair_interval_ms while the bus is live, every
  // offline_poll_ms while it is not (then the log is what feeds the streams).
  std::int64_t repair_interval_ms = 2000;
  std::int64_t offline_poll_ms = 250;
};

class StreamConnection;

class Hub final {
 public:
  // Subscribes to `bus` until shutdown().
  Hub(store::Database& db, EventBus& bus, Scheduler& scheduler, const Clock& clock,
      HubOptions options);
  ~Hub();

  // Registers a stream: writes `ready`, starts the catch-up, then goes live. After shutdown() the
  // stream is ended at once (nothing written) and not kept.
  Task<std::shared_ptr<StreamConnection>> open(StreamSetup setup, std::shared_ptr<FrameSink> sink);
  // The transport ended (client gone, server stopping). Safe from any thread; idempotent.
  void closed(const std::shared_ptr<StreamConnection>& connection);

  std::size_t open_streams() const;
  // Open streams by kind: those of bots (their own stream is a bot stream) and of people.
  struct StreamCounts {
    std::size_t bots = 0, people = 0;
  };
  StreamCounts stream_counts() const;
  // Frames written to streams: every event (live or from the log), and those from the log.
  struct Stats {
    std::atomic<std::uint64_t> delivered{0};
    std::atomic<std::uint64_t> replayed{0};
    // Clustered: bus batches that came ahead of an earlier-committed event, which was then read
    // from the log to keep gseq order.
    std::atomic<std::uint64_t> ordered_from_log{0};
  };
  const Stats& stats() const { return stats_; }
  // Streams of one owner (a bot's presence: online while at least one is open).
  std::size_t streams_of(const Uuid& owner) const;
  // Unsubscribes from the bus, saves every open stream's position and stops the periodic sweep.
  void shutdown();

 private:
  friend class StreamConnection;
  void subscribe(const std::shared_ptr<StreamConnection>& c, const std::string& stream);
  void unsubscribe(const std::shared_ptr<StreamConnection>& c, const std::string& stream);
  struct Leave {
    std::shared_ptr<StreamConnection> connection;
    std::string stream;
    std::int64_t seq;  // the leave's position in the space stream: events up to it still go
  };
  void apply_membership(const EventRecord& r, std::vector<Leave>& leaves);
  void schedule_sweep();
  void sweep();
  void schedule_repair(std::int64_t delay_ms);
  void repair();
  void save_positions(const std::vector<std::pair<Uuid, Cursor>>& positions);
  void deliver(const std::vector<EventRecord>& records);
  // Clustered: what of `records` goes to the streams now, completed from the log and in gseq
  // order (see deliver()); on the bus thread.
  std::vector<EventRecord> in_commit_order(const std::vector<EventRecord>& records);
  void offer(const std::vector<EventRecord>& records);

  store::Database& db_;
  EventBus& bus_;
  EventBus::SubscriptionId subscription_ = 0;
  Scheduler& scheduler_;
  const Clock& clock_;
  HubOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<StreamConnection>>> subscribers_;
  std::set<std::shared_ptr<StreamConnection>> open_;
  std::atomic<bool> stopping_{false};
  Stats stats_;
  Scheduler::TaskId sweep_task_ = 0;
  Scheduler::TaskId repair_task_ = 0;
  std::map<std::string, std::int64_t> repair_seen_;  // stream → its last seq at the last repair
  bool repair_was_live_ = true;
  // Clustered: every event with a gseq up to this one has been handed to the streams (-1: not
  // known yet). Only the bus thread uses it.
  std::int64_t handed_gseq_ = -1;
  // Clustered: per stream, the last seq handed on from a log read whose bus message has not come
  // yet (it is then dropped as already handed on). Only the bus thread uses it.
  std::unordered_map<std::string, std::int64_t> from_log_;
};

}  // namespace argon::events
