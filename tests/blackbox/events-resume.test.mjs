// Events stream: resume and replay (SPEC §4.3, §4.5; DECISIONS §7). Explicit resume by the
// Last-Event-ID header, the lastEventId query (query wins), a heartbeat cursor or a single event
// id; implicit resume from the position saved when the bot's last stream ended; first-ever stream
// starts live; replay→live seam with no gap and no duplicate.
//
// The bot's concurrency is 1 here: once a closed stream's slot is free again (a REST call stops
// answering 429) the server has noticed the disconnect, so events produced afterwards are missed
// by the bot for certain (no race with a write into a dying socket).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, createApp, installBot, channelByName, sendMessage, expectStatus,
  HIGH_RATE_LIMITS, pollUntil, sleep,
} from './harness.mjs';
import { openBotStream, openReady, isEvent, isMessage, notHeartbeat, parseSpaceEventId, parseCursor, hex32 } from './sse.mjs';

let server, c;

before(async () => {
  server = await startServer({
    env: { ...HIGH_RATE_LIMITS, ARGON_RATELIMIT_MAX_CONCURRENCY: '1', ARGON_EVENTS_HEARTBEAT_SECONDS: '1' },
  });
  c = api(server);
});
after(async () => { await server?.stop(); });

/** A fresh person + space + bot (its own resume position). */
async function world() {
  const owner = await register(server);
  const space = await createSpace(server, owner, 'Resume');
  const app = await createApp(server, owner);
  await installBot(server, owner, space.spaceId, app.appId);
  return { owner, space, sid: space.spaceId, general: channelByName(space, 'general').channelId, app };
}

const open = (w, opts) => openReady(() => openBotStream(server, w.app.token, opts));

/** Close the stream and wait until the server has released the bot's only concurrency slot. */
async function closeAndWait(w, s) {
  s.close();
  await s.ended;
  await pollUntil(async () => (await c.get('/IBotSelf/v1/GetMe', { raw: `Bot ${w.app.token}` })).status === 200,
    { timeoutMs: 3000, what: 'the closed stream to free its concurrency slot' });
}

const texts = (frames) => frames.filter((f) => f.event === 'messageCreate').map((f) => f.data.message.text);
const send = async (w, ...ts) => { for (const t of ts) await sendMessage(server, w.owner, w.general, t); };

/** Read frames after ready up to and including `resumed` (or fail). */
async function replayed(s) {
  const frames = (await s.until(isEvent('resumed'))).filter(notHeartbeat);
  const resumed = frames.pop();
  assert.equal(resumed.id, 'resumed');
  assert.deepEqual(Object.keys(resumed.data), ['replayedCount']);
  return { frames, count: resumed.data.replayedCount };
}

/** A stream that has seen m1..m4; returns their frames (ids). */
async function seeded(w) {
  const s = await open(w);
  await send(w, 'm1', 'm2', 'm3', 'm4');
  const fs = await s.collect(4, isEvent('messageCreate'));
  assert.deepEqual(texts(fs), ['m1', 'm2', 'm3', 'm4']);
  await closeAndWait(w, s);
  return fs;
}

test('a bot\'s very first stream starts live: nothing replayed, no resumed', async () => {
  const w = await world();
  await send(w, 'before first connect');
  const s = await open(w);
  try {
    await send(w, 'live');
    const seen = (await s.until(isMessage('live'))).filter(notHeartbeat);
    assert.deepEqual(seen.map((f) => f.event), ['messageCreate'], seen.map((f) => f.raw).join('\n'));
  } finally { s.close(); }
});

test('no `resumed` without a resume: events produced right after ready on a first-ever stream or on a reconnect with nothing missed are live', async () => {
  // The event is produced the moment `ready` has been read, repeatedly, to catch a server that
  // counts events arriving between its ready and its switch to live as a replay.
  const bad = [];
  for (let i = 0; i < 8; i++) {
    const w = await world();
    for (const phase of ['first-ever stream', 'reconnect, nothing missed']) {
      const s = await open(w);
      if (i % 4) await sleep(4 * i); // 0..28 ms after ready
      await send(w, `x${i}`);
      const seen = (await s.until(isMessage(`x${i}`))).filter(notHeartbeat);
      if (seen.length !== 1) bad.push(`${phase}: ${seen.map((f) => `${f.event} ${f.dataText}`).join(' | ')}`);
      await closeAndWait(w, s);
    }
  }
  assert.deepEqual(bad, [], 'frames between ready and the live message');
});

