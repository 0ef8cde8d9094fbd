// CLIENT-API.md "Messages and typing".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, joinSpace, channelByName, sendMessage, history,
  expectError, expectStatus, big, UUID_RE, ISO_MS_RE, TWO_POW_53, P, DEFAULT_PERMISSIONS,
} from './harness.mjs';

let server, c;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

before(async () => {
  server = await startServer();
  c = api(server);
});

after(async () => { await server?.stop(); });

/** owner alice, member bob, outsider eve; a fresh text channel per call so histories are isolated. */
async function fixture() {
  const alice = await register(server);
  const bob = await register(server);
  const eve = await register(server);
  const space = await createSpace(server, alice, 'Chat');
  await joinSpace(server, space.spaceId, alice, bob);
  const general = channelByName(space, 'general');
  const voice = channelByName(space, 'voice');
  return { alice, bob, eve, space, sid: space.spaceId, ch: general.channelId, voice: voice.channelId };
}

const msgs = (ch) => `/api/v1/channels/${ch}/messages`;

test('send → 201 {messageId} as a bare JSON integer above 2^53', async () => {
  const { alice, ch } = await fixture();
  const r = await c.post(msgs(ch), { text: 'Hello, world' }, alice.token);
  expectStatus(r, 201);
  assert.deepEqual(Object.keys(r.body), ['messageId']);
  assert.match(r.text, /"messageId"\s*:\s*\d{16,}\s*[,}]/, `messageId must be a JSON number: ${r.text}`);
  assert.ok(big(r.body.messageId) > TWO_POW_53, `messageId ${r.body.messageId} must exceed 2^53`);
});

test('history → {messages:[MessageDto]} newest first with the full shape', async () => {
  const { alice, bob, sid, ch } = await fixture();
  const t0 = Date.now();
  const m1 = await sendMessage(server, alice, ch, 'first');
  const m2 = await sendMessage(server, bob, ch, 'second');
  assert.ok(big(m2) > big(m1), 'message ids are time-ordered');
  const r = await c.get(msgs(ch), bob.token);
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body), ['messages']);
  const list = r.body.messages;
  assert.equal(list.length, 2);
  assert.deepEqual(list.map((m) => String(m.messageId)), [m2, m1]);
  const [b, a] = list;
  assert.deepEqual(Object.keys(a).sort(), ['channelId', 'controls', 'createdAt', 'creatorId', 'entities', 'messageId', 'reactions', 'replyTo', 'spaceId', 'text']);
  assert.equal(a.text, 'first');
  assert.equal(a.creatorId, alice.userId);
  assert.equal(b.creatorId, bob.userId);
  assert.equal(a.channelId, ch);
  assert.equal(a.spaceId, sid);
  assert.equal(a.replyTo, null);
  assert.deepEqual(a.entities, []);
  assert.equal(a.controls, null);
  assert.match(a.createdAt, ISO_MS_RE);
  const ts = Date.parse(a.createdAt);
  assert.ok(ts >= t0 - 5000 && ts <= Date.now() + 5000, `createdAt ${a.createdAt} is not now`);
  assert.match(r.text, /"messageId"\s*:\s*\d{16,}/, 'messageId in history is a JSON number');
});

