// Many nodes, one event log: a bot's stream on node B carries what was committed through node A,
// in order, with the ids a stream on A shows, and two streams of one bot (one per node) each get
// every event. Two nodes on a PostgreSQL cluster and a nats-server of this file's own (in every
// pass of the suite).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, api, sendMessage, expectStatus } from './harness.mjs';
import { openBotStream, openPersonFeed, openReady, isEvent, notHeartbeat, parseSpaceEventId } from './sse.mjs';
import { clusterWorld, NO_LIMITS } from './cluster.mjs';

let cluster, A, B;

before(async () => {
  cluster = await startCluster({ nodes: 2, env: { ...NO_LIMITS } });
  [A, B] = cluster.nodes;
});
after(async () => { await cluster?.stop(); });

const open = (node, w, opts) => openReady(() => openBotStream(node, w.app.token, opts));
const texts = (frames) => frames.map((f) => f.data.message.text);
const seqs = (frames) => frames.map((f) => parseSpaceEventId(f.id)?.seq);
function assertIncreasing(frames, what) {
  const s = seqs(frames);
  for (let i = 1; i < s.length; i++) assert.ok(s[i] > s[i - 1], `${what}: ids out of order: ${frames.map((f) => f.id)}`);
}

test('a stream on B receives the events committed through A, in order, with the same ids as a stream on A', async () => {
  const w = await clusterWorld(A);
  const sA = await open(A, w);
  const sB = await open(B, w);
  try {
    // One after the other, then 20 at once (commit order decides the ids).
    const sequential = Array.from({ length: 10 }, (_, i) => `seq ${i}`);
    for (const t of sequential) await sendMessage(A, w.owner, w.general, t);
    const burst = Array.from({ length: 20 }, (_, i) => `burst ${i}`);
    const burstIds = await Promise.all(burst.map((t) => sendMessage(A, w.owner, w.general, t)));
    const n = sequential.length + burst.length;

    const a = await sA.collect(n, isEvent('messageCreate'), 10_000);
    const b = await sB.collect(n, isEvent('messageCreate'), 10_000);
    assert.deepEqual(texts(a).slice(0, 10), sequential, 'A: the sequential sends in order');
    assert.deepEqual(b.map((f) => f.id), a.map((f) => f.id), 'B shows the ids A shows, in the same order');
    assert.deepEqual(b.map((f) => f.raw), a.map((f) => f.raw), 'B carries the very frames A carries');
    assertIncreasing(a, 'A');
    assert.deepEqual(new Set(texts(a).slice(10)), new Set(burst), 'every message of the burst once');
    assert.deepEqual(new Set(b.slice(10).map((f) => String(f.data.message.messageId))), new Set(burstIds));
    // Consecutive space events, nothing in between: seq + 1 each (the burst too).
    const s = seqs(a);
    for (let i = 1; i < s.length; i++) assert.equal(s[i], s[i - 1] + 1, `ids ${a.map((f) => f.id)}`);
  } finally { sA.close(); sB.close(); }
});

test('two streams of one bot, one per node: each receives every event, committed through either node', async () => {
  const w = await clusterWorld(B);
  const sA = await open(A, w);
  const sB = await open(B, w);
  try {
    for (let i = 0; i < 12; i++) await sendMessage(i % 2 ? B : A, w.owner, w.general, `both ${i}`);
    // Other kinds of events, through each node: a channel, and the bot's own message.
    expectStatus(await api(A).post(`/api/v1/spaces/${w.sid}/channels`, { name: 'from-a', channelType: 0 }, w.owner.token), 201);
    expectStatus(await api(B).post('/IMessages/v1/Send', { channelId: w.general, text: 'bot via B', randomId: 5 }, w.tok), 200);
    expectStatus(await api(B).post(`/api/v1/spaces/${w.sid}/channels`, { name: 'from-b', channelType: 0 }, w.owner.token), 201);
    const isLast = isEvent('channelCreate', (f) => f.data.channel?.name === 'from-b');
    const a = (await sA.until(isLast, 10_000)).filter(notHeartbeat);
    const b = (await sB.until(isLast, 10_000)).filter(notHeartbeat);
    assert.deepEqual(b.map((f) => f.raw), a.map((f) => f.raw), 'the same frames on both nodes');
    assert.deepEqual(a.map((f) => f.event), [...Array(12).fill('messageCreate'), 'channelCreate', 'messageCreate', 'channelCreate']);
    assert.deepEqual(texts(a.filter((f) => f.event === 'messageCreate')),
      [...Array.from({ length: 12 }, (_, i) => `both ${i}`), 'bot via B']);
    assertIncreasing(a, 'A');
  } finally { sA.close(); sB.close(); }
});

test('a person\'s feed on B and a bot\'s stream on A carry the same ids for the same events', async () => {
  const w = await clusterWorld(A);
  const sA = await open(A, w);
  const feed = await openReady(() => openPersonFeed(B, w.owner.token));
  try {
    for (let i = 0; i < 6; i++) await sendMessage(i % 2 ? A : B, w.owner, w.general, `feed ${i}`);
    const a = await sA.collect(6, isEvent('messageCreate'));
    const f = await feed.collect(6, isEvent('messageCreate'));
    assert.deepEqual(f.map((x) => x.id), a.map((x) => x.id));
    assert.deepEqual(texts(f), Array.from({ length: 6 }, (_, i) => `feed ${i}`));
  } finally { sA.close(); feed.close(); }
});
