// Reactions (Bot API 1.8 IReactions/v1 and the people's routes, UPSTREAM.md §2, §7): Add, Remove,
// List, BatchGet; the 20-emoji cap, duplicates, own-only removal, the check order; reactions on
// History, on the people's message list and on messageCreate; reactionAdd/reactionRemove on the
// bot stream (intent Reactions = 8) and the people's feed; the 60/min rate limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, joinSpace, botWorld, sendMessage, setArchetypePermissions, expectError,
  expectStatus, expectEmpty200, expectRateHeaders, UNKNOWN_UUID, HIGH_RATE_LIMITS, DEFAULT_PERMISSIONS, P,
} from './harness.mjs';
import { openBotStream, openPersonFeed, openReady, isEvent } from './sse.mjs';

let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

const THUMBS = '👍';
const HEART = '\u2764';             // ❤ without VS16
const HEART_VS16 = '\u2764\uFE0F';  // ❤️: a different reaction
const FAMILY = '👨\u200D👩\u200D👧';
const emojiN = (n) => String.fromCodePoint(0x1F600 + n);

const add = (w, body, tok = w.tok) => c.post('/IReactions/v1/Add', body, tok);
const remove = (w, body, tok = w.tok) => c.del('/IReactions/v1/Remove', body, tok);
const list = (w, channelId, messageId, tok = w.tok) =>
  c.get(`/IReactions/v1/List?channelId=${channelId}&messageId=${messageId}`, tok);
const batchGet = (w, body, tok = w.tok) => c.post('/IReactions/v1/BatchGet', body, tok);

/** A world: owner + bot in a space, a second member, one message by the owner in general. */
async function world() {
  const w = await botWorld(server);
  w.member = await register(server);
  await joinSpace(server, w.sid, w.owner, w.member);
  w.msg = await sendMessage(server, w.owner, w.general, 'react to me');
  return w;
}

async function listOk(w, messageId = w.msg) {
  const r = await list(w, w.general, messageId);
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body), ['reactions']);
  return r.body.reactions;
}

const personAdd = (w, who, emoji, messageId = w.msg, channelId = w.general) =>
  c.post(`/api/v1/channels/${channelId}/messages/${messageId}/reactions`, { emoji }, who.token);
const personRemove = (w, who, emoji, messageId = w.msg) =>
  c.del(`/api/v1/channels/${w.general}/messages/${messageId}/reactions`, { emoji }, who.token);

// ---------------------------------------------------------------------------------------------
// Success paths

test('Add → 200 empty; List → {reactions:[{emoji,count,userIds}]} with a 3-id preview in reaction order', async () => {
  const w = await world();
  const extra = [await register(server), await register(server)];
  for (const p of extra) await joinSpace(server, w.sid, w.owner, p);
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  expectStatus(await personAdd(w, w.member, THUMBS), 204);
  expectStatus(await personAdd(w, w.owner, HEART), 204);
  for (const p of extra) expectStatus(await personAdd(w, p, THUMBS), 204);
  const reactions = await listOk(w);
  assert.equal(reactions.length, 2);
  assert.deepEqual(Object.keys(reactions[0]).sort(), ['count', 'emoji', 'userIds']);
  assert.deepEqual(reactions[0], { emoji: THUMBS, count: 4, userIds: [w.botUserId, w.member.userId, extra[0].userId] });
  assert.deepEqual(reactions[1], { emoji: HEART, count: 1, userIds: [w.owner.userId] });
});

test('messageId as a bare JSON integer above 2^53; emoji kept exactly as sent (❤ and ❤️ differ)', async () => {
  const w = await world();
  const raw = (emoji) => `{"channelId":"${w.general}","messageId":${w.msg},"emoji":${JSON.stringify(emoji)}}`;
  expectEmpty200(await c.post('/IReactions/v1/Add', undefined, w.tok, { rawBody: raw(HEART) }));
  expectEmpty200(await c.post('/IReactions/v1/Add', undefined, w.tok, { rawBody: raw(HEART_VS16) }));
  expectEmpty200(await c.post('/IReactions/v1/Add', undefined, w.tok, { rawBody: raw(FAMILY) }));
  const reactions = await listOk(w);
  assert.deepEqual(reactions.map((r) => r.emoji), [HEART, HEART_VS16, FAMILY]);
});

