// Services against a real SQLite store: slash commands (register, limits, update, delete, lists)
// and the interaction lifecycle (invoke, click, select, ack/defer, modal, submit, expiry).
#include "argon/events/event_log.hpp"
#include "argon/services/commands.hpp"
#include "argon/services/interactions.hpp"
#include "argon/services/services_test_fixture.hpp"

namespace argon::services::testing {
namespace {

class InteractionsTest : public HomeSpaceTest {
 protected:
  void SetUp() override {
    HomeSpaceTest::SetUp();
    dice_ = make_bot("dice_bot", true);
    other_ = make_bot("other_bot", true);
    outsider_ = make_bot("outsider_bot", false);
  }
  BotIdentity make_bot(const std::string& username, bool install) {
    auto created = sync_wait(bots_.create_app(alice_.id, {"Bot", username}));
    EXPECT_TRUE(created.ok());
    if (install) {
      EXPECT_TRUE(sync_wait(bots_.install(alice_.id, home_.space.id, created->app.id)).ok());
    }
    auto who = sync_wait(bots_.authenticate(created->token));
    EXPECT_TRUE(who.ok());
    return *who;
  }
  static CommandOption option(std::string name, CommandOptionType type, bool required = false) {
    return CommandOption{std::move(name), "An option", type, required, {}, {}};
  }
  Result<Command> reg(const BotIdentity& b, std::string name, std::optional<Uuid> space = {},
                      std::vector<CommandOption> options = {},
                      std::optional<bool> default_permission = {}) {
    return sync_wait(commands_.register_command(
        b, {std::move(name), "A command", space, std::move(options), default_permission}));
  }
  // /roll sides:integer (required)
  Command roll(std::optional<bool> default_permission = {}) {
    auto r = reg(dice_, "roll", {}, {option("sides", CommandOptionType::kInteger, true)},
                 default_permission);
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().code);
    return *r;
  }
  std::vector<events::EventRecord> bot_log(const BotIdentity& b) {
    return log(events::bot_stream(b.user.id));
  }
  std::vector<events::EventRecord> user_log(const User& u) {
    return log(events::user_stream(u.id));
  }
  // Snapshot of what a failed action must leave untouched.
  struct Written {
    std::int64_t interactions;
    std::size_t dice_events, other_events, bob_events, published;
    bool operator==(const Written&) const = default;
  };
  Written written() {
    return {rows("interactions"), bot_log(dice_).size(), bot_log(other_).size(),
            user_log(bob_).size(), sink_.size()};
  }
  static Control button(std::string id) {
    Control c;
    c.type = ControlType::kButton;
    c.variant = ButtonVariant::kCallback;
    c.label = "Go";
    c.id = std::move(id);
    return c;
  }
  static Control select(ControlType type, std::string custom_id) {
    Control c;
    c.type = type;
    c.custom_id = std::move(custom_id);
    if (type == ControlType::kStringSelect)
      c.options = std::vector<SelectOption>{
          {"Apple", "apple", {}, {}}, {"Pear", "pear", {}, {}}, {"Plum", "plum", {}, {}}};
    return c;
  }
  std::int64_t bot_message(const BotIdentity& b, std::vector<Control> row) {
    auto r =
        sync_wait(messages_.send(b.caller(), {general_, {"pick", {}, {ControlRow{row}}}, {}, {}}));
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().code + " " + r.error().message.value_or(""));
    return r ? r->message_id : 0;
  }
  Uuid invoke(const User& u, const Command& c, std::vector<SubmittedValue> options = {}) {
    auto r = sync_wait(interactions_.invoke_command(u.id, general_, c.id, options));
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().code + " " + r.error().message.value_or(""));
    return r ? *r : Uuid{};
  }
  static ModalDefinition modal() {
    ModalComponent name;
    name.type = ModalComponentType::kTextInput;
    name.custom_id = "name";
    name.label = "Name";
    name.style = TextInputStyle::kShort;
    name.min_length = 2;
    name.max_length = 5;
    ModalComponent agree;
    agree.type = ModalComponentType::kCheckbox;
    agree.custom_id = "agree";
    agree.label = "Agree";
    return ModalDefinition{"feedback", "Feedback", {name, agree}};
  }
  static ModalFieldValue text(std::string id, std::string v) {
    return {std::move(id), {std::move(v)}, true, false};
  }
  static ModalFieldValue boolean(std::string id, bool v) {
    return {std::move(id), {v ? "true" : "false"}, false, true};
  }
  template <class T>
  static void expect_error(const T& r, int status, const std::string& code) {
    ASSERT_FALSE(r.ok()) << "expected " << code;
    EXPECT_EQ(r.error().status, status);
    EXPECT_EQ(r.error().code, code) << r.error().message.value_or("");
  }

  CommandService commands_{ctx_};
  InteractionService interactions_{ctx_};
  BotIdentity dice_, other_, outsider_;
};

