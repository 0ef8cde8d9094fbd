#include "argon/events/stream_connection.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <limits>

namespace argon::events {

StreamConnection::StreamConnection(Hub& hub, StreamSetup setup, std::shared_ptr<FrameSink> sink)
    : hub_(hub), setup_(std::move(setup)), sink_(std::move(sink)) {}

std::vector<std::string> StreamConnection::streams() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [stream, seq] : cursor_) out.push_back(stream);
  return out;
}

std::vector<std::string> StreamConnection::subscribed_streams() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out = setup_.streams;  // before start(); empty after
  for (const auto& [stream, seq] : cursor_) out.push_back(stream);
  return out;
}

Cursor StreamConnection::cursor() const {
  std::lock_guard lock(mutex_);
  return cursor_;
}

bool StreamConnection::write(std::shared_ptr<const std::string> bytes) {
  if (!sink_->write(std::move(bytes))) return false;
  last_write_ms_ = hub_.clock_.now_unix_ms();
  return true;
}

void StreamConnection::start(const Cursor& ends) {
  // Positions: the given start, else "live from now" (the stream's current end). A start past
  // the end (a bogus or foreign id) is clamped: it would drop every live event until reached.
  {
    std::lock_guard lock(mutex_);
    for (const auto& stream : setup_.streams) {
      auto it = setup_.start.find(stream);
      auto end = ends.find(stream);
      std::int64_t last = end == ends.end() ? 0 : end->second;
      cursor_[stream] = it != setup_.start.end() ? std::min(it->second, last) : last;
    }
    write(std::make_shared<const std::string>(sse_frame("ready", "ready", setup_.ready_payload)));
    // Needed only until here: an idle stream should not carry them (10,000 streams add up).
    // The cursor names every followed stream from now on.
    Cursor().swap(setup_.start);
    std::string().swap(setup_.ready_payload);
    std::vector<std::string>().swap(setup_.streams);
    last_save_ms_ = last_write_ms_;
    started_ = true;
  }
  schedule_catch_up(0);
}

void StreamConnection::schedule_catch_up(std::int64_t delay_ms) {
  // Under mutex_ or before the stream is shared.
  if (catch_up_scheduled_ || mode_ == Mode::Ended) return;
  catch_up_scheduled_ = true;
  std::weak_ptr<StreamConnection> weak = weak_from_this();
  hub_.scheduler_.schedule(delay_ms, [weak] {
    if (auto self = weak.lock()) self->catch_up();
  });
}

std::int64_t StreamConnection::next_backoff() {
  // A client that is merely busy has room again within a millisecond or two (a replay refills
  // the queue as fast as the socket drains); one that stalls gets retried ever less often, so
  // that it does not cost a log read every few milliseconds.
  const auto& o = hub_.options_;
  std::int64_t delay = o.backoff_ms;
  for (int i = 0; i < refusals_ && delay < o.backoff_max_ms; ++i) delay *= 2;
  ++refusals_;
  return std::min(delay, std::max(o.backoff_ms, o.backoff_max_ms));
}

