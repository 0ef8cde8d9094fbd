// Bot API: IMessages/v1 Send (incl. controls rules and randomId idempotency) and History
// (SPEC §8, §9, §16 IMessages; DECISIONS §2, §3, §5, §6).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, joinSpace, createApp, installBot, createArchetype, grant,
  setArchetypePermissions, botWorld, sendMessage, history, expectError, expectStatus, big, show,
  UUID_RE, ISO_MS_RE, TWO_POW_53, UNKNOWN_UUID, HIGH_RATE_LIMITS, DEFAULT_PERMISSIONS, P,
} from './harness.mjs';

let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

let rid = 1000;
const nextRandomId = () => ++rid;

const send = (w, body, tok = w.tok) => c.post('/IMessages/v1/Send', body, tok);
const hist = (w, channelId, query = '', tok = w.tok) =>
  c.get(`/IMessages/v1/History?channelId=${channelId}${query ? `&${query}` : ''}`, tok);

/** Send and assert success → messageId (string). */
async function sendOk(w, body, tok = w.tok) {
  const r = await send(w, { randomId: nextRandomId(), ...body }, tok);
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body), ['messageId'], r.text);
  assert.match(r.text, /"messageId"\s*:\s*\d{16,}\s*[,}]/, `messageId must be a bare JSON number: ${r.text}`);
  assert.ok(big(r.body.messageId) > TWO_POW_53, `messageId ${r.body.messageId} must exceed 2^53`);
  return String(r.body.messageId);
}

/** History as the bot, asserting 200 → messages. */
async function histOk(w, channelId, query = '') {
  const r = await hist(w, channelId, query);
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body), ['messages'], r.text.slice(0, 300));
  return r.body.messages;
}

/** A fresh text channel (made by the owner through the client API) for an isolated history. */
async function freshChannel(w, name = 'room') {
  const r = await c.post(`/api/v1/spaces/${w.sid}/channels`, { name, channelType: 0 }, w.owner.token);
  expectStatus(r, 201);
  return r.body.channelId;
}

const MESSAGE_KEYS = ['channelId', 'controls', 'createdAt', 'creatorId', 'entities', 'messageId', 'reactions', 'replyTo', 'spaceId', 'text'];
const CONTROL_KEYS = ['colour', 'customId', 'disabled', 'id', 'label', 'labelLocalizations', 'maxValues', 'minValues',
  'options', 'placeholder', 'requiredArchetypeId', 'type', 'url', 'variant'];

