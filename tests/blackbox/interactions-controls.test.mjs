// Interactions over HTTP: buttons and selects (people), IInteractions/v1 Ack, Defer, Modal, Reply,
// EditMessage (bots), modal submissions, and expiry. Bots see events on GET /IEvents/v1/Stream,
// people on GET /api/v1/events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createArchetype, assignArchetype, channelByName, history,
  expectError, expectStatus, expectEmpty200, interactionWorld, registerCommand, runCommand,
  HIGH_RATE_LIMITS, UUID_RE, UNKNOWN_UUID,
} from './harness.mjs';
import { openBotStream, openPersonFeed, openReady, isEvent } from './sse.mjs';

let server, c;

before(async () => { server = await startServer({ env: { ...HIGH_RATE_LIMITS } }); c = api(server); });
after(async () => { await server?.stop(); });

const button = (id, extra = {}) => ({ type: 0, variant: 0, label: id, id, ...extra });
const reply = (w, body, tok = w.tok) => c.post('/IInteractions/v1/Reply', { channelId: w.general, ...body }, tok);
async function botMessage(w, controls, tok = w.tok) {
  const r = await reply(w, { text: 'pick', controls }, tok);
  expectStatus(r, 200);
  return String(r.body.messageId);
}
const click = (person, mid, id) => c.post(`/api/v1/messages/${mid}/controls/${encodeURIComponent(id)}`, undefined, person.token);
const choose = (person, mid, id, values) => c.post(`/api/v1/messages/${mid}/selects/${encodeURIComponent(id)}`, { values }, person.token);
const ack = (w, interactionId, tok = w.tok) => c.post('/IInteractions/v1/Ack', { interactionId }, tok);
const defer = (w, interactionId, tok = w.tok) => c.post('/IInteractions/v1/Defer', { interactionId }, tok);
const showModal = (w, interactionId, modal, tok = w.tok) => c.post('/IInteractions/v1/Modal', { interactionId, modal }, tok);
const submit = (person, id, values) => c.post(`/api/v1/interactions/${id}/modal`, { values }, person.token);

async function interaction(w, person = w.member) {
  if (!w.pingId) w.pingId = await registerCommand(server, w.tok, { name: 'ping', description: 'Ping' });
  const r = await runCommand(server, person, w.general, w.pingId);
  expectStatus(r, 200);
  return r.body.interactionId;
}

const MODAL = {
  customId: 'feedback', title: 'Feedback',
  components: [
    { type: 'textInput', customId: 'name', label: 'Name', style: 'short', minLength: 2, maxLength: 5 },
    { type: 'checkbox', customId: 'agree', label: 'Agree' },
    { type: 'stringSelect', customId: 'fruit', label: 'Fruit', required: false, options: [{ label: 'Apple', value: 'apple' }, { label: 'Pear', value: 'pear' }] },
  ],
};

test('buttons: a click → {interactionId} and controlInteraction on the sending bot\'s stream', async () => {
  const w = await interactionWorld(server);
  const mid = await botMessage(w, [{ controls: [button('go')] }]);
  const s = await openReady(() => openBotStream(server, w.app.token));
  try {
    const r = await click(w.member, mid, 'go');
    expectStatus(r, 200);
    assert.deepEqual(Object.keys(r.body), ['interactionId']);
    const f = await s.next(isEvent('controlInteraction'));
    assert.deepEqual(Object.keys(f.data).sort(), ['channelId', 'controlId', 'controlType', 'interactionId', 'messageId', 'spaceId', 'user', 'voiceState']);
    assert.equal(f.data.voiceState, null);
    assert.equal(f.data.interactionId, r.body.interactionId);
    assert.equal(f.data.controlType, 0);
    assert.equal(String(f.data.messageId), mid);
    assert.equal(f.data.channelId, w.general);
    assert.equal(f.data.spaceId, w.sid);
    assert.equal(f.data.controlId, 'go');
    assert.equal(f.data.user.userId, w.member.userId);
    expectEmpty200(await ack(w, r.body.interactionId));
    expectError(await ack(w, r.body.interactionId, w.other.tok), 404, 'interaction_not_found');
  } finally { s.close(); }
});

