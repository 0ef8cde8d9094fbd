#include "argon/events/hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>

#include "argon/events/stream_connection.hpp"

namespace argon::events {

Hub::Hub(store::Database& db, EventBus& bus, Scheduler& scheduler, const Clock& clock,
         HubOptions options)
    : db_(db), bus_(bus), scheduler_(scheduler), clock_(clock), options_(options) {
  schedule_sweep();
  if (bus_.clustered()) {
    schedule_repair(options_.repair_interval_ms);
    // Where the log ends before anything can come from the bus (deliver()). Unknown if the store
    // cannot be read now: the first batch sets it.
    try {
      handed_gseq_ = db_.read_now([](store::Connection& c) { return last_gseq(c); });
    } catch (const std::exception& e) {
      spdlog::warn("events: could not read where the log ends: {}", e.what());
    }
  }
  subscription_ = bus_.subscribe([this](const std::vector<EventRecord>& records) {
    try {
      deliver(records);
    } catch (const std::exception& e) {
      spdlog::error("events: delivering a committed batch failed: {}", e.what());
    }
  });
}

Hub::~Hub() {
  shutdown();
}

Task<std::shared_ptr<StreamConnection>> Hub::open(StreamSetup setup,
                                                  std::shared_ptr<FrameSink> sink) {
  auto connection = std::make_shared<StreamConnection>(*this, std::move(setup), std::move(sink));
  {
    // Subscribe before reading positions: nothing committed from here on can slip between.
    std::lock_guard lock(mutex_);
    if (stopping_) {
      // After shutdown() (a request still opening a stream as the node stops): not kept, like
      // the streams shutdown() let go of — its transport must not outlive the server.
      connection->end();
      co_return connection;
    }
    open_.insert(connection);
    for (const auto& stream : connection->setup_.streams)
      subscribers_[stream].push_back(connection);
  }
  // Where each stream ends now (a stream with no start position goes live from there).
  const auto& streams = connection->setup_.streams;
  Cursor ends = co_await db_.read([&](store::Connection& c) {
    Cursor out;
    for (const auto& stream : streams) out[stream] = last_seq(c, stream);
    return out;
  });
  connection->start(ends);
  co_return connection;
}

void Hub::subscribe(const std::shared_ptr<StreamConnection>& c, const std::string& stream) {
  auto& list = subscribers_[stream];
  if (std::find(list.begin(), list.end(), c) == list.end()) list.push_back(c);
}

void Hub::unsubscribe(const std::shared_ptr<StreamConnection>& c, const std::string& stream) {
  auto it = subscribers_.find(stream);
  if (it == subscribers_.end()) return;
  std::erase(it->second, c);
  if (it->second.empty()) subscribers_.erase(it);
}

void Hub::closed(const std::shared_ptr<StreamConnection>& connection) {
  if (!connection->end()) return;
  {
    std::lock_guard lock(mutex_);
    for (const auto& stream : connection->subscribed_streams()) unsubscribe(connection, stream);
  }
  // Off the network thread: save where the stream stopped (implicit resume), then the owner's
  // clean-up (concurrency slot, presence).
  scheduler_.schedule(0, [this, connection] {
    save_positions({{connection->owner(), connection->cursor()}});
    {
      std::lock_guard lock(mutex_);
      open_.erase(connection);
    }
    connection->run_on_closed();
  });
}

void Hub::apply_membership(const EventRecord& r, std::vector<Leave>& leaves) {
  // Both happen in the space's own stream, so the position of the change is exact there. (A
  // bot's uninstall also appends memberLeave for the bot to the space stream.)
  bool join = r.type == "memberJoin";
  bool leave = r.type == "memberLeave";
  if ((!join && !leave) || !r.space_id) return;
  boost::system::error_code ec;
  auto payload = boost::json::parse(r.payload, ec);
  if (ec || !payload.is_object()) return;
  const auto& obj = payload.as_object();
  const boost::json::value* id = nullptr;
  if (join) {
    if (auto u = obj.if_contains("user"); u && u->is_object())
      id = u->as_object().if_contains("userId");
  } else {
    id = obj.if_contains("userId");
  }
  std::optional<Uuid> user;
  if (id && id->is_string()) user = Uuid::parse(id->as_string());
  if (!user) return;
  std::string stream = space_stream(*r.space_id);
  for (const auto& c : open_) {
    if (c->owner() != *user) continue;
    if (join) {
      c->follow(stream, r.seq - 1);  // from the join on
      subscribe(c, stream);
    } else {
      leaves.push_back({c, stream, r.seq});
    }
  }
}

void Hub::deliver(const std::vector<EventRecord>& records) {
  if (!bus_.clustered()) {
    // One node: the store publishes in commit order (event_log.hpp), which is gseq order.
    offer(records);
    return;
  }
  offer(in_commit_order(records));
}

std::vector<EventRecord> Hub::in_commit_order(const std::vector<EventRecord>& records) {
  // A stream that resumes from one event id counts every event with a smaller gseq as seen and
  // none with a larger one (positions_at_gseq), so streams must get events in gseq order. Each
  // node publishes its own in that order, but another node's event can arrive after a later one
  // of this node (or be lost): an event that does not follow the last one handed on is held back
  // until the log was read up to it. gseqs are taken in commit order (a snapshot that sees one
  // sees every smaller one), so the log read brings exactly what is missing, in order.
  std::vector<EventRecord> late;   // at or below handed_gseq_, not handed on yet
  std::vector<EventRecord> fresh;  // beyond it
  for (const auto& r : records) {
    if (r.gseq > handed_gseq_) {
      fresh.push_back(r);
      continue;
    }
    auto read = from_log_.find(r.stream);
    const bool handed = read != from_log_.end() && r.seq <= read->second;
    if (read != from_log_.end() && r.seq >= read->second) from_log_.erase(read);  // bus caught up
    // Handed on from the log already: dropped. Otherwise (not expected: gseqs below the last one
    // handed on were all read) it goes now, out of order rather than late.
    if (!handed) late.push_back(r);
  }
  if (fresh.empty()) return late;
  std::sort(fresh.begin(), fresh.end(),
            [](const EventRecord& a, const EventRecord& b) { return a.gseq < b.gseq; });
  bool follows = handed_gseq_ < 0 || fresh.front().gseq == handed_gseq_ + 1;
  for (std::size_t i = 1; follows && i < fresh.size(); ++i)
    follows = fresh[i].gseq == fresh[i - 1].gseq + 1;
  const std::int64_t upto = fresh.back().gseq;
  std::vector<EventRecord> out = std::move(late);
  if (follows) {
    handed_gseq_ = upto;
    out.insert(out.end(), std::make_move_iterator(fresh.begin()),
               std::make_move_iterator(fresh.end()));
    return out;
  }
  stats_.ordered_from_log.fetch_add(1, std::memory_order_relaxed);
  // What the log gives is remembered per stream until the bus brings it too (bounded: a stream
  // whose message never comes stays until the map is cleared).
  if (from_log_.size() > 10000) from_log_.clear();
  auto remember = [&](const std::vector<EventRecord>& page) {
    for (const auto& r : page) {
      auto [it, added] = from_log_.emplace(r.stream, r.seq);
      if (!added) it->second = std::max(it->second, r.seq);
    }
  };
  try {
    constexpr int kPage = 1000;
    while (handed_gseq_ < upto) {
      const std::int64_t after = handed_gseq_;
      auto page = db_.read_now(
          [&](store::Connection& c) { return read_gseq_range(c, after, upto, kPage); });
      if (page.empty()) break;  // pruned meanwhile
      handed_gseq_ = page.back().gseq;
      remember(page);
      if (handed_gseq_ < upto) {
        offer(page);  // a long gap (the bus was down): hand on page by page
      } else {
        out.insert(out.end(), std::make_move_iterator(page.begin()),
                   std::make_move_iterator(page.end()));
      }
    }
  } catch (const std::exception& e) {
    // The store is unreachable: as they came (the streams repair same-stream gaps from the log).
    spdlog::warn("events: reading the log up to gseq {} failed: {}", upto, e.what());
  }
  for (auto& r : fresh) {
    if (r.gseq > handed_gseq_) {
      out.push_back(std::move(r));
    } else if (auto it = from_log_.find(r.stream); it != from_log_.end() && r.seq >= it->second) {
      from_log_.erase(it);  // this very message was the last one read for its stream
    }
  }
  handed_gseq_ = std::max(handed_gseq_, upto);
  return out;
}

void Hub::offer(const std::vector<EventRecord>& records) {
  if (records.empty()) return;
  std::vector<std::shared_ptr<const PublishedEvent>> events;
  events.reserve(records.size());
  for (const auto& r : records)
    events.push_back(std::make_shared<const PublishedEvent>(PublishedEvent{
        r, std::make_shared<const std::string>(sse_frame(wire_event_id(r), r.type, r.payload))}));

  std::vector<Leave> leaves;
  std::vector<std::vector<std::shared_ptr<StreamConnection>>> targets(events.size());
  {
    std::lock_guard lock(mutex_);
    for (const auto& r : records) apply_membership(r, leaves);
    for (std::size_t i = 0; i < events.size(); ++i)
      if (auto it = subscribers_.find(records[i].stream); it != subscribers_.end())
        targets[i] = it->second;
  }
  for (std::size_t i = 0; i < events.size(); ++i)
    for (const auto& c : targets[i]) c->offer(events[i]);
  if (!leaves.empty()) {
    std::lock_guard lock(mutex_);
    for (const auto& [c, stream, seq] : leaves) {
      unsubscribe(c, stream);
      c->unfollow(stream, seq);
    }
  }
}

Hub::StreamCounts Hub::stream_counts() const {
  std::lock_guard lock(mutex_);
  StreamCounts counts;
  for (const auto& c : open_) {
    if (c->ended()) continue;
    if (c->own_stream().starts_with("bot:"))
      ++counts.bots;
    else
      ++counts.people;
  }
  return counts;
}

std::size_t Hub::open_streams() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& c : open_) n += c->ended() ? 0 : 1;
  return n;
}