test('history paging: limit, from (exclusive), default 50, clamp 1..100', async () => {
  const { alice, ch } = await fixture();
  const ids = [];
  for (let i = 0; i < 105; i++) ids.push(await sendMessage(server, alice, ch, `m${i}`));
  const newestFirst = [...ids].reverse();
  const all = await history(server, alice, ch);
  assert.equal(all.length, 50, 'default limit is 50');
  assert.deepEqual(all.map((m) => String(m.messageId)), newestFirst.slice(0, 50));
  const two = await history(server, alice, ch, 'limit=2');
  assert.deepEqual(two.map((m) => m.text), ['m104', 'm103']);
  const after = await history(server, alice, ch, `from=${ids[103]}&limit=3`);
  assert.deepEqual(after.map((m) => m.text), ['m102', 'm101', 'm100'], 'from is exclusive');
  const oldest = await history(server, alice, ch, `from=${ids[2]}`);
  assert.deepEqual(oldest.map((m) => m.text), ['m1', 'm0']);
  assert.deepEqual(await history(server, alice, ch, `from=${ids[0]}`), []);
  assert.equal((await history(server, alice, ch, 'limit=0')).length, 1, 'limit 0 clamps to 1');
  assert.equal((await history(server, alice, ch, 'limit=-5')).length, 1, 'negative limit clamps to 1');
  assert.equal((await history(server, alice, ch, 'limit=1000')).length, 100, 'limit 1000 clamps to 100');
  assert.equal((await history(server, alice, ch, 'limit=100')).length, 100);
  // Walk the whole history in pages of 30 without gaps or repeats.
  const seen = [];
  let from = '';
  for (;;) {
    const page = await history(server, alice, ch, `limit=30${from ? `&from=${from}` : ''}`);
    if (page.length === 0) break;
    seen.push(...page.map((m) => String(m.messageId)));
    from = String(page[page.length - 1].messageId);
  }
  assert.deepEqual(seen, newestFirst);
});

test('history with bad query values → 400 validation_error', async () => {
  const { alice, ch } = await fixture();
  await sendMessage(server, alice, ch, 'x');
  expectError(await c.get(`${msgs(ch)}?from=abc`, alice.token), 400, 'validation_error', 'from');
  expectError(await c.get(`${msgs(ch)}?limit=lots`, alice.token), 400, 'validation_error', 'limit');
});

test('randomId makes sending idempotent per (sender, channel)', async () => {
  const { alice, bob, ch, sid } = await fixture();
  const r1 = await c.post(msgs(ch), { text: 'once', randomId: 42 }, alice.token);
  expectStatus(r1, 201);
  const r2 = await c.post(msgs(ch), { text: 'once', randomId: 42 }, alice.token);
  expectStatus(r2, [200, 201]);
  assert.equal(String(r2.body.messageId), String(r1.body.messageId));
  const r3 = await c.post(msgs(ch), { text: 'once', randomId: '42' }, alice.token);
  expectStatus(r3, [200, 201]);
  assert.equal(String(r3.body.messageId), String(r1.body.messageId), 'randomId as numeric string is the same key');
  assert.equal((await history(server, alice, ch)).length, 1);
  // Another sender, same randomId → a new message.
  const rb = await c.post(msgs(ch), { text: 'bob', randomId: 42 }, bob.token);
  expectStatus(rb, 201);
  assert.notEqual(String(rb.body.messageId), String(r1.body.messageId));
  // Same sender, another channel → a new message.
  const other = await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'other', channelType: 0 }, alice.token);
  const ro = await c.post(msgs(other.body.channelId), { text: 'elsewhere', randomId: 42 }, alice.token);
  expectStatus(ro, 201);
  assert.notEqual(String(ro.body.messageId), String(r1.body.messageId));
  // A 64-bit randomId works.
  const bigId = '9223372036854775000';
  const rx = await c.post(msgs(ch), { text: 'big', randomId: bigId }, alice.token);
  const ry = await c.post(msgs(ch), { text: 'big', randomId: bigId }, alice.token);
  assert.equal(String(ry.body.messageId), String(rx.body.messageId));
  assert.equal((await history(server, alice, ch)).length, 3);
});

test('entities: stored and returned in union form, type as the integer the reference writes (DECISIONS §3)', async () => {
  const { alice, bob, ch } = await fixture();
  const text = 'Hello world! @bob see example.com/x';
  const mentionAt = text.indexOf('@bob');
  const urlAt = text.indexOf('example.com');
  const id = await sendMessage(server, alice, ch, {
    text,
    entities: [
      { type: 'bold', offset: 6, length: 5 },
      { type: 11, offset: 6, length: 5 },
      { type: 'Mention', offset: mentionAt, length: 4, userId: bob.userId },
      { type: 'url', offset: urlAt, length: 13, domain: 'example.com', path: '/x' },
      { type: 'hashTag', offset: 0, length: 5, hashtag: 'Hello' },
    ],
  });
  const [m] = await history(server, alice, ch, 'limit=1');
  assert.equal(String(m.messageId), id);
  assert.equal(m.entities.length, 5);
  const [bold, italic, mention, url, hashtag] = m.entities;
  assert.equal(bold.type, 10); // bold
  assert.equal(bold.offset, 6);
  assert.equal(bold.length, 5);
  assert.equal(italic.type, 11); // italic
  assert.equal(mention.type, 1); // mention
  assert.equal(mention.userId, bob.userId);
  assert.equal(url.type, 5); // url
  assert.equal(url.domain, 'example.com');
  assert.equal(url.path, '/x');
  assert.equal(hashtag.type, 0); // hashtag
  assert.equal(hashtag.hashtag, 'Hello');
});