test('Remove (JSON body, or query parameters without a body) takes only the bot\'s own reaction', async () => {
  const w = await world();
  expectStatus(await personAdd(w, w.member, THUMBS), 204);
  // The member holds 👍, the bot does not: nothing to remove for the bot.
  expectError(await remove(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }), 404, 'reaction_not_found');
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  expectEmpty200(await remove(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  assert.deepEqual(await listOk(w), [{ emoji: THUMBS, count: 1, userIds: [w.member.userId] }]);
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: HEART }));
  const q = `channelId=${w.general}&messageId=${w.msg}&emoji=${encodeURIComponent(HEART)}`;
  expectEmpty200(await c.del(`/IReactions/v1/Remove?${q}`, undefined, w.tok));
  assert.deepEqual((await listOk(w)).map((r) => r.emoji), [THUMBS]);
  expectError(await c.del(`/IReactions/v1/Remove?${q}`, undefined, w.tok), 404, 'reaction_not_found');
});

test('an emoji whose last holder leaves drops out of the list; re-added, it goes last', async () => {
  const w = await world();
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: HEART }));
  expectEmpty200(await remove(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  assert.deepEqual((await listOk(w)).map((r) => r.emoji), [HEART]);
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  assert.deepEqual((await listOk(w)).map((r) => r.emoji), [HEART, THUMBS]);
});

test('duplicate Add → 409 already_reacted; a 21st distinct emoji → 422 reaction_limit_reached; existing emoji stay open', async () => {
  const w = await world();
  for (let i = 0; i < 20; i += 1) {
    expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: emojiN(i) }));
  }
  expectError(await add(w, { channelId: w.general, messageId: w.msg, emoji: emojiN(0) }), 409, 'already_reacted');
  expectError(await add(w, { channelId: w.general, messageId: w.msg, emoji: emojiN(20) }), 422, 'reaction_limit_reached');
  expectError(await personAdd(w, w.member, emojiN(20)), 422, 'reaction_limit_reached');
  expectStatus(await personAdd(w, w.member, emojiN(5)), 204);
  const reactions = await listOk(w);
  assert.equal(reactions.length, 20);
  assert.equal(reactions[5].count, 2);
});

test('BatchGet: request order, first 50 ids, duplicates collapsed, unknown ids left out, [] when none', async () => {
  const w = await world();
  const second = await sendMessage(server, w.owner, w.general, 'second');
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  let r = await batchGet(w, { channelId: w.general, messageIds: [second, '424242', w.msg, second] });
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body), ['messages']);
  assert.deepEqual(r.body.messages.map((m) => String(m.messageId)), [second, w.msg]);
  assert.deepEqual(r.body.messages[0].reactions, []);
  assert.deepEqual(r.body.messages[1].reactions, [{ emoji: THUMBS, count: 1, userIds: [w.botUserId] }]);
  // a bare int64 above 2^53 in the request
  r = await c.post('/IReactions/v1/BatchGet', undefined, w.tok,
    { rawBody: `{"channelId":"${w.general}","messageIds":[${w.msg}]}` });
  expectStatus(r, 200);
  assert.equal(String(r.body.messages[0].messageId), w.msg);
  assert.match(r.text, /"messageId":\d{16,}/);
  const fifty = Array.from({ length: 50 }, (_, i) => String(1000 + i));
  r = await batchGet(w, { channelId: w.general, messageIds: [...fifty, w.msg] });
  expectStatus(r, 200);
  assert.deepEqual(r.body.messages, [], 'the 51st id is not read');
  r = await batchGet(w, { channelId: w.general, messageIds: [] });
  expectStatus(r, 200);
  assert.deepEqual(r.body.messages, []);
  expectError(await batchGet(w, { channelId: w.general }), 400, 'validation_error', 'messageIds');
  expectError(await batchGet(w, { channelId: w.general, messageIds: 'x' }), 400, 'validation_error', 'messageIds');
  expectError(await batchGet(w, { channelId: w.general, messageIds: ['abc'] }), 400, 'validation_error', 'messageIds');
  expectError(await batchGet(w, { channelId: w.other.channels[0].channelId, messageIds: [w.msg] }), 403, 'not_a_member');
});

test('History, the people\'s message list and messageCreate carry reactions (always an array)', async () => {
  const w = await world();
  const s = await openReady(() => openBotStream(server, w.app.token, { intents: 1 | 8 }));
  try {
    const fresh = await sendMessage(server, w.owner, w.general, 'fresh one');
    const created = await s.next(isEvent('messageCreate', (f) => String(f.data.message.messageId) === fresh));
    assert.deepEqual(created.data.message.reactions, []);
  } finally { s.close(); }
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  const h = await c.get(`/IMessages/v1/History?channelId=${w.general}`, w.tok);
  expectStatus(h, 200);
  const byId = Object.fromEntries(h.body.messages.map((m) => [String(m.messageId), m]));
  assert.deepEqual(byId[w.msg].reactions, [{ emoji: THUMBS, count: 1, userIds: [w.botUserId] }]);
  for (const m of h.body.messages) assert.ok(Array.isArray(m.reactions), JSON.stringify(m));
  const p = await c.get(`/api/v1/channels/${w.general}/messages`, w.member.token);
  expectStatus(p, 200);
  const mine = p.body.messages.find((m) => String(m.messageId) === w.msg);
  assert.deepEqual(mine.reactions, [{ emoji: THUMBS, count: 1, userIds: [w.botUserId] }]);
});

