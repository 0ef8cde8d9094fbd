// Transport-level behaviour: readiness line, /healthz, unknown routes, wrong methods,
// malformed JSON, content types, body size limit, error body shape.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, channelByName, rawRequest, expectError, expectStatus,
  history, quoteBigInts, parseJson, uname, PASSWORD,
} from './harness.mjs';

let server, c, alice, space, general;

before(async () => {
  server = await startServer();
  c = api(server);
  alice = await register(server, uname('http'));
  space = await createSpace(server, alice, 'HTTP space');
  general = channelByName(space, 'general');
});

after(async () => { await server?.stop(); });

test('harness: big-int-safe JSON parsing keeps 64-bit integers exact', () => {
  const v = parseJson('{"a":123456789012345678,"b":"x\\"12345678901234567","c":[-9223372036854775807,1.5e3,42],"d":9007199254740993}');
  assert.equal(v.a, '123456789012345678');
  assert.equal(v.b, 'x"12345678901234567');
  assert.deepEqual(v.c, ['-9223372036854775807', 1500, 42]);
  assert.equal(v.d, '9007199254740993');
  assert.equal(quoteBigInts('{"n":1234567890123456.5}'), '{"n":1234567890123456.5}');
});

test('the server printed exactly one stdout line, the listening line', () => {
  // Every process (two in cluster mode) printed its own line, and nothing else.
  for (const node of server.nodes) assert.deepEqual(node.stdoutLines, [`listening on ${node.url}`]);
});

test('GET /healthz → 200', async () => {
  const r = await c.get('/healthz');
  expectStatus(r, 200);
});

test('GET /readyz → 200 {status: ready, checks: {store, migrations, bus}} on every node', async () => {
  for (const url of server.urls ?? [server.url]) {
    const r = await api(url).get('/readyz');
    expectStatus(r, 200);
    assert.deepEqual(r.body, { status: 'ready', checks: { store: 'ok', migrations: 'ok', bus: 'ok' } });
  }
});

// RFC 9110 §6.6.1 and §8.6: a Date on every answer (JSON, error, 204, event stream); no
// Content-Length on a 204.
test('every response has a Date (IMF-fixdate); a 204 has no Content-Length', async () => {
  const IMF = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
  const ok = await rawRequest(server, 'GET', '/healthz');
  const missing = await rawRequest(server, 'GET', '/nope');
  const noContent = await rawRequest(server, 'POST', `/api/v1/channels/${general.channelId}/typing`,
    { headers: { Authorization: `Bearer ${alice.token}` } });
  assert.equal(noContent.status, 204);
  assert.equal(noContent.headers['content-length'], undefined, JSON.stringify(noContent.headers));
  for (const r of [ok, missing, noContent]) {
    assert.match(String(r.headers.date), IMF, JSON.stringify(r.headers));
    const skew = Math.abs(Date.parse(r.headers.date) - Date.now());
    assert.ok(skew < 5_000, `Date ${r.headers.date} is the current time`);
  }
  const feed = await fetch(`${server.url}/api/v1/events`, { headers: { Authorization: `Bearer ${alice.token}` } });
  assert.equal(feed.status, 200);
  assert.match(String(feed.headers.get('date')), IMF);
  await feed.body.cancel();
});

test('unknown routes → 404 not_found with a JSON body', async () => {
  for (const p of ['/nope', '/api/v1/nope', '/api/v1/spaces/x/y/z/w', '/api/v2/me']) {
    const r = await c.get(p, alice.token);
    expectError(r, 404, 'not_found');
  }
  const r = await c.post('/api/v1/definitely/not/here', { a: 1 }, alice.token);
  expectError(r, 404, 'not_found');
});

test('known route, wrong method → 405 method_not_allowed with Allow', async () => {
  const cases = [
    ['DELETE', '/api/v1/auth/register', ['POST']],
    ['GET', '/api/v1/auth/login', ['POST']],
    ['POST', '/api/v1/me', ['GET']],
    ['GET', '/api/v1/me/presence', ['PUT']],
    ['PUT', '/api/v1/spaces', ['GET', 'POST']],
    ['PUT', `/api/v1/channels/${general.channelId}/messages`, ['GET', 'POST']],
    ['GET', `/api/v1/channels/${general.channelId}/typing`, ['POST', 'DELETE']],
    ['POST', '/healthz', ['GET']],
  ];
  for (const [method, p, allowed] of cases) {
    const r = await c.request(method, p, undefined, alice.token);
    expectError(r, 405, 'method_not_allowed');
    const allow = r.headers.get('allow');
    assert.ok(allow, `${method} ${p}: 405 must carry an Allow header`);
    const methods = allow.split(',').map((s) => s.trim().toUpperCase());
    for (const m of allowed) assert.ok(methods.includes(m), `${method} ${p}: Allow "${allow}" must include ${m}`);
    assert.ok(!methods.includes(method), `${method} ${p}: Allow "${allow}" must not include ${method}`);
  }
});