// ---------------------------------------------------------------------------------------------
// Commands

TEST_F(InteractionsTest, RegisterNormalizesStoresAndLists) {
  auto r = reg(dice_, "Roll", {},
               {option("Sides", CommandOptionType::kInteger, true),
                option("mode", CommandOptionType::kString)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "roll");
  EXPECT_EQ(r->app_id, dice_.app.id);
  EXPECT_FALSE(r->space_id.has_value());
  EXPECT_TRUE(r->default_permission);
  ASSERT_EQ(r->options.size(), 2u);
  EXPECT_EQ(r->options[0].name, "sides");
  auto listed = sync_wait(commands_.list(dice_));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, r->id);
  EXPECT_EQ(listed[0].options, r->options);
  EXPECT_TRUE(sync_wait(commands_.list(other_)).empty());
  auto scoped = reg(dice_, "local", home_.space.id, {}, false);
  ASSERT_TRUE(scoped.ok());
  EXPECT_EQ(scoped->space_id, home_.space.id);
  EXPECT_FALSE(scoped->default_permission);
}

TEST_F(InteractionsTest, RegisterRefusalsStoreNothing) {
  expect_error(reg(dice_, "two words"), 400, "invalid_name");
  expect_error(reg(dice_, std::string(33, 'a')), 400, "invalid_name");
  expect_error(sync_wait(commands_.register_command(dice_, {"ok", "  ", {}, {}, {}})), 400,
               "invalid_description");
  expect_error(
      sync_wait(commands_.register_command(dice_, {"ok", std::string(101, 'd'), {}, {}, {}})), 400,
      "invalid_description");
  auto bad = reg(dice_, "ok", {}, {option("a", CommandOptionType::kString), option("A", {})});
  expect_error(bad, 400, "validation_error");
  EXPECT_NE(bad.error().message->find("options[1].name"), std::string::npos);
  auto elsewhere = space_of(eve_, "Eve's");
  expect_error(reg(dice_, "ok", elsewhere.space.id), 403, "not_a_member");
  expect_error(reg(dice_, "ok", random_.uuid()), 403, "not_a_member");
  EXPECT_EQ(rows("commands"), 0);
}

TEST_F(InteractionsTest, FiftyCommandsPerScopeCountedSeparately) {
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(reg(dice_, "g" + std::to_string(i)).ok()) << i;
  expect_error(reg(dice_, "g50"), 400, "command_limit");
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(reg(dice_, "s" + std::to_string(i), home_.space.id).ok()) << i;
  expect_error(reg(dice_, "s50", home_.space.id), 400, "command_limit");
  EXPECT_TRUE(reg(other_, "g50").ok());  // another bot has its own scopes
  EXPECT_EQ(rows("commands"), 101);
  ASSERT_TRUE(
      sync_wait(commands_.delete_command(dice_, sync_wait(commands_.list(dice_))[0].id)).ok());
  EXPECT_TRUE(reg(dice_, "again").ok());
}

