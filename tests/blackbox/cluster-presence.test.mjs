// Many nodes, one presence per bot (DECISIONS §7: a bot is Online while at least one of its
// streams is open): a verified watcher with the Presence intent sees a bot Online while it has a
// stream on either node, Offline once — when the last one closes, whichever node it was on — and
// Offline within the node lease when the node holding its only stream is killed with -9.
//
// The lease is shortened with server.node_lease_seconds / server.heartbeat_seconds
// (ARGON_SERVER_NODE_LEASE_SECONDS, ARGON_SERVER_HEARTBEAT_SECONDS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, api, bot, createApp, installBot, sendMessage, pollUntil, sleep } from './harness.mjs';
import { openBotStream, openReady, isEvent, isMessage } from './sse.mjs';
import { clusterWorld, NO_LIMITS } from './cluster.mjs';

const ADMIN = 'adm-cluster-presence';
const LEASE_S = 3;
const HEARTBEAT_S = 1;
let cluster, A, B;

before(async () => {
  cluster = await startCluster({
    nodes: 2,
    env: {
      ...NO_LIMITS, ARGON_ADMIN_TOKEN: ADMIN, ARGON_RATELIMIT_MAX_CONCURRENCY: '2',
      ARGON_SERVER_NODE_LEASE_SECONDS: String(LEASE_S), ARGON_SERVER_HEARTBEAT_SECONDS: String(HEARTBEAT_S),
    },
  });
  [A, B] = cluster.nodes;
});
after(async () => { await cluster?.stop(); });

/** A space with a verified watcher (stream on `watchOn`, intents messages | presence) and a subject bot. */
async function presenceWorld(watchOn) {
  const w = await clusterWorld(A, { admin: ADMIN });
  w.subject = await createApp(A, w.owner);
  await installBot(A, w.owner, w.sid, w.subject.appId);
  w.watch = await openReady(() => openBotStream(watchOn, w.app.token, { intents: 32 | 1 }));
  assert.equal(w.watch.ready.data.intents, 33);
  return w;
}

const ofSubject = (w, status) => isEvent('presenceUpdate', (f) => f.data.user?.userId === w.subject.botUserId &&
  (status === undefined || f.data.presence?.status === status));
/** Every presenceUpdate of the subject the watcher got, as statuses (consumed by a wait or not). */
const statuses = (w, upTo = w.watch.frames.length) =>
  w.watch.frames.slice(0, upTo).filter(ofSubject(w)).map((f) => f.data.presence.status);

/** Close a stream and wait until `node` (that served it) freed its slot: the node saw the close. */
async function closeOn(node, w, s) {
  s.close();
  await s.ended;
  await pollUntil(async () => (await api(node).get('/IBotSelf/v1/GetMe', bot(w.subject.token))).status === 200,
    { timeoutMs: 3000, what: 'the closed stream to free its slot' });
}

/** Send a marker through `node` → the subject's presence statuses the watcher got before it. */
async function statusesBefore(w, node, marker) {
  await sendMessage(node, w.owner, w.general, marker);
  const m = await w.watch.next(isMessage(marker), 5000);
  return statuses(w, w.watch.frames.indexOf(m));
}

test('Online while the bot has a stream on either node; Offline once, when the last one closes', async () => {
  const w = await presenceWorld(A);
  let sA, sB;
  try {
    sA = await openReady(() => openBotStream(A, w.subject.token));
    const on = await w.watch.next(ofSubject(w), 3000);
    assert.equal(on.data.presence.status, 1, on.raw);
    assert.equal(on.data.user.username, w.subject.botUsername);
    sB = await openReady(() => openBotStream(B, w.subject.token));  // a second stream, on the other node
    await closeOn(A, w, sA);                                        // the first one goes
    assert.deepEqual(await statusesBefore(w, B, 'one stream left'), [1], 'still Online: no Offline, no second Online');

    sB.close();
    const off = await w.watch.next(ofSubject(w, 0), 3000);
    assert.deepEqual(off.data.presence, { status: 0, activity: null });
    assert.deepEqual(await statusesBefore(w, A, 'both closed'), [1, 0], 'exactly one Online and one Offline');
  } finally { w.watch.close(); sA?.close(); sB?.close(); }
});

test('the same, the other way round: first stream on B, last one on A; the watcher on B', async () => {
  const w = await presenceWorld(B);
  let sA, sB;
  try {
    sB = await openReady(() => openBotStream(B, w.subject.token));
    assert.equal((await w.watch.next(ofSubject(w), 3000)).data.presence.status, 1);
    sA = await openReady(() => openBotStream(A, w.subject.token));
    await closeOn(B, w, sB);
    assert.deepEqual(await statusesBefore(w, A, 'A holds the last one'), [1]);
    sA.close();
    await w.watch.next(ofSubject(w, 0), 3000);
    // Online again on a new stream (either node), and Offline again.
    sB = await openReady(() => openBotStream(B, w.subject.token));
    await w.watch.next(ofSubject(w, 1), 3000);
    sB.close();
    await w.watch.next(ofSubject(w, 0), 3000);
    assert.deepEqual(await statusesBefore(w, B, 'twice'), [1, 0, 1, 0]);
  } finally { w.watch.close(); sA?.close(); sB?.close(); }
});

test('kill -9 of the node holding the bot\'s only stream: Offline within the node lease, once', async () => {
  const C = await cluster.addNode();
  const w = await presenceWorld(A);
  try {
    const s = await openReady(() => openBotStream(C, w.subject.token));
    assert.equal((await w.watch.next(ofSubject(w), 3000)).data.presence.status, 1);
    const killedAt = Date.now();
    await C.kill();
    await s.ended;
    // Dead once its lease has run out; a survivor notices at its next heartbeat.
    const deadline = (LEASE_S + 2 * HEARTBEAT_S + 2) * 1000;
    const off = await w.watch.next(ofSubject(w, 0), deadline);
    assert.deepEqual(off.data.presence, { status: 0, activity: null });
    const took = Date.now() - killedAt;
    // Both survivors look for dead nodes: give a second Offline the time to show up, then count.
    await sleep(2 * HEARTBEAT_S * 1000);
    assert.deepEqual(await statusesBefore(w, B, 'after the kill'), [1, 0], `Offline ${took} ms after the kill, exactly once`);
  } finally { w.watch.close(); await C.kill(); }
});