test('buttons: refusals', async () => {
  const w = await interactionWorld(server);
  const gate = await createArchetype(server, w.owner, w.sid, { name: 'gate' });
  const mid = await botMessage(w, [{ controls: [button('go'), button('off', { disabled: true }), button('gated', { requiredArchetypeId: gate.archetypeId }),
    { type: 0, variant: 1, label: 'Site', url: 'https://example.org' }] }]);
  expectError(await click(w.member, mid, 'nope'), 404, 'control_not_found');
  expectError(await click(w.member, mid, 'Site'), 404, 'control_not_found');
  expectError(await click(w.member, '123456789', 'go'), 404, 'message_not_found');
  const personal = await c.post(`/api/v1/channels/${w.general}/messages`, { text: 'mine' }, w.member.token);
  expectStatus(personal, 201);
  expectError(await click(w.member, String(personal.body.messageId), 'go'), 404, 'control_not_found');
  expectError(await click(w.member, mid, 'off'), 400, 'control_disabled');
  expectError(await click(w.member, mid, 'gated'), 403, 'archetype_required');
  const outsider = await register(server);
  expectError(await click(outsider, mid, 'go'), 403, 'not_a_member');
  expectStatus(await click(w.owner, mid, 'gated'), 200); // the owner bypasses the gate
  await assignArchetype(server, w.owner, w.sid, w.member.userId, gate.archetypeId);
  expectStatus(await click(w.member, mid, 'gated'), 200);
});

test('selects: values checked against the control; selectInteraction carries them', async () => {
  const w = await interactionWorld(server);
  const role = await createArchetype(server, w.owner, w.sid, { name: 'picked' });
  const mid = await botMessage(w, [
    { controls: [{ type: 'stringSelect', customId: 'fruit', minValues: 1, maxValues: 2,
      options: [{ label: 'Apple', value: 'apple' }, { label: 'Pear', value: 'pear' }, { label: 'Plum', value: 'plum' }] }] },
    { controls: [{ type: 'userSelect', customId: 'who' }] },
    { controls: [{ type: 'archetypeSelect', customId: 'role' }] },
    { controls: [{ type: 'channelSelect', customId: 'where' }] },
  ]);
  for (const [id, values, field] of [
    ['fruit', [], 'values'], ['fruit', ['apple', 'pear', 'plum'], 'values'], ['fruit', ['kiwi'], 'values[0]'],
    ['fruit', ['apple', 'apple'], 'values[1]'], ['who', [w.owner.userId, w.member.userId], 'values'],
    ['who', [UNKNOWN_UUID], 'values[0]'], ['role', [UNKNOWN_UUID], 'values[0]'],
    ['where', [channelByName(w.elsewhere, 'general').channelId], 'values[0]'], ['fruit', [1], 'values[0]'],
  ]) {
    expectError(await choose(w.member, mid, id, values), 400, 'validation_error', field);
  }
  expectError(await choose(w.member, mid, 'nope', ['apple']), 404, 'control_not_found');
  const s = await openReady(() => openBotStream(server, w.app.token));
  try {
    const r = await choose(w.member, mid, 'fruit', ['pear', 'apple']);
    expectStatus(r, 200);
    const f = await s.next(isEvent('selectInteraction'));
    assert.deepEqual(Object.keys(f.data).sort(),
      ['channelId', 'controlType', 'customId', 'interactionId', 'messageId', 'spaceId', 'user', 'values', 'voiceState']);
    assert.equal(f.data.interactionId, r.body.interactionId);
    assert.equal(f.data.controlType, 1);
    assert.equal(f.data.customId, 'fruit');
    assert.equal(String(f.data.messageId), mid);
    assert.deepEqual(f.data.values, ['pear', 'apple']);
    for (const [id, value, type] of [['who', w.owner.userId, 2], ['role', role.archetypeId, 3], ['where', w.voice, 4]]) {
      expectStatus(await choose(w.member, mid, id, [value]), 200);
      const g = await s.next(isEvent('selectInteraction'));
      assert.deepEqual([g.data.customId, g.data.controlType, g.data.values], [id, type, [value]]);
    }
  } finally { s.close(); }
});

