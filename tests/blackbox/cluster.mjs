// Helpers of the cross-node tests (cluster-*.test.mjs): a world made through one node, a bot's
// stream that follows the bot across node failures (as an EventSource does), load that keeps
// sending through several nodes, and assertions on what the streams received.
//
// The infrastructure itself (startCluster, startNats, startNode, startPgCluster) is in harness.mjs.

import assert from 'node:assert/strict';
import {
  api, bot, register, createSpace, createApp, installBot, channelByName, verifyApp, sleep, pollUntil,
} from './harness.mjs';
import { openBotStream, parseSpaceEventId, parseDirectEventId, parseCursor } from './sse.mjs';

/** Rate limits high enough that no cluster test meets one unless it is about them. */
export const NO_LIMITS = Object.fromEntries(
  ['IBOTSELF', 'ISPACES', 'ICHANNELS', 'IARCHETYPES', 'IMESSAGES', 'ITYPING', 'ICOMMANDS',
    'IINTERACTIONS', 'IMEMBERS', 'IVOICE', 'IVOICEEGRESS', 'ICALLS', 'IEVENTS']
    .map((i) => [`ARGON_RATELIMIT_${i}`, '100000']));

/**
 * A person who owns a space with a bot installed, all made through `node`; with `admin` (the
 * admin token) the bot is verified. → {owner, space, sid, general, app, tok}
 */
export async function clusterWorld(node, { admin, appOpts } = {}) {
  const owner = await register(node);
  const space = await createSpace(node, owner, 'Cluster space');
  const app = await createApp(node, owner, appOpts ?? {});
  await installBot(node, owner, space.spaceId, app.appId);
  if (admin) await verifyApp(node, admin, app.appId);
  return {
    owner, space, sid: space.spaceId, general: channelByName(space, 'general').channelId, app, tok: bot(app.token),
  };
}

/** Whether an SSE id is a position (an event id or a heartbeat cursor), not `ready`/`resumed`. */
export const isPosition = (id) => id !== undefined &&
  (parseSpaceEventId(id) !== null || parseDirectEventId(id) !== null || (id !== '0' && parseCursor(id) !== null));

/**
 * A bot's event stream that survives its node: whenever the stream ends without close() (the node
 * died or dropped it) it connects again — to `target()`, a node — with `Last-Event-ID` set to the
 * last position it received (an event id or a heartbeat cursor), as an EventSource does; refused
 * or failed attempts are retried every `retryMs`. → {
 *   frames      every frame of every connection, in arrival order, each with `conn`: the
 *               number of the attempt (1, 2, …) whose stream carried it;
 *   connections how many streams opened (200);
 *   attempts    [{url, outcome, sentId}] of every connection attempt;
 *   lastId()    the position it would resume from;
 *   messages()  its messageCreate frames as [{id, seq, text, conn}];
 *   waitForTexts(texts, ms, what) → resolves once a messageCreate of every text has arrived;
 *   waitFor(pred, ms, what)       → the first frame matching pred (any connection);
 *   close()                       → stops following (closes the current stream) }
 */
export function follow(token, { target, intents, retryMs = 50, lastEventId } = {}) {
  const frames = [];
  const attempts = [];
  let lastId = lastEventId;
  let connections = 0;
  let closed = false;
  let current = null;

  const loop = (async () => {
    while (!closed) {
      const node = target();
      const attempt = attempts.length + 1;
      attempts.push({ url: node.url, outcome: 'connecting', sentId: lastId });
      let s;
      try {
        s = await openBotStream(node, token, {
          intents,
          lastEventIdHeader: lastId,
          onFrame: (f) => {
            f.conn = attempt;
            frames.push(f);
            if (isPosition(f.id)) lastId = f.id;
          },
        });
      } catch (e) {
        attempts[attempt - 1].outcome = `error ${e.cause?.code ?? e.message}`;
        await sleep(retryMs);
        continue;
      }
      if (!s.ok) {
        attempts[attempt - 1].outcome = `${s.status} ${s.text.slice(0, 200)}`;
        await sleep(retryMs);
        continue;
      }
      connections += 1;
      attempts[attempt - 1].outcome = `200 (Last-Event-ID ${attempts[attempt - 1].sentId ?? 'none'})`;
      current = s;
      if (closed) s.close();
      await s.ended;
      current = null;
      if (!closed) await sleep(retryMs);
    }
  })();

  const messages = () => frames.filter((f) => f.event === 'messageCreate')
    .map((f) => ({ id: f.id, seq: parseSpaceEventId(f.id)?.seq, text: f.data?.message?.text, conn: f.conn }));
  const describe = () => `connections ${connections}; attempts:\n  ${attempts.map((a, i) => `${i + 1}. ${a.url} → ${a.outcome}`).join('\n  ')}\n` +
    `frames: ${frames.filter((f) => f.event !== 'heartbeat').map((f) => `${f.event}@${f.id}`).join(' ')}`;

  return {
    frames,
    attempts,
    get connections() { return connections; },
    lastId: () => lastId,
    messages,
    describe,
    async waitForTexts(texts, ms = 10_000, what = `${texts.length} messages`) {
      const want = new Set(texts);
      await pollUntil(() => {
        const seen = new Set(messages().map((m) => m.text));
        for (const t of want) if (!seen.has(t)) return false;
        return true;
      }, { timeoutMs: ms, what: `${what} on the followed stream (${describe()})` });
    },
    async waitFor(pred, ms = 5_000, what = 'a frame') {
      return pollUntil(() => frames.find(pred), { timeoutMs: ms, what: `${what} (${describe()})` });
    },
    async close() {
      closed = true;
      current?.close();
      await loop;
    },
  };
}

