#include "argon/services/streams.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <thread>

#include <spdlog/spdlog.h>

#include "argon/contracts/contracts.hpp"
#include "argon/services/local_state.hpp"
#include "argon/store/spaces_repo.hpp"

namespace argon::services {
namespace json = boost::json;

json::object ready_space_json(const Uuid& space_id, Entitlements granted) {
  // An unsigned JSON integer: ManageServer (1 << 55) and the higher bits stay exact.
  return json::object{{"spaceId", space_id.str()},
                      {"grantedEntitlements", static_cast<std::uint64_t>(granted)},
                      {"pendingApproval", false}};
}

StreamService::StreamService(Context& ctx, events::Hub& hub, AccountService& accounts,
                             StreamLimits limits, PresenceCounter* presence)
    : ctx_(ctx),
      hub_(hub),
      accounts_(accounts),
      limits_(limits),
      owned_presence_(presence ? nullptr : std::make_unique<LocalPresenceCounter>()),
      presence_(presence ? *presence : *owned_presence_) {}

StreamService::~StreamService() = default;

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

Task<StreamService::Start> StreamService::resume_position(
    const Uuid& owner, const std::string& own_stream, const std::vector<std::string>& streams,
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
    co_return start;
  }
  if (token.event) {
    // One event id: everything committed after it, in every followed stream, was not seen.
    auto found = co_await ctx_.db.read([&](store::Connection& c) -> std::optional<events::Cursor> {
      auto e = events::find(c, token.event->first, token.event->second);
      if (!e) return std::nullopt;
      return events::positions_at_gseq(c, streams, e->gseq);
    });
    if (found) {
      start.cursor = *found;
      co_return start;
    }
    if (followed(token.event->first)) start.cursor[token.event->first] = token.event->second;
  }
  // No usable id: where this owner's streams stopped, if that was recently.
  auto saved = co_await ctx_.db.read([&](store::Connection& c) {
    return events::load_positions(c, owner, ctx_.now_ms() - limits_.resume_window_ms);
  });
  for (const auto& [stream, seq] : saved)
    if (followed(stream) && !start.cursor.count(stream)) start.cursor[stream] = seq;
  // Nothing saved either: the stream starts live, and events that arrive while it opens are
  // live events, not a replay (no `resumed`).
  if (!start.resumed_always) start.resumed_if_replayed = !start.cursor.empty();
  co_return start;
}

Task<events::StreamSetup> StreamService::prepare_bot(BotIdentity bot, std::int64_t intents,
                                                     std::optional<std::string> resume) {
  std::int64_t effective = effective_intents(intents, bot.app.is_verified);
  // Each space with the bot's effective entitlements there (the OR of its archetypes).
  auto spaces = co_await ctx_.db.read([&](store::Connection& c) {
    std::vector<std::pair<Uuid, Entitlements>> out;
    for (const auto& id : store::members::space_ids_of(c, bot.user.id))
      out.emplace_back(id, store::members::permission_mask(c, id, bot.user.id));
    return out;
  });
  events::StreamSetup setup;
  setup.owner = bot.user.id;
  setup.own_stream = events::bot_stream(bot.user.id);
  setup.streams.push_back(setup.own_stream);
  json::array space_ids;
  json::array space_infos;
  for (const auto& [id, granted] : spaces) {
    setup.streams.push_back(events::space_stream(id));
    space_ids.emplace_back(id.str());
    space_infos.push_back(ready_space_json(id, granted));
  }
  auto start = co_await resume_position(bot.user.id, setup.own_stream, setup.streams, resume);
  setup.start = std::move(start.cursor);
  setup.resumed_always = start.resumed_always;
  setup.resumed_if_replayed = start.resumed_if_replayed;
  setup.filter = [effective](const events::EventRecord& r) {
    const auto* decl = contracts::find_event_by_wire_name(r.type);
    if (!decl) return false;             // events only people see (interactionAcked, …)
    if (!decl->intent_bit) return true;  // lifecycle: always delivered
    return (effective & (std::int64_t{1} << *decl->intent_bit)) != 0;
  };
  setup.ready_payload = json::serialize(json::object{{"intents", effective},
                                                     {"spaceIds", std::move(space_ids)},
                                                     {"spaces", std::move(space_infos)}});
  co_return setup;
}

