// The server's logs (docs/operations.md "Logs"): one access line per request with the request
// id, method, route pattern (never the raw path: a bot token may be in it), status, duration,
// who and from where; X-Request-Id accepted and echoed; slow-request warnings; log.format = json
// makes every line a JSON object; log.access = off silences the access lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createSpace, channelByName, createApp, installBot, expectStatus, pollUntil,
} from './harness.mjs';

const stderrOf = (server) => server.nodes.map((n) => n.stderr()).join('\n');
const lines = (server) => stderrOf(server).split('\n').filter(Boolean);

test('access lines: request id (given or generated, echoed), method, route pattern, status, ms, principal, remote; never a token', async () => {
  const server = await startServer();
  try {
    const c = api(server);
    const alice = await register(server);
    const space = await createSpace(server, alice, 'Logs');
    const general = channelByName(space, 'general').channelId;
    const sent = await c.post(`/api/v1/channels/${general}/messages`, { text: 'hi' }, alice.token,
      { headers: { 'X-Request-Id': 'trace-42.a:b_c' } });
    expectStatus(sent, 201);
    assert.equal(sent.headers.get('x-request-id'), 'trace-42.a:b_c');
    // A malformed id (spaces, too long) is replaced by a generated one.
    for (const bad of ['has spaces', 'x'.repeat(129), 'quote"d']) {
      const r = await c.get('/api/v1/me', alice.token, { headers: { 'X-Request-Id': bad } });
      assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
    }
    const app = await createApp(server, alice);
    await installBot(server, alice, space.spaceId, app.appId);
    const me = await c.get(`/${app.token}/IBotSelf/v1/GetSpaces`);  // the token in the path
    expectStatus(me, 200);
    const generated = me.headers.get('x-request-id');
    const secret = app.token.split(':')[1];
    await pollUntil(() => stderrOf(server).includes(`id=${generated} `), { what: 'the GetSpaces access line' });
    const text = stderrOf(server);
    assert.ok(!text.includes(secret), 'a bot token never reaches the log');
    assert.ok(!text.includes(alice.token), 'a session token never reaches the log');
    const send = text.split('\n').find((l) => l.includes('id=trace-42.a:b_c '));
    assert.match(send, / info access: id=trace-42\.a:b_c method=POST route=\/api\/v1\/channels\/\{channelId\}\/messages status=201 ms=\d+\.\d{3} principal=user:[0-9a-f-]{36} remote=127\.0\.0\.1$/);
    assert.ok(send.includes(`principal=user:${alice.userId}`));
    const getSpaces = text.split('\n').find((l) => l.includes(`id=${generated} `));
    assert.match(getSpaces, new RegExp(`route=/IBotSelf/v1/GetSpaces status=200 ms=\\S+ principal=bot:${app.botUserId}`));
    // An unknown route is logged without its path.
    const miss = await c.get('/no/such/thing');
    const missId = miss.headers.get('x-request-id');
    await pollUntil(() => stderrOf(server).includes(`id=${missId} `), { what: 'the 404 access line' });
    assert.match(lines(server).find((l) => l.includes(`id=${missId} `)), /route=- status=404 /);
    assert.ok(!stderrOf(server).includes('/no/such/thing'));
  } finally { await server.stop(); }
});

test('log.format = json: every line is one JSON object; access lines carry the fields as members', async () => {
  const server = await startServer({ env: { ARGON_LOG_FORMAT: 'json' } });
  try {
    const alice = await register(server);
    const r = await api(server).get('/api/v1/me', alice.token, { headers: { 'X-Request-Id': 'json-1' } });
    expectStatus(r, 200);
    await pollUntil(() => stderrOf(server).includes('"json-1"'), { what: 'the access line' });
  } finally { await server.stop(); }
  const parsed = lines(server).map((l) => {
    try { return JSON.parse(l); } catch { assert.fail(`not a JSON line: ${l}`); }
    return null;
  });
  for (const p of parsed) {
    assert.match(p.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(['trace', 'debug', 'info', 'warning', 'error', 'critical'].includes(p.level), p.level);
    assert.equal(typeof p.message, 'string');
  }
  const access = parsed.find((p) => p.requestId === 'json-1');
  assert.deepEqual(Object.keys(access).sort(),
    ['durationMs', 'level', 'message', 'method', 'principal', 'remote', 'requestId', 'route', 'status', 'time']);
  assert.equal(access.message, 'access');
  assert.equal(access.route, '/api/v1/me');
  assert.equal(access.status, 200);
  assert.equal(typeof access.durationMs, 'number');
  assert.match(access.principal, /^user:/);
  assert.ok(parsed.some((p) => p.message.startsWith('server: argon ')), 'ordinary lines are JSON too');
});

test('a request slower than log.slow_request_ms is a warning; log.access = off drops the info lines', async () => {
  // A login with the real password cost takes tens of milliseconds: slower than 1 ms.
  const server = await startServer({
    env: { ARGON_LOG_SLOW_REQUEST_MS: '1', ARGON_LOG_ACCESS: 'off', ARGON_AUTH_PASSWORD_COST: 'interactive' },
  });
  try {
    const alice = await register(server);
    const r = await api(server).post('/api/v1/auth/login', { username: alice.username, password: alice.password },
      undefined, { headers: { 'X-Request-Id': 'slow-1' } });
    expectStatus(r, 200);
    await pollUntil(() => stderrOf(server).includes('id=slow-1 '), { what: 'the slow-request warning' });
    const line = lines(server).find((l) => l.includes('id=slow-1 '));
    assert.match(line, / warning slow request: id=slow-1 method=POST route=\/api\/v1\/auth\/login status=200 ms=/);
    assert.ok(!stderrOf(server).includes(' info access: '), 'no access lines with log.access = off');
  } finally { await server.stop(); }
});
