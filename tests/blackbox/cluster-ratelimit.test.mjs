// Many nodes, one rate limit per bot (DECISIONS §8): a bot hammering both nodes at once is admitted
// the policy of an interface per window — not the policy once per node (at most 10 % over, the
// tolerance of a cluster-wide limiter) — and its concurrency slots are counted across nodes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, api, expectError, expectStatus, expectRateHeaders, pollUntil } from './harness.mjs';
import { openBotStream } from './sse.mjs';
import { clusterWorld, NO_LIMITS } from './cluster.mjs';

const SELF_LIMIT = 30;
const CONCURRENCY = 10;  // the default
let cluster, A, B;

before(async () => {
  cluster = await startCluster({
    nodes: 2,
    // The window is the default minute: the hammering below takes a second or two, well inside it.
    env: { ...NO_LIMITS, ARGON_RATELIMIT_IBOTSELF: String(SELF_LIMIT), ARGON_RATELIMIT_MAX_CONCURRENCY: String(CONCURRENCY) },
  });
  [A, B] = cluster.nodes;
});
after(async () => { await cluster?.stop(); });

const CONCURRENCY_MESSAGE = 'Too many concurrent requests for this bot.';

test(`a bot hammering both nodes at once is admitted ${SELF_LIMIT} IBotSelf calls per window (+10 % at most), not ${SELF_LIMIT} per node`, async () => {
  const w = await clusterWorld(A);
  const TOTAL = 200;
  const PER_NODE_WORKERS = 3;  // 6 in flight: below the concurrency cap, so every 429 is the rate's
  let next = 0;
  const results = [];
  const worker = async (node) => {
    while (next < TOTAL) {
      next += 1;
      const r = await api(node).get('/IBotSelf/v1/GetMe', w.tok);
      results.push({ node: node === A ? 'A' : 'B', r });
    }
  };
  await Promise.all([A, B].flatMap((n) => Array.from({ length: PER_NODE_WORKERS }, () => worker(n))));

  const count = (pred) => results.filter(pred).length;
  const ok = count(({ r }) => r.status === 200);
  const limited = count(({ r }) => r.status === 429);
  const byNode = (n) => count(({ node, r }) => node === n && r.status === 200);
  const summary = `200: ${ok} (A ${byNode('A')}, B ${byNode('B')}), 429: ${limited}, other: ${results.length - ok - limited}`;
  assert.equal(ok + limited, results.length, `only 200s and 429s: ${summary}`);
  assert.ok(ok <= Math.floor(SELF_LIMIT * 1.1), `admitted at most the policy + 10 %: ${summary}`);
  assert.ok(ok >= Math.ceil(SELF_LIMIT * 0.9), `admitted the policy (−10 % at most): ${summary}`);
  for (const { r } of results) {
    if (r.status === 429) {
      expectError(r, 429, 'rate_limited');
      assert.notEqual(r.body.message, CONCURRENCY_MESSAGE, `a concurrency 429 with ${PER_NODE_WORKERS * 2} in flight: ${r.text}`);
      assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
      expectRateHeaders(r, SELF_LIMIT);
    } else {
      expectRateHeaders(r, SELF_LIMIT);
    }
  }
  // The bucket is full on both nodes now.
  for (const n of [A, B]) expectError(await api(n).get('/IBotSelf/v1/GetSpaces', w.tok), 429, 'rate_limited');
  // Another bot is not affected, on either node.
  const other = await clusterWorld(B);
  for (const n of [A, B]) expectStatus(await api(n).get('/IBotSelf/v1/GetMe', other.tok), 200);
});

test(`the concurrency cap (${CONCURRENCY}) counts the bot's streams on every node`, async () => {
  const w = await clusterWorld(A);
  const streams = [];
  try {
    for (let i = 0; i < CONCURRENCY; i++) {
      const node = i % 2 ? B : A;
      const s = await openBotStream(node, w.app.token);
      assert.equal(s.status, 200, `stream ${i + 1} of ${CONCURRENCY} (node ${i % 2 ? 'B' : 'A'}): ${s.status} ${s.text ?? ''}`);
      streams.push({ node, s });
    }
    // Every slot is taken: one more stream, or a REST call, is refused on either node.
    for (const [name, n] of [['A', A], ['B', B]]) {
      const extra = await openBotStream(n, w.app.token);
      if (extra.ok) extra.close();
      assert.equal(extra.status, 429, `stream ${CONCURRENCY + 1} on ${name}: ${extra.status} ${extra.text ?? ''}`);
      assert.equal(extra.body?.error, 'rate_limited', extra.text);
      const rest = await api(n).get('/IMessages/v1/History?channelId=' + w.general, w.tok);
      expectError(rest, 429, 'rate_limited');
      assert.ok(rest.headers.get('retry-after') !== null, 'Retry-After on a concurrency 429');
    }
    // A stream on A goes: its slot is free for the bot on B at once.
    const gone = streams.find((x) => x.node === A);
    gone.s.close();
    await gone.s.ended;
    streams.splice(streams.indexOf(gone), 1);
    const t0 = Date.now();
    const s = await pollUntil(async () => {
      const r = await openBotStream(B, w.app.token);
      return r.ok ? r : null;
    }, { timeoutMs: 2000, what: 'a stream on B once a stream on A closed' });
    streams.push({ node: B, s });
    assert.ok(Date.now() - t0 < 1000, `slot freed across nodes ${Date.now() - t0} ms after the disconnect`);
  } finally { for (const { s } of streams) s.close(); }
});