Task<std::shared_ptr<events::StreamConnection>> StreamService::attach_bot(
    events::StreamSetup setup, std::shared_ptr<events::FrameSink> sink,
    std::function<void()> on_closed) {
  Uuid bot_user = setup.owner;
  setup.on_closed = [this, bot_user, on_closed = std::move(on_closed)] {
    if (on_closed) on_closed();
    bot_closed(bot_user);
  };
  co_await bot_opened(bot_user);
  auto connection = co_await hub_.open(std::move(setup), std::move(sink));
  co_return connection;
}

Task<std::shared_ptr<events::StreamConnection>> StreamService::open_bot(
    BotIdentity bot, std::int64_t intents, std::optional<std::string> resume,
    std::shared_ptr<events::FrameSink> sink, std::function<void()> on_closed) {
  auto setup = co_await prepare_bot(std::move(bot), intents, std::move(resume));
  auto connection = co_await attach_bot(std::move(setup), std::move(sink), std::move(on_closed));
  co_return connection;
}

Task<events::StreamSetup> StreamService::prepare_person(User person,
                                                        std::optional<std::string> resume) {
  auto spaces = co_await ctx_.db.read(
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
  auto start = co_await resume_position(person.id, setup.own_stream, setup.streams, resume);
  setup.start = std::move(start.cursor);
  setup.resumed_always = start.resumed_always;
  setup.resumed_if_replayed = start.resumed_if_replayed;
  setup.ready_payload = json::serialize(
      json::object{{"userId", person.id.str()}, {"spaceIds", std::move(space_ids)}});
  co_return setup;
}

Task<std::shared_ptr<events::StreamConnection>> StreamService::attach_person(
    events::StreamSetup setup, std::shared_ptr<events::FrameSink> sink,
    std::function<void()> on_closed) {
  setup.on_closed = std::move(on_closed);
  auto connection = co_await hub_.open(std::move(setup), std::move(sink));
  co_return connection;
}

Task<std::shared_ptr<events::StreamConnection>> StreamService::open_person(
    User person, std::optional<std::string> resume, std::shared_ptr<events::FrameSink> sink,
    std::function<void()> on_closed) {
  auto setup = co_await prepare_person(std::move(person), std::move(resume));
  auto connection = co_await attach_person(std::move(setup), std::move(sink), std::move(on_closed));
  co_return connection;
}

Task<void> StreamService::bot_opened(Uuid bot_user_id) {
  int open = co_await presence_.add(bot_user_id, +1);
  if (open != 1) co_return;
  Presence online;
  online.status = PresenceStatus::Online;
  auto set = co_await accounts_.set_presence(bot_user_id, online);
  if (!set)
    spdlog::warn("streams: presence of bot {} not updated: {}", bot_user_id.str(),
                 set.error().code);
}

void StreamService::bot_closed(Uuid bot_user_id) {
  presence_updates_pending_.fetch_add(1);
  start_background(
      ctx_, [this, bot_user_id] { return bot_left(bot_user_id); }, "bot presence");
}

Task<Status> StreamService::bot_left(Uuid bot_user_id) {
  // Pending until the whole update (the count and the Offline it may announce) is done: a
  // stopping node waits for it before it closes the store.
  struct Done {
    std::atomic<int>& pending;
    ~Done() { pending.fetch_sub(1); }
  } done{presence_updates_pending_};
  int open = co_await presence_.add(bot_user_id, -1);
  if (open != 0) co_return Status{};
  auto offline = co_await go_offline(bot_user_id);
  co_return offline;
}

bool StreamService::wait_presence_settled(std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (presence_updates_pending_.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

Task<Status> StreamService::go_offline(Uuid bot_user_id) {
  Presence offline;
  offline.status = PresenceStatus::Offline;
  auto set = co_await accounts_.set_presence(bot_user_id, offline);
  co_return set;
}

}  // namespace argon::services