test('entity offsets/lengths are UTF-16 code units', async () => {
  const { alice, ch } = await fixture();
  const text = '😀ab'; // 😀 is 2 UTF-16 units → length 4
  await sendMessage(server, alice, ch, { text, entities: [{ type: 'bold', offset: 2, length: 2 }] });
  await sendMessage(server, alice, ch, { text, entities: [{ type: 'bold', offset: 0, length: 4 }] });
  const r = await c.post(msgs(ch), { text, entities: [{ type: 'bold', offset: 3, length: 2 }] }, alice.token);
  expectError(r, 400, 'validation_error', 'entit');
  assert.equal((await history(server, alice, ch)).length, 2);
});

test('bad entities → 400 validation_error; nothing is stored', async () => {
  const { alice, ch } = await fixture();
  const text = 'hello there';
  const bad = [
    [{ type: 'bold', offset: 0, length: 12 }],
    [{ type: 'bold', offset: -1, length: 2 }],
    [{ type: 'bold', offset: 2, length: -1 }],
    [{ type: 'bold', offset: 11, length: 1 }],
    [{ type: 'blink', offset: 0, length: 1 }],
    [{ type: 99, offset: 0, length: 1 }],
    [{ type: 'systemUserJoined', offset: 0, length: 1, userId: UNKNOWN, inviterId: null }],
    [{ type: 'systemCallStarted', offset: 0, length: 1, callerId: UNKNOWN, callId: UNKNOWN }],
    [{ type: 16, offset: 0, length: 1, callerId: UNKNOWN, callId: UNKNOWN }],
    [{ type: 'systemCallEnded', offset: 0, length: 1, callerId: UNKNOWN, callId: UNKNOWN, durationSeconds: 3 }],
    [{ type: 'systemCallTimeout', offset: 0, length: 1, callerId: UNKNOWN, callId: UNKNOWN }],
    [{ offset: 0, length: 1 }],
    Array.from({ length: 101 }, () => ({ type: 'bold', offset: 0, length: 1 })),
  ];
  for (const entities of bad) {
    const r = await c.post(msgs(ch), { text, entities }, alice.token);
    expectError(r, 400, 'validation_error', 'entit');
  }
  const r = await c.post(msgs(ch), { text, entities: 'bold' }, alice.token);
  expectError(r, 400, 'validation_error', 'entit');
  assert.deepEqual(await history(server, alice, ch), []);
  // Exactly 100 entities is fine.
  await sendMessage(server, alice, ch, { text, entities: Array.from({ length: 100 }, () => ({ type: 'italic', offset: 0, length: 1 })) });
});

test('text length: 4000 UTF-16 units accepted, 4001 rejected; empty text rejected without entities', async () => {
  const { alice, ch } = await fixture();
  await sendMessage(server, alice, ch, 'x'.repeat(4000));
  await sendMessage(server, alice, ch, '😀'.repeat(2000)); // 4000 units
  for (const text of ['x'.repeat(4001), '😀'.repeat(2000) + 'x', '😀'.repeat(2001)]) {
    expectError(await c.post(msgs(ch), { text }, alice.token), 400, 'validation_error', 'text');
  }
  expectError(await c.post(msgs(ch), { text: '' }, alice.token), 400, 'validation_error', 'text');
  expectError(await c.post(msgs(ch), { text: '', entities: [] }, alice.token), 400, 'validation_error', 'text');
  expectError(await c.post(msgs(ch), {}, alice.token), 400, 'validation_error', 'text');
  expectError(await c.post(msgs(ch), { text: { a: 1 } }, alice.token), 400, 'validation_error', 'text');
  expectError(await c.post(msgs(ch), { text: ['hi'] }, alice.token), 400, 'validation_error', 'text');
  const list = await history(server, alice, ch);
  assert.equal(list.length, 2);
  assert.equal(list[0].text, '😀'.repeat(2000));
  assert.equal(list[1].text.length, 4000);
});