TEST_F(InteractionsTest, UpdateAndDeleteOnlyOwnCommands) {
  auto c = roll();
  auto up = sync_wait(commands_.update_command(
      dice_, {c.id, "New text", std::vector<CommandOption>{option("Faces", {})}, false}));
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->description, "New text");
  EXPECT_FALSE(up->default_permission);
  ASSERT_EQ(up->options.size(), 1u);
  EXPECT_EQ(up->options[0].name, "faces");
  EXPECT_EQ(up->name, "roll");
  auto keep = sync_wait(commands_.update_command(dice_, {c.id, {}, {}, {}}));
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(keep->description, "New text");
  EXPECT_EQ(keep->options, up->options);
  expect_error(sync_wait(commands_.update_command(dice_, {c.id, std::string(101, 'x'), {}, {}})),
               400, "invalid_description");
  expect_error(sync_wait(commands_.update_command(
                   dice_, {c.id, {}, std::vector<CommandOption>(26, option("x", {})), {}})),
               400, "validation_error");
  expect_error(sync_wait(commands_.update_command(other_, {c.id, "Mine now", {}, {}})), 404,
               "not_found");
  expect_error(sync_wait(commands_.update_command(dice_, {random_.uuid(), "x", {}, {}})), 404,
               "not_found");
  EXPECT_EQ(sync_wait(commands_.list(dice_))[0].description, "New text");

  expect_error(sync_wait(commands_.delete_command(other_, c.id)), 404, "not_found");
  ASSERT_TRUE(sync_wait(commands_.delete_command(dice_, c.id)).ok());
  expect_error(sync_wait(commands_.delete_command(dice_, c.id)), 404, "not_found");
  EXPECT_EQ(rows("commands"), 0);
}