function checkControlRows(rows) {
  assert.ok(Array.isArray(rows), `controls must be an array of rows: ${JSON.stringify(rows)}`);
  for (const row of rows) {
    assert.deepEqual(Object.keys(row), ['controls'], `a row is {controls:[…]}: ${JSON.stringify(row)}`);
    for (const ctl of row.controls) {
      assert.deepEqual(Object.keys(ctl).sort(), CONTROL_KEYS, `every BotControlV1 field present: ${JSON.stringify(ctl)}`);
      assert.equal(typeof ctl.type, 'number', `type is an integer: ${JSON.stringify(ctl)}`);
      assert.ok(ctl.variant === null || typeof ctl.variant === 'number', `variant is an integer or null: ${JSON.stringify(ctl)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Send: success

test('Send → 200 {messageId} (int64 > 2^53); History shows it with the bot as creator', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const id = await sendOk(w, { channelId: ch, text: 'Hello from a bot' });
  const msgs = await histOk(w, ch);
  assert.equal(msgs.length, 1);
  const m = msgs[0];
  assert.deepEqual(Object.keys(m).sort(), MESSAGE_KEYS);
  assert.equal(String(m.messageId), id);
  assert.equal(m.channelId, ch);
  assert.equal(m.spaceId, w.sid);
  assert.equal(m.text, 'Hello from a bot');
  assert.equal(m.creatorId, w.botUserId);
  assert.match(m.createdAt, ISO_MS_RE);
  assert.ok(Math.abs(Date.parse(m.createdAt) - Date.now()) < 60_000, `createdAt is now-ish: ${m.createdAt}`);
  assert.equal(m.replyTo, null);
  assert.deepEqual(m.entities, []);
  assert.equal(m.controls, null);
  // people see the bot's message too
  const seen = await history(server, w.owner, ch);
  assert.equal(String(seen[0].messageId), id);
  assert.equal(seen[0].creatorId, w.botUserId);
});

test('Send: randomId is optional; channelId accepts uppercase; keys match case-insensitively', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const a = await send(w, { channelId: ch, text: 'one' });
  expectStatus(a, 200);
  const b = await send(w, { channelId: ch, text: 'two' });
  expectStatus(b, 200);
  assert.notEqual(String(a.body.messageId), String(b.body.messageId), 'without randomId, two sends are two messages');
  const u = await send(w, { CHANNELID: ch.toUpperCase(), Text: 'three', RandomId: nextRandomId() });
  expectStatus(u, 200);
  const msgs = await histOk(w, ch);
  assert.deepEqual(msgs.map((m) => m.text), ['three', 'two', 'one']);
});

test('Send: the landing-page example works as written (bare array rows, "Button", no variant)', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const raw = `{"channelId":"${ch}","text":"Hello from my bot!","randomId":1,"controls":[[{"type":"Button","label":"Click me","id":"btn_hello"}]]}`;
  const r = await c.post('/IMessages/v1/Send', undefined, w.tok, { rawBody: raw });
  expectStatus(r, 200);
  assert.ok(big(r.body.messageId) > TWO_POW_53);
  const [m] = await histOk(w, ch);
  assert.equal(m.text, 'Hello from my bot!');
  checkControlRows(m.controls);
  assert.equal(m.controls.length, 1);
  assert.equal(m.controls[0].controls.length, 1);
  const b = m.controls[0].controls[0];
  assert.equal(b.type, 0, 'button = 0');
  assert.equal(b.variant, 0, 'a button with an id and no variant is a callback button (0)');
  assert.equal(b.label, 'Click me');
  assert.equal(b.id, 'btn_hello');
  assert.equal(b.url, null);
  assert.equal(b.customId, null);
  assert.equal(b.options, null);
});

test('Send: the Controls-guide example (integer enums, colours, a link button) round-trips in History', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const body = {
    channelId: ch, text: 'Deploy to production?', randomId: 42,
    controls: [{ controls: [
      { type: 0, variant: 0, label: '✅ Deploy', id: 'deploy_confirm', colour: { l: 0.72, c: 0.19, h: 142 } },
      { type: 0, variant: 0, label: '❌ Cancel', id: 'deploy_cancel', colour: { l: 0.55, c: 0.25, h: 29 }, disabled: true },
      { type: 0, variant: 1, label: '📚 Runbook', url: 'https://wiki.example.com/deploy' },
    ] }],
  };
  await sendOk(w, body);
  const [m] = await histOk(w, ch);
  checkControlRows(m.controls);
  const [deploy, cancel, runbook] = m.controls[0].controls;
  assert.equal(deploy.type, 0);
  assert.equal(deploy.variant, 0);
  assert.equal(deploy.label, '✅ Deploy');
  assert.equal(deploy.id, 'deploy_confirm');
  assert.ok(Math.abs(deploy.colour.l - 0.72) < 1e-6 && Math.abs(deploy.colour.c - 0.19) < 1e-6 && Math.abs(deploy.colour.h - 142) < 1e-6,
    JSON.stringify(deploy.colour));
  assert.equal(cancel.disabled, true);
  assert.equal(cancel.id, 'deploy_cancel');
  assert.equal(runbook.variant, 1, 'link = 1');
  assert.equal(runbook.url, 'https://wiki.example.com/deploy');
  assert.equal(runbook.id, null);
});

test('Send: selects (names case-insensitive) and every row form round-trip as row objects with integer types', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const gate = await createArchetype(server, w.owner, w.sid, { name: 'gate' });
  const body = {
    channelId: ch, text: 'pick',
    controls: [
      { controls: [{ type: 'stringSelect', customId: 'fruit', placeholder: 'Choose…', minValues: 0, maxValues: 2,
        options: [{ label: 'Apple', value: 'apple', description: 'red', default: true }, { label: 'Pear', value: 'pear' }] }] },
      [{ type: 'USERSELECT', customId: 'who' }],
      { controls: [{ type: 'archetypeSelect', customId: 'role', requiredArchetypeId: gate.archetypeId }] },
      { controls: [{ type: 4, customId: 'where' }] },
      { controls: [{ type: 'button', variant: 'link', label: 'Site', url: 'http://example.org/a?b=c',
        labelLocalizations: { ru: 'Сайт', 'en-US': 'Site' } }] },
    ],
  };
  await sendOk(w, body);
  const [m] = await histOk(w, ch);
  checkControlRows(m.controls);
  assert.equal(m.controls.length, 5);
  const [s, u, a, cs, l] = m.controls.map((r) => r.controls[0]);
  assert.equal(s.type, 1);
  assert.equal(s.customId, 'fruit');
  assert.equal(s.placeholder, 'Choose…');
  assert.equal(s.minValues, 0);
  assert.equal(s.maxValues, 2);
  assert.equal(s.variant, null);
  assert.equal(s.label, null);
  assert.equal(s.options.length, 2);
  assert.equal(s.options[0].label, 'Apple');
  assert.equal(s.options[0].value, 'apple');
  assert.equal(s.options[0].description, 'red');
  assert.equal(s.options[0].default, true);
  assert.equal(s.options[1].value, 'pear');
  assert.ok('description' in s.options[1] && 'default' in s.options[1], JSON.stringify(s.options[1]));
  assert.equal(u.type, 2);
  assert.equal(u.customId, 'who');
  assert.equal(u.options, null);
  assert.equal(a.type, 3);
  assert.equal(a.requiredArchetypeId, gate.archetypeId);
  assert.equal(cs.type, 4);
  assert.equal(l.type, 0);
  assert.equal(l.variant, 1);
  assert.deepEqual(l.labelLocalizations, { ru: 'Сайт', 'en-US': 'Site' });
});

test('Send: maximal valid controls (5×5 buttons at the limits) and boundary values are accepted', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const rows = [];
  for (let r = 0; r < 5; r++) {
    const row = [];
    for (let k = 0; k < 5; k++) {
      row.push({ type: 0, variant: 0, label: 'L'.repeat(80), id: `${r}-${k}-`.padEnd(100, 'x'),
        colour: [{ l: 0.4, c: 0, h: 0 }, { l: 0.8, c: 0.37, h: 359.99 }][(r + k) % 2] });
    }
    rows.push({ controls: row });
  }
  await sendOk(w, { channelId: ch, text: 'big', controls: rows });
  const sel = { type: 1, customId: 'c'.repeat(100), placeholder: 'p'.repeat(150), minValues: 25, maxValues: 25,
    options: Array.from({ length: 25 }, (_, i) => ({ label: `${i}`.padEnd(100, 'l'), value: `${i}`.padEnd(100, 'v'), description: 'd'.repeat(100) })) };
  await sendOk(w, { channelId: ch, text: 'select', controls: [{ controls: [sel] }] });
  await sendOk(w, { channelId: ch, text: 'link', controls: [{ controls: [{ type: 0, variant: 1, label: 'x', url: `https://e.com/${'a'.repeat(512 - 14)}` }] }] });
  const msgs = await histOk(w, ch);
  assert.equal(msgs.length, 3);
  const big5 = msgs.find((m) => m.text === 'big');
  assert.equal(big5.controls.length, 5);
  assert.ok(big5.controls.every((r) => r.controls.length === 5));
});

test('Send: empty controls array is the same as none; empty text is allowed with controls', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  await sendOk(w, { channelId: ch, text: 'no controls', controls: [] });
  await sendOk(w, { channelId: ch, text: 'null controls', controls: null });
  await sendOk(w, { channelId: ch, text: '', controls: [{ controls: [{ type: 0, variant: 0, label: 'Go', id: 'go' }] }] });
  const msgs = await histOk(w, ch);
  assert.equal(msgs[0].text, '');
  checkControlRows(msgs[0].controls);
  assert.equal(msgs[1].controls, null);
  assert.equal(msgs[2].controls, null);
});

// ---------------------------------------------------------------------------------------------
// Send: entities, replyTo

test('Send: entities are stored and returned in union form (integer type, version)', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  await sendOk(w, { channelId: ch, text: 'Hello world! @bob', entities: [
    { type: 'bold', offset: 6, length: 5 },
    { type: 'mention', offset: 13, length: 4, userId: w.owner.userId },
    { type: 11, offset: 0, length: 5 },
  ] });
  const [m] = await histOk(w, ch);
  assert.equal(m.entities.length, 3);
  const bold = m.entities.find((e) => e.type === 10);
  assert.ok(bold, JSON.stringify(m.entities));
  assert.equal(bold.offset, 6);
  assert.equal(bold.length, 5);
  assert.equal(bold.version, 0);
  const mention = m.entities.find((e) => e.type === 1);
  assert.equal(mention.userId, w.owner.userId);
  assert.ok(m.entities.some((e) => e.type === 11 && e.offset === 0 && e.length === 5));
});

