// Many nodes, one typing indicator: typing started through node A and stopped (or refreshed)
// through node B emits exactly one typingStop, and a start left alone expires into exactly one
// typingStop — whichever node the watchers' streams are on. The expiry is 1 s here
// (ARGON_TYPING_EXPIRY_SECONDS).
//
// A Stop's typingStop must come at once (within PROMPT_MS), not from the expiry timer of the node
// where typing started. "Exactly one" needs the expiry to have passed: a stray second typingStop
// would come from an expiry timer, so each test waits until past it (the one wait here that is not
// on a condition) and then sends a marker message: every frame before the marker is what the
// indicator produced.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, api, sendMessage, expectStatus, expectEmpty200, sleep } from './harness.mjs';
import { openBotStream, openReady, isEvent, isMessage } from './sse.mjs';
import { clusterWorld, NO_LIMITS } from './cluster.mjs';

const EXPIRY_MS = 1000;
const SLACK_MS = 700;  // past the expiry: timers fire, their events reach every node
const PROMPT_MS = 600; // a typingStop this soon after the Stop request is the Stop's, not the expiry's
let cluster, A, B;

before(async () => {
  cluster = await startCluster({ nodes: 2, env: { ...NO_LIMITS, ARGON_TYPING_EXPIRY_SECONDS: String(EXPIRY_MS / 1000) } });
  [A, B] = cluster.nodes;
});
after(async () => { await cluster?.stop(); });

/** A world with a watcher stream (intents: messages | typing) on each node. */
async function watched() {
  const w = await clusterWorld(A);
  w.watchers = [
    await openReady(() => openBotStream(A, w.app.token, { intents: 1 | 16 })),
    await openReady(() => openBotStream(B, w.app.token, { intents: 1 | 16 })),
  ];
  return w;
}

const typingOf = (userId) => (f) => (f.event === 'typingStart' || f.event === 'typingStop') && f.data.userId === userId;

/** Wait until `at`, send a marker → per watcher, the typing events (of userId) it got before the marker. */
async function typingUntilMarker(w, at, userId, marker) {
  const wait = at - Date.now();
  if (wait > 0) await sleep(wait);
  await sendMessage(A, w.owner, w.general, marker);
  const out = [];
  for (const s of w.watchers) {
    const m = await s.next(isMessage(marker), 5000);
    // Every frame of the stream up to the marker, consumed by an earlier wait or not.
    out.push(s.frames.slice(0, s.frames.indexOf(m)).filter(typingOf(userId)).map((f) => f.event));
  }
  return out;
}

// Each test has a world of its own; they run side by side (the waits past the expiry overlap).
describe('typing across nodes', { concurrency: true }, () => {
  test('a person starts typing through A and stops through B: exactly one typingStop, none at the expiry', async () => {
    const w = await watched();
    try {
      expectStatus(await api(A).post(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
      for (const s of w.watchers) await s.next(isEvent('typingStart', (f) => f.data.userId === w.owner.userId));
      const stoppedAt = Date.now();
      expectStatus(await api(B).del(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
      for (const s of w.watchers) await s.next(isEvent('typingStop', (f) => f.data.userId === w.owner.userId), PROMPT_MS);
      const seen = await typingUntilMarker(w, stoppedAt + EXPIRY_MS + SLACK_MS, w.owner.userId, 'marker 1');
      for (const [i, s] of seen.entries()) {
        assert.deepEqual(s, ['typingStart', 'typingStop'], `watcher on node ${i ? 'B' : 'A'}`);
      }
    } finally { for (const s of w.watchers) s.close(); }
  });

  test('a bot starts typing through B and stops through A: exactly one typingStop', async () => {
    const w = await watched();
    try {
      expectEmpty200(await api(B).post('/ITyping/v1/Start', { channelId: w.general, kind: 'thinking' }, w.tok));
      for (const s of w.watchers) {
        const f = await s.next(isEvent('typingStart', (x) => x.data.userId === w.app.botUserId));
        assert.equal(f.data.kind, 'THINKING');
      }
      const stoppedAt = Date.now();
      expectEmpty200(await api(A).post('/ITyping/v1/Stop', { channelId: w.general }, w.tok));
      for (const s of w.watchers) await s.next(isEvent('typingStop', (f) => f.data.userId === w.app.botUserId), PROMPT_MS);
      const seen = await typingUntilMarker(w, stoppedAt + EXPIRY_MS + SLACK_MS, w.app.botUserId, 'marker 2');
      for (const [i, s] of seen.entries()) {
        assert.deepEqual(s, ['typingStart', 'typingStop'], `watcher on node ${i ? 'B' : 'A'}`);
      }
    } finally { for (const s of w.watchers) s.close(); }
  });

  test('typing started through A and left alone expires into exactly one typingStop', async () => {
    const w = await watched();
    try {
      const t0 = Date.now();
      expectStatus(await api(A).post(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
      for (const s of w.watchers) {
        const stop = await s.next(isEvent('typingStop', (f) => f.data.userId === w.owner.userId), EXPIRY_MS + 3000);
        assert.ok(Date.now() - t0 >= EXPIRY_MS / 2, `typingStop from the expiry, not at once (${Date.now() - t0} ms)`);
        assert.deepEqual(stop.data, { spaceId: w.sid, channelId: w.general, userId: w.owner.userId });
      }
      const seen = await typingUntilMarker(w, t0 + 2 * EXPIRY_MS + SLACK_MS, w.owner.userId, 'marker 3');
      for (const [i, s] of seen.entries()) {
        assert.deepEqual(s, ['typingStart', 'typingStop'], `watcher on node ${i ? 'B' : 'A'}`);
      }
    } finally { for (const s of w.watchers) s.close(); }
  });

  test('typing started through A and refreshed through B: one typingStop, an expiry after the refresh', async () => {
    const w = await watched();
    try {
      expectStatus(await api(A).post(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
      for (const s of w.watchers) await s.next(isEvent('typingStart', (f) => f.data.userId === w.owner.userId));
      // Refresh through B half way through the expiry: the indicator now ends EXPIRY after this.
      await sleep(EXPIRY_MS / 2);
      const refreshedAt = Date.now();
      expectStatus(await api(B).post(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
      for (const s of w.watchers) {
        await s.next(isEvent('typingStop', (f) => f.data.userId === w.owner.userId), EXPIRY_MS + 3000);
        const after = Date.now() - refreshedAt;
        assert.ok(after >= EXPIRY_MS * 0.8, `the stop comes an expiry after the refresh, not after the first start (${after} ms)`);
      }
      const seen = await typingUntilMarker(w, refreshedAt + 2 * EXPIRY_MS + SLACK_MS, w.owner.userId, 'marker 4');
      for (const [i, s] of seen.entries()) {
        assert.deepEqual(s, ['typingStart', 'typingStart', 'typingStop'], `watcher on node ${i ? 'B' : 'A'}`);
      }
    } finally { for (const s of w.watchers) s.close(); }
  });
});