std::size_t Hub::streams_of(const Uuid& owner) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& c : open_) n += (c->owner() == owner && !c->ended()) ? 1 : 0;
  return n;
}

void Hub::schedule_sweep() {
  if (stopping_) return;
  sweep_task_ = scheduler_.schedule(options_.sweep_interval_ms, [this] {
    sweep();
    schedule_sweep();
  });
}

void Hub::schedule_repair(std::int64_t delay_ms) {
  if (stopping_) return;
  repair_task_ = scheduler_.schedule(delay_ms, [this] {
    try {
      repair();
    } catch (const std::exception& e) {
      spdlog::warn("events: checking the log for missed events failed: {}", e.what());
    }
    schedule_repair(bus_.live() ? options_.repair_interval_ms : options_.offline_poll_ms);
  });
}

void Hub::repair() {
  std::vector<std::shared_ptr<StreamConnection>> all;
  {
    std::lock_guard lock(mutex_);
    all.assign(open_.begin(), open_.end());
  }
  std::set<std::string> followed;
  for (const auto& c : all)
    for (auto& stream : c->streams()) followed.insert(std::move(stream));
  const bool live = bus_.live();
  if (followed.empty()) {
    repair_seen_.clear();
    repair_was_live_ = live;
    return;
  }
  // Where every followed stream ends in the log now (one read, chunked for long IN lists).
  std::vector<std::string> streams(followed.begin(), followed.end());
  auto ends = db_.read_now([&](store::Connection& c) {
    std::map<std::string, std::int64_t> out;
    for (std::size_t at = 0; at < streams.size(); at += 500) {
      std::vector<std::string> part(
          streams.begin() + static_cast<std::ptrdiff_t>(at),
          streams.begin() + static_cast<std::ptrdiff_t>(std::min(at + 500, streams.size())));
      for (auto& [stream, seq] : last_seqs(c, part)) out[stream] = seq;
    }
    return out;
  });
  // While the bus is live, an event only counts as missed once it was already in the log at the
  // previous check (it may still be on its way through the bus); while it is not (or it just
  // came back), whatever the log holds beyond a stream's cursor is read now.
  const bool trust_bus = live && repair_was_live_;
  std::map<std::string, std::int64_t> due;
  for (const auto& [stream, end] : ends) {
    std::int64_t threshold = end;
    if (trust_bus) {
      auto seen = repair_seen_.find(stream);
      threshold = seen == repair_seen_.end() ? 0 : std::min(seen->second, end);
    }
    if (threshold > 0) due[stream] = threshold;
  }
  std::size_t repaired = 0;
  for (const auto& c : all) repaired += c->repair(due) ? 1 : 0;
  if (repaired > 0)
    spdlog::debug("events: {} stream(s) read missed events from the log (bus live={})", repaired,
                  live);
  repair_seen_ = std::move(ends);
  repair_was_live_ = live;
}