void StreamConnection::catch_up() {
  Cursor from;
  std::map<std::string, std::int64_t> leaving;
  {
    std::lock_guard lock(mutex_);
    catch_up_scheduled_ = false;
    if (mode_ == Mode::Ended) return;
    mode_ = Mode::CatchingUp;
    from = cursor_;
    leaving = leaving_;
  }
  // Read what the log holds past the cursor, every stream, merged in commit order.
  const int batch = hub_.options_.catchup_batch;
  bool more = false;
  // A stream whose read was cut at the batch size may hold older events (by gseq) than the other
  // streams' later ones: only events up to the earliest cut are in commit order; the rest waits.
  std::int64_t cut_gseq = std::numeric_limits<std::int64_t>::max();
  // Streams that were still behind after the previous pass get their next pages read at once,
  // each in a snapshot of its own, beside the main read: with a remote engine the round trips
  // and the server's work overlap (a long replay on PostgreSQL ~30 % faster here). Local engines
  // read one page per pass.
  const int ahead = hub_.db_.reads_here() ? 0 : hub_.options_.catchup_pages_ahead;
  std::vector<std::string> far;
  if (ahead > 0) {
    std::lock_guard lock(mutex_);
    for (const auto& stream : far_behind_)
      if (from.count(stream)) far.push_back(stream);
  }
  std::map<std::string, std::vector<EventRecord>> first;  // page 1 of every stream
  std::int64_t snapshot_gseq = 0;  // every event up to it was visible to the main read
  // far[i]'s pages 2..ahead+1: pages[i * ahead + j - 1] is page j + 1.
  std::vector<std::vector<EventRecord>> pages(far.size() * static_cast<std::size_t>(ahead));
  std::vector<store::Database::ReadFn> reads;
  reads.emplace_back([&](store::Connection& c) {
    for (const auto& [stream, seq] : from) first[stream] = read_after(c, stream, seq, batch);
    if (!far.empty()) snapshot_gseq = last_gseq(c);
  });
  for (std::size_t i = 0; i < far.size(); ++i)
    for (int j = 1; j <= ahead; ++j)
      reads.emplace_back([&, i, j](store::Connection& c) {
        pages[i * static_cast<std::size_t>(ahead) + static_cast<std::size_t>(j) - 1] =
            read_after(c, far[i], from.at(far[i]) + std::int64_t{j} * batch, batch);
      });
  try {
    hub_.db_.read_all_now(reads);
  } catch (const std::exception& e) {
    // The store is unreachable (an outage): try again shortly. Without this the stream would stay
    // in catch-up mode with nothing scheduled, and never deliver again.
    spdlog::debug("events: catch-up read failed, retrying in {} ms: {}",
                  hub_.options_.offline_poll_ms, e.what());
    std::lock_guard lock(mutex_);
    schedule_catch_up(hub_.options_.offline_poll_ms);
    return;
  }
  std::vector<EventRecord> records;
  std::vector<std::string> still_behind;
  for (auto& [stream, part] : first) {
    bool full = static_cast<int>(part.size()) == batch;
    if (auto f = std::find(far.begin(), far.end(), stream); f != far.end()) {
      const auto i = static_cast<std::size_t>(f - far.begin());
      for (int j = 1; j <= ahead && full; ++j) {
        auto& page = pages[i * static_cast<std::size_t>(ahead) + static_cast<std::size_t>(j) - 1];
        // A page follows only on from a full one, seq after seq (seqs have no gap), and only with
        // events the main read's snapshot could see: a later snapshot may hold events of this
        // stream newer than those the main read missed in the other streams, which must go first.
        if (page.empty() || page.front().seq != part.back().seq + 1) break;
        const auto newer =
            std::erase_if(page, [&](const EventRecord& r) { return r.gseq > snapshot_gseq; });
        const bool page_full = static_cast<int>(page.size()) == batch;
        part.insert(part.end(), std::make_move_iterator(page.begin()),
                    std::make_move_iterator(page.end()));
        if (newer > 0) break;  // the rest waits for the next pass (`full` stays set)
        full = page_full;
      }
    }
    if (auto l = leaving.find(stream); l != leaving.end()) {
      // A space being left: up to the leave only; once past it, nothing more to read.
      if (std::erase_if(part, [&](const EventRecord& r) { return r.seq > l->second; }) > 0)
        full = false;
    }
    if (full && !part.empty()) {
      more = true;
      cut_gseq = std::min(cut_gseq, part.back().gseq);
      still_behind.push_back(stream);
    }
    records.insert(records.end(), std::make_move_iterator(part.begin()),
                   std::make_move_iterator(part.end()));
  }
  {
    std::lock_guard lock(mutex_);
    far_behind_ = std::move(still_behind);
  }
  std::sort(records.begin(), records.end(),
            [](const EventRecord& a, const EventRecord& b) { return a.gseq < b.gseq; });
  std::erase_if(records, [&](const EventRecord& r) { return r.gseq > cut_gseq; });

  std::lock_guard lock(mutex_);
  if (mode_ == Mode::Ended) return;
  // Frames go out in chunks; a cursor advances only once its chunk was taken by the transport.
  std::string chunk;
  Cursor advanced = cursor_;
  std::int64_t chunk_replayed = 0;
  bool refused = false;  // the transport refused a chunk: nothing after it may count as sent
  auto flush = [&]() -> bool {
    if (refused) return false;
    if (!chunk.empty()) {
      auto bytes = std::make_shared<const std::string>(std::move(chunk));
      chunk.clear();
      if (!write(std::move(bytes))) {
        refused = true;
        return false;
      }
    }
    cursor_ = advanced;
    hub_.stats_.replayed.fetch_add(static_cast<std::uint64_t>(chunk_replayed),
                                   std::memory_order_relaxed);
    hub_.stats_.delivered.fetch_add(static_cast<std::uint64_t>(chunk_replayed),
                                    std::memory_order_relaxed);
    if (initial_) replayed_ += chunk_replayed;
    chunk_replayed = 0;
    dirty_ = true;
    return true;
  };
  for (const auto& r : records) {
    auto it = advanced.find(r.stream);
    if (it == advanced.end() || r.seq <= it->second) continue;  // unfollowed, or already sent
    if (!setup_.filter || setup_.filter(r)) {
      chunk += sse_frame(wire_event_id(r), r.type, r.payload);
      ++chunk_replayed;
    }
    it->second = r.seq;
    if (chunk.size() >= hub_.options_.catchup_chunk_bytes && !flush()) break;
  }
  if (!flush()) {
    if (sink_->is_closed()) return;
    schedule_catch_up(next_backoff());  // the transport is full: try again shortly
    return;
  }
  refusals_ = 0;
  if (more) {
    schedule_catch_up(0);
    return;
  }
  // The log is drained up to what it held when read; live events that arrived meanwhile wait in
  // pending_. Deliver those that continue the cursor; a gap means the log has more: read again.
  if (pending_overflowed_) {
    pending_.clear();
    pending_overflowed_ = false;
    schedule_catch_up(0);
    return;
  }
  // Spaces left: done once the log was read past their leave; a leave that came in after the read
  // needs one more.
  bool leave_unread = false;
  for (auto it = leaving_.begin(); it != leaving_.end();) {
    auto seen = leaving.find(it->first);
    if (seen == leaving.end() || seen->second != it->second) {
      leave_unread = true;
      ++it;
      continue;
    }
    cursor_.erase(it->first);
    it = leaving_.erase(it);
  }
  if (leave_unread) {
    schedule_catch_up(0);
    return;
  }
  std::sort(pending_.begin(), pending_.end(),
            [](const auto& a, const auto& b) { return a->record.gseq < b->record.gseq; });
  mode_ = Mode::Live;
  // The replay is complete: `resumed` goes out before anything that arrived live meanwhile.
  if (initial_) finish_initial_catch_up();
  for (const auto& event : pending_) {
    if (!deliver_live(*event)) break;  // switched back to catching up
  }
  pending_.clear();
}