// ---------------------------------------------------------------------------------------------
// Events

test('reactionAdd/reactionRemove reach bots with intent 8 (the reacting bot too) and people; failures emit nothing', async () => {
  const w = await world();
  const withIntent = await openReady(() => openBotStream(server, w.app.token, { intents: 8 }));
  const without = await openReady(() => openBotStream(server, w.app.token, { intents: 1 }));
  const feed = await openReady(() => openPersonFeed(server, w.member.token));
  try {
    expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
    expectError(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }), 409, 'already_reacted');
    expectStatus(await personAdd(w, w.member, HEART), 204);
    expectStatus(await personRemove(w, w.member, HEART), 204);
    const expected = (userId, emoji) => ({ spaceId: w.sid, channelId: w.general, messageId: w.msg, userId, emoji });
    const normal = (d) => ({ ...d, messageId: String(d.messageId) });
    const a1 = await withIntent.next(isEvent('reactionAdd'));
    assert.deepEqual(Object.keys(a1.data).sort(), ['channelId', 'emoji', 'messageId', 'spaceId', 'userId']);
    assert.deepEqual(normal(a1.data), expected(w.botUserId, THUMBS));
    const a2 = await withIntent.next(isEvent('reactionAdd'));
    assert.deepEqual(normal(a2.data), expected(w.member.userId, HEART));
    const r1 = await withIntent.next(isEvent('reactionRemove'));
    assert.deepEqual(normal(r1.data), expected(w.member.userId, HEART));
    // The person's feed sees the same three.
    for (const name of ['reactionAdd', 'reactionAdd', 'reactionRemove']) await feed.next(isEvent(name));
    // No second reactionAdd for the refused duplicate: the next reaction event after the bot's
    // add is the member's; and a stream without intent 8 gets none of them.
    const marker = await sendMessage(server, w.owner, w.general, 'after the reactions');
    await without.next(isEvent('messageCreate', (f) => String(f.data.message.messageId) === marker));
    assert.ok(!without.frames.some((f) => f.event.startsWith('reaction')), 'no reaction events without intent 8');
    assert.equal(withIntent.frames.filter((f) => f.event === 'reactionAdd').length, 2);
  } finally {
    withIntent.close(); without.close(); feed.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Errors, in the documented order

test('validation: bad emoji (empty, text, two emoji, spaces, lone ZWJ/VS16/skin tone), ids → 400 naming the field', async () => {
  const w = await world();
  const base = { channelId: w.general, messageId: w.msg };
  for (const emoji of ['', ' ', 'thumbs', ':thumbsup:', THUMBS + THUMBS, ` ${THUMBS}`, `${THUMBS} `, '\u200D', '\uFE0F',
    '\u{1F3FB}', 'x'.repeat(65), 42, null]) {
    expectError(await add(w, { ...base, emoji }), 400, 'validation_error', 'emoji');
    expectError(await personAdd(w, w.member, emoji), 400, 'validation_error', 'emoji');
  }
  expectError(await add(w, { channelId: w.general, messageId: w.msg }), 400, 'validation_error', 'emoji');
  expectError(await add(w, { ...base, channelId: 'nope', emoji: THUMBS }), 400, 'validation_error', 'channelId');
  expectError(await add(w, { channelId: w.general, emoji: THUMBS }), 400, 'validation_error', 'messageId');
  expectError(await add(w, { ...base, messageId: 'abc', emoji: THUMBS }), 400, 'validation_error', 'messageId');
  expectError(await add(w, { ...base, messageId: 0, emoji: THUMBS }), 400, 'validation_error', 'messageId');
  expectError(await list(w, 'nope', w.msg), 400, 'validation_error', 'channelId');
  expectError(await c.get(`/IReactions/v1/List?channelId=${w.general}`, w.tok), 400, 'validation_error', 'messageId');
  expectError(await c.post('/IReactions/v1/Add', undefined, w.tok, { rawBody: '{"channelId": ' }), 400, 'validation_error');
  // Validation comes before existence: an unknown channel with a bad emoji is a 400.
  expectError(await add(w, { channelId: UNKNOWN_UUID, messageId: w.msg, emoji: 'x' }), 400, 'validation_error');
  assert.deepEqual(await listOk(w), [], 'nothing stored');
});

test('404 channel_not_found → 403 not_a_member → 400 not_text_channel → 404 message_not_found, on every route', async () => {
  const w = await world();
  const otherChannel = w.other.channels[0].channelId;  // a space the bot is not in
  const cases = [
    [UNKNOWN_UUID, w.msg, 404, 'channel_not_found'],
    [otherChannel, w.msg, 403, 'not_a_member'],
    [w.voice, w.msg, 400, 'not_text_channel'],
    [w.general, '12345', 404, 'message_not_found'],
  ];
  for (const [channelId, messageId, status, code] of cases) {
    const body = { channelId, messageId, emoji: THUMBS };
    expectError(await add(w, body), status, code);
    expectError(await remove(w, body), status, code);
    expectError(await list(w, channelId, messageId), status, code);
    if (code !== 'message_not_found') {
      expectError(await batchGet(w, { channelId, messageIds: [messageId] }), status, code);
    }
  }
  // A message of another channel of the same space is not found in this one.
  const room = await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'room', channelType: 0 }, w.owner.token);
  expectStatus(room, 201);
  expectError(await add(w, { channelId: room.body.channelId, messageId: w.msg, emoji: THUMBS }), 404, 'message_not_found');
  // A stranger (person) gets 403 not_a_member on the people's routes too.
  const stranger = await register(server);
  expectError(await personAdd(w, stranger, THUMBS), 403, 'not_a_member');
});

