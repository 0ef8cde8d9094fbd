// CLIENT-API.md "Accounts": register, login, me, presence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, expectError, expectStatus, uname, UUID_RE, PASSWORD,
} from './harness.mjs';

let server, c;

before(async () => {
  server = await startServer();
  c = api(server);
});

after(async () => { await server?.stop(); });

/** The account does not exist: login is refused (401, or 400 for a syntactically bad name). */
async function notCreated(username) {
  const r = await c.post('/api/v1/auth/login', { username, password: PASSWORD });
  expectStatus(r, [400, 401]);
  assert.ok(['validation_error', 'invalid_credentials'].includes(r.body?.error), r.text);
}

async function loginFails(username, password = PASSWORD) {
  const r = await c.post('/api/v1/auth/login', { username, password });
  expectError(r, 401, 'invalid_credentials');
}

test('register → 201 {userId, username, displayName, token}; displayName defaults to username', async () => {
  const u = uname('reg');
  const r = await c.post('/api/v1/auth/register', { username: u, password: PASSWORD });
  expectStatus(r, 201);
  assert.match(r.body.userId, UUID_RE);
  assert.equal(r.body.username, u);
  assert.equal(r.body.displayName, u);
  assert.equal(typeof r.body.token, 'string');
  assert.ok(r.body.token.length >= 16, 'token looks too short');
  const me = await c.get('/api/v1/me', r.body.token);
  expectStatus(me, 200);
  assert.deepEqual(me.body, { userId: r.body.userId, username: u, displayName: u, flags: 0, locale: null });
});

test('register with displayName; username is normalised to lowercase', async () => {
  const u = uname('Mixed');
  const mixed = `MiX${u}`.slice(0, 32);
  const r = await c.post('/api/v1/auth/register', { username: mixed, password: PASSWORD, displayName: 'Ada Lovelace ✨' });
  expectStatus(r, 201);
  assert.equal(r.body.username, mixed.toLowerCase());
  assert.equal(r.body.displayName, 'Ada Lovelace ✨');
  const me = await c.get('/api/v1/me', r.body.token);
  assert.equal(me.body.username, mixed.toLowerCase());
  assert.equal(me.body.displayName, 'Ada Lovelace ✨');
});

test('input keys are matched case-insensitively', async () => {
  const u = uname('keys');
  const r = await c.post('/api/v1/auth/register', { USERNAME: u, PassWord: PASSWORD, DisplayName: 'Keys' });
  expectStatus(r, 201);
  assert.equal(r.body.username, u);
  assert.equal(r.body.displayName, 'Keys');
});

test('usernames at the bounds: 2 and 32 characters, digits, dot and underscore', async () => {
  for (const u of ['q' + String(process.pid % 10), 'a'.repeat(24) + String(process.pid).padStart(8, '0').slice(-8), 'x.y_z' + process.pid, 'bot_maker' + process.pid, 'bot' + process.pid]) {
    const r = await c.post('/api/v1/auth/register', { username: u, password: PASSWORD });
    expectStatus(r, 201);
    assert.equal(r.body.username, u);
  }
});

test('invalid usernames → 400 validation_error naming username; nothing is created', async () => {
  const bad = ['a', '', 'x'.repeat(33), 'has space', 'dash-name', 'héllo', 'emoji😀', 'sneaky_bot', 'UPPER_BOT', 'semi;colon', 'slash/x'];
  for (const u of bad) {
    const r = await c.post('/api/v1/auth/register', { username: u, password: PASSWORD });
    expectError(r, 400, 'validation_error', 'username');
    await notCreated(u);
  }
  for (const body of [{ password: PASSWORD }, { username: null, password: PASSWORD }, { username: ['abc'], password: PASSWORD },
    { username: { a: 1 }, password: PASSWORD }, { username: true, password: PASSWORD }]) {
    const r = await c.post('/api/v1/auth/register', body);
    expectError(r, 400, 'validation_error', 'username');
  }
});

test('invalid passwords → 400 validation_error naming password; nothing is created', async () => {
  for (const pw of ['', 'short', '1234567', 'x'.repeat(1025)]) {
    const u = uname('pw');
    const r = await c.post('/api/v1/auth/register', { username: u, password: pw });
    expectError(r, 400, 'validation_error', 'password');
    // The username is still free: registering it correctly works.
    const ok = await c.post('/api/v1/auth/register', { username: u, password: PASSWORD });
    expectStatus(ok, 201);
  }
  for (const body of [{ username: uname('pw') }, { username: uname('pw'), password: ['x'.repeat(9)] }]) {
    const r = await c.post('/api/v1/auth/register', body);
    expectError(r, 400, 'validation_error', 'password');
  }
});

test('password bounds: exactly 8 and exactly 1024 are accepted', async () => {
  for (const pw of ['12345678', 'p'.repeat(1024)]) {
    const u = uname('pwb');
    expectStatus(await c.post('/api/v1/auth/register', { username: u, password: pw }), 201);
    const l = await c.post('/api/v1/auth/login', { username: u, password: pw });
    expectStatus(l, 200);
  }
});

test('invalid displayName → 400 validation_error naming displayName', async () => {
  for (const dn of ['', '   ', 'd'.repeat(65), ['x'], { a: 1 }]) {
    const u = uname('dn');
    const r = await c.post('/api/v1/auth/register', { username: u, password: PASSWORD, displayName: dn });
    expectError(r, 400, 'validation_error', 'displayName');
    await notCreated(u);
  }
  const ok = await c.post('/api/v1/auth/register', { username: uname('dn'), password: PASSWORD, displayName: 'd'.repeat(64) });
  expectStatus(ok, 201);
  assert.equal(ok.body.displayName, 'd'.repeat(64));
});