test('malformed JSON → 400 validation_error and nothing is written', async () => {
  const before = (await c.get('/api/v1/spaces', alice.token)).body.spaces.length;
  for (const raw of ['{', '{"name":', 'not json', '{"name":"x",}', '{"name":"x"} trailing']) {
    const r = await c.post('/api/v1/spaces', undefined, alice.token, { rawBody: raw });
    expectError(r, 400, 'validation_error');
  }
  const u = uname('mal');
  const r = await c.post('/api/v1/auth/register', undefined, undefined, { rawBody: `{"username":"${u}","password":"${PASSWORD}"` });
  expectError(r, 400, 'validation_error');
  const login = await c.post('/api/v1/auth/login', { username: u, password: PASSWORD });
  expectError(login, 401, 'invalid_credentials');
  const r2 = await c.post(`/api/v1/channels/${general.channelId}/messages`, undefined, alice.token, { rawBody: '{"text": "hi"' });
  expectError(r2, 400, 'validation_error');
  assert.equal((await c.get('/api/v1/spaces', alice.token)).body.spaces.length, before);
  assert.equal((await history(server, alice, general.channelId)).length, 0);
});

test('JSON that is not an object → 400 validation_error', async () => {
  for (const raw of ['[]', '"a string"', '42', 'null', '[{"name":"x"}]']) {
    const r = await c.post('/api/v1/spaces', undefined, alice.token, { rawBody: raw });
    expectError(r, 400, 'validation_error');
  }
});

test('a request body that is not JSON → 415 unsupported_media_type', async () => {
  const before = (await c.get('/api/v1/spaces', alice.token)).body.spaces.length;
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const r = await c.post('/api/v1/spaces', undefined, alice.token, { rawBody: '{"name":"x"}', contentType: ct });
    expectError(r, 415, 'unsupported_media_type');
  }
  const r = await c.post('/api/v1/auth/register', undefined, undefined,
    { rawBody: `username=${uname('f')}&password=${PASSWORD}`, contentType: 'application/x-www-form-urlencoded' });
  expectError(r, 415, 'unsupported_media_type');
  assert.equal((await c.get('/api/v1/spaces', alice.token)).body.spaces.length, before);
});

test('application/json with a charset parameter is accepted', async () => {
  const r = await c.post('/api/v1/spaces', undefined, alice.token,
    { rawBody: '{"name":"charset space"}', contentType: 'application/json; charset=utf-8' });
  expectStatus(r, 201);
  assert.equal(r.body.name, 'charset space');
});

test('a 2 MiB body → 413 payload_too_large and nothing is written', async () => {
  const big = JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) });
  const r = await rawRequest(server, 'POST', `/api/v1/channels/${general.channelId}/messages`, {
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${alice.token}` },
    body: big,
  });
  assert.equal(r.status, 413, `expected 413, got ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(r.body?.error, 'payload_too_large', r.text.slice(0, 300));
  assert.ok(r.body.message === null || typeof r.body.message === 'string');
  const big2 = JSON.stringify({ username: uname('big'), password: 'p'.repeat(2 * 1024 * 1024) });
  const r2 = await rawRequest(server, 'POST', '/api/v1/auth/register', { headers: { 'Content-Type': 'application/json' }, body: big2 });
  assert.equal(r2.status, 413, `expected 413, got ${r2.status} ${r2.text.slice(0, 300)}`);
  assert.equal(r2.body?.error, 'payload_too_large');
  // The server still works afterwards and nothing was stored.
  assert.equal((await history(server, alice, general.channelId)).length, 0);
  expectStatus(await c.get('/healthz'), 200);
});

test('responses are JSON with camelCase keys', async () => {
  const r = await c.get('/api/v1/me', alice.token);
  expectStatus(r, 200);
  assert.match(r.headers.get('content-type'), /application\/json/i);
  for (const k of Object.keys(r.body)) assert.match(k, /^[a-z][A-Za-z0-9]*$/);
});

test('auth is checked before input validation (401 beats 400)', async () => {
  const r = await c.post('/api/v1/spaces', undefined, undefined, { rawBody: '{' });
  expectError(r, 401, 'unauthorized');
  const r2 = await c.post('/api/v1/spaces', { name: '' }, 'garbage-token');
  expectError(r2, 401, 'unauthorized');
});
