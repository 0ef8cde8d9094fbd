// Many nodes, the bus gone for a while: nats-server stopped and started again (same port) while a
// person and a bot send through both nodes and the bot streams from both. The nodes keep serving
// (the bus carries no acknowledgement: the store does); the events committed through one node
// during the outage reach the other node's streams while NATS is still down (a node's hub reads
// the log while its bus is not live); after the restart everything flows again — every event
// once, in order, on every stream.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, sendMessage, pollUntil, api } from './harness.mjs';
import { clusterWorld, follow, streamsReady, startLoad, personSend, botSend, assertExactlyOnce, NO_LIMITS } from './cluster.mjs';

let cluster;
after(async () => { await cluster?.stop(); });

const OUTAGE_MIN_MS = 1500;         // the outage lasts at least this long (reconnect attempts fail meanwhile)
const OUTAGE_DELIVERY_MS = 10_000;  // how long events may take to cross nodes without a bus

test('nats-server stopped and restarted under load: nodes keep serving; events cross nodes meanwhile; no loss, no duplicate', async (t) => {
  cluster = await startCluster({ nodes: 2, env: { ...NO_LIMITS } });
  const [A, B] = cluster.nodes;
  const w = await clusterWorld(A);
  const onA = follow(w.app.token, { target: () => A });
  const onB = follow(w.app.token, { target: () => B });
  await streamsReady(onA, onB);

  const pick = (i) => (i % 2 ? B : A);
  const people = startLoad({ pick, send: personSend(w.owner, w.general), workers: 2, prefix: 'person', pauseMs: 5 });
  const bots = startLoad({ pick: (i) => pick(i + 1), send: botSend(w.tok, w.general), workers: 2, prefix: 'bot', pauseMs: 5 });
  const total = () => people.count() + bots.count();
  const ackedSince = (mark) => [...people.acknowledged, ...bots.acknowledged].filter(([t]) => !mark.has(t));
  let duringOutage;
  try {
    await pollUntil(() => total() >= 40, { timeoutMs: 15_000, what: '40 acknowledged sends before the outage' });
    await cluster.nats.stop();
    const stoppedAt = Date.now();
    const before = new Set([...people.acknowledged.keys(), ...bots.acknowledged.keys()]);
    await pollUntil(() => ackedSince(before).length >= 40 && Date.now() - stoppedAt >= OUTAGE_MIN_MS,
      { timeoutMs: 15_000, what: `40 acknowledged sends and ${OUTAGE_MIN_MS} ms while NATS is down` });
    duringOutage = ackedSince(before);
    const outageMs = Date.now() - stoppedAt;
    // Committed through A while the bus is down → on B's stream, and the other way round, before
    // the bus is back.
    const via = (n) => duringOutage.filter(([, v]) => v.node === n.url).map(([t]) => t);
    assert.ok(via(A).length > 0 && via(B).length > 0, 'sends through both nodes during the outage');
    const t0 = Date.now();
    await onB.waitForTexts(via(A), OUTAGE_DELIVERY_MS, 'what A committed during the outage, on the stream on B (NATS down)');
    await onA.waitForTexts(via(B), OUTAGE_DELIVERY_MS, 'what B committed during the outage, on the stream on A (NATS down)');
    t.diagnostic(`outage: ${duringOutage.length} sends acknowledged in ${outageMs} ms; crossed nodes ${Date.now() - t0} ms after`);
    assert.equal(cluster.nats.isRunning(), false, 'still no NATS while this was checked');
    // Each node is alive but not ready while its bus is down.
    for (const n of [A, B]) {
      const r = await api(n).get('/readyz');
      assert.equal(r.status, 503, r.text);
      assert.equal(r.body.checks.bus, 'disconnected');
      assert.equal((await api(n).get('/healthz')).status, 200);
    }

    await cluster.nats.restart();
    const back = new Set([...people.acknowledged.keys(), ...bots.acknowledged.keys()]);
    await pollUntil(() => ackedSince(back).length >= 40, { timeoutMs: 15_000, what: '40 acknowledged sends after NATS is back' });
    // Live across nodes again: a send through A reaches the stream on B promptly.
    const tb = Date.now();
    for (const n of [A, B]) {
      await pollUntil(async () => (await api(n).get('/readyz')).status === 200,
        { timeoutMs: 15_000, what: `${n.url} ready again after NATS is back` });
    }
    await sendMessage(A, w.owner, w.general, 'via the bus again');
    await onB.waitForTexts(['via the bus again'], 5_000, 'a message through A on the stream on B after the restart');
    t.diagnostic(`after the restart: A → B in ${Date.now() - tb} ms`);
  } finally {
    await people.stop();
    await bots.stop();
  }
  // The nodes never stopped serving.
  assert.deepEqual([...people.failures, ...bots.failures], [], 'every send succeeded, bus or no bus');

  await sendMessage(B, w.owner, w.general, 'person end');
  for (const text of ['via the bus again', 'person end']) {
    people.attempted.add(text);
    people.acknowledged.set(text, { node: B.url });
  }
  const sent = { attempted: new Set([...people.attempted, ...bots.attempted]), acknowledged: new Map([...people.acknowledged, ...bots.acknowledged]) };
  const acknowledged = [...sent.acknowledged.keys()];
  try {
    await onA.waitForTexts(acknowledged, 15_000, 'every acknowledged message on the stream on A');
    await onB.waitForTexts(acknowledged, 15_000, 'every acknowledged message on the stream on B');
    assertExactlyOnce(onA.messages(), sent, 'stream on A');
    assertExactlyOnce(onB.messages(), sent, 'stream on B');
    assert.deepEqual(onA.messages().map((m) => m.id), onB.messages().map((m) => m.id), 'both streams: the same events');
  } finally {
    await onA.close();
    await onB.close();
  }
});
