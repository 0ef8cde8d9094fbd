// Events stream: connecting (SPEC §4.1–4.4, §5; DECISIONS §7): ready, effective intents, 403
// missing_intents, route forms, wire format, intent filtering, event ids, heartbeats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createSpace, createApp, installBot, channelByName, sendMessage,
  botWorld, verifyApp, expectError, expectStatus, HIGH_RATE_LIMITS,
} from './harness.mjs';
import {
  openBotStream, openReady, hex32, parseSpaceEventId, parseDirectEventId, parseCursor, argonNow,
  isEvent, isMessage, notHeartbeat,
} from './sse.mjs';

const ADMIN = 'adm-connect';
let server, c;

before(async () => {
  server = await startServer({
    // Streams are opened and closed in quick succession here; a closed stream's concurrency slot
    // comes back once the server noticed the disconnect, which a busy machine may delay: the
    // cap is not what this file tests (events-live does).
    env: {
      ...HIGH_RATE_LIMITS, ARGON_RATELIMIT_MAX_CONCURRENCY: '1000', ARGON_ADMIN_TOKEN: ADMIN,
      ARGON_EVENTS_HEARTBEAT_SECONDS: '1',
    },
  });
  c = api(server);
});
after(async () => { await server?.stop(); });

const streamOf = (w, opts) => openReady(() => openBotStream(server, w.app.token, opts));

test('ready: first frame, id ready, {intents: 12253 by default, spaceIds: the bot\'s spaces, spaces}; SSE headers', async () => {
  const w = await botWorld(server);
  const s = await streamOf(w);
  try {
    assert.match(String(s.headers.get('cache-control')), /no-cache/i);
    assert.deepEqual(Object.keys(s.ready.data).sort(), ['intents', 'spaceIds', 'spaces']);
    assert.equal(s.ready.data.intents, 12253);
    assert.deepEqual(s.ready.data.spaceIds, [w.sid]);
    // UPSTREAM §3 (botapi-upstream-state.test.mjs covers the mask): one entry per space.
    assert.deepEqual(s.ready.data.spaces.map((x) => x.spaceId), [w.sid]);
    // Wire: exactly one id, one event and one data line per frame; data is one-line JSON.
    assert.deepEqual(s.ready.lines.map((l) => l.split(':')[0]).sort(), ['data', 'event', 'id']);
    assert.equal(s.ready.dataText, JSON.stringify(s.ready.data));
  } finally { s.close(); }
});

test('ready.spaceIds lists every space of the bot; a bot in no space gets []', async () => {
  const owner = await register(server);
  const app = await createApp(server, owner);
  let s = await openReady(() => openBotStream(server, app.token));
  assert.deepEqual(s.ready.data.spaceIds, []);
  assert.deepEqual(s.ready.data.spaces, []);
  s.close();
  const a = await createSpace(server, owner, 'A');
  const b = await createSpace(server, owner, 'B');
  await installBot(server, owner, a.spaceId, app.appId);
  await installBot(server, owner, b.spaceId, app.appId);
  s = await openReady(() => openBotStream(server, app.token));
  assert.deepEqual([...s.ready.data.spaceIds].sort(), [a.spaceId, b.spaceId].sort());
  assert.deepEqual(s.ready.data.spaces.map((x) => x.spaceId).sort(), [a.spaceId, b.spaceId].sort());
  s.close();
});

test('effective intents: privileged bits (2, 32, 4096) dropped for unverified bots, kept once verified', async () => {
  const w = await botWorld(server);
  const cases = [[undefined, 12253], [16383, 12253], [1, 1], [0, 0], [2, 0], [32 | 1, 1], [4096 | 4, 4], [4130, 0], [12253, 12253]];
  for (const [req, eff] of cases) {
    const s = await streamOf(w, { intents: req });
    assert.equal(s.ready.data.intents, eff, `unverified, intents=${req}`);
    s.close();
  }
  await verifyApp(server, ADMIN, w.app.appId);
  const vcases = [[undefined, 12253], [16383, 16383], [2, 2], [32 | 1, 33], [4096, 4096], [4130, 4130], [0, 0]];
  for (const [req, eff] of vcases) {
    const s = await streamOf(w, { intents: req });
    assert.equal(s.ready.data.intents, eff, `verified, intents=${req}`);
    s.close();
  }
});

test('403 missing_intents (JSON, before any stream) for a non-integer, negative or no-known-bit mask', async () => {
  const w = await botWorld(server);
  for (const bad of ['abc', '-1', '1.5', '0x1', '1e3', '', '16384', String(1 << 20), '99999999999999999999999', '1,2']) {
    const r = await c.get(`/IEvents/v1/Stream?intents=${encodeURIComponent(bad)}`, w.tok);
    expectError(r, 403, 'missing_intents');
    assert.equal(r.body.message, 'No valid intents specified.', `intents=${bad}`);
    assert.doesNotMatch(String(r.headers.get('content-type')), /event-stream/);
  }
  // Unknown high bits next to a known one are ignored.
  const s = await streamOf(w, { intents: 16384 | 1 });
  assert.equal(Number(s.ready.data.intents) & 16383, 1);
  s.close();
});