test('unicode text round-trips exactly', async () => {
  const { alice, ch } = await fixture();
  const text = 'Grüße 👋🏽 — "quotes" \\ back\\slash\nnew line\ttab 日本語 \u0000nul?';
  const r = await c.post(msgs(ch), { text }, alice.token);
  expectStatus(r, [201, 400]);
  if (r.status === 400) {
    // A NUL character may be refused; everything else must round-trip.
    const t2 = text.replace('\u0000', '');
    await sendMessage(server, alice, ch, t2);
    assert.equal((await history(server, alice, ch, 'limit=1'))[0].text, t2);
  } else {
    assert.equal((await history(server, alice, ch, 'limit=1'))[0].text, text);
  }
});

test('replyTo: an existing message of the channel; otherwise 400 validation_error', async () => {
  const { alice, bob, sid, ch } = await fixture();
  const parent = await sendMessage(server, alice, ch, 'question?');
  const reply = await sendMessage(server, bob, ch, { text: 'answer', replyTo: parent });
  const [m] = await history(server, alice, ch, 'limit=1');
  assert.equal(String(m.messageId), reply);
  assert.equal(String(m.replyTo), parent);
  assert.match(JSON.stringify(m.replyTo), /^"?\d+"?$/);
  // replyTo as a JSON number in the request (big) also works.
  const r = await c.post(msgs(ch), undefined, bob.token, { rawBody: `{"text":"again","replyTo":${parent}}` });
  expectStatus(r, 201);
  // unknown id / message in another channel / not a number
  const other = (await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'other', channelType: 0 }, alice.token)).body;
  const elsewhere = await sendMessage(server, alice, other.channelId, 'elsewhere');
  for (const replyTo of ['123', (big(parent) + 1000000n).toString(), elsewhere, 'abc']) {
    expectError(await c.post(msgs(ch), { text: 'bad reply', replyTo }, bob.token), 400, 'validation_error', 'replyTo');
  }
  assert.equal((await history(server, alice, ch)).length, 3);
});

test('send errors: voice channel 400, unknown channel 404, non-member 403, no token 401', async () => {
  const { alice, eve, ch, voice } = await fixture();
  expectError(await c.post(msgs(voice), { text: 'hi' }, alice.token), 400, 'not_text_channel');
  expectError(await c.get(msgs(voice), alice.token), 400, 'not_text_channel');
  expectError(await c.post(msgs(UNKNOWN), { text: 'hi' }, alice.token), 404, 'channel_not_found');
  expectError(await c.get(msgs(UNKNOWN), alice.token), 404, 'channel_not_found');
  expectError(await c.post(msgs(ch), { text: 'hi' }, eve.token), 403, 'not_a_member');
  expectError(await c.get(msgs(ch), eve.token), 403, 'not_a_member');
  expectError(await c.post(msgs(ch), { text: 'hi' }), 401, 'unauthorized');
  expectError(await c.get(msgs(ch)), 401, 'unauthorized');
  assert.deepEqual(await history(server, alice, ch), []);
});

test('announcement channels are text channels', async () => {
  const { alice, sid } = await fixture();
  const ann = (await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'news', channelType: 2 }, alice.token)).body;
  await sendMessage(server, alice, ann.channelId, 'big news');
  assert.equal((await history(server, alice, ann.channelId)).length, 1);
});

test('SendMessages is required to send and to start typing (the owner always has it)', async () => {
  const { alice, bob, sid, space, ch } = await fixture();
  const url = `/api/v1/spaces/${sid}/archetypes/${space.defaultArchetypeId}`;
  const without = DEFAULT_PERMISSIONS & ~P.SendMessages;
  expectStatus(await c.patch(url, { permissions: without.toString() }, alice.token), 200);
  expectError(await c.post(msgs(ch), { text: 'muted' }, bob.token), 403, 'missing_permission', 'send');
  expectError(await c.post(`/api/v1/channels/${ch}/typing`, undefined, bob.token), 403, 'missing_permission');
  expectStatus(await c.del(`/api/v1/channels/${ch}/typing`, undefined, bob.token), 204);
  await sendMessage(server, alice, ch, 'owner still talks');
  assert.equal((await history(server, bob, ch)).length, 1, 'bob can still read');
  expectStatus(await c.patch(url, { permissions: DEFAULT_PERMISSIONS.toString() }, alice.token), 200);
  await sendMessage(server, bob, ch, 'unmuted');
});

