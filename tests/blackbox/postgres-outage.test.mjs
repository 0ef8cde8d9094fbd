// The server on PostgreSQL when the database goes away and comes back, and argon killed with -9
// while it writes. Each test runs its own cluster (scripts/pg-cluster), whichever engine the rest
// of the suite uses, so that stopping it disturbs nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, startPgCluster, api, bot, register, createSpace, channelByName, sendMessage,
  history, createApp, installBot, pollUntil, withDeadline, makeTempDir,
} from './harness.mjs';

// Every answer while the database is down: a JSON 503 (or a success the server could give from
// memory), within a deadline; never a hang, never a 500, never an empty body.
function expectUnavailable(res, what) {
  assert.notEqual(res.status, 500, `${what}: 500 ${res.text}`);
  assert.equal(res.status, 503, `${what}: expected 503, got ${res.status} ${res.text}`);
  assert.equal(res.body?.error, 'service_unavailable', `${what}: body ${res.text}`);
  assert.equal(typeof res.body?.message, 'string');
  assert.equal(res.headers.get('retry-after'), '1');
}

test('PostgreSQL stopped mid-run: 503 JSON, no hang, nothing half-written; normal again once it is back', async () => {
  const cluster = await startPgCluster();
  // A checked bot token stays trusted for a minute: long enough to outlast the outage below.
  const server = await startServer({ args: ['--database', cluster.url], env: { ARGON_AUTH_BOT_CACHE_MS: '60000' } });
  const c = api(server);
  try {
    const alice = await register(server);
    const space = await createSpace(server, alice, 'Outage');
    const general = channelByName(space, 'general').channelId;
    const app = await createApp(server, alice);
    await installBot(server, alice, space.spaceId, app.appId);
    const before = await sendMessage(server, alice, general, 'before the outage');
    // Now cached by every node (the token cache is each process's own memory; in cluster mode the
    // requests below alternate between the two nodes).
    for (const url of server.urls) assert.equal((await api(url).get('/IBotSelf/v1/GetMe', bot(app.token))).status, 200);
    const msgs = `/api/v1/channels/${general}/messages`;
    const ready = await c.get('/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(ready.body.checks.store, 'ok');

    await cluster.halt();
    const during = [
      ['person send', () => c.post(msgs, { text: 'during', randomId: 4242 }, alice.token)],
      ['bot send', () => c.post('/IMessages/v1/Send', { channelId: general, text: 'bot during', randomId: 99 }, bot(app.token))],
      ['history', () => c.get(msgs, alice.token)],
      ['register', () => c.post('/api/v1/auth/register', { username: `outage${Date.now() % 100000}`, password: 'correct horse' })],
      ['create space', () => c.post('/api/v1/spaces', { name: 'x' }, alice.token)],
    ];
    for (const [what, call] of during) {
      const res = await withDeadline(call(), 20_000, what);
      expectUnavailable(res, what);
    }
    // A bot token checked moments ago is still known: GetMe does not need the database.
    for (const url of server.urls) assert.equal((await api(url).get('/IBotSelf/v1/GetMe', bot(app.token))).status, 200, url);
    assert.equal((await c.get('/healthz')).status, 200);
    // Alive but not ready: /readyz says why, with Retry-After.
    const notReady = await withDeadline(c.get('/readyz'), 20_000, 'readyz');
    assert.equal(notReady.status, 503, notReady.text);
    assert.equal(notReady.body.status, 'unavailable');
    assert.match(notReady.body.checks.store, /^unavailable/);
    assert.equal(notReady.headers.get('retry-after'), '1');

    await cluster.resume();
    const back = await pollUntil(async () => {
      const r = await c.post(msgs, { text: 'after the outage', randomId: 4242 }, alice.token);
      return r.status === 201 ? r : null;
    }, { timeoutMs: 20_000, intervalMs: 100, what: 'a send to succeed after PostgreSQL is back' });
    const after = String(back.body.messageId);
    await pollUntil(async () => (await c.get('/readyz')).status === 200,
      { timeoutMs: 20_000, intervalMs: 100, what: '/readyz to answer 200 again' });
    const list = await history(server, alice, general);
    // The sends refused during the outage left nothing; the same randomId is free again.
    assert.deepEqual(list.map((m) => [String(m.messageId), m.text]).reverse(),
      [[before, 'before the outage'], [after, 'after the outage']]);
    const bot2 = await c.post('/IMessages/v1/Send', { channelId: general, text: 'bot after', randomId: 99 }, bot(app.token));
    assert.equal(bot2.status, 200, bot2.text);
  } finally {
    await server.stop();
    await cluster.stop();
  }
});

test('kill -9 of argon on PostgreSQL while sending: every acknowledged message is there after a restart', async () => {
  const cluster = await startPgCluster();
  const dataDir = await makeTempDir();
  let server = await startServer({ dataDir, args: ['--database', cluster.url] });
  try {
    const alice = await register(server);
    const space = await createSpace(server, alice, 'Crash');
    const general = channelByName(space, 'general').channelId;
    const c = api(server);
    const acknowledged = new Map();  // messageId → text
    let stop = false;
    const sender = async (w) => {
      for (let i = 0; i < 200 && !stop; i++) {
        const text = `w${w} m${i}`;
        try {
          const r = await c.post(`/api/v1/channels/${general}/messages`, { text }, alice.token);
          if (r.status === 201) acknowledged.set(String(r.body.messageId), text);
        } catch { return; }  // the server is gone
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => sender(w));
    await pollUntil(() => acknowledged.size >= 150, { timeoutMs: 20_000, what: '150 acknowledged sends' });
    await server.kill();
    stop = true;
    await Promise.all(workers);
    assert.ok(acknowledged.size >= 150);

    server = await startServer({ dataDir, args: ['--database', cluster.url] });
    const stored = new Map();
    let from = '';
    for (;;) {  // every page of the history
      const page = await history(server, alice, general, `limit=100${from}`);
      for (const m of page) stored.set(String(m.messageId), m.text);
      if (page.length < 100) break;
      from = `&from=${page[page.length - 1].messageId}`;
    }
    for (const [id, text] of acknowledged) assert.equal(stored.get(id), text, `message ${id} lost`);
  } finally {
    await server.stop();
    await cluster.stop();
  }
});