TEST_F(InteractionsTest, ListsByNameAndPerSpace) {
  auto elsewhere = space_of(alice_, "Second");
  ASSERT_TRUE(sync_wait(bots_.install(alice_.id, elsewhere.space.id, dice_.app.id)).ok());
  ASSERT_TRUE(reg(dice_, "zeta").ok());
  ASSERT_TRUE(reg(dice_, "alpha", home_.space.id).ok());
  ASSERT_TRUE(reg(dice_, "mid", elsewhere.space.id).ok());
  ASSERT_TRUE(reg(other_, "beta").ok());
  ASSERT_TRUE(reg(outsider_, "hidden").ok());
  auto names = [](const std::vector<Command>& cs) {
    std::vector<std::string> out;
    for (const auto& c : cs) out.push_back(c.name);
    return out;
  };
  EXPECT_EQ(names(sync_wait(commands_.list(dice_))),
            (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_EQ(names(*sync_wait(commands_.list_for_space(dice_, home_.space.id))),
            (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_EQ(names(*sync_wait(commands_.list_for_space(dice_, elsewhere.space.id))),
            (std::vector<std::string>{"mid", "zeta"}));
  expect_error(sync_wait(commands_.list_for_space(other_, elsewhere.space.id)), 403,
               "not_a_member");
  // People see the commands of the bots installed in the space.
  EXPECT_EQ(names(*sync_wait(commands_.usable_in_space(bob_.id, home_.space.id))),
            (std::vector<std::string>{"alpha", "beta", "zeta"}));
  EXPECT_FALSE(sync_wait(commands_.usable_in_space(eve_.id, home_.space.id)).ok());
  // Each names its bot (people's clients match the bot's answers by it).
  auto usable = sync_wait(commands_.usable_in_space(bob_.id, home_.space.id));
  ASSERT_TRUE(usable.ok());
  for (const auto& c : *usable)
    EXPECT_EQ(c.bot_user_id, c.app_id == dice_.app.id ? dice_.user.id : other_.user.id) << c.name;
}

// ---------------------------------------------------------------------------------------------
// Invoking a command

TEST_F(InteractionsTest, InvokeEmitsCommandInteractionToTheOwningBotOnly) {
  auto c = roll();
  std::size_t before = bot_log(dice_).size();
  auto id = invoke(bob_, c, {{"SIDES", std::string("20")}});
  EXPECT_EQ(rows("interactions"), 1);
  auto events = bot_log(dice_);
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events.back().type, "commandInteraction");
  auto p = payload(events.back());
  EXPECT_EQ(p.at("interactionId").as_string(), id.str());
  EXPECT_EQ(p.at("spaceId").as_string(), home_.space.id.str());
  EXPECT_EQ(p.at("channelId").as_string(), general_.str());
  EXPECT_EQ(p.at("commandId").as_string(), c.id.str());
  EXPECT_EQ(p.at("commandName").as_string(), "roll");
  EXPECT_EQ(p.at("user").at("userId").as_string(), bob_.id.str());
  EXPECT_EQ(p.at("options"), boost::json::parse(R"([{"name":"sides","type":1,"value":20}])"));
  EXPECT_EQ(count_of(bot_log(other_), "commandInteraction"), 0u);
  EXPECT_EQ(count_of(space_log(home_), "commandInteraction"), 0u);
  EXPECT_EQ(sink_.count("commandInteraction"), 1u);

  // Every type converts; ids must exist in the space.
  auto all = reg(dice_, "all", {},
                 {option("n", CommandOptionType::kNumber), option("b", CommandOptionType::kBoolean),
                  option("u", CommandOptionType::kUser), option("ch", CommandOptionType::kChannel),
                  option("r", CommandOptionType::kRole)});
  ASSERT_TRUE(all.ok());
  invoke(alice_, *all,
         {{"n", std::string("1.5")},
          {"b", std::string("true")},
          {"u", bob_.id.str()},
          {"ch", voice_.str()},
          {"r", home_.archetypes[0].id.str()}});
  auto q = payload(bot_log(dice_).back());
  EXPECT_DOUBLE_EQ(q.at("options").as_array()[0].at("value").as_double(), 1.5);
  EXPECT_EQ(q.at("options").as_array()[1].at("value"), boost::json::value(true));
  EXPECT_EQ(q.at("options").as_array()[2].at("type").as_int64(), 3);
}

TEST_F(InteractionsTest, InvokeFailuresWriteNothing) {
  auto c = roll();
  auto ids = reg(dice_, "ids", {},
                 {option("u", CommandOptionType::kUser), option("ch", CommandOptionType::kChannel),
                  option("r", CommandOptionType::kRole)});
  auto hidden = reg(outsider_, "hidden");
  auto elsewhere = space_of(alice_, "Second");
  ASSERT_TRUE(sync_wait(bots_.install(alice_.id, elsewhere.space.id, dice_.app.id)).ok());
  auto foreign_scope = reg(dice_, "there", elsewhere.space.id);
  auto restricted = reg(dice_, "admin", {}, {}, false);
  ASSERT_TRUE(ids.ok() && hidden.ok() && foreign_scope.ok() && restricted.ok());
  auto eve_space = space_of(eve_, "Eve's");
  const Uuid eve_channel = channel_named(eve_space, "general").id;
  Written w = written();
  auto attempt = [&](const User& u, const Uuid& cmd, std::vector<SubmittedValue> values,
                     const Uuid& channel) {
    return sync_wait(interactions_.invoke_command(u.id, channel, cmd, values));
  };
  expect_error(attempt(bob_, random_.uuid(), {}, general_), 404, "not_found");
  expect_error(attempt(bob_, hidden->id, {}, general_), 404, "not_found");
  expect_error(attempt(bob_, foreign_scope->id, {}, general_), 404, "not_found");
  expect_error(attempt(bob_, c.id, {{"sides", std::string("6")}}, voice_), 400, "not_text_channel");
  expect_error(attempt(bob_, c.id, {}, general_), 400, "validation_error");
  expect_error(attempt(bob_, c.id, {{"sides", std::string("six")}}, general_), 400,
               "validation_error");
  expect_error(attempt(bob_, c.id, {{"sides", std::int64_t{6}}, {"extra", true}}, general_), 400,
               "validation_error");
  expect_error(attempt(bob_, ids->id, {{"u", eve_.id.str()}}, general_), 400, "validation_error");
  expect_error(attempt(bob_, ids->id, {{"ch", eve_channel.str()}}, general_), 400,
               "validation_error");
  expect_error(attempt(bob_, ids->id, {{"r", random_.uuid().str()}}, general_), 400,
               "validation_error");
  expect_error(attempt(bob_, restricted->id, {}, general_), 403, "missing_permission");
  EXPECT_FALSE(attempt(eve_, c.id, {{"sides", std::int64_t{6}}}, general_).ok());
  EXPECT_FALSE(attempt(bob_, c.id, {{"sides", std::int64_t{6}}}, eve_channel).ok());
  EXPECT_EQ(written(), w);

  // Without UseCommands on the default archetype nobody but the owner may run commands.
  const Archetype* everyone = nullptr;
  for (const auto& a : home_.archetypes)
    if (a.is_default) everyone = &a;
  ASSERT_NE(everyone, nullptr);
  ASSERT_TRUE(sync_wait(spaces_.update_archetype(
                            alice_.id, home_.space.id, everyone->id,
                            {{}, {}, everyone->permissions & ~entitlement::kUseCommands}))
                  .ok());
  w = written();
  auto denied = attempt(bob_, c.id, {{"sides", std::int64_t{6}}}, general_);
  expect_error(denied, 403, "missing_permission");
  EXPECT_EQ(written(), w);
  // The owner holds everything, ManageServer included.
  EXPECT_TRUE(attempt(alice_, restricted->id, {}, general_).ok());
  EXPECT_TRUE(attempt(alice_, c.id, {{"sides", std::int64_t{6}}}, general_).ok());
}

// ---------------------------------------------------------------------------------------------
// Buttons and selects

TEST_F(InteractionsTest, ClickEmitsControlInteraction) {
  auto mid = bot_message(dice_, {button("go")});
  auto id = sync_wait(interactions_.click(bob_.id, mid, "go"));
  ASSERT_TRUE(id.ok()) << id.error().code;
  auto events = bot_log(dice_);
  ASSERT_EQ(events.back().type, "controlInteraction");
  auto p = payload(events.back());
  EXPECT_EQ(p.at("interactionId").as_string(), id->str());
  EXPECT_EQ(p.at("controlType").as_int64(), 0);
  EXPECT_EQ(p.at("messageId").as_int64(), mid);
  EXPECT_EQ(p.at("channelId").as_string(), general_.str());
  EXPECT_EQ(p.at("spaceId").as_string(), home_.space.id.str());
  EXPECT_EQ(p.at("user").at("userId").as_string(), bob_.id.str());
  EXPECT_EQ(p.at("controlId").as_string(), "go");
  EXPECT_EQ(count_of(bot_log(other_), "controlInteraction"), 0u);
  EXPECT_TRUE(sync_wait(interactions_.ack(dice_, *id)).ok());
  expect_error(sync_wait(interactions_.ack(other_, *id)), 404, "interaction_not_found");
}

TEST_F(InteractionsTest, ClickRefusalsWriteNothing) {
  auto disabled = button("off");
  disabled.disabled = true;
  Control link;
  link.type = ControlType::kButton;
  link.variant = ButtonVariant::kLink;
  link.label = "Site";
  link.url = "https://example.org";
  auto gated = button("gated");
  auto gate = sync_wait(spaces_.create_archetype(alice_.id, home_.space.id, {"gate", {}, {}, {}}));
  ASSERT_TRUE(gate.ok());
  gated.required_archetype_id = gate->id;
  auto mid = bot_message(dice_, {button("go"), disabled, link, gated});
  auto plain = send(bob_, "a person's message");
  ASSERT_TRUE(plain.ok());
  Written w = written();
  expect_error(sync_wait(interactions_.click(bob_.id, mid, "nope")), 404, "control_not_found");
  expect_error(sync_wait(interactions_.click(bob_.id, 12345, "go")), 404, "message_not_found");
  expect_error(sync_wait(interactions_.click(bob_.id, plain->message_id, "go")), 404,
               "control_not_found");
  expect_error(sync_wait(interactions_.click(bob_.id, mid, "off")), 400, "control_disabled");
  expect_error(sync_wait(interactions_.click(bob_.id, mid, "")), 404, "control_not_found");
  expect_error(sync_wait(interactions_.click(bob_.id, mid, "gated")), 403, "archetype_required");
  EXPECT_FALSE(sync_wait(interactions_.click(eve_.id, mid, "go")).ok());
  EXPECT_EQ(written(), w);
  {  // the link button has no id: it can never be clicked
    auto r = sync_wait(interactions_.click(bob_.id, mid, "Site"));
    expect_error(r, 404, "control_not_found");
  }
  // The owner bypasses the gate; bob passes once he holds the archetype.
  EXPECT_TRUE(sync_wait(interactions_.click(alice_.id, mid, "gated")).ok());
  ASSERT_TRUE(
      sync_wait(spaces_.assign_archetype(alice_.id, home_.space.id, bob_.id, gate->id, true)).ok());
  EXPECT_TRUE(sync_wait(interactions_.click(bob_.id, mid, "gated")).ok());
}

TEST_F(InteractionsTest, SelectValuesAreChecked) {
  auto fruit = select(ControlType::kStringSelect, "fruit");
  fruit.min_values = 1;
  fruit.max_values = 2;
  auto mid = bot_message(dice_, {fruit});
  auto who_mid = bot_message(dice_, {select(ControlType::kUserSelect, "who")});
  auto where_mid = bot_message(dice_, {select(ControlType::kChannelSelect, "where")});
  auto role_mid = bot_message(dice_, {select(ControlType::kArchetypeSelect, "role")});
  Written w = written();
  using V = std::vector<std::string>;
  expect_error(sync_wait(interactions_.select(bob_.id, mid, "fruit", V{})), 400,
               "validation_error");
  expect_error(sync_wait(interactions_.select(bob_.id, mid, "fruit", V{"apple", "pear", "plum"})),
               400, "validation_error");
  expect_error(sync_wait(interactions_.select(bob_.id, mid, "fruit", V{"kiwi"})), 400,
               "validation_error");
  expect_error(sync_wait(interactions_.select(bob_.id, mid, "fruit", V{"apple", "apple"})), 400,
               "validation_error");
  expect_error(sync_wait(interactions_.select(bob_.id, mid, "Fruit", V{"apple"})), 404,
               "control_not_found");
  expect_error(
      sync_wait(interactions_.select(bob_.id, who_mid, "who", V{bob_.id.str(), alice_.id.str()})),
      400, "validation_error");  // default max 1
  expect_error(sync_wait(interactions_.select(bob_.id, who_mid, "who", V{eve_.id.str()})), 400,
               "validation_error");
  expect_error(sync_wait(interactions_.select(bob_.id, who_mid, "who", V{"x"})), 400,
               "validation_error");
  expect_error(
      sync_wait(interactions_.select(bob_.id, where_mid, "where", V{random_.uuid().str()})), 400,
      "validation_error");
  expect_error(sync_wait(interactions_.select(bob_.id, role_mid, "role", V{random_.uuid().str()})),
               400, "validation_error");
  EXPECT_EQ(written(), w);

  auto id = sync_wait(interactions_.select(bob_.id, mid, "fruit", V{"pear", "apple"}));
  ASSERT_TRUE(id.ok());
  auto p = payload(bot_log(dice_).back());
  EXPECT_EQ(bot_log(dice_).back().type, "selectInteraction");
  EXPECT_EQ(p.at("interactionId").as_string(), id->str());
  EXPECT_EQ(p.at("controlType").as_int64(), 1);
  EXPECT_EQ(p.at("customId").as_string(), "fruit");
  EXPECT_EQ(p.at("messageId").as_int64(), mid);
  EXPECT_EQ(p.at("values"), boost::json::parse(R"(["pear","apple"])"));
  EXPECT_TRUE(sync_wait(interactions_.select(bob_.id, who_mid, "who", V{alice_.id.str()})).ok());
  EXPECT_TRUE(sync_wait(interactions_.select(bob_.id, where_mid, "where", V{voice_.str()})).ok());
  EXPECT_TRUE(
      sync_wait(interactions_.select(bob_.id, role_mid, "role", V{home_.archetypes[0].id.str()}))
          .ok());
  EXPECT_EQ(rows("interactions"), 4);
}

// ---------------------------------------------------------------------------------------------
// Ack, defer, expiry

TEST_F(InteractionsTest, AckAndDeferRepeatUntilExpiry) {
  auto id = invoke(bob_, roll(), {{"sides", std::int64_t{6}}});
  ASSERT_TRUE(sync_wait(interactions_.defer(dice_, id)).ok());
  ASSERT_TRUE(sync_wait(interactions_.ack(dice_, id)).ok());
  ASSERT_TRUE(sync_wait(interactions_.ack(dice_, id)).ok());
  auto events = user_log(bob_);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "interactionDeferred");
  EXPECT_EQ(events[1].type, "interactionAcked");
  EXPECT_EQ(payload(events[0]), boost::json::parse(R"({"interactionId":")" + id.str() + "\"}"));
  EXPECT_TRUE(user_log(alice_).empty());

  std::size_t before = user_log(bob_).size();
  expect_error(sync_wait(interactions_.ack(other_, id)), 404, "interaction_not_found");
  expect_error(sync_wait(interactions_.defer(other_, id)), 404, "interaction_not_found");
  expect_error(sync_wait(interactions_.ack(dice_, random_.uuid())), 404, "interaction_not_found");
  clock_.advance_ms(ctx_.limits.interaction_ttl_ms - 1);
  EXPECT_TRUE(sync_wait(interactions_.ack(dice_, id)).ok());
  clock_.advance_ms(1);
  expect_error(sync_wait(interactions_.ack(dice_, id)), 404, "interaction_not_found");
  expect_error(sync_wait(interactions_.defer(dice_, id)), 404, "interaction_not_found");
  expect_error(sync_wait(interactions_.show_modal(dice_, id, modal())), 404,
               "interaction_not_found");
  EXPECT_EQ(user_log(bob_).size(), before + 1);
  clock_.advance_ms(3600 * 1000);  // kept an hour past expiry
  EXPECT_EQ(sync_wait(interactions_.prune_expired()), 0);
  clock_.advance_ms(1);
  EXPECT_EQ(sync_wait(interactions_.prune_expired()), 1);
  EXPECT_EQ(rows("interactions"), 0);
}

// ---------------------------------------------------------------------------------------------
// Modals

TEST_F(InteractionsTest, InvalidModalConsumesNothing) {
  auto id = invoke(bob_, roll(), {{"sides", std::int64_t{6}}});
  auto bad = modal();
  bad.title = "";
  Written w = written();
  expect_error(sync_wait(interactions_.show_modal(dice_, id, bad)), 400, "validation_error");
  expect_error(sync_wait(interactions_.show_modal(other_, id, modal())), 404,
               "interaction_not_found");
  EXPECT_EQ(written(), w);
  EXPECT_TRUE(sync_wait(interactions_.ack(dice_, id)).ok());
}

TEST_F(InteractionsTest, ModalConsumesAndSubmitEmitsModalSubmit) {
  auto id = invoke(bob_, roll(), {{"sides", std::int64_t{6}}});
  auto shown = sync_wait(interactions_.show_modal(dice_, id, modal()));
  ASSERT_TRUE(shown.ok());
  EXPECT_NE(*shown, id);
  auto feed = user_log(bob_);
  ASSERT_EQ(feed.back().type, "showModal");
  auto p = payload(feed.back());
  EXPECT_EQ(p.at("interactionId").as_string(), shown->str());
  EXPECT_EQ(p.at("modal").at("customId").as_string(), "feedback");
  EXPECT_EQ(p.at("modal").at("components").as_array().size(), 2u);
  expect_error(sync_wait(interactions_.ack(dice_, id)), 404, "interaction_not_found");
  expect_error(sync_wait(interactions_.show_modal(dice_, id, modal())), 404,
               "interaction_not_found");

  Written w = written();
  using F = std::vector<ModalFieldValue>;
  auto submit = [&](const User& u, F values) {
    return sync_wait(interactions_.submit_modal(u.id, *shown, values));
  };
  expect_error(submit(alice_, {text("name", "Bob")}), 404, "interaction_not_found");
  expect_error(sync_wait(interactions_.submit_modal(bob_.id, id, {text("name", "Bob")})), 404,
               "interaction_not_found");
  expect_error(submit(bob_, {}), 400, "validation_error");  // name is required by default
  expect_error(submit(bob_, {text("name", "")}), 400, "validation_error");
  expect_error(submit(bob_, {text("name", "B")}), 400, "validation_error");       // < 2
  expect_error(submit(bob_, {text("name", "Bobbie")}), 400, "validation_error");  // > 5
  expect_error(submit(bob_, {text("name", "Bob"), text("zzz", "x")}), 400, "validation_error");
  expect_error(submit(bob_, {text("name", "Bob"), text("agree", "yes")}), 400, "validation_error");
  expect_error(submit(bob_, {boolean("name", true)}), 400, "validation_error");
  EXPECT_EQ(written(), w);

  auto sub = submit(bob_, {text("name", "Bo"), boolean("agree", true)});
  ASSERT_TRUE(sub.ok()) << sub.error().message.value_or("");
  auto ev = bot_log(dice_).back();
  EXPECT_EQ(ev.type, "modalSubmit");
  auto q = payload(ev);
  EXPECT_EQ(q.at("interactionId").as_string(), sub->str());
  EXPECT_EQ(q.at("customId").as_string(), "feedback");
  EXPECT_EQ(q.at("channelId").as_string(), general_.str());
  EXPECT_EQ(q.at("spaceId").as_string(), home_.space.id.str());
  EXPECT_EQ(q.at("user").at("userId").as_string(), bob_.id.str());
  EXPECT_EQ(q.at("values"), boost::json::parse(R"([{"customId":"name","values":["Bo"]},
                                                   {"customId":"agree","values":["true"]}])"));
  EXPECT_EQ(count_of(bot_log(other_), "modalSubmit"), 0u);
  expect_error(submit(bob_, {text("name", "Bob")}), 404, "interaction_not_found");
  EXPECT_TRUE(sync_wait(interactions_.ack(dice_, *sub)).ok());  // the submission is live
  expect_error(sync_wait(interactions_.ack(other_, *sub)), 404, "interaction_not_found");
}

TEST_F(InteractionsTest, ModalDefaultsAndExpiry) {
  auto m = modal();
  m.components[0].required = false;
  auto first =
      sync_wait(interactions_.show_modal(dice_, invoke(bob_, roll(), {{"sides", 6.0}}), m));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(sync_wait(interactions_.submit_modal(bob_.id, *first, {})).ok());
  EXPECT_EQ(payload(bot_log(dice_).back()).at("values"),
            boost::json::parse(R"([{"customId":"agree","values":["false"]}])"));

  auto second =
      sync_wait(interactions_.show_modal(dice_, invoke(bob_, roll(), {{"sides", 6.0}}), modal()));
  ASSERT_TRUE(second.ok());
  clock_.advance_ms(ctx_.limits.interaction_ttl_ms);
  Written w = written();
  expect_error(sync_wait(interactions_.submit_modal(bob_.id, *second, {text("name", "Bob")})), 404,
               "interaction_not_found");
  EXPECT_EQ(written(), w);
}

}  // namespace
}  // namespace argon::services::testing
