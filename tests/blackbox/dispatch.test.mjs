// server.dispatch (docs/operations.md "Threads"): `network` (default) runs handlers on the
// connection's network thread, `workers` hands every request to the worker pool. Both serve the
// same API: accounts (password hashing moves to the pool), a bot's Send and its event stream,
// people's reads; an unknown value stops start-up.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, botWorld, expectStatus, makeTempDir, runCli, PASSWORD, uname, HIGH_RATE_LIMITS,
} from './harness.mjs';
import { openBotStream, openReady, isEvent } from './sse.mjs';

const servers = [];
after(async () => { await Promise.allSettled(servers.map((s) => s.stop())); });

for (const dispatch of ['network', 'workers']) {
  test(`server.dispatch = ${dispatch}: accounts, Send, the stream and reads all work`, async () => {
    const server = await startServer({
      env: { ...HIGH_RATE_LIMITS, ARGON_RATELIMIT_MAX_CONCURRENCY: '100', ARGON_SERVER_DISPATCH: dispatch },
      nodes: 1,
    });
    servers.push(server);
    const c = api(server);
    const name = uname('d');
    const person = await register(server, name);
    const login = await c.post('/api/v1/auth/login', { username: name, password: PASSWORD });
    expectStatus(login, 200);
    const w = await botWorld(server, { owner: person });
    const stream = await openReady(() => openBotStream(server, w.app.token));
    try {
      const sends = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        c.post('/IMessages/v1/Send', { channelId: w.general, text: `m${i}` }, w.tok)));
      for (const r of sends) expectStatus(r, 200);
      const created = await stream.collect(20, isEvent('messageCreate'));
      assert.deepEqual(created.map((f) => f.data.message.text).sort(),
        Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
      const list = await c.get(`/api/v1/channels/${w.general}/messages?limit=50`, login.body.token);
      expectStatus(list, 200);
      assert.equal(list.body.messages.length, 20);
    } finally { stream.close(); }
  });
}

test('an unknown server.dispatch stops start-up naming the valid values', async () => {
  const dir = await makeTempDir();
  const res = await runCli(['serve', '--data-dir', dir],
    { env: { ARGON_SERVER_LISTEN: '127.0.0.1:0', ARGON_SERVER_DISPATCH: 'threads' } });
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /server\.dispatch must be one of network, workers; got 'threads'/);
});
