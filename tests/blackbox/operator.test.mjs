// CLIENT-API.md "Operator": admin verify/unverify, /healthz, admin routes hidden without a token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createApp, expectError, expectStatus,
} from './harness.mjs';

const ADMIN = 'operator-secret-token-0123456789';
let server, c, plain, pc;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

before(async () => {
  [server, plain] = await Promise.all([
    startServer({ env: { ARGON_ADMIN_TOKEN: ADMIN } }),
    startServer(),
  ]);
  c = api(server);
  pc = api(plain);
});

after(async () => {
  await Promise.all([server?.stop(), plain?.stop()]);
});

async function isVerified(dev, appId, client = c) {
  const r = await client.get('/api/v1/apps', dev.token);
  expectStatus(r, 200);
  const a = r.body.apps.find((x) => x.appId === appId);
  assert.ok(a, 'app listed');
  return a.isVerified;
}

test('GET /healthz → 200 on both servers', async () => {
  expectStatus(await c.get('/healthz'), 200);
  expectStatus(await pc.get('/healthz'), 200);
});

test('verify / unverify with the operator token → 200 {appId, isVerified}; GET /apps reflects it', async () => {
  const dev = await register(server);
  const a = await createApp(server, dev);
  assert.equal(await isVerified(dev, a.appId), false);
  const v = await c.post(`/api/v1/admin/bots/${a.appId}/verify`, undefined, ADMIN);
  expectStatus(v, 200);
  assert.deepEqual(v.body, { appId: a.appId, isVerified: true });
  assert.equal(await isVerified(dev, a.appId), true);
  // Idempotent.
  const v2 = await c.post(`/api/v1/admin/bots/${a.appId}/verify`, undefined, ADMIN);
  expectStatus(v2, 200);
  assert.deepEqual(v2.body, { appId: a.appId, isVerified: true });
  const u = await c.post(`/api/v1/admin/bots/${a.appId}/unverify`, undefined, ADMIN);
  expectStatus(u, 200);
  assert.deepEqual(u.body, { appId: a.appId, isVerified: false });
  assert.equal(await isVerified(dev, a.appId), false);
  const u2 = await c.post(`/api/v1/admin/bots/${a.appId}/unverify`, undefined, ADMIN);
  expectStatus(u2, 200);
  assert.equal(u2.body.isVerified, false);
});

test('verification does not change the bot\'s token or identity', async () => {
  const dev = await register(server);
  const a = await createApp(server, dev);
  expectStatus(await c.post(`/api/v1/admin/bots/${a.appId}/verify`, undefined, ADMIN), 200);
  const me = await c.get('/IBotSelf/v1/GetMe', { raw: `Bot ${a.token}` });
  expectStatus(me, 200);
  assert.equal(me.body.botId, a.appId);
  assert.equal(me.body.userId, a.botUserId);
});

test('admin routes: wrong or missing operator token → 401 unauthorized; nothing changes', async () => {
  const dev = await register(server);
  const a = await createApp(server, dev);
  for (const tok of [undefined, 'wrong', ADMIN + 'x', dev.token, { raw: `Bot ${ADMIN}` }, { raw: ADMIN }]) {
    expectError(await c.post(`/api/v1/admin/bots/${a.appId}/verify`, undefined, tok), 401, 'unauthorized');
  }
  assert.equal(await isVerified(dev, a.appId), false);
  expectStatus(await c.post(`/api/v1/admin/bots/${a.appId}/verify`, undefined, ADMIN), 200);
  expectError(await c.post(`/api/v1/admin/bots/${a.appId}/unverify`, undefined, dev.token), 401, 'unauthorized');
  assert.equal(await isVerified(dev, a.appId), true);
});

test('admin routes: unknown app → 404 not_found; malformed id → 400 or 404', async () => {
  expectError(await c.post(`/api/v1/admin/bots/${UNKNOWN}/verify`, undefined, ADMIN), 404, 'not_found');
  expectError(await c.post(`/api/v1/admin/bots/${UNKNOWN}/unverify`, undefined, ADMIN), 404, 'not_found');
  const r = await c.post('/api/v1/admin/bots/nope/verify', undefined, ADMIN);
  expectStatus(r, [400, 404]);
  assert.ok(['validation_error', 'not_found'].includes(r.body?.error), r.text);
});

test('admin routes: wrong method → 405 with Allow POST', async () => {
  const dev = await register(server);
  const a = await createApp(server, dev);
  const r = await c.get(`/api/v1/admin/bots/${a.appId}/verify`, ADMIN);
  expectError(r, 405, 'method_not_allowed');
  assert.match(String(r.headers.get('allow')), /POST/i);
});

test('without ARGON_ADMIN_TOKEN the admin routes answer 404 not_found', async () => {
  const dev = await register(plain);
  const a = await createApp(plain, dev);
  for (const tok of [undefined, ADMIN, '', dev.token]) {
    const t = tok === '' ? { raw: 'Bearer ' } : tok;
    expectError(await pc.post(`/api/v1/admin/bots/${a.appId}/verify`, undefined, t), 404, 'not_found');
    expectError(await pc.post(`/api/v1/admin/bots/${a.appId}/unverify`, undefined, t), 404, 'not_found');
  }
  assert.equal(await isVerified(dev, a.appId, pc), false);
});

test('GET /api/v1/admin/apps lists every app of every developer with isVerified; operator token only', async () => {
  const [dev1, dev2] = await Promise.all([register(server), register(server)]);
  const a = await createApp(server, dev1);
  const b = await createApp(server, dev2, { name: 'Second' });
  expectStatus(await c.post(`/api/v1/admin/bots/${b.appId}/verify`, undefined, ADMIN), 200);
  const r = await c.get('/api/v1/admin/apps', ADMIN);
  expectStatus(r, 200);
  const byId = new Map(r.body.apps.map((x) => [x.appId, x]));
  assert.deepEqual(byId.get(a.appId), {
    appId: a.appId, name: 'Test app', ownerId: dev1.userId, botUserId: a.botUserId,
    botUsername: a.botUsername, isVerified: false,
  });
  assert.equal(byId.get(b.appId).isVerified, true);
  assert.equal(byId.get(b.appId).ownerId, dev2.userId);
  for (const tok of [undefined, 'wrong', dev1.token, { raw: `Bot ${a.token}` }])
    expectError(await c.get('/api/v1/admin/apps', tok), 401, 'unauthorized');
  expectError(await pc.get('/api/v1/admin/apps', ADMIN), 404, 'not_found');
});
