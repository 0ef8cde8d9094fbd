// Bot authentication: GET /IBotSelf/v1/GetMe in every form (DECISIONS §1, §2, §4; SPEC §2, §14).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createApp, expectError, expectStatus, UUID_RE,
} from './harness.mjs';

// IBotSelf is rate-limited to 15 requests per minute per bot (SPEC §3), and 401s do not consume
// permits: every test that makes successful calls uses its own application.
let server, c, dev;

before(async () => {
  server = await startServer();
  c = api(server);
  dev = await register(server);
});

/** A fresh app → {app, expectedMe}. */
async function fresh(displayName = 'Auth Bot') {
  const app = await createApp(server, dev, { name: 'Auth app', displayName });
  const expectedMe = {
    botId: app.appId,
    userId: app.botUserId,
    username: app.botUsername,
    displayName,
    avatarUrl: null,
    email: `${app.appId}+${app.botUsername}@noreply.argon.gl`,
  };
  return { app, expectedMe };
}

after(async () => { await server?.stop(); });

function assertMe(r, expectedMe, label) {
  expectStatus(r, 200);
  assert.deepEqual(r.body, expectedMe, `${label}: ${r.text}`);
  assert.match(r.headers.get('content-type'), /application\/json/i);
}

test('GetMe with Authorization: Bot <token> → {botId, userId, username, displayName, avatarUrl, email}', async () => {
  const { app, expectedMe } = await fresh();
  const r = await c.get('/IBotSelf/v1/GetMe', bot(app.token));
  assertMe(r, expectedMe, 'Bot header');
  assert.match(r.body.botId, UUID_RE);
  assert.equal(r.body.botId.replace(/-/g, ''), app.token.split(':')[0]);
});

test('the Bot scheme is case-insensitive and surrounding whitespace is trimmed', async () => {
  const { app, expectedMe } = await fresh();
  for (const scheme of ['bot', 'BOT', 'bOt']) {
    assertMe(await c.get('/IBotSelf/v1/GetMe', { raw: `${scheme} ${app.token}` }), expectedMe, scheme);
  }
  assertMe(await c.get('/IBotSelf/v1/GetMe', { raw: `Bot   ${app.token}  ` }), expectedMe, 'whitespace');
});

test('GetMe under /api/bot', async () => {
  const { app, expectedMe } = await fresh();
  assertMe(await c.get('/api/bot/IBotSelf/v1/GetMe', bot(app.token)), expectedMe, '/api/bot');
});

test('path-token forms: /<token>/... and /api/bot/<token>/..., ":" literal or %3A/%3a', async () => {
  const { app, expectedMe } = await fresh();
  const [hex, secret] = app.token.split(':');
  for (const tok of [`${hex}:${secret}`, `${hex}%3A${secret}`, `${hex}%3a${secret}`]) {
    assertMe(await c.get(`/${tok}/IBotSelf/v1/GetMe`), expectedMe, `/${tok}`);
    assertMe(await c.get(`/api/bot/${tok}/IBotSelf/v1/GetMe`), expectedMe, `/api/bot/${tok}`);
  }
});

test('interface and method names match case-insensitively', async () => {
  const { app, expectedMe } = await fresh();
  for (const p of ['/ibotself/v1/getme', '/IBOTSELF/v1/GETME', '/iBotSelf/v1/getMe', '/api/bot/ibotself/v1/getme']) {
    assertMe(await c.get(p, bot(app.token)), expectedMe, p);
  }
  assertMe(await c.get(`/${app.token}/ibotself/v1/getme`), expectedMe, 'path token + lowercase');
});

test('a path token overrides the Authorization header', async () => {
  const { app, expectedMe } = await fresh();
  assertMe(await c.get(`/${app.token}/IBotSelf/v1/GetMe`, bot('garbage')), expectedMe, 'path token wins');
});

function expectUnauthorized(r, label) {
  expectStatus(r, 401);
  assert.equal(r.body?.error, 'unauthorized', `${label}: ${r.text}`);
  assert.ok(r.body.message === null || typeof r.body.message === 'string', label);
  assert.match(String(r.headers.get('content-type')), /application\/json/i, label);
}