test('Add without AddReactions → 403 insufficient_permissions; Remove, List and BatchGet need none', async () => {
  const w = await world();
  expectEmpty200(await add(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS & ~P.AddReactions);
  expectError(await add(w, { channelId: w.general, messageId: w.msg, emoji: HEART }), 403, 'insufficient_permissions');
  expectError(await personAdd(w, w.member, HEART), 403, 'insufficient_permissions');
  expectStatus(await personAdd(w, w.owner, HEART), 204);  // the owner needs no archetype
  assert.equal((await listOk(w)).length, 2);
  expectStatus(await batchGet(w, { channelId: w.general, messageIds: [w.msg] }), 200);
  expectEmpty200(await remove(w, { channelId: w.general, messageId: w.msg, emoji: THUMBS }));
  // existence before permission: an unknown message is still 404
  expectError(await add(w, { channelId: w.general, messageId: '12345', emoji: HEART }), 404, 'message_not_found');
});

test('401 without a token; the people\'s routes: 401, GET lists, DELETE ?emoji=', async () => {
  const w = await world();
  expectError(await c.post('/IReactions/v1/Add', { channelId: w.general, messageId: w.msg, emoji: THUMBS }), 401, 'unauthorized');
  expectError(await c.post(`/api/v1/channels/${w.general}/messages/${w.msg}/reactions`, { emoji: THUMBS }), 401, 'unauthorized');
  expectStatus(await personAdd(w, w.member, THUMBS), 204);
  expectError(await personAdd(w, w.member, THUMBS), 409, 'already_reacted');
  const got = await c.get(`/api/v1/channels/${w.general}/messages/${w.msg}/reactions`, w.owner.token);
  expectStatus(got, 200);
  assert.deepEqual(got.body, { reactions: [{ emoji: THUMBS, count: 1, userIds: [w.member.userId] }] });
  expectError(await personRemove(w, w.owner, THUMBS), 404, 'reaction_not_found');
  expectStatus(await c.del(`/api/v1/channels/${w.general}/messages/${w.msg}/reactions?emoji=${encodeURIComponent(THUMBS)}`,
    undefined, w.member.token), 204);
  expectError(await c.get(`/api/v1/channels/${w.general}/messages/notanid/reactions`, w.owner.token), 400, 'validation_error');
});

test('IReactions is limited to 60 requests a minute per bot (X-RateLimit-Limit 60, then 429)', async () => {
  const limited = await startServer();
  try {
    const w = await botWorld(limited);
    const msg = await sendMessage(limited, w.owner, w.general, 'limits');
    const lc = api(limited);
    const first = await lc.get(`/IReactions/v1/List?channelId=${w.general}&messageId=${msg}`, w.tok);
    expectStatus(first, 200);
    expectRateHeaders(first, 60);
    let last;
    for (let i = 1; i <= 60; i += 1) {
      last = await lc.get(`/IReactions/v1/List?channelId=${w.general}&messageId=${msg}`, w.tok);
      if (last.status === 429) break;
    }
    expectError(last, 429, 'rate_limited');
    assert.ok(Number(last.headers.get('retry-after')) >= 1, 'Retry-After');
  } finally { await limited.stop(); }
});