void Hub::sweep() {
  std::vector<std::shared_ptr<StreamConnection>> all;
  {
    std::lock_guard lock(mutex_);
    all.assign(open_.begin(), open_.end());
  }
  std::int64_t now = clock_.now_unix_ms();
  std::vector<std::pair<Uuid, Cursor>> due;
  for (const auto& c : all)
    if (auto cursor = c->sweep(now)) due.emplace_back(c->owner(), std::move(*cursor));
  save_positions(due);
}

void Hub::save_positions(const std::vector<std::pair<Uuid, Cursor>>& positions) {
  // One row per (owner, stream) however many streams of one owner are due (a bot may hold
  // thousands): the furthest position wins. One transaction for all of them (on the scheduler
  // thread, which may wait).
  std::map<Uuid, Cursor> merged;
  for (const auto& [owner, cursor] : positions)
    for (const auto& [stream, seq] : cursor) {
      auto [it, fresh] = merged[owner].emplace(stream, seq);
      if (!fresh) it->second = std::max(it->second, seq);
    }
  if (merged.empty()) return;
  try {
    auto saved = db_.transact_now([&](store::Connection& c) -> Status {
      for (const auto& [owner, cursor] : merged)
        events::save_positions(c, owner, cursor, clock_.now_unix_ms());
      return {};
    });
    if (!saved)
      spdlog::warn("events: could not save {} stream positions: {}", positions.size(),
                   saved.error().code);
  } catch (const std::exception& e) {
    spdlog::warn("events: could not save {} stream positions: {}", positions.size(), e.what());
  }
}

void Hub::shutdown() {
  if (stopping_.exchange(true)) return;
  bus_.unsubscribe(subscription_);
  scheduler_.cancel(sweep_task_);
  scheduler_.cancel(repair_task_);
  std::vector<std::pair<Uuid, Cursor>> positions;
  std::set<std::shared_ptr<StreamConnection>> open;
  {
    std::lock_guard lock(mutex_);
    for (const auto& c : open_) positions.emplace_back(c->owner(), c->cursor());
    // The streams (and their transports) go now: the server owning their sockets may be
    // destroyed before this hub is.
    open.swap(open_);
    subscribers_.clear();
  }
  save_positions(positions);
  for (const auto& c : open) c->end();
}

}  // namespace argon::events
