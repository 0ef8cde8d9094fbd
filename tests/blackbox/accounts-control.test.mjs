// The operator's control over accounts (docs/operations.md "Accounts"): registration modes,
// login throttling per username and per address, and the admin API over people (list, disable /
// enable, delete, reset a password, list and revoke sessions), audited in the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, createApp, expectError, expectStatus, uname, PASSWORD,
  ADJUSTABLE_CLOCK, CLOCK_ADMIN_TOKEN, advanceClock,
} from './harness.mjs';

const ADMIN = CLOCK_ADMIN_TOKEN;
const admin = { raw: `Bearer ${ADMIN}` };
let server, c;

before(async () => {
  server = await startServer({
    env: {
      ...ADJUSTABLE_CLOCK,
      ARGON_ACCOUNTS_LOGIN_FAILURES_PER_USER: '3',
      ARGON_ACCOUNTS_LOGIN_FAILURES_PER_ADDRESS: '8',
      ARGON_ACCOUNTS_LOGIN_WINDOW_SECONDS: '600',
    },
  });
  c = api(server);
});
after(async () => { await server?.stop(); });

const login = (username, password = PASSWORD) => c.post('/api/v1/auth/login', { username, password });
const logs = () => server.nodes.map((n) => n.stderr()).join('\n');

// ---------------------------------------------------------------------------------------------
// Login throttling

test('failed logins of one username: 401s, then 429 too_many_attempts with Retry-After even for the right password; the window frees it', async () => {
  // The per-address budget (8) is shared by every test of this file: move past earlier windows.
  await advanceClock(server, 601_000);
  const p = await register(server);
  for (let i = 0; i < 3; i += 1) expectError(await login(p.username, 'wrong password!'), 401, 'invalid_credentials');
  const blocked = await login(p.username);
  expectError(blocked, 429, 'too_many_attempts');
  const retry = Number(blocked.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 600, `Retry-After ${retry}`);
  // Other names are not blocked by it.
  const other = await register(server);
  expectStatus(await login(other.username), 200);
  assert.match(logs(), new RegExp(`auth: failed login username="${p.username}"`));
  assert.match(logs(), new RegExp(`auth: login throttled username="${p.username}"`));
  await advanceClock(server, 601_000);
  expectStatus(await login(p.username), 200);
});

test('a success forgives the username\'s failures', async () => {
  await advanceClock(server, 601_000);
  const p = await register(server);
  for (let i = 0; i < 2; i += 1) expectError(await login(p.username, 'wrong password!'), 401, 'invalid_credentials');
  expectStatus(await login(p.username), 200);
  for (let i = 0; i < 2; i += 1) expectError(await login(p.username, 'wrong password!'), 401, 'invalid_credentials');
  expectStatus(await login(p.username), 200);
});

test('failed logins from one address across many names: 429 for any name from there', async () => {
  await advanceClock(server, 601_000);
  for (let i = 0; i < 8; i += 1) expectError(await login(uname('nobody'), 'wrong password!'), 401, 'invalid_credentials');
  const p = await register(server);
  expectError(await login(p.username), 429, 'too_many_attempts');
  await advanceClock(server, 601_000);
  expectStatus(await login(p.username), 200);
});

// ---------------------------------------------------------------------------------------------
// Admin API over people

test('admin: list users (people and bots, paged by username) with status and session counts', async () => {
  const p = await register(server, uname('aalist'));
  const app = await createApp(server, p);
  const r = await c.get('/api/v1/admin/users?limit=1000', admin);
  expectStatus(r, 200);
  const me = r.body.users.find((u) => u.userId === p.userId);
  assert.deepEqual(Object.keys(me).sort(), ['createdAt', 'displayName', 'hasPassword', 'isBot', 'sessions', 'status', 'userId', 'username']);
  assert.equal(me.status, 'active');
  assert.equal(me.isBot, false);
  assert.equal(me.hasPassword, true);
  assert.equal(me.sessions, 1);
  assert.ok(r.body.users.some((u) => u.userId === app.botUserId && u.isBot));
  const names = r.body.users.map((u) => u.username);
  assert.deepEqual(names, [...names].sort(), 'ordered by username');
  const page = await c.get(`/api/v1/admin/users?limit=1&after=${encodeURIComponent(names[0])}`, admin);
  expectStatus(page, 200);
  assert.deepEqual(page.body.users.map((u) => u.username), [names[1]]);
  expectError(await c.get('/api/v1/admin/users?limit=0', admin), 400, 'validation_error', 'limit');
});