test('auth: no or bad token → 401 JSON; every route form serves the stream', async () => {
  const w = await botWorld(server);
  expectError(await c.get('/IEvents/v1/Stream'), 401, 'unauthorized');
  expectError(await c.get('/IEvents/v1/Stream', bot(`${w.app.appId.replace(/-/g, '')}:${'A'.repeat(43)}`)), 401, 'unauthorized');
  expectError(await c.get('/IEvents/v1/Stream', w.owner.token), 401, 'unauthorized'); // a person's Bearer token
  const tok = w.app.token;
  for (const p of ['/api/bot/IEvents/v1/Stream', `/${tok}/IEvents/v1/Stream`, `/api/bot/${tok}/IEvents/v1/Stream`,
    `/${tok.replace(':', '%3A')}/IEvents/v1/Stream`, '/ievents/v1/stream', '/api/bot/IEVENTS/V1/STREAM']) {
    const auth = p.includes(tok) || p.includes('%3A') ? false : undefined;
    const s = await openReady(() => openBotStream(server, tok, { path: p, auth }));
    assert.deepEqual(s.ready.data.spaceIds, [w.sid], p);
    s.close();
  }
  const r = await c.post('/IEvents/v1/Stream', {}, w.tok);
  expectError(r, 405, 'method_not_allowed');
});

