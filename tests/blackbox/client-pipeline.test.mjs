// The client API's descriptor table and its pipeline (docs/client-api.md "Request pipeline"):
// GET /api/v1/admin/routes lists every route with what it requires, every route is documented,
// and every route enforces its access before its handler runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  startServer, api, register, expectError, expectStatus, REPO_ROOT,
} from './harness.mjs';

const ADMIN = 'operator-secret-token-0123456789';
const SOME_ID = '00000000-0000-4000-8000-000000000000';
let server, plain, c, routes;

before(async () => {
  [server, plain] = await Promise.all([
    startServer({ env: { ARGON_ADMIN_TOKEN: ADMIN } }),
    startServer(),
  ]);
  c = api(server);
  const r = await c.get('/api/v1/admin/routes', ADMIN);
  expectStatus(r, 200);
  routes = r.body.routes;
});

after(async () => {
  await Promise.all([server?.stop(), plain?.stop()]);
});

// GET and HEAD carry no body; the others an empty object.
const bodyFor = (method) => (method === 'GET' || method === 'HEAD' ? undefined : {});

// A concrete path for a pattern: ids for {…Id}, an integer for {messageId}, a word otherwise.
function concrete(pattern) {
  return pattern.replace(/\{(\w+)\}/g, (_, name) => {
    if (name === 'messageId') return '1';
    if (name.endsWith('Id')) return SOME_ID;
    return 'abc';
  });
}

test('the table lists every client route once, with its access', () => {
  assert.ok(routes.length >= 50, `${routes.length} routes`);
  const keys = routes.map((r) => `${r.method} ${r.pattern}`);
  assert.equal(new Set(keys).size, keys.length, 'no route twice');
  for (const r of routes) {
    assert.match(r.pattern, /^\/api\/v1\//);
    assert.ok(['anyone', 'person', 'person-or-ticket', 'operator'].includes(r.access), JSON.stringify(r));
    // Operator routes, and only they, live under /api/v1/admin/.
    assert.equal(r.access === 'operator', r.pattern.startsWith('/api/v1/admin/'), JSON.stringify(r));
  }
  const anyone = routes.filter((r) => r.access === 'anyone').map((r) => `${r.method} ${r.pattern}`);
  assert.deepEqual(anyone.sort(), ['POST /api/v1/auth/login', 'POST /api/v1/auth/register']);
  // The listing includes itself.
  assert.ok(keys.includes('GET /api/v1/admin/routes'));
});

test('every client route is documented in docs/client-api.md', async () => {
  const doc = await readFile(path.join(REPO_ROOT, 'docs', 'client-api.md'), 'utf8');
  const missing = routes.filter((r) => !doc.includes(r.pattern));
  assert.deepEqual(missing, [], 'undocumented routes');
});

test('every person route answers 401 without a session, and with a wrong one', async () => {
  for (const r of routes.filter((x) => x.access === 'person' || x.access === 'person-or-ticket')) {
    const p = concrete(r.pattern);
    expectError(await c.request(r.method, p, undefined, undefined), 401, 'unauthorized');
    expectError(await c.request(r.method, p, bodyFor(r.method), 'not-a-session-token'), 401, 'unauthorized');
  }
});

test('every operator route answers 401 to a person and 404 where no operator token is set', async () => {
  const person = await register(server);
  const pc = api(plain);
  for (const r of routes.filter((x) => x.access === 'operator')) {
    const p = concrete(r.pattern);
    expectError(await c.request(r.method, p, bodyFor(r.method), person.token), 401, 'unauthorized');
    expectError(await c.request(r.method, p, bodyFor(r.method), undefined), 401, 'unauthorized');
    if (r.pattern !== '/api/v1/admin/clock') // only with testing.clock = adjustable
      expectError(await pc.request(r.method, p, bodyFor(r.method), ADMIN), 404, 'not_found');
  }
});

test('the open routes need no token and reach their handler (input checked)', async () => {
  for (const r of routes.filter((x) => x.access === 'anyone'))
    expectError(await c.request(r.method, r.pattern, bodyFor(r.method), undefined), 400, 'validation_error');
});

test('the operator token passes the operator stage', async () => {
  const r = await c.get(`/api/v1/admin/users/${SOME_ID}`, ADMIN);
  assert.equal(r.status, 404, 'reached the handler: unknown user');
});
