// People's live feed: GET /api/v1/events (CLIENT-API "People's live feed"): same engine, names and
// payloads as the bot stream, first `ready {userId, spaceIds}`, the person's spaces only, no intent
// filter, resume with Last-Event-ID / lastEventId / a cursor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createSpace, createApp, installBot, channelByName, sendMessage, joinSpace,
  expectError, expectStatus, HIGH_RATE_LIMITS,
} from './harness.mjs';
import { openPersonFeed, openBotStream, openReady, isEvent, isMessage, notHeartbeat, parseSpaceEventId, parseCursor, hex32 } from './sse.mjs';

let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ARGON_EVENTS_HEARTBEAT_SECONDS: '1' } });
  c = api(server);
});
after(async () => { await server?.stop(); });

const feed = (person, opts) => openReady(() => openPersonFeed(server, person.token, opts));

async function world() {
  const alice = await register(server);
  const bob = await register(server);
  const space = await createSpace(server, alice, 'People');
  const general = channelByName(space, 'general').channelId;
  const elsewhere = await createSpace(server, bob, 'Bob only');
  return { alice, bob, space, sid: space.spaceId, general, elsewhere };
}

test('auth: no token, a bad token or a bot token → 401 JSON', async () => {
  const w = await world();
  expectError(await c.get('/api/v1/events'), 401, 'unauthorized');
  expectError(await c.get('/api/v1/events', 'not-a-token'), 401, 'unauthorized');
  const app = await createApp(server, w.alice);
  expectError(await c.get('/api/v1/events', bot(app.token)), 401, 'unauthorized');
});

test('ready {userId, spaceIds}, then the events of the person\'s spaces (every kind, no intents), not of others', async () => {
  const w = await world();
  const s = await feed(w.alice);
  try {
    assert.deepEqual(s.ready.data, { userId: w.alice.userId, spaceIds: [w.sid] });
    assert.match(String(s.headers.get('content-type')), /^text\/event-stream/);

    await sendMessage(server, w.bob, channelByName(w.elsewhere, 'general').channelId, 'not for alice');
    await sendMessage(server, w.alice, w.general, 'own message');
    const own = await s.next(isMessage('own message'));
    assert.equal(own.data.spaceId, w.sid);
    assert.equal(own.data.message.sender.userId, w.alice.userId);
    assert.equal(parseSpaceEventId(own.id)?.space, hex32(w.sid), own.id);

    await joinSpace(server, w.sid, w.alice, w.bob); // memberJoin: Members would be privileged for bots
    const j = await s.next(isEvent('memberJoin'));
    assert.equal(j.data.user.userId, w.bob.userId);
    expectStatus(await c.post(`/api/v1/channels/${w.general}/typing`, undefined, w.bob.token), 204);
    const t = await s.next(isEvent('typingStart'));
    assert.deepEqual(t.data, { spaceId: w.sid, channelId: w.general, userId: w.bob.userId, kind: null });
    expectStatus(await c.put('/api/v1/me/presence', { status: 2 }, w.bob.token), 204);
    const p = await s.next(isEvent('presenceUpdate', (f) => f.data.user?.userId === w.bob.userId));
    assert.deepEqual(p.data.presence, { status: 2, activity: null });
    expectStatus(await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'new', channelType: 0 }, w.alice.token), 201);
    await s.next(isEvent('channelCreate'));
    expectStatus(await c.post(`/api/v1/spaces/${w.sid}/archetypes`, { name: 'r' }, w.alice.token), 201);
    await s.next(isEvent('archetypeCreate'));
    await sendMessage(server, w.bob, w.general, 'from bob');
    const all = s.frames.filter(notHeartbeat);
    assert.ok(!all.some((f) => f.data?.message?.text === 'not for alice'), 'no event of a space she is not in');
    await s.next(isMessage('from bob'));
  } finally { s.close(); }
});

test('joining a space while connected: its events arrive; a bot installed there shows up too', async () => {
  const w = await world();
  const s = await feed(w.alice);
  try {
    await joinSpace(server, w.elsewhere.spaceId, w.bob, w.alice);
    await sendMessage(server, w.bob, channelByName(w.elsewhere, 'general').channelId, 'welcome');
    const m = await s.next(isMessage('welcome'), 3000);
    assert.equal(m.data.spaceId, w.elsewhere.spaceId);
    const app = await createApp(server, w.alice);
    await installBot(server, w.alice, w.sid, app.appId);
    const j = await s.next(isEvent('memberJoin', (f) => f.data.user?.userId === app.botUserId));
    assert.equal(j.data.user.flags & 1, 1);
    const hb = await s.next(isEvent('heartbeat'), 4000);
    const cur = parseCursor(hb.id);
    assert.ok(cur?.has(hex32(w.sid)) && cur.has(hex32(w.elsewhere.spaceId)), hb.id);
  } finally { s.close(); }
});