test('Send: invalid entities → 400 validation_error naming entities', async () => {
  const w = await botWorld(server);
  const cases = [
    [{ type: 'bold', offset: 0, length: 6 }],                 // past the end of "hello"
    [{ type: 'bold', offset: -1, length: 1 }],
    [{ type: 'bold', offset: 0, length: -1 }],
    [{ type: 'nope', offset: 0, length: 1 }],
    [{ type: 'systemUserJoined', offset: 0, length: 1, userId: w.owner.userId }],
    [{ type: 16, offset: 0, length: 1 }],
    [{ type: 'mention', offset: 0, length: 1, userId: 'not-a-uuid' }],
    'bold',
    Array.from({ length: 101 }, () => ({ type: 'bold', offset: 0, length: 1 })),
  ];
  for (const entities of cases) {
    expectError(await send(w, { channelId: w.general, text: 'hello', randomId: nextRandomId(), entities }), 400, 'validation_error', 'entities');
  }
  // surrogate pairs count as two UTF-16 code units
  await sendOk(w, { channelId: w.general, text: '😀x', entities: [{ type: 'bold', offset: 2, length: 1 }] });
  expectError(await send(w, { channelId: w.general, text: '😀', randomId: nextRandomId(), entities: [{ type: 'bold', offset: 0, length: 3 }] }),
    400, 'validation_error', 'entities');
});

test('Send: replyTo an existing message is stored; unknown or other-channel replyTo → 400 naming replyTo', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const first = await sendMessage(server, w.owner, ch, 'question');
  // replyTo as a bare JSON integer above 2^53
  const rr = await c.post('/IMessages/v1/Send', undefined, w.tok,
    { rawBody: `{"channelId":"${ch}","text":"answer","randomId":${nextRandomId()},"replyTo":${first}}` });
  expectStatus(rr, 200);
  const id = String(rr.body.messageId);
  const msgs = await histOk(w, ch);
  assert.equal(String(msgs[0].messageId), id);
  assert.equal(String(msgs[0].replyTo), first);
  // as a numeric string too
  await sendOk(w, { channelId: ch, text: 'answer 2', replyTo: String(first) });

  expectError(await send(w, { channelId: ch, text: 'x', randomId: nextRandomId(), replyTo: '1234567890123456789' }), 400, 'validation_error', 'replyTo');
  const elsewhere = await sendMessage(server, w.owner, w.general, 'in general');
  expectError(await send(w, { channelId: ch, text: 'x', randomId: nextRandomId(), replyTo: elsewhere }), 400, 'validation_error', 'replyTo');
  expectError(await send(w, { channelId: ch, text: 'x', randomId: nextRandomId(), replyTo: 'abc' }), 400, 'validation_error', 'replyTo');
  assert.equal((await histOk(w, ch)).length, 3, 'failed sends create nothing');
});