test('missing or garbage credentials → 401 {"error":"unauthorized"}', async () => {
  const { app, expectedMe } = await fresh();
  const [hex, secret] = app.token.split(':');
  const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
  const otherHex = hex.replace(/^./, hex[0] === '0' ? '1' : '0');
  const cases = [
    ['no header', undefined],
    ['empty Bot', { raw: 'Bot ' }],
    ['only scheme', { raw: 'Bot' }],
    ['garbage', bot('garbage')],
    ['wrong secret', bot(`${hex}:${flipped}`)],
    ['unknown app', bot(`${otherHex}:${secret}`)],
    ['secret only', bot(secret)],
    ['Bearer scheme', { raw: `Bearer ${app.token}` }],
    ['Basic scheme', { raw: `Basic ${app.token}` }],
    ['person token', bot(dev.token)],
  ];
  for (const [label, auth] of cases) {
    expectUnauthorized(await c.get('/IBotSelf/v1/GetMe', auth), label);
    expectUnauthorized(await c.get('/api/bot/IBotSelf/v1/GetMe', auth), `/api/bot ${label}`);
  }
  expectUnauthorized(await c.get(`/${hex}:${flipped}/IBotSelf/v1/GetMe`), 'path token, wrong secret');
  expectUnauthorized(await c.get(`/api/bot/${otherHex}%3A${secret}/IBotSelf/v1/GetMe`), 'path token, unknown app');
});

test('a rotated token → 401 in every form; the new one works', async () => {
  const a = await createApp(server, dev);
  const r = await c.post(`/api/v1/apps/${a.appId}/token`, undefined, dev.token);
  expectStatus(r, 200);
  const old = a.token;
  expectUnauthorized(await c.get('/IBotSelf/v1/GetMe', bot(old)), 'old header');
  expectUnauthorized(await c.get(`/${old}/IBotSelf/v1/GetMe`), 'old path');
  expectUnauthorized(await c.get(`/api/bot/${old.replace(':', '%3A')}/IBotSelf/v1/GetMe`), 'old /api/bot path');
  const me = await c.get(`/${r.body.token}/IBotSelf/v1/GetMe`);
  expectStatus(me, 200);
  assert.equal(me.body.botId, a.appId);
});

test('two bots see themselves', async () => {
  const b = await createApp(server, dev);
  const r = await c.get('/IBotSelf/v1/GetMe', bot(b.token));
  expectStatus(r, 200);
  assert.equal(r.body.botId, b.appId);
  assert.equal(r.body.userId, b.botUserId);
  assert.equal(r.body.username, b.botUsername);
  assert.equal(r.body.displayName, 'Test app', 'displayName defaults to the app name');
  assert.equal(r.body.email, `${b.appId}+${b.botUsername}@noreply.argon.gl`);
});

test('Bot API routing errors: unknown method 404, wrong HTTP method 405 with Allow', async () => {
  const { app, expectedMe } = await fresh();
  const nf = await c.get('/IBotSelf/v1/NoSuchMethod', bot(app.token));
  expectError(nf, 404, 'not_found');
  const nf2 = await c.get('/INoSuchInterface/v1/GetMe', bot(app.token));
  expectError(nf2, 404, 'not_found');
  const nf3 = await c.get('/IBotSelf/v9/GetMe', bot(app.token));
  expectError(nf3, 404, 'not_found');
  for (const p of ['/IBotSelf/v1/GetMe', '/api/bot/IBotSelf/v1/GetMe', `/${app.token}/IBotSelf/v1/GetMe`]) {
    const r = await c.post(p, {}, bot(app.token));
    expectError(r, 405, 'method_not_allowed');
    const allow = String(r.headers.get('allow'));
    assert.ok(allow.split(',').map((s) => s.trim().toUpperCase()).includes('GET'), `${p}: Allow "${allow}" must include GET`);
  }
});

test('GET /api/bot/ lists the interfaces anonymously', async () => {
  const r = await c.get('/api/bot/');
  expectStatus(r, 200);
  assert.ok(Array.isArray(r.body?.interfaces), r.text.slice(0, 300));
  const self = r.body.interfaces.find((i) => i.name === 'IBotSelf');
  assert.ok(self, 'IBotSelf is listed');
  assert.equal(self.latestVersion, 1);
  const v1 = self.versions.find((v) => v.version === 1);
  assert.ok(v1);
  assert.equal(v1.isDeprecated, false);
  assert.equal(v1.sunsetDate, null);
  assert.equal(typeof v1.url, 'string');
  assert.match(v1.hash, /^[0-9a-f]{64}$/);
});