test('edit own message → 204; others\' → 404 message_not_found; validation keeps the old text', async () => {
  const { alice, bob, eve, ch, sid } = await fixture();
  const id = await sendMessage(server, alice, ch, 'original');
  const url = `${msgs(ch)}/${id}`;
  const r = await c.patch(url, { text: 'edited', entities: [{ type: 'bold', offset: 0, length: 6 }] }, alice.token);
  expectStatus(r, 204);
  assert.equal(r.text, '');
  let [m] = await history(server, alice, ch, 'limit=1');
  assert.equal(String(m.messageId), id);
  assert.equal(m.text, 'edited');
  assert.equal(m.entities[0].type, 10); // bold
  expectError(await c.patch(url, { text: 'bob edits' }, bob.token), 404, 'message_not_found');
  expectError(await c.patch(url, { text: 'eve edits' }, eve.token), 403, 'not_a_member');
  expectError(await c.patch(`${msgs(ch)}/${(big(id) + 12345n).toString()}`, { text: 'x' }, alice.token), 404, 'message_not_found');
  expectError(await c.patch(url, { text: 'x'.repeat(4001) }, alice.token), 400, 'validation_error', 'text');
  expectError(await c.patch(url, { text: 'abc', entities: [{ type: 'bold', offset: 0, length: 9 }] }, alice.token), 400, 'validation_error', 'entit');
  expectError(await c.patch(url, { text: 'x' }), 401, 'unauthorized');
  // The message addressed through another channel is not found.
  const other = (await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'other', channelType: 0 }, alice.token)).body;
  expectError(await c.patch(`${msgs(other.channelId)}/${id}`, { text: 'moved?' }, alice.token), 404, 'message_not_found');
  [m] = await history(server, alice, ch, 'limit=1');
  assert.equal(m.text, 'edited');
  assert.equal((await history(server, alice, ch)).length, 1, 'editing does not create messages');
});

test('typing start/stop → 204; errors', async () => {
  const { alice, bob, eve, ch } = await fixture();
  const url = `/api/v1/channels/${ch}/typing`;
  for (const u of [alice, bob]) {
    const r = await c.post(url, undefined, u.token);
    expectStatus(r, 204);
    assert.equal(r.text, '');
    expectStatus(await c.post(url, undefined, u.token), 204);
    expectStatus(await c.del(url, undefined, u.token), 204);
    expectStatus(await c.del(url, undefined, u.token), 204);
  }
  expectError(await c.post(url, undefined, eve.token), 403, 'not_a_member');
  expectError(await c.del(url, undefined, eve.token), 403, 'not_a_member');
  expectError(await c.post(`/api/v1/channels/${UNKNOWN}/typing`, undefined, alice.token), 404, 'channel_not_found');
  expectError(await c.post(url), 401, 'unauthorized');
  // An empty JSON object body is fine too.
  expectStatus(await c.post(url, {}, alice.token), 204);
});

test('a member who left can no longer read or write', async () => {
  const { alice, bob, sid, ch } = await fixture();
  await sendMessage(server, bob, ch, 'bye');
  expectStatus(await c.del(`/api/v1/spaces/${sid}/members/${bob.userId}`, undefined, bob.token), 204);
  expectError(await c.post(msgs(ch), { text: 'still here?' }, bob.token), 403, 'not_a_member');
  expectError(await c.get(msgs(ch), bob.token), 403, 'not_a_member');
  const list = await history(server, alice, ch);
  assert.equal(list.length, 1);
  assert.equal(list[0].creatorId, bob.userId, 'messages of a former member stay');
  assert.ok(UUID_RE.test(list[0].creatorId));
});
