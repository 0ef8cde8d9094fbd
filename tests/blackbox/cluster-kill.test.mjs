// Many nodes, one node killed: kill -9 of node A while a person and a bot send through both nodes
// and the bot streams from both. Node B keeps serving throughout; the bot's stream that was on A
// reconnects to B with the last id it got (as an EventSource does) and resumes with no gap and no
// duplicate; the stream on B gets everything, including what A committed just before it died.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, sendMessage, pollUntil } from './harness.mjs';
import { clusterWorld, follow, startLoad, personSend, botSend, assertExactlyOnce, NO_LIMITS } from './cluster.mjs';

let cluster;
after(async () => { await cluster?.stop(); });

test('kill -9 of one node under load: the other keeps serving; the bot resumes on it with no gap, no duplicate', async () => {
  cluster = await startCluster({ nodes: 2, env: { ...NO_LIMITS } });
  const [A, B] = cluster.nodes;
  const w = await clusterWorld(B);
  const aliveOr = (n) => (n.isRunning() ? n : B);
  // The bot's two streams: one on A (it moves to B when A is gone), one on B.
  const onA = follow(w.app.token, { target: () => aliveOr(A) });
  const onB = follow(w.app.token, { target: () => B });
  await pollUntil(() => onA.connections === 1 && onB.connections === 1 &&
    onA.frames.some((f) => f.event === 'ready') && onB.frames.some((f) => f.event === 'ready'), { what: 'both streams ready' });

  const pick = (i) => aliveOr(i % 2 ? B : A);
  const people = startLoad({ pick, send: personSend(w.owner, w.general), workers: 3, prefix: 'person' });
  const bots = startLoad({ pick: (i) => pick(i + 1), send: botSend(w.tok, w.general), workers: 2, prefix: 'bot' });
  const total = () => people.count() + bots.count();
  try {
    await pollUntil(() => total() >= 60, { timeoutMs: 15_000, what: '60 acknowledged sends before the kill' });
    await A.kill();
    const atKill = total();
    await pollUntil(() => total() >= atKill + 60, { timeoutMs: 15_000, what: '60 more acknowledged sends through B' });
  } finally {
    await people.stop();
    await bots.stop();
  }
  // Only requests to the dead node may have failed, and they did not fail on B.
  for (const load of [people, bots]) {
    const onBFailures = load.failures.filter((f) => f.node === B.url);
    assert.deepEqual(onBFailures, [], 'B kept serving');
  }
  await sendMessage(B, w.owner, w.general, 'person end');
  people.attempted.add('person end');
  people.acknowledged.set('person end', { node: B.url });

  const acknowledged = [...people.acknowledged.keys(), ...bots.acknowledged.keys()];
  const sent = { attempted: new Set([...people.attempted, ...bots.attempted]), acknowledged: new Map([...people.acknowledged, ...bots.acknowledged]) };
  try {
    await onA.waitForTexts(acknowledged, 15_000, 'every acknowledged message on the stream that moved from A to B');
    await onB.waitForTexts(acknowledged, 15_000, 'every acknowledged message on the stream on B');
    assert.ok(onA.connections >= 2, `the stream on A reconnected (to B): ${onA.describe()}`);
    assert.ok(onA.attempts.slice(1).some((a) => a.url === B.url && a.outcome.startsWith('200')), onA.describe());
    const resumedWith = onA.attempts.find((a, i) => i > 0 && a.outcome.startsWith('200'));
    assert.ok(resumedWith.sentId, `the reconnect carried Last-Event-ID: ${onA.describe()}`);
    assertExactlyOnce(onA.messages(), sent, 'stream that was on A');
    assertExactlyOnce(onB.messages(), sent, 'stream on B');
    // The same events, in the same order, with the same ids, on both.
    const idsOf = (f) => f.messages().map((m) => m.id);
    assert.deepEqual(idsOf(onA), idsOf(onB), 'both streams delivered the same events');
  } finally {
    await onA.close();
    await onB.close();
  }
});