test('Ack and Defer: repeatable, the person sees interactionAcked / interactionDeferred; others → 404', async () => {
  const w = await interactionWorld(server);
  const feed = await openReady(() => openPersonFeed(server, w.member.token));
  try {
    const id = await interaction(w);
    expectEmpty200(await defer(w, id));
    expectEmpty200(await ack(w, id));
    expectEmpty200(await ack(w, id));
    const d = await feed.next(isEvent('interactionDeferred'));
    assert.deepEqual(d.data, { interactionId: id });
    const a = await feed.collect(2, isEvent('interactionAcked'));
    assert.deepEqual(a.map((f) => f.data), [{ interactionId: id }, { interactionId: id }]);
    expectError(await ack(w, id, w.other.tok), 404, 'interaction_not_found');
    expectError(await defer(w, id, w.other.tok), 404, 'interaction_not_found');
    expectError(await ack(w, UNKNOWN_UUID), 404, 'interaction_not_found');
    expectError(await ack(w, 'nope'), 400, 'validation_error', 'interactionId');
    expectError(await c.post('/IInteractions/v1/Ack', {}, w.tok), 400, 'validation_error', 'interactionId');
  } finally { feed.close(); }
});

test('Modal: invalid → 400 consumes nothing; valid → showModal, consumes the interaction', async () => {
  const w = await interactionWorld(server);
  const feed = await openReady(() => openPersonFeed(server, w.member.token));
  try {
    const id = await interaction(w);
    expectError(await showModal(w, id, { ...MODAL, title: '' }), 400, 'validation_error', 'title');
    expectError(await showModal(w, id, undefined), 400, 'validation_error', 'modal');
    expectError(await showModal(w, id, MODAL, w.other.tok), 404, 'interaction_not_found');
    expectEmpty200(await ack(w, id));
    const r = await showModal(w, id, MODAL);
    expectStatus(r, 200);
    assert.deepEqual(Object.keys(r.body), ['modalInteractionId']);
    assert.match(r.body.modalInteractionId, UUID_RE);
    assert.notEqual(r.body.modalInteractionId, id);
    const f = await feed.next(isEvent('showModal'));
    assert.deepEqual(Object.keys(f.data).sort(), ['interactionId', 'modal']);
    assert.equal(f.data.interactionId, r.body.modalInteractionId);
    assert.equal(f.data.modal.customId, 'feedback');
    assert.equal(f.data.modal.title, 'Feedback');
    assert.deepEqual(f.data.modal.components.map((x) => x.customId), ['name', 'agree', 'fruit']);
    expectError(await ack(w, id), 404, 'interaction_not_found');
    expectError(await defer(w, id), 404, 'interaction_not_found');
    expectError(await showModal(w, id, MODAL), 404, 'interaction_not_found');
  } finally { feed.close(); }
});

