// A person's own sessions (docs/client-api.md "Sessions"): GET /api/v1/auth/sessions lists them
// (oldest first, the asking one marked current), DELETE /api/v1/auth/sessions/{sessionId} ends one,
// DELETE /api/v1/auth/sessions ends every other one. An ended session's token is 401 on every node
// and the tickets taken with it are refused; someone else's session cannot be named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, expectError, expectStatus, HIGH_RATE_LIMITS, ISO_MS_RE, PASSWORD,
} from './harness.mjs';
import { openSse } from './sse.mjs';

let server, c;
before(async () => {
  server = await startServer({ env: HIGH_RATE_LIMITS });
  c = api(server);
});
after(async () => { await server?.stop(); });

async function login(person) {
  const res = await c.post('/api/v1/auth/login', { username: person.username, password: PASSWORD });
  expectStatus(res, 200);
  return res.body.token;
}
async function sessions(token) {
  const res = await c.get('/api/v1/auth/sessions', token);
  expectStatus(res, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return res.body.sessions;
}
const works = async (token) => (await c.get('/api/v1/me', token)).status === 200;

test('the list: every session of the person, oldest first, the asking one current', async () => {
  const alice = await register(server);
  const second = await login(alice);
  const third = await login(alice);
  const bob = await register(server);

  const seen = await sessions(second);
  assert.equal(seen.length, 3);
  for (const s of seen) {
    assert.match(s.sessionId, /^[0-9a-f]{16}$/);
    assert.match(s.createdAt, ISO_MS_RE);
    assert.deepEqual(Object.keys(s).sort(), ['createdAt', 'current', 'sessionId']);
  }
  assert.deepEqual(seen.map((s) => s.current), [false, true, false]);
  assert.ok(seen[0].createdAt <= seen[1].createdAt && seen[1].createdAt <= seen[2].createdAt);
  assert.equal(new Set(seen.map((s) => s.sessionId)).size, 3);
  // Each token sees the same sessions, itself marked.
  assert.deepEqual((await sessions(third)).map((s) => s.current), [false, false, true]);
  assert.deepEqual((await sessions(alice.token)).map((s) => s.sessionId), seen.map((s) => s.sessionId));
  // Bob sees only his.
  assert.equal((await sessions(bob.token)).length, 1);
});

test('ending one session: its token is refused, the others go on; the current one signs out', async () => {
  const alice = await register(server);
  const phone = await login(alice);
  const list = await sessions(alice.token);
  const phoneId = list.find((s) => !s.current).sessionId;

  expectStatus(await c.del(`/api/v1/auth/sessions/${phoneId}`, undefined, alice.token), 204);
  assert.equal(await works(phone), false);
  expectError(await c.get('/api/v1/me', phone), 401, 'unauthorized');
  assert.equal(await works(alice.token), true);
  assert.equal((await sessions(alice.token)).length, 1);
  // Gone already: 404.
  expectError(await c.del(`/api/v1/auth/sessions/${phoneId}`, undefined, alice.token), 404, 'session_not_found');

  const own = (await sessions(alice.token))[0];
  assert.equal(own.current, true);
  expectStatus(await c.del(`/api/v1/auth/sessions/${own.sessionId}`, undefined, alice.token), 204);
  expectError(await c.get('/api/v1/auth/sessions', alice.token), 401, 'unauthorized');
});

test('ending every other session: they and their tickets are refused, this one goes on', async () => {
  const alice = await register(server);
  const laptop = await login(alice);
  const tablet = await login(alice);
  const ticket = await c.post('/api/v1/auth/tickets', undefined, tablet);
  expectStatus(ticket, 201);

  const res = await c.del('/api/v1/auth/sessions', undefined, alice.token);
  expectStatus(res, 200);
  assert.deepEqual(res.body, { revoked: 2 });
  assert.equal(await works(laptop), false);
  assert.equal(await works(tablet), false);
  assert.equal(await works(alice.token), true);
  const feed = await openSse(`${server.url}/api/v1/events?ticket=${encodeURIComponent(ticket.body.ticket)}`);
  try {
    assert.equal(feed.status, 401);
  } finally { feed.close?.(); }
  // Nothing else to end: 0.
  assert.deepEqual((await c.del('/api/v1/auth/sessions', undefined, alice.token)).body, { revoked: 0 });
  assert.equal((await sessions(alice.token)).length, 1);
});

test('bad input: someone else\'s session, a malformed or unknown id, no token', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const bobs = (await sessions(bob.token))[0].sessionId;
  expectError(await c.del(`/api/v1/auth/sessions/${bobs}`, undefined, alice.token), 404, 'session_not_found');
  assert.equal(await works(bob.token), true);
  for (const id of ['0000000000000000', 'nothex', bobs.slice(0, 8), `${bobs}00`, 'x'.repeat(300)])
    expectError(await c.del(`/api/v1/auth/sessions/${id}`, undefined, alice.token), 404, 'session_not_found');
  expectError(await c.get('/api/v1/auth/sessions'), 401, 'unauthorized');
  expectError(await c.del('/api/v1/auth/sessions'), 401, 'unauthorized');
  expectError(await c.get('/api/v1/auth/sessions', 'not-a-token'), 401, 'unauthorized');
  assert.equal(await works(alice.token), true);
  assert.equal(await works(bob.token), true);
});