// ---------------------------------------------------------------------------------------------
// Send: randomId idempotency

test('Send: same randomId from the same bot in the same channel → same messageId, one message', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const body = { channelId: ch, text: 'once', randomId: 4242 };
  const a = await send(w, body);
  expectStatus(a, 200);
  const b = await send(w, body);
  expectStatus(b, 200);
  assert.equal(String(b.body.messageId), String(a.body.messageId));
  // a different text with the same randomId is still the same message
  const c2 = await send(w, { ...body, text: 'changed' });
  expectStatus(c2, 200);
  assert.equal(String(c2.body.messageId), String(a.body.messageId));
  // randomId as a numeric string is the same key
  const d = await send(w, { ...body, randomId: '4242' });
  expectStatus(d, 200);
  assert.equal(String(d.body.messageId), String(a.body.messageId));
  const msgs = await histOk(w, ch);
  assert.equal(msgs.length, 1, JSON.stringify(msgs));
  assert.equal(msgs[0].text, 'once');
});

test('Send: the same randomId in another channel or from another bot is a new message', async () => {
  const w = await botWorld(server);
  const ch1 = await freshChannel(w, 'one');
  const ch2 = await freshChannel(w, 'two');
  const other = await createApp(server, w.owner);
  await installBot(server, w.owner, w.sid, other.appId);
  const a = await send(w, { channelId: ch1, text: 'a', randomId: 7 });
  const b = await send(w, { channelId: ch2, text: 'b', randomId: 7 });
  const o = await send(w, { channelId: ch1, text: 'o', randomId: 7 }, bot(other.token));
  for (const r of [a, b, o]) expectStatus(r, 200);
  const ids = new Set([a, b, o].map((r) => String(r.body.messageId)));
  assert.equal(ids.size, 3);
  assert.equal((await histOk(w, ch1)).length, 2);
  assert.equal((await histOk(w, ch2)).length, 1);
});

test('Send: randomId is a full int64 (values above 2^53 differ exactly)', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const raw = (n, text) => `{"channelId":"${ch}","text":"${text}","randomId":${n}}`;
  const a = await c.post('/IMessages/v1/Send', undefined, w.tok, { rawBody: raw('9007199254740992', 'a') });
  const b = await c.post('/IMessages/v1/Send', undefined, w.tok, { rawBody: raw('9007199254740993', 'b') });
  const a2 = await c.post('/IMessages/v1/Send', undefined, w.tok, { rawBody: raw('9007199254740992', 'a again') });
  const m = await c.post('/IMessages/v1/Send', undefined, w.tok, { rawBody: raw('9223372036854775807', 'max') });
  const m2 = await c.post('/IMessages/v1/Send', undefined, w.tok, { rawBody: raw('9223372036854775807', 'max again') });
  for (const r of [a, b, a2, m, m2]) expectStatus(r, 200);
  assert.notEqual(String(a.body.messageId), String(b.body.messageId), '2^53 and 2^53+1 are different keys');
  assert.equal(String(a2.body.messageId), String(a.body.messageId));
  assert.equal(String(m2.body.messageId), String(m.body.messageId));
  assert.deepEqual((await histOk(w, ch)).map((x) => x.text), ['max', 'b', 'a']);
});

// ---------------------------------------------------------------------------------------------
// Send: input errors

test('Send: invalid input → 400 validation_error naming the field; nothing is created', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const ok = { channelId: ch, text: 'x', randomId: 1 };
  const cases = [
    [{ text: 'x', randomId: 1 }, 'channelId'],
    [{ ...ok, channelId: '' }, 'channelId'],
    [{ ...ok, channelId: 'not-a-uuid' }, 'channelId'],
    [{ ...ok, channelId: 17 }, 'channelId'],
    [{ channelId: ch, randomId: 1 }, 'text'],
    [{ ...ok, text: null }, 'text'],
    [{ ...ok, text: 5 }, 'text'],
    [{ ...ok, text: ['a'] }, 'text'],
    [{ ...ok, text: '' }, 'text'],
    [{ ...ok, text: 'a'.repeat(4001) }, 'text'],
    [{ ...ok, text: '😀'.repeat(2001) }, 'text'],
    [{ ...ok, randomId: 'abc' }, 'randomId'],
    [{ ...ok, randomId: 1.5 }, 'randomId'],
    [{ ...ok, randomId: {} }, 'randomId'],
    [{ ...ok, replyTo: true }, 'replyTo'],
    [{ ...ok, entities: {} }, 'entities'],
    [{ ...ok, controls: 'buttons' }, 'controls'],
    [{ ...ok, controls: {} }, 'controls'],
  ];
  for (const [body, field] of cases) {
    expectError(await send(w, body), 400, 'validation_error', field);
  }
  // the limits themselves are fine: 4000 code units, also as 2000 surrogate pairs
  await sendOk(w, { channelId: ch, text: 'a'.repeat(4000) });
  await sendOk(w, { channelId: ch, text: '😀'.repeat(2000) });
  assert.equal((await histOk(w, ch)).length, 2);
});