void StreamConnection::finish_initial_catch_up() {
  initial_ = false;
  if (setup_.resumed_always || (setup_.resumed_if_replayed && replayed_ > 0)) {
    std::string data = boost::json::serialize(boost::json::object{{"replayedCount", replayed_}});
    write(std::make_shared<const std::string>(sse_frame("resumed", "resumed", data)));
  }
  dirty_ = true;
  last_save_ms_ = 0;  // save the starting position at the next sweep
}

bool StreamConnection::deliver_live(const PublishedEvent& event) {
  const auto& r = event.record;
  auto it = cursor_.find(r.stream);
  if (it == cursor_.end() || r.seq <= it->second) return true;  // not followed, or duplicate
  if (r.seq != it->second + 1) {
    // A gap: an earlier event of this stream was published after this one (or dropped). The
    // log has it; catch up from there.
    mode_ = Mode::CatchingUp;
    schedule_catch_up(0);
    return false;
  }
  if (!setup_.filter || setup_.filter(r)) {
    if (!write(event.frame)) {
      if (sink_->is_closed()) return false;
      // The client is behind: stop queueing live events for it and catch up from the log.
      mode_ = Mode::CatchingUp;
      schedule_catch_up(next_backoff());
      return false;
    }
    hub_.stats_.delivered.fetch_add(1, std::memory_order_relaxed);
  }
  it->second = r.seq;
  dirty_ = true;
  return true;
}