test('event ids: {spaceHex}_{seq}, seq per space strictly increasing by one; direct_{seq} for lifecycle', async () => {
  const owner = await register(server);
  const app = await createApp(server, owner);
  const a = await createSpace(server, owner, 'A');
  const b = await createSpace(server, owner, 'B');
  await installBot(server, owner, a.spaceId, app.appId);
  const s = await openReady(() => openBotStream(server, app.token));
  try {
    await installBot(server, owner, b.spaceId, app.appId);
    const inst = await s.next(isEvent('botInstallingToSpace'));
    assert.notEqual(parseDirectEventId(inst.id), null, `direct id: ${inst.id}`);
    const ga = channelByName(a, 'general').channelId;
    const gb = channelByName(b, 'general').channelId;
    for (let i = 0; i < 4; i++) {
      await sendMessage(server, owner, ga, `a${i}`);
      await sendMessage(server, owner, gb, `b${i}`);
    }
    const msgs = await s.collect(8, isEvent('messageCreate'));
    assert.deepEqual(msgs.map((f) => f.data.message.text), ['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
    for (const [space, prefix] of [[a, 'a'], [b, 'b']]) {
      const ids = msgs.filter((f) => f.data.message.text.startsWith(prefix)).map((f) => parseSpaceEventId(f.id));
      for (const id of ids) assert.equal(id?.space, hex32(space.spaceId), JSON.stringify(msgs.map((f) => f.id)));
      for (let i = 1; i < ids.length; i++) assert.equal(ids[i].seq, ids[i - 1].seq + 1, `consecutive seqs in ${prefix}: ${msgs.map((f) => f.id)}`);
    }
    // Uninstall: direct id with the next direct seq.
    expectStatus(await c.del(`/api/v1/spaces/${b.spaceId}/bots/${app.appId}`, undefined, owner.token), 204);
    const un = await s.next(isEvent('botUninstallingFromSpace'));
    assert.equal(parseDirectEventId(un.id), parseDirectEventId(inst.id) + 1, `${inst.id} then ${un.id}`);
    // Every non-connection frame carries an id of one of the two forms.
    for (const f of s.frames) {
      if (['ready', 'heartbeat', 'resumed'].includes(f.event)) continue;
      assert.ok(parseSpaceEventId(f.id) || parseDirectEventId(f.id) !== null, `id of ${f.event}: ${f.id}`);
      assert.deepEqual(f.lines.map((l) => l.split(':')[0]).sort(), ['data', 'event', 'id'], f.raw);
      assert.notEqual(f.data, undefined, `data must be JSON: ${f.raw}`);
    }
  } finally { s.close(); }
});

test('heartbeat after 1 s idle: id = cursor with the last delivered seq per space, {timestamp: ms since 2025-01-01}', async () => {
  const w = await botWorld(server);
  const s = await streamOf(w);
  try {
    const t0 = Date.now();
    const hb0 = await s.next(isEvent('heartbeat'), 4000);
    assert.ok(Date.now() - t0 < 3500, 'heartbeat within ~1 s of idleness');
    assert.notEqual(parseCursor(hb0.id), null, `cursor: ${hb0.id}`);
    assert.deepEqual(Object.keys(hb0.data), ['timestamp']);
    assert.ok(Number.isInteger(hb0.data.timestamp));
    assert.ok(Math.abs(hb0.data.timestamp - argonNow()) < 5000, `timestamp ${hb0.data.timestamp} vs now ${argonNow()}`);

    await sendMessage(server, w.owner, w.general, 'one');
    await sendMessage(server, w.owner, w.general, 'two');
    await s.next(isMessage('one'));
    const m2 = await s.next(isMessage('two'));
    const hb = await s.next(isEvent('heartbeat'), 4000);
    const cur = parseCursor(hb.id);
    assert.notEqual(cur, null, `cursor: ${hb.id}`);
    assert.equal(cur.get(hex32(w.sid)), parseSpaceEventId(m2.id).seq, `cursor ${hb.id} after ${m2.id}`);
    assert.ok(!cur.has(hex32(w.other.spaceId)), 'no position for a space the bot is not in');
    for (const k of cur.keys()) assert.ok(k === 'direct' || /^[0-9a-f]{32}$/.test(k), `cursor key ${k} in ${hb.id}`);
    assert.ok(hb.data.timestamp > hb0.data.timestamp);
    // Idle connection: heartbeats keep coming, about a second apart.
    const hb2 = await s.next(isEvent('heartbeat'), 4000);
    const gap = hb2.data.timestamp - hb.data.timestamp;
    assert.ok(gap >= 500 && gap < 3500, `heartbeat spacing ${gap} ms`);
  } finally { s.close(); }
});

test('intent filtering: intents=1 gets messages but not channels, typing, archetypes', async () => {
  const w = await botWorld(server);
  const s = await streamOf(w, { intents: 1 });
  try {
    expectStatus(await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'filtered', channelType: 0 }, w.owner.token), 201);
    expectStatus(await c.post(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
    expectStatus(await c.post(`/api/v1/spaces/${w.sid}/archetypes`, { name: 'r' }, w.owner.token), 201);
    await sendMessage(server, w.owner, w.general, 'marker');
    const seen = await s.until(isMessage('marker'));
    assert.deepEqual(seen.filter(notHeartbeat).map((f) => f.event), ['messageCreate'],
      `only the marker: ${seen.map((f) => f.event)}`);
  } finally { s.close(); }
});

test('intent filtering: intents=4 gets channels but not messages; intents=16 typing only', async () => {
  const w = await botWorld(server);
  const s4 = await streamOf(w, { intents: 4 });
  const s16 = await streamOf(w, { intents: 16 });
  try {
    await sendMessage(server, w.owner, w.general, 'not for channels');
    expectStatus(await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'c4', channelType: 0 }, w.owner.token), 201);
    const seen = await s4.until(isEvent('channelCreate'));
    assert.deepEqual(seen.filter(notHeartbeat).map((f) => f.event), ['channelCreate']);
    expectStatus(await c.post(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
    const seen16 = await s16.until(isEvent('typingStart'));
    assert.deepEqual(seen16.filter(notHeartbeat).map((f) => f.event), ['typingStart']);
  } finally { s4.close(); s16.close(); }
});

test('intents=0: only lifecycle — botInstallingToSpace / botUninstallingFromSpace still delivered', async () => {
  const w = await botWorld(server);
  const s = await streamOf(w, { intents: 0 });
  try {
    assert.equal(s.ready.data.intents, 0);
    await sendMessage(server, w.owner, w.general, 'invisible');
    expectStatus(await c.post(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
    const sp = await createSpace(server, w.owner, 'Zero');
    await installBot(server, w.owner, sp.spaceId, w.app.appId);
    const seen = await s.until(isEvent('botInstallingToSpace'));
    assert.deepEqual(seen.filter(notHeartbeat).map((f) => f.event), ['botInstallingToSpace']);
    assert.deepEqual(seen.at(-1).data, { spaceId: sp.spaceId });
    expectStatus(await c.del(`/api/v1/spaces/${sp.spaceId}/bots/${w.app.appId}`, undefined, w.owner.token), 204);
    const seen2 = await s.until(isEvent('botUninstallingFromSpace'));
    assert.deepEqual(seen2.filter(notHeartbeat).map((f) => f.event), ['botUninstallingFromSpace'],
      'no memberLeave etc. with intents=0');
    assert.deepEqual(seen2.at(-1).data, { spaceId: sp.spaceId });
  } finally { s.close(); }
});

test('a bot receives its own messages (IMessages/Send)', async () => {
  const w = await botWorld(server);
  const s = await streamOf(w, { intents: 1 });
  try {
    const r = await c.post('/IMessages/v1/Send', { channelId: w.general, text: 'from me', randomId: 1 }, w.tok);
    expectStatus(r, 200);
    const f = await s.next(isMessage('from me'));
    assert.equal(f.data.message.sender.userId, w.botUserId);
    assert.equal(String(f.data.message.messageId), String(r.body.messageId));
    // The repeat with the same randomId produces no second event.
    expectStatus(await c.post('/IMessages/v1/Send', { channelId: w.general, text: 'from me', randomId: 1 }, w.tok), 200);
    await sendMessage(server, w.owner, w.general, 'after');
    const seen = await s.until(isMessage('after'));
    assert.deepEqual(seen.filter(notHeartbeat).map((f) => f.data.message.text), ['after']);
  } finally { s.close(); }
});