test('implicit resume: reconnect without an id → missed events with their original ids, resumed {N}, then live', async () => {
  const w = await world();
  const s1 = await open(w);
  await send(w, 'a1');
  const a1 = await s1.next(isMessage('a1'));
  await closeAndWait(w, s1);
  await send(w, 'a2', 'a3');

  const s2 = await open(w);
  try {
    const { frames, count } = await replayed(s2);
    assert.deepEqual(texts(frames), ['a2', 'a3']);
    assert.equal(count, 2);
    // Original ids: the space's sequence continues (the bot's own Offline presenceUpdate, filtered
    // out for this unverified bot, may take a number in between).
    const seq1 = parseSpaceEventId(a1.id).seq;
    const ids = frames.map((f) => parseSpaceEventId(f.id));
    for (const id of ids) assert.equal(id?.space, hex32(w.sid));
    assert.ok(seq1 < ids[0].seq && ids[0].seq < ids[1].seq, `${a1.id} then ${frames.map((f) => f.id)}`);
    await send(w, 'a4');
    const next = await s2.next(notHeartbeat);
    assert.equal(next.data?.message?.text, 'a4', next.raw);
    assert.ok(parseSpaceEventId(next.id).seq > ids[1].seq);
  } finally { await closeAndWait(w, s2); }

  // Nothing missed since: an implicit resume sends no `resumed`.
  const s3 = await open(w);
  try {
    await send(w, 'a5');
    const seen = (await s3.until(isMessage('a5'))).filter(notHeartbeat);
    assert.deepEqual(seen.map((f) => f.event), ['messageCreate'], seen.map((f) => f.raw).join('\n'));
  } finally { s3.close(); }
});

test('Last-Event-ID header with a single event id → the events after it, resumed {N}, live', async () => {
  const w = await world();
  const [, m2, , m4] = await seeded(w);
  const s = await open(w, { lastEventIdHeader: m2.id });
  try {
    const { frames, count } = await replayed(s);
    assert.deepEqual(texts(frames), ['m3', 'm4']);
    assert.equal(frames[1].id, m4.id, 'original ids');
    assert.equal(count, 2);
    await send(w, 'm5');
    assert.equal((await s.next(notHeartbeat)).data?.message?.text, 'm5');
  } finally { s.close(); }
});

test('lastEventId query → the events after it; the query wins over the header', async () => {
  const w = await world();
  const [m1, , m3] = await seeded(w);
  let s = await open(w, { lastEventId: m3.id });
  let r = await replayed(s);
  assert.deepEqual(texts(r.frames), ['m4']);
  assert.equal(r.count, 1);
  await closeAndWait(w, s);

  s = await open(w, { lastEventId: m3.id, lastEventIdHeader: m1.id });
  try {
    r = await replayed(s);
    assert.deepEqual(texts(r.frames), ['m4'], 'query wins over Last-Event-ID');
    assert.equal(r.count, 1);
  } finally { s.close(); }
});

test('resume by a heartbeat cursor (real one, and hand-written {hex}:{seq})', async () => {
  const w = await world();
  const s1 = await open(w);
  await send(w, 'c1', 'c2');
  const c2 = (await s1.collect(2, isEvent('messageCreate')))[1];
  const hb = await s1.next(isEvent('heartbeat'), 4000);
  const cur = parseCursor(hb.id);
  assert.equal(cur?.get(hex32(w.sid)), parseSpaceEventId(c2.id).seq, hb.id);
  await closeAndWait(w, s1);
  await send(w, 'c3', 'c4');

  let s = await open(w, { lastEventIdHeader: hb.id });
  let r = await replayed(s);
  assert.deepEqual(texts(r.frames), ['c3', 'c4']);
  assert.equal(r.count, 2);
  await closeAndWait(w, s);

  const c1seq = parseSpaceEventId(c2.id).seq - 1;
  s = await open(w, { lastEventId: `${hex32(w.sid)}:${c1seq}` });
  try {
    r = await replayed(s);
    assert.deepEqual(texts(r.frames), ['c2', 'c3', 'c4']);
    assert.equal(r.count, 3);
  } finally { s.close(); }
});