test('modal submission: validated, once, by that person; modalSubmit is a live interaction', async () => {
  const w = await interactionWorld(server);
  const id = await interaction(w);
  const modalId = (await showModal(w, id, MODAL)).body.modalInteractionId;
  for (const [values, field] of [
    [[], 'name'], [[{ customId: 'name', value: '' }], 'name'], [[{ customId: 'name', value: 'B' }], 'values[0].value'],
    [[{ customId: 'name', value: 'Bobbie' }], 'values[0].value'], [[{ customId: 'name', value: 'Bob' }, { customId: 'zzz', value: 'x' }], 'values[1].customId'],
    [[{ customId: 'name', value: 'Bob' }, { customId: 'agree', value: 'yes' }], 'values[1].value'],
    [[{ customId: 'name', value: 'Bob' }, { customId: 'fruit', value: ['kiwi'] }], 'values[1].value'],
    [[{ customId: 'name', value: 'Bob' }, { customId: 'name', value: 'Bob' }], 'values[1].customId'],
    [[{ customId: 'name', value: 7 }], 'values[0].value'],
  ]) {
    expectError(await submit(w.member, modalId, values), 400, 'validation_error', field);
  }
  expectError(await submit(w.owner, modalId, [{ customId: 'name', value: 'Bob' }]), 404, 'interaction_not_found');
  expectError(await submit(w.member, id, [{ customId: 'name', value: 'Bob' }]), 404, 'interaction_not_found');
  expectError(await submit(w.member, UNKNOWN_UUID, []), 404, 'interaction_not_found');
  const s = await openReady(() => openBotStream(server, w.app.token));
  const o = await openReady(() => openBotStream(server, w.other.app.token));
  try {
    const r = await submit(w.member, modalId, [{ customId: 'name', value: 'Bob' }, { customId: 'agree', value: true }, { customId: 'fruit', value: ['pear'] }]);
    expectStatus(r, 200);
    assert.deepEqual(Object.keys(r.body), ['interactionId']);
    assert.notEqual(r.body.interactionId, modalId);
    const f = await s.next(isEvent('modalSubmit'));
    assert.deepEqual(Object.keys(f.data).sort(), ['channelId', 'customId', 'interactionId', 'spaceId', 'user', 'values', 'voiceState']);
    assert.equal(f.data.interactionId, r.body.interactionId);
    assert.equal(f.data.customId, 'feedback');
    assert.equal(f.data.channelId, w.general);
    assert.equal(f.data.spaceId, w.sid);
    assert.equal(f.data.user.userId, w.member.userId);
    assert.deepEqual(f.data.values, [
      { customId: 'name', values: ['Bob'] }, { customId: 'agree', values: ['true'] }, { customId: 'fruit', values: ['pear'] },
    ]);
    expectError(await submit(w.member, modalId, [{ customId: 'name', value: 'Bob' }]), 404, 'interaction_not_found');
    expectEmpty200(await ack(w, r.body.interactionId));
    expectError(await ack(w, r.body.interactionId, w.other.tok), 404, 'interaction_not_found');
    // An unchecked checkbox reports "false"; an optional select left out is absent.
    const second = (await showModal(w, await interaction(w), MODAL)).body.modalInteractionId;
    expectStatus(await submit(w.member, second, [{ customId: 'name', value: 'Al' }]), 200);
    const g = await s.next(isEvent('modalSubmit'));
    assert.deepEqual(g.data.values, [{ customId: 'name', values: ['Al'] }, { customId: 'agree', values: ['false'] }]);
    assert.ok(!o.frames.some((x) => x.event === 'modalSubmit'), 'the other bot sees no submission');
  } finally { s.close(); o.close(); }
});