test('admin: disable → sessions revoked, login 403 account_disabled; enable → login works again', async () => {
  const p = await register(server);
  const d = await c.post(`/api/v1/admin/users/${p.userId}/disable`, undefined, admin);
  expectStatus(d, 200);
  assert.equal(d.body.status, 'disabled');
  assert.equal(d.body.sessions, 0);
  expectError(await c.get('/api/v1/me', p.token), 401, 'unauthorized');
  expectError(await login(p.username), 403, 'account_disabled');
  expectError(await login(p.username, 'wrong password!'), 401, 'invalid_credentials');
  const e = await c.post(`/api/v1/admin/users/${p.userId}/enable`, undefined, admin);
  expectStatus(e, 200);
  assert.equal(e.body.status, 'active');
  const again = await login(p.username);
  expectStatus(again, 200);
  expectStatus(await c.get('/api/v1/me', again.body.token), 200);
  assert.match(logs(), new RegExp(`audit: actor="operator@[^"]+" action=disable user=${p.userId} username=${p.username}`));
  assert.match(logs(), new RegExp(`audit: actor="operator@[^"]+" action=enable user=${p.userId}`));
});

test('admin: reset a password → every session revoked, the old password refused, the new one works', async () => {
  const p = await register(server);
  const second = await login(p.username);
  expectStatus(second, 200);
  expectError(await c.post(`/api/v1/admin/users/${p.userId}/password`, { password: 'short' }, admin), 400, 'validation_error', 'password');
  expectStatus(await c.post(`/api/v1/admin/users/${p.userId}/password`, { password: 'a brand new passphrase' }, admin), 204);
  for (const t of [p.token, second.body.token]) expectError(await c.get('/api/v1/me', t), 401, 'unauthorized');
  expectError(await login(p.username), 401, 'invalid_credentials');
  expectStatus(await login(p.username, 'a brand new passphrase'), 200);
});

test('admin: list sessions, revoke one by id, then all', async () => {
  const p = await register(server);
  const other = await login(p.username);
  const list = await c.get(`/api/v1/admin/users/${p.userId}/sessions`, admin);
  expectStatus(list, 200);
  assert.equal(list.body.sessions.length, 2);
  for (const s of list.body.sessions) {
    assert.match(s.sessionId, /^[0-9a-f]{16}$/);
    assert.ok(!p.token.includes(s.sessionId) && !other.body.token.includes(s.sessionId), 'ids are not token parts');
  }
  const one = list.body.sessions[0].sessionId;
  const r1 = await c.del(`/api/v1/admin/users/${p.userId}/sessions/${one}`, undefined, admin);
  expectStatus(r1, 200);
  assert.equal(r1.body.revoked, 1);
  const alive = [p.token, other.body.token];
  const statuses = await Promise.all(alive.map(async (t) => (await c.get('/api/v1/me', t)).status));
  assert.deepEqual([...statuses].sort(), [200, 401], 'exactly one session revoked');
  expectError(await c.del(`/api/v1/admin/users/${p.userId}/sessions/${one}`, undefined, admin), 404, 'session_not_found');
  expectError(await c.del(`/api/v1/admin/users/${p.userId}/sessions/nope`, undefined, admin), 404, 'session_not_found');
  const all = await c.del(`/api/v1/admin/users/${p.userId}/sessions`, undefined, admin);
  expectStatus(all, 200);
  assert.equal(all.body.revoked, 1);
  for (const t of alive) expectError(await c.get('/api/v1/me', t), 401, 'unauthorized');
});

test('admin: delete → name freed, data scrubbed, sessions gone, the row kept as author; deleting again 409', async () => {
  const p = await register(server, undefined, { displayName: 'Soon Gone' });
  const space = await createSpace(server, p, 'Left behind');
  const del = await c.del(`/api/v1/admin/users/${p.userId}`, undefined, admin);
  expectStatus(del, 200);
  assert.equal(del.body.status, 'deleted');
  assert.equal(del.body.displayName, 'Deleted user');
  assert.match(del.body.username, /^deleted-[0-9a-f]{12}$/);
  assert.equal(del.body.hasPassword, false);
  expectError(await c.get('/api/v1/me', p.token), 401, 'unauthorized');
  expectError(await login(p.username), 401, 'invalid_credentials');
  const reborn = await register(server, p.username);  // the name is free again
  assert.notEqual(reborn.userId, p.userId);
  // A new person with the freed name is someone else: not a member of the old one's space.
  expectError(await c.get(`/api/v1/spaces/${space.spaceId}`, reborn.token), 403, 'not_a_member');
  expectError(await c.del(`/api/v1/admin/users/${p.userId}`, undefined, admin), 409, 'account_deleted');
  expectError(await c.post(`/api/v1/admin/users/${p.userId}/enable`, undefined, admin), 409, 'account_deleted');
  assert.match(logs(), new RegExp(`action=delete user=${p.userId} username=deleted-[0-9a-f]{12} former_username=${p.username}`));
});