test('an id with nothing missed → resumed {replayedCount: 0} right after ready, then live', async () => {
  const w = await world();
  const fs = await seeded(w);
  const s = await open(w, { lastEventIdHeader: fs[3].id });
  try {
    const next = await s.next(notHeartbeat);
    assert.equal(next.event, 'resumed', next.raw);
    assert.equal(next.id, 'resumed');
    assert.deepEqual(next.data, { replayedCount: 0 });
    await send(w, 'after');
    assert.equal((await s.next(notHeartbeat)).data?.message?.text, 'after');
  } finally { s.close(); }
});

test('replay applies the current connection\'s intents', async () => {
  const w = await world();
  const [, , , m4] = await seeded(w);
  expectStatus(await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'skipped', channelType: 0 }, w.owner.token), 201);
  await send(w, 'kept');
  const s = await open(w, { intents: 1, lastEventId: m4.id });
  try {
    const r = await replayed(s);
    assert.deepEqual(r.frames.map((f) => f.event), ['messageCreate']);
    assert.deepEqual(texts(r.frames), ['kept']);
    assert.equal(r.count, 1);
  } finally { s.close(); }
});

test('the seam: events produced while the replaying client connects arrive once each, in order, none lost', async () => {
  const w = await world();
  const s1 = await open(w);
  await send(w, 'p0');
  const p0 = await s1.next(isMessage('p0'));
  await closeAndWait(w, s1);
  const N = 25;
  for (let i = 1; i <= N; i++) await send(w, `p${i}`);
  // Keep producing while the client connects and replays.
  let producing = true;
  const producer = (async () => {
    for (let i = N + 1; i <= 2 * N; i++) await send(w, `p${i}`);
    producing = false;
  })();
  const s = await open(w, { lastEventIdHeader: p0.id });
  try {
    await producer;
    assert.equal(producing, false);
    const got = await s.until(isMessage(`p${2 * N}`), 10_000);
    const evs = got.filter(notHeartbeat);
    const resumedAt = evs.findIndex((f) => f.event === 'resumed');
    assert.ok(resumedAt >= N, `resumed after at least the ${N} missed events: ${evs.map((f) => f.event)}`);
    assert.equal(evs.filter((f) => f.event === 'resumed').length, 1);
    assert.equal(evs[resumedAt].data.replayedCount, resumedAt, 'replayedCount = events before resumed');
    const msgs = evs.filter((f) => f.event === 'messageCreate');
    assert.deepEqual(msgs.map((f) => f.data.message.text), Array.from({ length: 2 * N }, (_, i) => `p${i + 1}`));
    // Ids strictly increasing (no duplicate, no reordering). Not necessarily contiguous: the bot's
    // own Offline/Online presenceUpdates (filtered out for this unverified bot) take numbers too.
    const seqs = [p0, ...msgs].map((f) => parseSpaceEventId(f.id).seq);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `ids increase: ${seqs}`);
    assert.equal(new Set(evs.map((f) => f.id)).size, evs.length, 'no id twice');
  } finally { s.close(); }
});

test('an unusable id (ready, garbage) falls back to the saved position', async () => {
  const w = await world();
  await seeded(w);
  await send(w, 'g1');
  const s = await open(w, { lastEventIdHeader: 'ready' });
  try {
    const got = await s.next(notHeartbeat);
    assert.equal(got.data?.message?.text, 'g1', got.raw);
  } finally { await closeAndWait(w, s); }
  await send(w, 'g2');
  const s2 = await open(w, { lastEventId: 'not-an-id' });
  try {
    const got = await s2.next(notHeartbeat);
    assert.equal(got.data?.message?.text, 'g2', got.raw);
  } finally { s2.close(); }
});