void StreamConnection::offer(const std::shared_ptr<const PublishedEvent>& event) {
  std::lock_guard lock(mutex_);
  if (mode_ == Mode::Ended) return;
  if (mode_ == Mode::CatchingUp) {
    if (pending_.size() >= hub_.options_.max_pending) {
      pending_overflowed_ = true;  // the log has them all: read them from there
      pending_.clear();
    } else if (!pending_overflowed_) {
      pending_.push_back(event);
    }
    return;
  }
  deliver_live(*event);
}

void StreamConnection::follow(const std::string& stream, std::int64_t after_seq) {
  std::lock_guard lock(mutex_);
  leaving_.erase(stream);  // joined again before the leave took effect: keep following
  if (mode_ == Mode::Ended || cursor_.count(stream)) return;
  cursor_[stream] = after_seq;
}

void StreamConnection::unfollow(const std::string& stream, std::int64_t until_seq) {
  std::lock_guard lock(mutex_);
  if (mode_ == Mode::CatchingUp && cursor_.count(stream)) {
    leaving_[stream] = until_seq;  // catch_up() sends the rest up to the leave, then drops it
    return;
  }
  cursor_.erase(stream);
}

bool StreamConnection::repair(const std::map<std::string, std::int64_t>& thresholds) {
  std::lock_guard lock(mutex_);
  if (mode_ != Mode::Live) return false;  // catching up already reads the log
  for (const auto& [stream, seq] : cursor_) {
    auto t = thresholds.find(stream);
    if (t != thresholds.end() && seq < t->second) {
      mode_ = Mode::CatchingUp;
      schedule_catch_up(0);
      return true;
    }
  }
  return false;
}

std::optional<Cursor> StreamConnection::sweep(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  // Not before `ready`: the stream is registered before it starts (its ends are being read).
  if (mode_ == Mode::Ended || !started_) return std::nullopt;
  if (now_ms - last_write_ms_ >= hub_.options_.heartbeat_ms) {
    std::string data =
        boost::json::serialize(boost::json::object{{"timestamp", now_ms - kArgonEpochUnixMs}});
    write(
        std::make_shared<const std::string>(sse_frame(format_cursor(cursor_), "heartbeat", data)));
  }
  if (dirty_ && !initial_ && now_ms - last_save_ms_ >= hub_.options_.position_save_ms) {
    dirty_ = false;
    last_save_ms_ = now_ms;
    return cursor_;
  }
  return std::nullopt;
}

bool StreamConnection::end() {
  std::lock_guard lock(mutex_);
  if (mode_ == Mode::Ended) return false;
  mode_ = Mode::Ended;
  pending_.clear();
  pending_.shrink_to_fit();
  return true;
}

bool StreamConnection::ended() const {
  std::lock_guard lock(mutex_);
  return mode_ == Mode::Ended;
}

void StreamConnection::run_on_closed() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    if (on_closed_ran_) return;
    on_closed_ran_ = true;
    callback = std::move(setup_.on_closed);
  }
  if (callback) callback();
}

}  // namespace argon::events