test('Send: malformed JSON, non-object bodies, no body → 400; non-JSON content type → 415', async () => {
  const w = await botWorld(server);
  for (const raw of ['{"channelId":', '{channelId: 1}', '[]', '"hi"', '42', 'null', '']) {
    const r = await c.post('/IMessages/v1/Send', undefined, w.tok, { rawBody: raw });
    expectError(r, 400, 'validation_error');
  }
  expectError(await c.post('/IMessages/v1/Send', undefined, w.tok), 400, 'validation_error');
  expectError(await c.post('/IMessages/v1/Send', undefined, w.tok,
    { rawBody: JSON.stringify({ channelId: w.general, text: 'x' }), contentType: 'text/plain' }), 415, 'unsupported_media_type');
});

test('Send: input is validated before membership (400 beats 403)', async () => {
  const w = await botWorld(server);
  const foreign = w.other.channels[0].channelId;
  expectError(await send(w, { channelId: foreign, randomId: 1 }), 400, 'validation_error', 'text');
  expectError(await send(w, { channelId: foreign, text: 'x', randomId: 'zz' }), 400, 'validation_error', 'randomId');
});

// ---------------------------------------------------------------------------------------------
// Send: membership, existence, permission, channel kind

test('Send: unknown channel → 404 channel_not_found; channel of a space the bot is not in → 403 not_a_member', async () => {
  const w = await botWorld(server);
  expectError(await send(w, { channelId: UNKNOWN_UUID, text: 'x', randomId: 1 }), 404, 'channel_not_found');
  expectError(await send(w, { channelId: w.other.channels[0].channelId, text: 'x', randomId: 1 }), 403, 'not_a_member');
  // after uninstall the bot's own space is foreign too
  expectStatus(await c.del(`/api/v1/spaces/${w.sid}/bots/${w.app.appId}`, undefined, w.owner.token), 204);
  expectError(await send(w, { channelId: w.general, text: 'x', randomId: 2 }), 403, 'not_a_member');
});

test('Send: voice channel → 400 not_text_channel', async () => {
  const w = await botWorld(server);
  expectError(await send(w, { channelId: w.voice, text: 'x', randomId: 1 }), 400, 'not_text_channel');
});

test('Send without SendMessages → 403 missing_permission naming SendMessages; an assigned archetype restores it', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS & ~P.SendMessages);
  expectError(await send(w, { channelId: ch, text: 'x', randomId: 1 }), 403, 'missing_permission', 'SendMessages');
  // existence is checked before permission; permission before the channel-kind rule
  expectError(await send(w, { channelId: UNKNOWN_UUID, text: 'x', randomId: 1 }), 404, 'channel_not_found');
  expectError(await send(w, { channelId: w.voice, text: 'x', randomId: 1 }), 403, 'missing_permission', 'SendMessages');
  assert.equal((await histOk(w, ch)).length, 0);
  await grant(server, w.owner, w.sid, w.botUserId, P.SendMessages, 'speakers');
  await sendOk(w, { channelId: ch, text: 'now I can' });
});

test('Send: wrong method → 405 with Allow: POST; no token → 401', async () => {
  const w = await botWorld(server);
  const r = await c.get('/IMessages/v1/Send', w.tok);
  expectError(r, 405, 'method_not_allowed');
  assert.match(String(r.headers.get('allow')), /POST/i);
  expectError(await c.post('/IMessages/v1/Send', { channelId: w.general, text: 'x', randomId: 1 }), 401, 'unauthorized');
});

// ---------------------------------------------------------------------------------------------
// Send: controls rules (SPEC §8) → 400 validation_error naming the path

const B = (id, extra = {}) => ({ type: 0, variant: 0, label: 'ok', id, ...extra });
const L = (extra = {}) => ({ type: 0, variant: 1, label: 'docs', url: 'https://example.com/docs', ...extra });
const S = (customId, extra = {}) => ({ type: 1, customId, options: [{ label: 'A', value: 'a' }], ...extra });
const U = (customId, extra = {}) => ({ type: 2, customId, ...extra });
const rows = (...rs) => rs.map((r) => ({ controls: r }));
const C00 = 'controls[0].controls[0]';

