#include "argon/services/streams.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "argon/contracts/contracts.hpp"
#include "argon/store/spaces_repo.hpp"

namespace argon::services {
namespace json = boost::json;

Result<std::int64_t> StreamService::parse_intents(const std::string* text) {
  if (!text) return contracts::all_non_privileged_intents();
  std::int64_t value = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  bool ok = !text->empty() && ec == std::errc() && p == text->data() + text->size() && value >= 0;
  if (ok && (value == 0 || (value & contracts::all_intents()) != 0)) return value;
  return Error::forbidden("missing_intents", "No valid intents specified.");
}

std::int64_t StreamService::effective_intents(std::int64_t requested, bool verified) {
  std::int64_t mask = requested & contracts::all_intents();
  if (!verified)
    for (const auto& intent : contracts::intents())
      if (intent.privileged) mask &= ~intent.value;
  return mask;
}

StreamService::Start StreamService::resume_position(const Uuid& owner,
                                                    const std::string& own_stream,
                                                    const std::vector<std::string>& streams,
                                                    const std::optional<std::string>& resume) {
  Start start;
  auto followed = [&](const std::string& s) {
    return std::find(streams.begin(), streams.end(), s) != streams.end();
  };
  events::ResumeToken token;
  if (resume) {
    token = events::parse_resume_token(*resume, own_stream);
    start.resumed_always = !resume->empty();
  }
  if (!token.cursor.empty()) {
    for (const auto& [stream, seq] : token.cursor)
      if (followed(stream)) start.cursor[stream] = seq;
    return start;
  }
  if (token.event) {
    // One event id: everything committed after it, in every followed stream, was not seen.
    auto found = ctx_.db.read([&](store::Connection& c) -> std::optional<events::Cursor> {
      auto e = events::find(c, token.event->first, token.event->second);
      if (!e) return std::nullopt;
      return events::positions_at_gseq(c, streams, e->gseq);
    });
    if (found) {
      start.cursor = *found;
      return start;
    }
    if (followed(token.event->first)) start.cursor[token.event->first] = token.event->second;
  }
  // No usable id: where this owner's streams stopped, if that was recently.
  auto saved = ctx_.db.read([&](store::Connection& c) {
    return events::load_positions(c, owner, ctx_.now_ms() - limits_.resume_window_ms);
  });
  for (const auto& [stream, seq] : saved)
    if (followed(stream) && !start.cursor.count(stream)) start.cursor[stream] = seq;
  // Nothing saved either: the stream starts live, and events that arrive while it opens are
  // live events, not a replay (no `resumed`).
  if (!start.resumed_always) start.resumed_if_replayed = !start.cursor.empty();
  return start;
}

std::shared_ptr<events::StreamConnection> StreamService::open_bot(
    const BotIdentity& bot, std::int64_t intents, const std::optional<std::string>& resume,
    std::shared_ptr<events::FrameSink> sink, std::function<void()> on_closed) {
  std::int64_t effective = effective_intents(intents, bot.app.is_verified);
  auto spaces = ctx_.db.read(
      [&](store::Connection& c) { return store::members::space_ids_of(c, bot.user.id); });
  events::StreamSetup setup;
  setup.owner = bot.user.id;
  setup.own_stream = events::bot_stream(bot.user.id);
  setup.streams.push_back(setup.own_stream);
  json::array space_ids;
  for (const auto& id : spaces) {
    setup.streams.push_back(events::space_stream(id));
    space_ids.emplace_back(id.str());
  }
  auto start = resume_position(bot.user.id, setup.own_stream, setup.streams, resume);
  setup.start = std::move(start.cursor);
  setup.resumed_always = start.resumed_always;
  setup.resumed_if_replayed = start.resumed_if_replayed;
  setup.filter = [effective](const events::EventRecord& r) {
    const auto* decl = contracts::find_event_by_wire_name(r.type);
    if (!decl) return false;             // events only people see (interactionAcked, …)
    if (!decl->intent_bit) return true;  // lifecycle: always delivered
    return (effective & (std::int64_t{1} << *decl->intent_bit)) != 0;
  };
  setup.ready_payload =
      json::serialize(json::object{{"intents", effective}, {"spaceIds", std::move(space_ids)}});
  Uuid bot_user = bot.user.id;
  setup.on_closed = [this, bot_user, on_closed = std::move(on_closed)] {
    if (on_closed) on_closed();
    bot_presence(bot_user, -1);
  };
  bot_presence(bot_user, +1);
  return hub_.open(std::move(setup), std::move(sink));
}

std::shared_ptr<events::StreamConnection> StreamService::open_person(
    const User& person, const std::optional<std::string>& resume,
    std::shared_ptr<events::FrameSink> sink, std::function<void()> on_closed) {
  auto spaces = ctx_.db.read(
      [&](store::Connection& c) { return store::members::space_ids_of(c, person.id); });
  events::StreamSetup setup;
  setup.owner = person.id;
  setup.own_stream = events::user_stream(person.id);
  setup.streams.push_back(setup.own_stream);
  json::array space_ids;
  for (const auto& id : spaces) {
    setup.streams.push_back(events::space_stream(id));
    space_ids.emplace_back(id.str());
  }
  auto start = resume_position(person.id, setup.own_stream, setup.streams, resume);
  setup.start = std::move(start.cursor);
  setup.resumed_always = start.resumed_always;
  setup.resumed_if_replayed = start.resumed_if_replayed;
  setup.ready_payload = json::serialize(
      json::object{{"userId", person.id.str()}, {"spaceIds", std::move(space_ids)}});
  setup.on_closed = std::move(on_closed);
  return hub_.open(std::move(setup), std::move(sink));
}

void StreamService::bot_presence(const Uuid& bot_user_id, int delta) {
  bool changed = false;
  {
    std::lock_guard lock(presence_mutex_);
    int& n = open_streams_[bot_user_id];
    int before = n;
    n += delta;
    changed = (before == 0 && n == 1) || (before == 1 && n == 0);
    if (n <= 0) open_streams_.erase(bot_user_id);
  }
  if (!changed) return;
  Presence presence;
  presence.status = delta > 0 ? PresenceStatus::Online : PresenceStatus::Offline;
  (void)accounts_.set_presence(bot_user_id, presence);
}

}  // namespace argon::services
