// Many nodes, the database gone for a while: PostgreSQL halted (as a crash would) and started
// again while a person and a bot send through both nodes and the bot streams from both. Every
// request meanwhile answers a JSON 503 service_unavailable (Retry-After: 1) or succeeds, within a
// deadline; nothing acknowledged is lost (history, streams); the streams catch up afterwards, each
// event once, in order.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, api, sendMessage, pollUntil } from './harness.mjs';
import { clusterWorld, follow, streamsReady, startLoad, personSend, botSend, assertExactlyOnce, NO_LIMITS } from './cluster.mjs';

let cluster;
after(async () => { await cluster?.stop(); });

const REQUEST_DEADLINE_MS = 15_000;

/** A load `send` that also checks every answer: 2xx, or a well-formed 503; and times it. */
function checked(send, bad, slowest) {
  return async (node, text, i) => {
    const t0 = Date.now();
    const r = await send(node, text, i);
    const took = Date.now() - t0;
    slowest.ms = Math.max(slowest.ms, took);
    if (r.status >= 200 && r.status < 300) return r;
    const ok = r.status === 503 && r.body?.error === 'service_unavailable' && typeof r.body?.message === 'string' &&
      r.headers.get('retry-after') === '1' && /application\/json/.test(String(r.headers.get('content-type')));
    if (!ok) bad.push(`${node.url} "${text}": ${r.status} ${r.text.slice(0, 200)} (retry-after ${r.headers.get('retry-after')})`);
    return r;
  };
}

test('PostgreSQL halted and resumed under load: 503 JSON or success; nothing acknowledged lost; streams catch up', async (t) => {
  cluster = await startCluster({ nodes: 2, env: { ...NO_LIMITS } });
  const [A, B] = cluster.nodes;
  const w = await clusterWorld(A);
  const onA = follow(w.app.token, { target: () => A });
  const onB = follow(w.app.token, { target: () => B });
  await streamsReady(onA, onB);

  const bad = [];
  const slowest = { ms: 0 };
  const pick = (i) => (i % 2 ? B : A);
  const people = startLoad({ pick, send: checked(personSend(w.owner, w.general), bad, slowest), workers: 3, prefix: 'person', pauseMs: 5 });
  const bots = startLoad({ pick: (i) => pick(i + 1), send: checked(botSend(w.tok, w.general), bad, slowest), workers: 2, prefix: 'bot', pauseMs: 5 });
  const total = () => people.count() + bots.count();
  const refused = () => (people.statuses.get(503) ?? 0) + (bots.statuses.get(503) ?? 0);
  try {
    await pollUntil(() => total() >= 40, { timeoutMs: 15_000, what: '40 acknowledged sends before the outage' });
    await cluster.pg.halt();
    await pollUntil(() => refused() >= 10, { timeoutMs: 20_000, intervalMs: 50, what: '503s while PostgreSQL is down' });
    // The nodes still answer what needs no database.
    for (const n of [A, B]) assert.equal((await api(n).get('/healthz')).status, 200);
    await cluster.pg.resume();
    const atResume = total();
    await pollUntil(() => total() >= atResume + 40, { timeoutMs: 30_000, intervalMs: 50, what: '40 acknowledged sends after PostgreSQL is back' });
  } finally {
    await people.stop();
    await bots.stop();
  }
  assert.deepEqual(bad, [], 'every answer is a success or a JSON 503 service_unavailable with Retry-After: 1');
  assert.equal(people.statuses.get('error') ?? 0, 0, `no connection failed: ${JSON.stringify(people.failures.slice(0, 5))}`);
  assert.equal(bots.statuses.get('error') ?? 0, 0, `no connection failed: ${JSON.stringify(bots.failures.slice(0, 5))}`);
  assert.ok(slowest.ms < REQUEST_DEADLINE_MS, `no request hung: the slowest took ${slowest.ms} ms`);

  await sendMessage(B, w.owner, w.general, 'person end');
  people.attempted.add('person end');
  people.acknowledged.set('person end', { node: B.url });
  const sent = { attempted: new Set([...people.attempted, ...bots.attempted]), acknowledged: new Map([...people.acknowledged, ...bots.acknowledged]) };
  try {
    // Nothing acknowledged is lost: history has every message.
    const stored = new Map();
    let from = '';
    for (;;) {
      const page = await api(A).get(`/api/v1/channels/${w.general}/messages?limit=100${from}`, w.owner.token);
      assert.equal(page.status, 200, page.text);
      for (const m of page.body.messages) stored.set(m.text, String(m.messageId));
      if (page.body.messages.length < 100) break;
      from = `&from=${page.body.messages[page.body.messages.length - 1].messageId}`;
    }
    const lost = [...sent.acknowledged.keys()].filter((t) => !stored.has(t));
    assert.deepEqual(lost, [], `acknowledged but not in the history (of ${sent.acknowledged.size})`);
    for (const t of stored.keys()) assert.ok(sent.attempted.has(t), `"${t}" in the history was never sent`);
    // A send refused with 503 may still be in the history: when the database goes away during
    // COMMIT, the node cannot know whether the commit happened (it did, if its WAL was flushed).
    // That send is then whole (one message, one event), never half-written or doubled.
    const extra = [...stored.keys()].filter((t) => !sent.acknowledged.has(t));
    if (extra.length) t.diagnostic(`refused (503) but committed: ${extra.join(', ')}`);
    const acknowledged = [...sent.acknowledged.keys()];
    await onA.waitForTexts(acknowledged, 20_000, 'every acknowledged message on the stream on A');
    await onB.waitForTexts(acknowledged, 20_000, 'every acknowledged message on the stream on B');
    assertExactlyOnce(onA.messages(), sent, 'stream on A');
    assertExactlyOnce(onB.messages(), sent, 'stream on B');
    assert.deepEqual(onA.messages().map((m) => m.id), onB.messages().map((m) => m.id), 'both streams: the same events');
  } finally {
    await onA.close();
    await onB.close();
  }
});