const CONTROL_CASES = [
  // layout
  ['6 rows', rows(...Array.from({ length: 6 }, (_, i) => [B(`b${i}`)])), ['controls']],
  ['6 controls in a row', rows(Array.from({ length: 6 }, (_, i) => B(`b${i}`))), ['controls[0].controls']],
  ['empty row', rows([]), ['controls[0].controls']],
  ['row without controls', [{}], ['controls[0]']],
  ['row that is a number', [5], ['controls[0]']],
  ['control that is a string', rows(['x']), [C00]],
  ['button and select mixed', rows([B('b'), S('s')]), ['controls[0].controls']],
  ['two selects in a row', rows([S('s1'), S('s2')]), ['controls[0].controls']],
  // uniqueness
  ['duplicate id across rows', rows([B('same')], [B('same')]), ['controls[1].controls[0].id']],
  ['duplicate id within a row', rows([B('same'), B('same')]), ['controls[0].controls[1].id']],
  ['duplicate customId', rows([S('same')], [U('same')]), ['controls[1].controls[0].customId']],
  ['button id equals a select customId', rows([B('same')], [S('same')]), ['controls[1].controls[0].customId']],
  // type / variant
  ['missing type', rows([{ variant: 0, label: 'x', id: 'x' }]), [`${C00}.type`]],
  ['unknown type number', rows([{ type: 5, label: 'x', id: 'x' }]), [`${C00}.type`]],
  ['unknown type name', rows([{ type: 'slider', label: 'x', id: 'x' }]), [`${C00}.type`]],
  ['unknown variant', rows([B('x', { variant: 2 })]), [`${C00}.variant`]],
  ['unknown variant name', rows([B('x', { variant: 'primary' })]), [`${C00}.variant`]],
  // button label
  ['button without label', rows([{ type: 0, variant: 0, id: 'x' }]), [`${C00}.label`]],
  ['blank label', rows([B('x', { label: '   ' })]), [`${C00}.label`]],
  ['label of 81', rows([B('x', { label: 'l'.repeat(81) })]), [`${C00}.label`]],
  ['label not a string', rows([B('x', { label: 7 })]), [`${C00}.label`]],
  // callback
  ['callback without id', rows([{ type: 0, variant: 0, label: 'x' }]), [`${C00}.id`]],
  ['callback with blank id', rows([B('  ')]), [`${C00}.id`]],
  ['callback id of 101', rows([B('i'.repeat(101))]), [`${C00}.id`]],
  ['callback with url', rows([B('x', { url: 'https://example.com' })]), [`${C00}.url`]],
  // link
  ['link without url', rows([{ type: 0, variant: 1, label: 'x' }]), [`${C00}.url`]],
  ['link with blank url', rows([L({ url: ' ' })]), [`${C00}.url`]],
  ['link url of 513', rows([L({ url: `https://e.com/${'a'.repeat(513 - 14)}` })]), [`${C00}.url`]],
  ['link url ftp', rows([L({ url: 'ftp://example.com/f' })]), [`${C00}.url`]],
  ['link url relative', rows([L({ url: '/docs' })]), [`${C00}.url`]],
  ['link url without scheme', rows([L({ url: 'example.com/docs' })]), [`${C00}.url`]],
  ['link url javascript:', rows([L({ url: 'javascript:alert(1)' })]), [`${C00}.url`]],
  ['link with id', rows([L({ id: 'x' })]), [`${C00}.id`]],
  // colour
  ['colour l 0.39', rows([B('x', { colour: { l: 0.39, c: 0.1, h: 10 } })]), [`${C00}.colour`]],
  ['colour l 0.81', rows([B('x', { colour: { l: 0.81, c: 0.1, h: 10 } })]), [`${C00}.colour`]],
  ['colour c -0.01', rows([B('x', { colour: { l: 0.5, c: -0.01, h: 10 } })]), [`${C00}.colour`]],
  ['colour c 0.38', rows([B('x', { colour: { l: 0.5, c: 0.38, h: 10 } })]), [`${C00}.colour`]],
  ['colour h 360', rows([B('x', { colour: { l: 0.5, c: 0.1, h: 360 } })]), [`${C00}.colour`]],
  ['colour h -1', rows([B('x', { colour: { l: 0.5, c: 0.1, h: -1 } })]), [`${C00}.colour`]],
  ['colour not an object', rows([B('x', { colour: 'red' })]), [`${C00}.colour`]],
  // button carrying select fields
  ['button with customId', rows([B('x', { customId: 'c' })]), [`${C00}.customId`]],
  ['button with placeholder', rows([B('x', { placeholder: 'p' })]), [`${C00}.placeholder`]],
  ['button with minValues', rows([B('x', { minValues: 1 })]), [`${C00}.minValues`]],
  ['button with maxValues', rows([B('x', { maxValues: 1 })]), [`${C00}.maxValues`]],
  ['button with options', rows([B('x', { options: [{ label: 'a', value: 'a' }] })]), [`${C00}.options`]],
  // selects
  ['select without customId', rows([{ type: 2 }]), [`${C00}.customId`]],
  ['select blank customId', rows([U('  ')]), [`${C00}.customId`]],
  ['select customId of 101', rows([U('c'.repeat(101))]), [`${C00}.customId`]],
  ['placeholder of 151', rows([U('u', { placeholder: 'p'.repeat(151) })]), [`${C00}.placeholder`]],
  ['minValues -1', rows([U('u', { minValues: -1 })]), [`${C00}.minValues`]],
  ['minValues 26', rows([U('u', { minValues: 26, maxValues: 25 })]), [`${C00}.minValues`]],
  ['maxValues 0', rows([U('u', { minValues: 0, maxValues: 0 })]), [`${C00}.maxValues`]],
  ['maxValues 26', rows([U('u', { maxValues: 26 })]), [`${C00}.maxValues`]],
  ['minValues > maxValues', rows([U('u', { minValues: 3, maxValues: 2 })]), [`${C00}.minValues`, `${C00}.maxValues`]],
  ['select with variant', rows([U('u', { variant: 0 })]), [`${C00}.variant`]],
  ['select with label', rows([U('u', { label: 'x' })]), [`${C00}.label`]],
  ['select with id', rows([U('u', { id: 'x' })]), [`${C00}.id`]],
  ['select with url', rows([U('u', { url: 'https://example.com' })]), [`${C00}.url`]],
  ['select with colour', rows([U('u', { colour: { l: 0.5, c: 0.1, h: 1 } })]), [`${C00}.colour`]],
  ['requiredArchetypeId not a UUID', rows([B('x', { requiredArchetypeId: 'admins' })]), [`${C00}.requiredArchetypeId`]],
  // string select options
  ['stringSelect without options', rows([{ type: 1, customId: 's' }]), [`${C00}.options`]],
  ['stringSelect with no options', rows([S('s', { options: [] })]), [`${C00}.options`]],
  ['stringSelect with 26 options', rows([S('s', { options: Array.from({ length: 26 }, (_, i) => ({ label: `${i}`, value: `${i}` })) })]), [`${C00}.options`]],
  ['option blank label', rows([S('s', { options: [{ label: ' ', value: 'a' }] })]), [`${C00}.options[0].label`]],
  ['option blank value', rows([S('s', { options: [{ label: 'A', value: '' }] })]), [`${C00}.options[0].value`]],
  ['option label of 101', rows([S('s', { options: [{ label: 'l'.repeat(101), value: 'a' }] })]), [`${C00}.options[0].label`]],
  ['option value of 101', rows([S('s', { options: [{ label: 'A', value: 'v'.repeat(101) }] })]), [`${C00}.options[0].value`]],
  ['option description of 101', rows([S('s', { options: [{ label: 'A', value: 'a', description: 'd'.repeat(101) }] })]), [`${C00}.options[0].description`]],
  ['duplicate option values', rows([S('s', { options: [{ label: 'A', value: 'a' }, { label: 'B', value: 'a' }] })]), [`${C00}.options[1].value`, `${C00}.options`]],
  ['userSelect with options', rows([U('u', { options: [{ label: 'A', value: 'a' }] })]), [`${C00}.options`]],
  ['archetypeSelect with options', rows([{ type: 3, customId: 'r', options: [{ label: 'A', value: 'a' }] }]), [`${C00}.options`]],
  ['channelSelect with options', rows([{ type: 4, customId: 'c', options: [{ label: 'A', value: 'a' }] }]), [`${C00}.options`]],
  // the path points into later rows and controls
  ['bad label in row 2, control 3', rows([B('a')], [B('b'), B('c'), B('d', { label: '' })]), ['controls[1].controls[2].label']],
];