test('duplicate username → 409 username_taken (also differing only in case)', async () => {
  const u = uname('dup');
  const first = await register(server, u);
  for (const name of [u, u.toUpperCase()]) {
    const r = await c.post('/api/v1/auth/register', { username: name, password: 'another password' });
    expectError(r, 409, 'username_taken');
  }
  // The original account is untouched.
  const l = await c.post('/api/v1/auth/login', { username: u, password: PASSWORD });
  expectStatus(l, 200);
  assert.equal(l.body.userId, first.userId);
  await loginFails(u, 'another password');
});

test('bot usernames are taken too: a person cannot take an existing bot name', async () => {
  // Person usernames may not end in _bot, so the bot name is always refused; the code must be 400.
  const owner = await register(server);
  const botName = `${uname('tb')}_bot`;
  expectStatus(await c.post('/api/v1/apps', { name: 'A', botUsername: botName }, owner.token), 201);
  const r = await c.post('/api/v1/auth/register', { username: botName, password: PASSWORD });
  expectStatus(r, [400, 409]);
  assert.ok(['validation_error', 'username_taken'].includes(r.body.error));
});

test('login → 200 {userId, token}; the token works; username is case-insensitive', async () => {
  const u = await register(server);
  const r = await c.post('/api/v1/auth/login', { username: u.username, password: PASSWORD });
  expectStatus(r, 200);
  assert.equal(r.body.userId, u.userId);
  assert.equal(typeof r.body.token, 'string');
  const me = await c.get('/api/v1/me', r.body.token);
  expectStatus(me, 200);
  assert.equal(me.body.userId, u.userId);
  const r2 = await c.post('/api/v1/auth/login', { username: u.username.toUpperCase(), password: PASSWORD });
  expectStatus(r2, 200);
  assert.equal(r2.body.userId, u.userId);
});

test('login with a wrong password or unknown user → 401 invalid_credentials', async () => {
  const u = await register(server);
  await loginFails(u.username, PASSWORD + 'x');
  await loginFails(u.username, PASSWORD.toUpperCase());
  await loginFails(uname('ghost'));
});

test('login with malformed input → 400 validation_error', async () => {
  const r = await c.post('/api/v1/auth/login', undefined, undefined, { rawBody: '{"username":' });
  expectError(r, 400, 'validation_error');
});

test('GET /me without or with a bad token → 401 unauthorized', async () => {
  const u = await register(server);
  expectError(await c.get('/api/v1/me'), 401, 'unauthorized');
  expectError(await c.get('/api/v1/me', 'garbage'), 401, 'unauthorized');
  expectError(await c.get('/api/v1/me', u.token + 'x'), 401, 'unauthorized');
  expectError(await c.get('/api/v1/me', { raw: `Basic ${u.token}` }), 401, 'unauthorized');
  expectError(await c.get('/api/v1/me', { raw: 'Bearer' }), 401, 'unauthorized');
  expectError(await c.get('/api/v1/me', { raw: 'Bearer ' }), 401, 'unauthorized');
});

test('a person token does not authenticate on the Bot API', async () => {
  const u = await register(server);
  const r = await c.get('/IBotSelf/v1/GetMe', { raw: `Bot ${u.token}` });
  expectError(r, 401, 'unauthorized');
});

test('PUT /me/presence → 204 for every status 0..6, with and without activity', async () => {
  const u = await register(server);
  for (let s = 0; s <= 6; s++) {
    const r = await c.put('/api/v1/me/presence', { status: s }, u.token);
    expectStatus(r, 204);
    assert.equal(r.text, '');
  }
  for (let k = 0; k <= 3; k++) {
    const r = await c.put('/api/v1/me/presence', { status: 3, activity: { kind: k, titleName: 'Tetris' } }, u.token);
    expectStatus(r, 204);
  }
  expectStatus(await c.put('/api/v1/me/presence', { status: 1, activity: null }, u.token), 204);
  expectStatus(await c.put('/api/v1/me/presence', { status: '2' }, u.token), 204);
  expectStatus(await c.put('/api/v1/me/presence', { status: 'online' }, u.token), 204);
  expectStatus(await c.put('/api/v1/me/presence', { Status: 'DoNotDisturb' }, u.token), 204);
});

test('PUT /me/presence with bad input → 400 validation_error naming the field', async () => {
  const u = await register(server);
  for (const s of [7, -1, 100, 'sleeping', 1.5, null, [1]]) {
    const r = await c.put('/api/v1/me/presence', { status: s }, u.token);
    expectError(r, 400, 'validation_error', 'status');
  }
  expectError(await c.put('/api/v1/me/presence', {}, u.token), 400, 'validation_error', 'status');
  for (const k of [4, -1, 'dancing']) {
    const r = await c.put('/api/v1/me/presence', { status: 1, activity: { kind: k, titleName: 'x' } }, u.token);
    expectError(r, 400, 'validation_error', 'kind');
  }
  const r = await c.put('/api/v1/me/presence', { status: 1, activity: 'playing' }, u.token);
  expectError(r, 400, 'validation_error', 'activity');
  expectError(await c.put('/api/v1/me/presence', { status: 1 }), 401, 'unauthorized');
});