test('Reply = Send (randomId idempotent, controls, 403 not_a_member); EditMessage own messages only', async () => {
  const w = await interactionWorld(server);
  const first = await reply(w, { text: 'hello', randomId: 7, controls: [{ controls: [button('a')] }] });
  expectStatus(first, 200);
  assert.deepEqual(Object.keys(first.body), ['messageId']);
  const again = await reply(w, { text: 'hello', randomId: 7 });
  assert.equal(String(again.body.messageId), String(first.body.messageId));
  expectError(await reply(w, { text: 'x', channelId: channelByName(w.elsewhere, 'general').channelId }), 403, 'not_a_member');
  expectError(await reply(w, { text: 'x', controls: [{ controls: [{ type: 0, variant: 0, label: 'no id' }] }] }), 400, 'validation_error');
  const mid = String(first.body.messageId);
  const edit = (body, tok = w.tok) => c.patch('/IInteractions/v1/EditMessage', { channelId: w.general, messageId: mid, ...body }, tok);
  const current = async () => (await history(server, w.member, w.general)).find((m) => String(m.messageId) === mid);

  const s = await openReady(() => openBotStream(server, w.app.token));
  try {
    expectEmpty200(await edit({ text: 'edited' }));
    const e = await s.next(isEvent('messageEdit'));
    assert.equal(String(e.data.messageId), mid);
    assert.equal(e.data.text, 'edited');
    let m = await current();
    assert.equal(m.text, 'edited');
    assert.equal(m.controls[0].controls[0].id, 'a', 'absent controls are kept');
    expectEmpty200(await edit({ controls: null }));
    assert.equal((await current()).controls[0].controls[0].id, 'a', 'null controls are kept');
    expectEmpty200(await edit({ controls: [{ controls: [button('b')] }] }));
    assert.equal((await current()).controls[0].controls[0].id, 'b');
    expectEmpty200(await edit({ controls: [] }));
    m = await current();
    assert.ok(m.controls === null || (Array.isArray(m.controls) && m.controls.length === 0), JSON.stringify(m.controls));
    expectError(await click(w.member, mid, 'b'), 404, 'control_not_found');
  } finally { s.close(); }
  expectError(await edit({ text: 'stolen' }, w.other.tok), 404, 'message_not_found');
  const personal = await c.post(`/api/v1/channels/${w.general}/messages`, { text: 'mine' }, w.member.token);
  expectError(await c.patch('/IInteractions/v1/EditMessage', { channelId: w.general, messageId: String(personal.body.messageId), text: 'x' }, w.tok),
    404, 'message_not_found');
  expectError(await edit({ messageId: '123456789', text: 'x' }), 404, 'message_not_found');
  expectError(await edit({ channelId: w.voice, text: 'wrong channel' }), 404, 'message_not_found');
  expectError(await reply(w, { text: 'x', channelId: w.voice }), 400, 'not_text_channel');
});

test('expiry (ARGON_INTERACTIONS_TTL_SECONDS=2): Ack works until the TTL, then 404 interaction_not_found', async () => {
  const short = await startServer({ env: { ...HIGH_RATE_LIMITS, ARGON_INTERACTIONS_TTL_SECONDS: '2' } });
  try {
    const sc = api(short);
    const w = await interactionWorld(short);
    const cmd = await registerCommand(short, w.tok, { name: 'ping', description: 'Ping' });
    // The modal first, then the interaction we poll: once that one has expired, so has the modal.
    const shown = await sc.post('/IInteractions/v1/Modal', { interactionId: (await runCommand(short, w.member, w.general, cmd)).body.interactionId, modal: MODAL }, w.tok);
    expectStatus(shown, 200);
    const started = Date.now();
    const r = await runCommand(short, w.member, w.general, cmd);
    expectStatus(r, 200);
    const id = r.body.interactionId;
    expectEmpty200(await sc.post('/IInteractions/v1/Ack', { interactionId: id }, w.tok));
    // Poll with a deadline: Ack keeps working until it expires, never after.
    let expired = null;
    const deadline = started + 10_000;
    while (Date.now() < deadline) {
      const a = await sc.post('/IInteractions/v1/Ack', { interactionId: id }, w.tok);
      if (a.status !== 200) { expired = a; break; }
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(expired, 'the interaction never expired');
    expectError(expired, 404, 'interaction_not_found');
    assert.ok(Date.now() - started >= 1_900, `expired too early: ${Date.now() - started} ms`);
    expectError(await sc.post('/IInteractions/v1/Defer', { interactionId: id }, w.tok), 404, 'interaction_not_found');
    expectError(await sc.post(`/api/v1/interactions/${shown.body.modalInteractionId}/modal`,
      { values: [{ customId: 'name', value: 'Bob' }] }, w.member.token), 404, 'interaction_not_found');
  } finally { await short.stop(); }
});
