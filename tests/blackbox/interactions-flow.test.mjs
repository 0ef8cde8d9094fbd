// The "done when" scenario end to end: a bot registers /roll sides:integer, a person runs
// it, the bot defers, opens a modal, the person submits it, the bot replies with buttons, the
// person clicks one and the bot edits its message. Every step is asserted on the bot's stream
// (GET /IEvents/v1/Stream) and on the person's feed (GET /api/v1/events).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, expectStatus, expectEmpty200, interactionWorld, runCommand, HIGH_RATE_LIMITS, UUID_RE,
} from './harness.mjs';
import { openBotStream, openPersonFeed, openReady, isEvent, parseDirectEventId } from './sse.mjs';

let server, c;

before(async () => { server = await startServer({ env: { ...HIGH_RATE_LIMITS } }); c = api(server); });
after(async () => { await server?.stop(); });

test('/roll: invoke → defer → modal → submit → reply with buttons → click → edit', async () => {
  const w = await interactionWorld(server);
  const person = w.member;
  const botStream = await openReady(() => openBotStream(server, w.app.token));
  const feed = await openReady(() => openPersonFeed(server, person.token));
  const otherBot = await openReady(() => openBotStream(server, w.other.app.token));
  const direct = [];
  const onBot = async (name) => {
    const f = await botStream.next(isEvent(name));
    if (name !== 'messageCreate' && name !== 'messageEdit') {
      assert.ok(parseDirectEventId(f.id), `${name} on the bot's own stream: ${f.id}`);
      direct.push(parseDirectEventId(f.id));
    }
    return f;
  };
  try {
    // 1. The bot registers /roll sides:integer.
    const reg = await c.post('/ICommands/v1/Register', {
      name: 'roll', description: 'Roll a die',
      options: [{ name: 'sides', description: 'How many sides', type: 'integer', required: true }],
    }, w.tok);
    expectStatus(reg, 200);
    const commandId = reg.body.commandId;
    const listed = await c.get(`/api/v1/spaces/${w.sid}/commands`, person.token);
    expectStatus(listed, 200);
    assert.deepEqual(listed.body.commands.map((x) => [x.name, x.appId, x.botUserId, x.options[0].type]),
      [['roll', w.app.appId, w.botUserId, 1]]);

    // 2. The person runs /roll sides:20.
    const run = await runCommand(server, person, w.general, commandId, [{ name: 'sides', value: '20' }]);
    expectStatus(run, 200);
    const invoked = run.body.interactionId;
    assert.match(invoked, UUID_RE);
    const ci = await onBot('commandInteraction');
    assert.equal(ci.data.interactionId, invoked);
    assert.equal(ci.data.commandName, 'roll');
    assert.equal(ci.data.channelId, w.general);
    assert.equal(ci.data.spaceId, w.sid);
    assert.equal(ci.data.user.userId, person.userId);
    assert.deepEqual(ci.data.options, [{ name: 'sides', type: 1, value: 20 }]);

    // 3. The bot defers; the person sees it.
    expectEmpty200(await c.post('/IInteractions/v1/Defer', { interactionId: invoked }, w.tok));
    assert.deepEqual((await feed.next(isEvent('interactionDeferred'))).data, { interactionId: invoked });

    // 4. The bot opens a modal; the person sees showModal.
    const modal = {
      customId: 'roll_note', title: 'Roll note',
      components: [{ type: 'textInput', customId: 'note', label: 'Why roll?', style: 'paragraph', maxLength: 50 }],
    };
    const shown = await c.post('/IInteractions/v1/Modal', { interactionId: invoked, modal }, w.tok);
    expectStatus(shown, 200);
    const modalId = shown.body.modalInteractionId;
    const sm = await feed.next(isEvent('showModal'));
    assert.equal(sm.data.interactionId, modalId);
    assert.equal(sm.data.modal.customId, 'roll_note');
    assert.equal(sm.data.modal.title, 'Roll note');
    assert.equal(sm.data.modal.components[0].customId, 'note');

    // 5. The person submits it; the bot gets modalSubmit.
    const sub = await c.post(`/api/v1/interactions/${modalId}/modal`, { values: [{ customId: 'note', value: 'for luck' }] }, person.token);
    expectStatus(sub, 200);
    const submitted = sub.body.interactionId;
    const ms = await onBot('modalSubmit');
    assert.equal(ms.data.interactionId, submitted);
    assert.equal(ms.data.customId, 'roll_note');
    assert.equal(ms.data.user.userId, person.userId);
    assert.deepEqual(ms.data.values, [{ customId: 'note', values: ['for luck'] }]);
    expectEmpty200(await c.post('/IInteractions/v1/Ack', { interactionId: submitted }, w.tok));
    assert.deepEqual((await feed.next(isEvent('interactionAcked'))).data, { interactionId: submitted });

    // 6. The bot replies with buttons.
    const rep = await c.post('/IInteractions/v1/Reply', {
      channelId: w.general, text: 'You rolled 17', randomId: 17,
      controls: [{ controls: [{ type: 0, variant: 0, label: 'Reroll', id: 'reroll' }, { type: 0, variant: 0, label: 'Keep', id: 'keep' }] }],
    }, w.tok);
    expectStatus(rep, 200);
    const messageId = String(rep.body.messageId);
    for (const s of [feed, botStream]) {
      const mc = await s.next(isEvent('messageCreate', (f) => String(f.data.message?.messageId) === messageId));
      assert.equal(mc.data.message.text, 'You rolled 17');
      assert.deepEqual(mc.data.message.controls[0].controls.map((b) => b.id), ['reroll', 'keep']);
    }

    // 7. The person clicks Reroll; the bot gets controlInteraction and acknowledges it.
    const clk = await c.post(`/api/v1/messages/${messageId}/controls/reroll`, undefined, person.token);
    expectStatus(clk, 200);
    const clicked = clk.body.interactionId;
    const ctl = await onBot('controlInteraction');
    assert.equal(ctl.data.interactionId, clicked);
    assert.equal(ctl.data.controlId, 'reroll');
    assert.equal(ctl.data.controlType, 0);
    assert.equal(String(ctl.data.messageId), messageId);
    expectEmpty200(await c.post('/IInteractions/v1/Ack', { interactionId: clicked }, w.tok));
    assert.deepEqual((await feed.next(isEvent('interactionAcked'))).data, { interactionId: clicked });

    // 8. The bot edits its message: new text, buttons removed.
    expectEmpty200(await c.patch('/IInteractions/v1/EditMessage', { channelId: w.general, messageId, text: 'You rolled 4', controls: [] }, w.tok));
    for (const s of [feed, botStream]) {
      const me = await s.next(isEvent('messageEdit', (f) => String(f.data.messageId) === messageId));
      assert.equal(me.data.text, 'You rolled 4');
      assert.equal(me.data.channelId, w.general);
    }
    const hist = await c.get(`/api/v1/channels/${w.general}/messages`, person.token);
    const m = hist.body.messages.find((x) => String(x.messageId) === messageId);
    assert.equal(m.text, 'You rolled 4');
    assert.ok(m.controls === null || m.controls.length === 0, JSON.stringify(m.controls));

    // The bot's own events came in order on its direct stream; the other bot saw none of them,
    // and nothing bot-only reached the person.
    assert.deepEqual(direct, [...direct].sort((a, b) => a - b));
    for (const name of ['commandInteraction', 'modalSubmit', 'controlInteraction']) {
      assert.ok(!otherBot.frames.some((f) => f.event === name), `other bot saw ${name}`);
      assert.ok(!feed.frames.some((f) => f.event === name), `person saw ${name}`);
    }
    for (const name of ['interactionDeferred', 'interactionAcked', 'showModal']) {
      assert.ok(!botStream.frames.some((f) => f.event === name), `bot saw ${name}`);
    }
  } finally {
    botStream.close(); feed.close(); otherBot.close();
  }
});