test(`Send: every controls rule of SPEC §8 → 400 validation_error naming the path (${CONTROL_CASES.length} cases)`, async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const failures = [];
  for (const [name, controls, paths] of CONTROL_CASES) {
    const r = await send(w, { channelId: ch, text: 'controls', randomId: nextRandomId(), controls });
    const ok = r.status === 400 && r.body?.error === 'validation_error' && typeof r.body.message === 'string' &&
      paths.some((p) => r.body.message.toLowerCase().includes(p.toLowerCase()));
    if (!ok) failures.push(`${name}: expected 400 validation_error naming ${paths.join(' | ')}; got ${show(r)}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  assert.equal((await histOk(w, ch)).length, 0, 'no rejected message was stored');
});

test('Send: a control error inside a bare-array row also names its path', async () => {
  const w = await botWorld(server);
  const r = await send(w, { channelId: w.general, text: 'x', randomId: nextRandomId(), controls: [[{ type: 'Button', id: 'x' }]] });
  expectError(r, 400, 'validation_error', ['controls[0].controls[0].label', 'controls[0][0].label']);
});

// ---------------------------------------------------------------------------------------------
// History

test('History: newest first, default limit 50, from is exclusive, limit clamps to 1..100, paging covers all', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  const ids = [];
  for (let i = 0; i < 105; i++) ids.push(await sendMessage(server, w.owner, ch, `m${i}`));
  const desc = [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
  assert.deepEqual(desc, [...ids].reverse(), 'ids grow with time');

  const all = await histOk(w, ch);
  assert.equal(all.length, 50, 'default limit 50');
  assert.deepEqual(all.map((m) => String(m.messageId)), desc.slice(0, 50));
  assert.equal(all[0].text, 'm104');
  for (const m of all) {
    assert.deepEqual(Object.keys(m).sort(), MESSAGE_KEYS);
    assert.equal(m.creatorId, w.owner.userId);
    assert.equal(m.controls, null);
  }
  assert.match((await hist(w, ch)).text, /"messageId"\s*:\s*\d{16,}/, 'messageIds are bare JSON numbers');

  assert.equal((await histOk(w, ch, 'limit=10')).length, 10);
  assert.equal((await histOk(w, ch, 'limit=100')).length, 100);
  assert.equal((await histOk(w, ch, 'limit=1000')).length, 100, 'clamped to 100');
  assert.equal((await histOk(w, ch, 'limit=0')).length, 1, 'clamped to 1');
  assert.equal((await histOk(w, ch, 'limit=-5')).length, 1, 'clamped to 1');

  const from = desc[10];
  const older = await histOk(w, ch, `from=${from}&limit=5`);
  assert.deepEqual(older.map((m) => String(m.messageId)), desc.slice(11, 16), 'from is exclusive');
  assert.deepEqual((await histOk(w, ch, `from=${desc[104]}`)), [], 'nothing older than the oldest');
  assert.deepEqual((await histOk(w, ch, 'from=1')), []);
  assert.deepEqual((await histOk(w, ch, 'from=9223372036854775807&limit=3')).map((m) => String(m.messageId)), desc.slice(0, 3));

  const seen = [];
  let cursor = '';
  for (;;) {
    const page = await histOk(w, ch, `limit=40${cursor ? `&from=${cursor}` : ''}`);
    if (page.length === 0) break;
    seen.push(...page.map((m) => String(m.messageId)));
    cursor = String(page[page.length - 1].messageId);
  }
  assert.deepEqual(seen, desc, 'paging yields every message once, in order');
});

test('History: bot and people messages interleave; an empty channel → {messages: []}', async () => {
  const w = await botWorld(server);
  const ch = await freshChannel(w);
  assert.deepEqual(await histOk(w, ch), []);
  await sendMessage(server, w.owner, ch, 'person 1');
  await sendOk(w, { channelId: ch, text: 'bot 1' });
  await sendMessage(server, w.owner, ch, 'person 2');
  const msgs = await histOk(w, ch);
  assert.deepEqual(msgs.map((m) => [m.text, m.creatorId]),
    [['person 2', w.owner.userId], ['bot 1', w.botUserId], ['person 1', w.owner.userId]]);
});

test('History: invalid input → 400 validation_error naming the field', async () => {
  const w = await botWorld(server);
  expectError(await c.get('/IMessages/v1/History', w.tok), 400, 'validation_error', 'channelId');
  expectError(await c.get('/IMessages/v1/History?channelId=', w.tok), 400, 'validation_error', 'channelId');
  expectError(await c.get('/IMessages/v1/History?channelId=nope', w.tok), 400, 'validation_error', 'channelId');
  expectError(await hist(w, w.general, 'limit=abc'), 400, 'validation_error', 'limit');
  expectError(await hist(w, w.general, 'from=abc'), 400, 'validation_error', 'from');
  expectError(await hist(w, w.general, 'from=99999999999999999999999'), 400, 'validation_error', 'from');
  // before membership
  expectError(await hist(w, w.other.channels[0].channelId, 'limit=abc'), 400, 'validation_error', 'limit');
});

test('History: unknown channel 404, foreign channel 403, voice channel 400 not_text_channel', async () => {
  const w = await botWorld(server);
  expectError(await hist(w, UNKNOWN_UUID), 404, 'channel_not_found');
  expectError(await hist(w, w.other.channels[0].channelId), 403, 'not_a_member');
  expectError(await hist(w, w.voice), 400, 'not_text_channel');
});

test('History without ReadMessages (ReadHistory) → 403 missing_permission; unknown channel still 404', async () => {
  const w = await botWorld(server);
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS & ~P.ReadHistory);
  expectError(await hist(w, w.general), 403, 'missing_permission', ['ReadMessages', 'ReadHistory']);
  expectError(await hist(w, UNKNOWN_UUID), 404, 'channel_not_found');
  await grant(server, w.owner, w.sid, w.botUserId, P.ReadHistory, 'readers');
  expectStatus(await hist(w, w.general), 200);
});

test('History: wrong method → 405 with Allow: GET; no token → 401', async () => {
  const w = await botWorld(server);
  const r = await c.post(`/IMessages/v1/History?channelId=${w.general}`, {}, w.tok);
  expectError(r, 405, 'method_not_allowed');
  assert.match(String(r.headers.get('allow')), /GET/i);
  expectError(await c.get(`/IMessages/v1/History?channelId=${w.general}`), 401, 'unauthorized');
});

test('History: messages of another channel and of a joined person show up only in their channel', async () => {
  const w = await botWorld(server);
  const ch1 = await freshChannel(w, 'a');
  const ch2 = await freshChannel(w, 'b');
  const bob = await register(server);
  await joinSpace(server, w.sid, w.owner, bob);
  await sendMessage(server, bob, ch1, 'bob in a');
  await sendOk(w, { channelId: ch2, text: 'bot in b' });
  assert.deepEqual((await histOk(w, ch1)).map((m) => [m.text, m.creatorId]), [['bob in a', bob.userId]]);
  assert.deepEqual((await histOk(w, ch2)).map((m) => m.text), ['bot in b']);
  assert.ok((await histOk(w, ch1)).every((m) => UUID_RE.test(m.channelId) && m.channelId === ch1));
});