test('creating a space while connected: the owner\'s memberJoin opens it (seq 1), then its events arrive', async () => {
  const w = await world();
  const s = await feed(w.alice);
  try {
    const made = await createSpace(server, w.alice, 'Made while live');
    const j = await s.next(isEvent('memberJoin', (f) => f.data.spaceId === made.spaceId));
    assert.equal(j.data.user.userId, w.alice.userId);
    assert.deepEqual(parseSpaceEventId(j.id), { space: hex32(made.spaceId), seq: 1 });
    await sendMessage(server, w.alice, channelByName(made, 'general').channelId, 'first words');
    const m = await s.next(isMessage('first words'));
    assert.equal(m.data.spaceId, made.spaceId);
    // Another person's new space is not followed.
    const theirs = await createSpace(server, w.bob, 'Not hers');
    await sendMessage(server, w.bob, channelByName(theirs, 'general').channelId, 'private words');
    await sendMessage(server, w.alice, w.general, 'marker');
    await s.next(isMessage('marker'));
    assert.ok(!s.frames.some((f) => f.data?.spaceId === theirs.spaceId), 'nothing of a space she is not in');
  } finally { s.close(); }
});

test('resume: Last-Event-ID header, lastEventId query (wins), heartbeat cursor → replay, resumed {N}, live', async () => {
  const w = await world();
  const s1 = await feed(w.alice);
  for (const t of ['r1', 'r2']) await sendMessage(server, w.alice, w.general, t);
  const [r1, r2] = await s1.collect(2, isEvent('messageCreate'));
  const hb = await s1.next(isEvent('heartbeat'), 4000);
  s1.close();
  for (const t of ['r3', 'r4']) await sendMessage(server, w.alice, w.general, t);

  const texts = (fs) => fs.filter((f) => f.event === 'messageCreate').map((f) => f.data.message.text);
  const check = async (opts, want) => {
    const s = await feed(w.alice, opts);
    try {
      const got = (await s.until(isEvent('resumed'))).filter(notHeartbeat);
      const resumed = got.pop();
      assert.deepEqual(texts(got), want, JSON.stringify(opts));
      assert.deepEqual(resumed.data, { replayedCount: want.length });
      await sendMessage(server, w.alice, w.general, `live ${JSON.stringify(opts)}`);
      assert.equal((await s.next(notHeartbeat)).data?.message?.text, `live ${JSON.stringify(opts)}`);
    } finally { s.close(); }
  };
  await check({ lastEventIdHeader: r1.id }, ['r2', 'r3', 'r4']);
  await check({ lastEventId: r2.id, lastEventIdHeader: r1.id }, ['r3', 'r4', `live ${JSON.stringify({ lastEventIdHeader: r1.id })}`]);
  assert.equal(parseCursor(hb.id)?.get(hex32(w.sid)), parseSpaceEventId(r2.id).seq);
  const s = await feed(w.alice, { lastEventIdHeader: hb.id });
  try {
    const got = (await s.until(isEvent('resumed'))).filter(notHeartbeat);
    const resumed = got.pop();
    assert.deepEqual(texts(got).slice(0, 2), ['r3', 'r4']);
    assert.equal(resumed.data.replayedCount, got.length);
  } finally { s.close(); }
});

test('a person\'s feed and a bot\'s stream of the same space carry the same event ids', async () => {
  const w = await world();
  const app = await createApp(server, w.alice);
  await installBot(server, w.alice, w.sid, app.appId);
  const ps = await feed(w.alice);
  const bs = await openReady(() => openBotStream(server, app.token, { intents: 1 }));
  try {
    await sendMessage(server, w.alice, w.general, 'shared');
    const a = await ps.next(isMessage('shared'));
    const b = await bs.next(isMessage('shared'));
    assert.equal(a.id, b.id);
    assert.deepEqual(a.data, b.data);
  } finally { ps.close(); bs.close(); }
});
