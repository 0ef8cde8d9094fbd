// CORS for the client API (http.cors_origins; docs/client-api.md "Cross-origin requests"): off by
// default; for a listed origin every /api/v1 answer carries Access-Control-Allow-Origin and a
// preflight answers 204 with the path's methods; any other origin, the Bot API and the rest of
// the server get no CORS headers at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  startServer, api, register, expectStatus, expectError, makeTempDir, ARGON_BIN, bot, rawRequest,
} from './harness.mjs';

const APP = 'https://app.example.test';
const DEV = 'http://localhost:5173';
let cors, off, person;

before(async () => {
  [cors, off] = await Promise.all([
    startServer({ env: { ARGON_HTTP_CORS_ORIGINS: `${APP}, ${DEV}` } }),
    startServer(),
  ]);
  person = await register(cors);
});
after(async () => { await Promise.allSettled([cors?.stop(), off?.stop()]); });

/** fetch(server + path) with these headers → {status, headers, text}. */
async function call(server, method, path, headers = {}, body) {
  const res = await fetch(server.url + path, { method, headers, body, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
const preflight = (server, path, origin, method = 'POST', extra = {}) => call(server, 'OPTIONS', path, {
  Origin: origin, 'Access-Control-Request-Method': method, ...extra,
});
/** The Access-Control-* headers of a response, as an object. */
const corsHeaders = (res) => Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('access-control-')));

test('a preflight from a listed origin answers 204 with the path\'s methods, the request headers, a max age', async () => {
  const res = await preflight(cors, '/api/v1/spaces', APP, 'POST',
    { 'Access-Control-Request-Headers': 'authorization,content-type,x-argon-locale' });
  assert.equal(res.status, 204, res.text);
  assert.equal(res.text, '');
  assert.equal(res.headers.get('access-control-allow-origin'), APP);
  assert.equal(res.headers.get('vary'), 'Origin');
  // The methods of the path: what its Allow says, OPTIONS aside.
  const plain = await call(cors, 'OPTIONS', '/api/v1/spaces');
  assert.equal(plain.status, 204);
  const allow = plain.headers.get('allow').split(', ').filter((m) => m !== 'OPTIONS');
  assert.deepEqual(res.headers.get('access-control-allow-methods').split(', '), allow);
  assert.ok(allow.includes('GET') && allow.includes('POST'), allow.join());
  assert.deepEqual(res.headers.get('access-control-allow-headers').split(', '),
    ['Authorization', 'Content-Type', 'X-Argon-Locale', 'Last-Event-ID', 'X-Request-Id']);
  assert.ok(Number(res.headers.get('access-control-max-age')) > 0);
  assert.equal(res.headers.get('access-control-allow-credentials'), null, 'no credentials mode');

  // Another path, the other listed origin: that path's own methods.
  const member = await preflight(cors, `/api/v1/spaces/${'0'.repeat(8)}-0000-4000-8000-000000000000/members/x`, DEV, 'DELETE');
  assert.equal(member.status, 204);
  assert.equal(member.headers.get('access-control-allow-origin'), DEV);
  assert.ok(member.headers.get('access-control-allow-methods').split(', ').includes('DELETE'));
  // A client API path without routes: a fixed list (the request itself then answers a readable 404).
  const unknown = await preflight(cors, '/api/v1/no/such/thing', APP, 'GET');
  assert.equal(unknown.status, 204);
  assert.equal(unknown.headers.get('access-control-allow-methods'), 'GET, POST, PUT, PATCH, DELETE');
});

test('a preflight from any other origin gets the ordinary answer and no CORS headers', async () => {
  for (const origin of ['https://evil.example.test', 'https://app.example.test.evil.test', 'http://app.example.test', 'null']) {
    const res = await preflight(cors, '/api/v1/spaces', origin);
    assert.equal(res.status, 204, origin);  // the router's OPTIONS answer, with Allow
    assert.ok(res.headers.get('allow'), origin);
    assert.deepEqual(corsHeaders(res), {}, origin);
    assert.equal(res.headers.get('vary'), null, origin);
  }
  const unknown = await preflight(cors, '/api/v1/no/such/thing', 'https://evil.example.test');
  assert.equal(unknown.status, 404);
  assert.deepEqual(corsHeaders(unknown), {});
});

test('real requests from a listed origin carry Access-Control-Allow-Origin, errors and the event stream too', async () => {
  const me = await call(cors, 'GET', '/api/v1/me', { Origin: APP, Authorization: `Bearer ${person.token}` });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.headers.get('access-control-allow-origin'), APP);
  assert.equal(me.headers.get('vary'), 'Origin');
  assert.equal(me.headers.get('access-control-expose-headers'), 'Retry-After');
  assert.equal(me.headers.get('access-control-allow-credentials'), null);
  // An error a page must be able to read: 401, and the server's own 415 (a "simple" POST).
  const anon = await call(cors, 'GET', '/api/v1/me', { Origin: DEV });
  assert.equal(anon.status, 401);
  assert.equal(anon.headers.get('access-control-allow-origin'), DEV);
  const text = await call(cors, 'POST', '/api/v1/spaces', { Origin: APP, 'Content-Type': 'text/plain' }, 'hello');
  assert.equal(text.status, 415);
  assert.equal(text.headers.get('access-control-allow-origin'), APP);
  // The person's event stream (fetch-based EventSource clients send Authorization).
  const ac = new AbortController();
  try {
    const res = await fetch(`${cors.url}/api/v1/events`, {
      headers: { Origin: APP, Authorization: `Bearer ${person.token}` }, signal: ac.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
  } finally {
    ac.abort();
  }
  // Another origin: the same answers without CORS headers.
  const other = await call(cors, 'GET', '/api/v1/me', { Origin: 'https://evil.example.test', Authorization: `Bearer ${person.token}` });
  assert.equal(other.status, 200);
  assert.deepEqual(corsHeaders(other), {});
});

test('the Bot API and the rest of the server never carry CORS headers', async () => {
  const send = await call(cors, 'POST', '/IMessages/v1/Send',
    { Origin: APP, Authorization: bot('0'.repeat(32) + ':x').raw, 'Content-Type': 'application/json' }, '{}');
  assert.equal(send.status, 401);
  assert.deepEqual(corsHeaders(send), {});
  const pre = await preflight(cors, '/IMessages/v1/Send', APP);
  assert.deepEqual(corsHeaders(pre), {});
  for (const path of ['/healthz', '/IBotSelf/v1/GetMe', '/audio/connect']) {
    const r = await call(cors, 'GET', path, { Origin: APP });
    assert.deepEqual(corsHeaders(r), {}, path);
  }
});

test('CORS is off by default: no CORS headers for any origin, preflights get the ordinary answer', async () => {
  const res = await preflight(off, '/api/v1/spaces', APP);
  assert.equal(res.status, 204);
  assert.ok(res.headers.get('allow'));
  assert.deepEqual(corsHeaders(res), {});
  const unknown = await preflight(off, '/api/v1/no/such/thing', APP);
  assert.equal(unknown.status, 404);
  const p = await register(off);
  const me = await api(off).get('/api/v1/me', p.token, { headers: { Origin: APP } });
  expectStatus(me, 200);
  assert.equal(me.headers.get('access-control-allow-origin'), null);
  expectError(await api(off).get('/api/v1/me', undefined, { headers: { Origin: APP } }), 401, 'unauthorized');
});

test('a malformed http.cors_origins stops the server at start, naming the item (exit 2)', async () => {
  const dir = await makeTempDir();
  const r = spawnSync(ARGON_BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir], {
    env: { ...process.env, ARGON_HTTP_CORS_ORIGINS: 'https://app.example.test/' },
    encoding: 'utf8', timeout: 15_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /config: http\.cors_origins: 'https:\/\/app\.example\.test\/' is not an origin/);
  assert.equal(r.stdout, '');
});

test('the server\'s own refusals carry CORS too, so a page can read them (413 after the head)', async () => {
  const big = '{"text":"' + 'x'.repeat(1100 * 1024) + '"}';
  const res = await rawRequest(cors, 'POST', '/api/v1/spaces', {
    headers: { Origin: APP, 'Content-Type': 'application/json', Authorization: `Bearer ${person.token}` },
    body: big,
  });
  assert.equal(res.status, 413, res.text);
  assert.equal(res.headers['access-control-allow-origin'], APP);
  // The Bot API still gets none, refused or not.
  const botRes = await rawRequest(cors, 'POST', '/IMessages/v1/Send', {
    headers: { Origin: APP, 'Content-Type': 'application/json' }, body: big,
  });
  assert.equal(botRes.status, 413);
  assert.equal(botRes.headers['access-control-allow-origin'], undefined);
});

test('a 415 (not JSON) from a listed origin carries CORS', async () => {
  const res = await call(cors, 'POST', '/api/v1/spaces',
    { Origin: APP, 'Content-Type': 'text/plain', Authorization: `Bearer ${person.token}` }, 'name=x');
  assert.equal(res.status, 415, res.text);
  assert.equal(res.headers.get('access-control-allow-origin'), APP);
});