test('admin: bots are not changed here (400 not_a_person); unknown ids 404; bad ids 400; no token 401', async () => {
  const p = await register(server);
  const app = await createApp(server, p);
  expectError(await c.post(`/api/v1/admin/users/${app.botUserId}/disable`, undefined, admin), 400, 'not_a_person');
  expectError(await c.del(`/api/v1/admin/users/${app.botUserId}`, undefined, admin), 400, 'not_a_person');
  const unknown = '00000000-0000-4000-8000-000000000000';
  expectError(await c.get(`/api/v1/admin/users/${unknown}`, admin), 404, 'not_found');
  expectError(await c.post(`/api/v1/admin/users/${unknown}/disable`, undefined, admin), 404, 'not_found');
  expectError(await c.get(`/api/v1/admin/users/${unknown}/sessions`, admin), 404, 'not_found');
  expectError(await c.post('/api/v1/admin/users/not-an-id/disable', undefined, admin), 400, 'validation_error');
  expectError(await c.get('/api/v1/admin/users'), 401, 'unauthorized');
  expectError(await c.get('/api/v1/admin/users', p.token), 401, 'unauthorized');
  const got = await c.get(`/api/v1/admin/users/${p.userId}`, admin);
  expectStatus(got, 200);
  assert.equal(got.body.username, p.username);
});

test('admin routes do not exist without an operator token (404)', async () => {
  const plain = await startServer();
  try {
    expectError(await api(plain).get('/api/v1/admin/users', admin), 404, 'not_found');
  } finally { await plain.stop(); }
});

// ---------------------------------------------------------------------------------------------
// Registration modes

test('accounts.registration = closed: 403 registration_closed; login of existing people still works', async () => {
  const closed = await startServer({ env: { ARGON_ACCOUNTS_REGISTRATION: 'closed' } });
  try {
    const r = await api(closed).post('/api/v1/auth/register', { username: uname('closed'), password: PASSWORD });
    expectError(r, 403, 'registration_closed');
  } finally { await closed.stop(); }
});

test('accounts.registration = invite: 403 invite_required, 404 invite_not_found, then a valid code registers and can be accepted', async () => {
  // The inviter registers while the server is open; the same data then runs invite-only.
  const open = await startServer();
  const dataDir = open.dataDir;
  let owner, space, code;
  try {
    owner = await register(open);
    space = await createSpace(open, owner, 'Invited only');
    const inv = await api(open).post(`/api/v1/spaces/${space.spaceId}/invites`, { maxUses: 1 }, owner.token);
    expectStatus(inv, 201);
    code = inv.body.code;
  } finally { await open.stop(); }
  const invited = await startServer({ dataDir, env: { ARGON_ACCOUNTS_REGISTRATION: 'invite' } });
  try {
    const ic = api(invited);
    expectError(await ic.post('/api/v1/auth/register', { username: uname('inv'), password: PASSWORD }), 403, 'invite_required', 'inviteCode');
    expectError(await ic.post('/api/v1/auth/register', { username: uname('inv'), password: PASSWORD, inviteCode: 'nope' }), 404, 'invite_not_found');
    const reg = await ic.post('/api/v1/auth/register', { username: uname('inv'), password: PASSWORD, inviteCode: code });
    expectStatus(reg, 201);
    // Registration checked the code without using it: accepting uses it and joins the space.
    expectStatus(await ic.post(`/api/v1/invites/${encodeURIComponent(code)}/accept`, undefined, reg.body.token), 200);
    expectStatus(await ic.get(`/api/v1/spaces/${space.spaceId}`, reg.body.token), 200);
    // Used up (maxUses 1): it lets nobody else register.
    expectError(await ic.post('/api/v1/auth/register', { username: uname('inv'), password: PASSWORD, inviteCode: code }), 404, 'invite_not_found');
    expectStatus(await ic.post('/api/v1/auth/login', { username: owner.username, password: PASSWORD }), 200);
  } finally { await invited.stop(); }
});

// ---------------------------------------------------------------------------------------------
// Client API request budgets

test('client API budgets: per person on authenticated routes, per address on register/login (429 rate_limited + Retry-After)', async () => {
  const limited = await startServer({
    env: { ARGON_RATELIMIT_PERSON_REQUESTS: '5', ARGON_RATELIMIT_ADDRESS_REQUESTS: '4' },
    nodes: 1,
  });
  try {
    const lc = api(limited);
    const a = await register(limited);  // address budget: 1 of 4
    const b = await register(limited);  // 2 of 4
    for (let i = 0; i < 5; i += 1) expectStatus(await lc.get('/api/v1/me', a.token), 200);
    const over = await lc.get('/api/v1/me', a.token);
    expectError(over, 429, 'rate_limited');
    assert.ok(Number(over.headers.get('retry-after')) >= 1, 'Retry-After');
    expectStatus(await lc.get('/api/v1/me', b.token), 200);  // another person's budget
    expectError(await lc.get('/api/v1/me', 'not-a-token'), 401, 'unauthorized');  // auth first
    expectStatus(await lc.post('/api/v1/auth/login', { username: a.username, password: PASSWORD }), 200);  // 3
    expectStatus(await lc.post('/api/v1/auth/login', { username: b.username, password: PASSWORD }), 200);  // 4
    expectError(await lc.post('/api/v1/auth/login', { username: a.username, password: PASSWORD }), 429, 'rate_limited');
    expectError(await lc.post('/api/v1/auth/register', { username: uname('late'), password: PASSWORD }), 429, 'rate_limited');
  } finally { await limited.stop(); }
});
