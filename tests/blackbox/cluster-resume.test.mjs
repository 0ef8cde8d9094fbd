// Many nodes, one resume position: a bot that loses its stream on node A and reconnects to node B
// resumes exactly where it was — from a Last-Event-ID that A delivered, or, without an id, from
// the position A saved when the stream ended (the implicit resume of DECISIONS §7).
//
// The bot's concurrency is 1 here: once the closed stream's slot is free again on the node that
// held it (a REST call through that node stops answering 429), that node has noticed the
// disconnect, so events produced afterwards are missed by the bot for certain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, api, sendMessage, pollUntil } from './harness.mjs';
import { openBotStream, openReady, isEvent, isMessage, notHeartbeat, parseSpaceEventId } from './sse.mjs';
import { clusterWorld, NO_LIMITS } from './cluster.mjs';

let cluster, A, B;

before(async () => {
  cluster = await startCluster({ nodes: 2, env: { ...NO_LIMITS, ARGON_RATELIMIT_MAX_CONCURRENCY: '1' } });
  [A, B] = cluster.nodes;
});
after(async () => { await cluster?.stop(); });

const open = (node, w, opts) => openReady(() => openBotStream(node, w.app.token, opts));
const texts = (frames) => frames.filter((f) => f.event === 'messageCreate').map((f) => f.data.message.text);
const send = async (node, w, ...ts) => { for (const t of ts) await sendMessage(node, w.owner, w.general, t); };

/** Close the stream and wait until `node` (the one that served it) has released the bot's slot. */
async function closeAndWait(node, w, s) {
  s.close();
  await s.ended;
  await pollUntil(async () => (await api(node).get('/IBotSelf/v1/GetMe', w.tok)).status === 200,
    { timeoutMs: 3000, what: 'the closed stream to free its concurrency slot' });
}

/** Frames after ready up to and including `resumed` → {frames (without it), count}. */
async function replayed(s) {
  const frames = (await s.until(isEvent('resumed'))).filter(notHeartbeat);
  const resumed = frames.pop();
  assert.equal(resumed.id, 'resumed');
  return { frames, count: resumed.data.replayedCount };
}

test('Last-Event-ID on B from an id that A delivered replays exactly the missed events, then live', async () => {
  const w = await clusterWorld(A);
  const sA = await open(A, w);
  await send(A, w, 'm1', 'm2', 'm3');
  const seen = await sA.collect(3, isEvent('messageCreate'));
  await closeAndWait(A, w, sA);
  // Missed: committed through both nodes while the bot had no stream.
  await send(A, w, 'm4');
  await send(B, w, 'm5');
  await send(A, w, 'm6');

  // The ids B replays continue the ones A delivered.
  const sB = await open(B, w, { lastEventIdHeader: seen[2].id });
  try {
    const { frames, count } = await replayed(sB);
    assert.deepEqual(texts(frames), ['m4', 'm5', 'm6'], frames.map((f) => f.raw).join('\n'));
    assert.equal(count, 3);
    const ids = frames.map((f) => parseSpaceEventId(f.id));
    assert.ok(ids.every((x) => x && x.space === parseSpaceEventId(seen[2].id).space), frames.map((f) => f.id).join());
    assert.ok(parseSpaceEventId(seen[2].id).seq < ids[0].seq && ids[0].seq < ids[1].seq && ids[1].seq < ids[2].seq,
      `${seen.map((f) => f.id)} then ${frames.map((f) => f.id)}`);
    await send(A, w, 'm7');
    const next = await sB.next(notHeartbeat);
    assert.equal(next.data?.message?.text, 'm7', next.raw);
    assert.ok(parseSpaceEventId(next.id).seq > ids[2].seq);
  } finally { await closeAndWait(B, w, sB); }

  // And back to A from an id B delivered: the same log, the same ids.
  const sA2 = await open(A, w, { lastEventId: seen[0].id });
  try {
    const { frames } = await replayed(sA2);
    assert.deepEqual(texts(frames), ['m2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    assert.deepEqual(frames.slice(0, 2).map((f) => f.id), [seen[1].id, seen[2].id], 'the ids A gave the first time');
  } finally { sA2.close(); }
});

test('implicit resume: disconnect from A, reconnect to B without an id → the missed events, resumed {N}, live', async () => {
  const w = await clusterWorld(B);
  // The first-ever stream starts live; its position is what A delivered.
  const sA = await open(A, w);
  await send(B, w, 'a1', 'a2');
  const a = await sA.collect(2, isEvent('messageCreate'));
  await closeAndWait(A, w, sA);
  await send(A, w, 'a3');
  await send(B, w, 'a4');

  const sB = await open(B, w);
  try {
    const { frames, count } = await replayed(sB);
    assert.deepEqual(texts(frames), ['a3', 'a4'], `B resumes where A stopped: ${frames.map((f) => f.raw).join('\n')}`);
    assert.equal(count, 2);
    assert.ok(parseSpaceEventId(frames[0].id).seq > parseSpaceEventId(a[1].id).seq);
    await send(A, w, 'a5');
    assert.equal((await sB.next(notHeartbeat)).data?.message?.text, 'a5');
  } finally { await closeAndWait(B, w, sB); }

  // Nothing missed since: back on A, an implicit resume replays nothing and says nothing.
  const sA2 = await open(A, w);
  try {
    await send(B, w, 'a6');
    const seen = (await sA2.until(isMessage('a6'))).filter(notHeartbeat);
    assert.deepEqual(seen.map((f) => f.event), ['messageCreate'], seen.map((f) => f.raw).join('\n'));
  } finally { sA2.close(); }
});