/** Waits until every one of `streams` (from follow()) received its `ready` frame. */
export function streamsReady(...streams) {
  return pollUntil(() => streams.every((s) => s.frames.some((f) => f.event === 'ready')),
    { what: `${streams.length} stream(s) ready` });
}

/**
 * Keeps sending through the nodes `pick()` returns, in `workers` parallel loops, until stop():
 * `send(node, text, i)` does one request and returns the response. A response with a 2xx status
 * is acknowledged; any other outcome (an error status, a refused or reset connection) is recorded
 * and the loop goes on (a node that is gone refuses at once). → {
 *   acknowledged  Map text → {node (url), body, status};
 *   attempted     Set of every text sent (acknowledged or not);
 *   failures      [{node, text, outcome}];
 *   statuses      Map status|'error' → count;
 *   count()       acknowledged so far;
 *   stop()        → awaits the loops }
 */
export function startLoad({ pick, send, workers = 4, prefix = 'load', max = Infinity, pauseMs = 0 }) {
  const acknowledged = new Map();
  const attempted = new Set();
  const failures = [];
  const statuses = new Map();
  let stopped = false;
  let n = 0;
  const bump = (k) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
  const loop = async (w) => {
    while (!stopped && n < max) {
      const i = n++;
      const text = `${prefix} ${w}.${i}`;
      const node = pick(i);
      attempted.add(text);
      try {
        const r = await send(node, text, i);
        bump(r.status);
        if (r.status >= 200 && r.status < 300) acknowledged.set(text, { node: node.url, status: r.status, body: r.body });
        else failures.push({ node: node.url, text, outcome: `${r.status} ${r.text.slice(0, 200)}` });
      } catch (e) {
        bump('error');
        failures.push({ node: node.url, text, outcome: `error ${e.cause?.code ?? e.message}` });
        await sleep(10);  // a node that is gone refuses at once: do not spin
      }
      if (pauseMs) await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: workers }, (_, w) => loop(w));
  return {
    acknowledged,
    attempted,
    failures,
    statuses,
    count: () => acknowledged.size,
    async stop() { stopped = true; await Promise.all(loops); },
  };
}

/** A person's message through `node` (client API), for startLoad. */
export const personSend = (person, channelId) => (node, text) =>
  api(node).post(`/api/v1/channels/${channelId}/messages`, { text }, person.token);

/** A bot's IMessages/Send through `node`, with a randomId per text, for startLoad. */
export const botSend = (tok, channelId, base = 1) => (node, text, i) =>
  api(node).post('/IMessages/v1/Send', { channelId, text, randomId: base + i }, tok);

/**
 * What a stream must have received: every acknowledged text exactly once; nothing but texts
 * that were sent (an attempt the client never heard back about may have committed); ids once each,
 * and (one space) seqs strictly increasing in arrival order — no gap, no duplicate, in order.
 * `received` = [{id, seq, text}] (follower.messages()). Returns the texts received.
 */
export function assertExactlyOnce(received, load, what) {
  const lines = () => received.map((m) => `${m.text}@${m.id}${m.conn ? ` (attempt ${m.conn})` : ''}`).join(', ');
  const ids = new Set();
  const texts = new Map();
  for (const m of received) {
    assert.ok(!ids.has(m.id), `${what}: event ${m.id} delivered twice: ${lines()}`);
    ids.add(m.id);
    texts.set(m.text, (texts.get(m.text) ?? 0) + 1);
  }
  for (const [t, k] of texts) {
    assert.equal(k, 1, `${what}: "${t}" delivered ${k} times: ${lines()}`);
    assert.ok(load.attempted.has(t), `${what}: "${t}" was never sent`);
  }
  const missing = [...load.acknowledged.keys()].filter((t) => !texts.has(t));
  assert.deepEqual(missing, [], `${what}: acknowledged but never delivered (of ${load.acknowledged.size}): ${lines()}`);
  for (let i = 1; i < received.length; i++) {
    assert.ok(received[i].seq > received[i - 1].seq, `${what}: out of order at ${i}: ${lines()}`);
  }
  return [...texts.keys()];
}
