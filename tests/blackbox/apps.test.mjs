// CLIENT-API.md "Developer console (bot applications)": apps, tokens, install/uninstall.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createSpace, joinSpace, getSpace, createApp, installBot,
  createArchetype, assignArchetype, expectError, expectStatus, uname, UUID_RE, BOT_TOKEN_RE, P,
} from './harness.mjs';

let server, c;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

before(async () => {
  server = await startServer();
  c = api(server);
});

after(async () => { await server?.stop(); });

async function listApps(user) {
  const r = await c.get('/api/v1/apps', user.token);
  expectStatus(r, 200);
  assert.ok(Array.isArray(r.body.apps));
  return r.body.apps;
}

async function getMe(token) {
  return c.get('/IBotSelf/v1/GetMe', bot(token));
}

test('POST /apps → 201 {appId, botUserId, botUsername, token}; the token format binds it to the app', async () => {
  const dev = await register(server);
  const name = `${uname('music')}_bot`;
  const r = await c.post('/api/v1/apps', { name: 'My Music Bot', botUsername: name }, dev.token);
  expectStatus(r, 201);
  const a = r.body;
  assert.match(a.appId, UUID_RE);
  assert.match(a.botUserId, UUID_RE);
  assert.notEqual(a.appId, a.botUserId);
  assert.equal(a.botUsername, name);
  assert.match(a.token, BOT_TOKEN_RE);
  assert.equal(a.token.split(':')[0], a.appId.replace(/-/g, ''));
  const me = await getMe(a.token);
  expectStatus(me, 200);
  assert.equal(me.body.botId, a.appId);
  assert.equal(me.body.userId, a.botUserId);
  assert.equal(me.body.username, name);
});

test('botUsername is lowercased; displayName is used for the bot user', async () => {
  const dev = await register(server);
  const base = uname('loud');
  const r = await c.post('/api/v1/apps', { name: 'Loud', botUsername: `${base.toUpperCase()}_BOT`, displayName: 'Loud Bot 📢' }, dev.token);
  expectStatus(r, 201);
  assert.equal(r.body.botUsername, `${base}_bot`);
  const me = await getMe(r.body.token);
  assert.equal(me.body.username, `${base}_bot`);
  assert.equal(me.body.displayName, 'Loud Bot 📢');
});

test('GET /apps lists only the caller\'s apps', async () => {
  const dev = await register(server);
  const other = await register(server);
  const a1 = await createApp(server, dev, { name: 'First' });
  const a2 = await createApp(server, dev, { name: 'Second' });
  await createApp(server, other, { name: 'Theirs' });
  const apps = await listApps(dev);
  assert.equal(apps.length, 2);
  const byId = Object.fromEntries(apps.map((a) => [a.appId, a]));
  assert.deepEqual(byId[a1.appId], { appId: a1.appId, name: 'First', botUserId: a1.botUserId, botUsername: a1.botUsername, isVerified: false });
  assert.deepEqual(byId[a2.appId], { appId: a2.appId, name: 'Second', botUserId: a2.botUserId, botUsername: a2.botUsername, isVerified: false });
  assert.equal((await listApps(other)).length, 1);
  assert.deepEqual(await listApps(await register(server)), []);
  expectError(await c.get('/api/v1/apps'), 401, 'unauthorized');
});

test('invalid botUsername → 400 invalid_username; nothing is created', async () => {
  const dev = await register(server);
  const bad = ['music', 'musicbot', 'has space_bot', 'dash-y_bot', `${'x'.repeat(29)}_bot`, 'héllo_bot', 'a_bot_', '', 'bot'];
  for (const botUsername of bad) {
    const r = await c.post('/api/v1/apps', { name: 'Bad', botUsername }, dev.token);
    expectError(r, 400, 'invalid_username');
  }
  for (const botUsername of [['x_bot'], 42]) {
    const r = await c.post('/api/v1/apps', { name: 'Bad', botUsername }, dev.token);
    expectStatus(r, 400);
    assert.ok(['invalid_username', 'validation_error'].includes(r.body?.error), r.text);
  }
  const missing = await c.post('/api/v1/apps', { name: 'Bad' }, dev.token);
  expectStatus(missing, 400);
  assert.ok(['invalid_username', 'validation_error'].includes(missing.body?.error), missing.text);
  assert.deepEqual(await listApps(dev), []);
  // 32 characters is the maximum.
  const ok = await c.post('/api/v1/apps', { name: 'Max', botUsername: `${uname('m').padEnd(28, 'x').slice(0, 28)}_bot` }, dev.token);
  expectStatus(ok, 201);
  assert.equal(ok.body.botUsername.length, 32);
});

test('invalid name / displayName → 400 validation_error naming the field', async () => {
  const dev = await register(server);
  for (const [body, field] of [
    [{ botUsername: `${uname('v')}_bot` }, 'name'], [{ name: '', botUsername: `${uname('v')}_bot` }, 'name'],
    [{ name: '  ', botUsername: `${uname('v')}_bot` }, 'name'], [{ name: 'n'.repeat(101), botUsername: `${uname('v')}_bot` }, 'name'],
    [{ name: 'ok', botUsername: `${uname('v')}_bot`, displayName: '' }, 'displayName'],
    [{ name: 'ok', botUsername: `${uname('v')}_bot`, displayName: 'd'.repeat(65) }, 'displayName'],
  ]) {
    const r = await c.post('/api/v1/apps', body, dev.token);
    expectError(r, 400, 'validation_error', field);
  }
  assert.deepEqual(await listApps(dev), []);
  expectStatus(await c.post('/api/v1/apps', { name: 'n'.repeat(100), botUsername: `${uname('v')}_bot` }, dev.token), 201);
});

test('taken botUsername → 409 username_taken (any owner, any case)', async () => {
  const dev = await register(server);
  const other = await register(server);
  const a = await createApp(server, dev);
  expectError(await c.post('/api/v1/apps', { name: 'Dup', botUsername: a.botUsername }, dev.token), 409, 'username_taken');
  expectError(await c.post('/api/v1/apps', { name: 'Dup', botUsername: a.botUsername.toUpperCase() }, other.token), 409, 'username_taken');
  assert.equal((await listApps(dev)).length, 1);
  assert.equal((await listApps(other)).length, 0);
});

test('rotate token → 200 {token}; the old token stops working at once', async () => {
  const dev = await register(server);
  const a = await createApp(server, dev);
  expectStatus(await getMe(a.token), 200);
  const r = await c.post(`/api/v1/apps/${a.appId}/token`, undefined, dev.token);
  expectStatus(r, 200);
  assert.match(r.body.token, BOT_TOKEN_RE);
  assert.notEqual(r.body.token, a.token);
  assert.equal(r.body.token.split(':')[0], a.appId.replace(/-/g, ''));
  expectError(await getMe(a.token), 401, 'unauthorized');
  const me = await getMe(r.body.token);
  expectStatus(me, 200);
  assert.equal(me.body.botId, a.appId);
  // Rotating again invalidates the second token.
  const r2 = await c.post(`/api/v1/apps/${a.appId}/token`, undefined, dev.token);
  expectError(await getMe(r.body.token), 401, 'unauthorized');
  expectStatus(await getMe(r2.body.token), 200);
});

test('rotate token errors: not the owner → 404 not_found (token unchanged); unknown app → 404', async () => {
  const dev = await register(server);
  const other = await register(server);
  const a = await createApp(server, dev);
  expectError(await c.post(`/api/v1/apps/${a.appId}/token`, undefined, other.token), 404, 'not_found');
  expectStatus(await getMe(a.token), 200);
  expectError(await c.post(`/api/v1/apps/${UNKNOWN}/token`, undefined, dev.token), 404, 'not_found');
  expectError(await c.post(`/api/v1/apps/${a.appId}/token`), 401, 'unauthorized');
  expectStatus(await getMe(a.token), 200);
});

test('install → 201 {spaceId, appId, botUserId}; the bot is a member with the default archetype', async () => {
  const dev = await register(server);
  const s = await createSpace(server, dev, 'Bots here');
  const a = await createApp(server, dev, { displayName: 'Helper' });
  const r = await c.post(`/api/v1/spaces/${s.spaceId}/bots`, { appId: a.appId }, dev.token);
  expectStatus(r, 201);
  assert.deepEqual(r.body, { spaceId: s.spaceId, appId: a.appId, botUserId: a.botUserId });
  const g = await getSpace(server, dev, s.spaceId);
  const m = g.members.find((x) => x.userId === a.botUserId);
  assert.ok(m, 'bot appears in members');
  assert.equal(m.username, a.botUsername);
  assert.equal(m.displayName, 'Helper');
  assert.deepEqual(m.archetypeIds, [s.defaultArchetypeId]);
  // The bot sees the space (if GetSpaces exists yet).
  const gs = await c.get('/IBotSelf/v1/GetSpaces', bot(a.token));
  if (gs.status !== 404) {
    expectStatus(gs, 200);
    assert.deepEqual(gs.body.spaces.map((x) => x.spaceId), [s.spaceId]);
  }
  // Installing does not add spaces to the installer's own list.
  assert.equal((await c.get('/api/v1/spaces', dev.token)).body.spaces.length, 1);
});

test('install errors: twice 409, unknown app 404, missing appId 400, permission 403, non-member 403', async () => {
  const dev = await register(server);
  const bob = await register(server);
  const eve = await register(server);
  const s = await createSpace(server, dev, 'Install errors');
  await joinSpace(server, s.spaceId, dev, bob);
  const a = await createApp(server, dev);
  const b = await createApp(server, dev);
  const url = `/api/v1/spaces/${s.spaceId}/bots`;
  await installBot(server, dev, s.spaceId, a.appId);
  expectError(await c.post(url, { appId: a.appId }, dev.token), 409, 'already_installed');
  expectError(await c.post(url, { appId: UNKNOWN }, dev.token), 404, 'not_found');
  expectError(await c.post(url, {}, dev.token), 400, 'validation_error', 'appId');
  expectError(await c.post(url, { appId: 'not-a-uuid' }, dev.token), 400, 'validation_error', 'appId');
  expectError(await c.post(url, { appId: b.appId }, bob.token), 403, 'missing_permission', 'bots');
  expectError(await c.post(url, { appId: b.appId }, eve.token), 403, 'not_a_member');
  expectError(await c.post(`/api/v1/spaces/${UNKNOWN}/bots`, { appId: b.appId }, dev.token), 404, 'not_found');
  expectError(await c.post(url, { appId: b.appId }), 401, 'unauthorized');
  const g = await getSpace(server, dev, s.spaceId);
  assert.equal(g.members.length, 3, 'only dev, bob and bot a');
  assert.ok(!g.members.some((m) => m.userId === b.botUserId));
});

test('install with ManageBots or ManageServer (not only the owner)', async () => {
  const dev = await register(server);
  const bob = await register(server);
  const carol = await register(server);
  const s = await createSpace(server, dev, 'Delegated');
  await joinSpace(server, s.spaceId, dev, bob);
  await joinSpace(server, s.spaceId, dev, carol);
  const botMgr = await createArchetype(server, dev, s.spaceId, { name: 'bot managers', permissions: P.ManageBots });
  const admin = await createArchetype(server, dev, s.spaceId, { name: 'admins', permissions: P.ManageServer });
  await assignArchetype(server, dev, s.spaceId, bob.userId, botMgr.archetypeId);
  await assignArchetype(server, dev, s.spaceId, carol.userId, admin.archetypeId);
  const a = await createApp(server, bob);
  const b = await createApp(server, carol);
  await installBot(server, bob, s.spaceId, a.appId);
  await installBot(server, carol, s.spaceId, b.appId);
  const g = await getSpace(server, dev, s.spaceId);
  assert.ok(g.members.some((m) => m.userId === a.botUserId));
  assert.ok(g.members.some((m) => m.userId === b.botUserId));
});

test('uninstall → 204; bot leaves the member list and its spaces; again → 404; reinstall works', async () => {
  const dev = await register(server);
  const bob = await register(server);
  const s = await createSpace(server, dev, 'Uninstall');
  await joinSpace(server, s.spaceId, dev, bob);
  const a = await createApp(server, dev);
  await installBot(server, dev, s.spaceId, a.appId);
  const url = `/api/v1/spaces/${s.spaceId}/bots/${a.appId}`;
  expectError(await c.del(url, undefined, bob.token), 403, 'missing_permission');
  assert.ok((await getSpace(server, dev, s.spaceId)).members.some((m) => m.userId === a.botUserId));
  const r = await c.del(url, undefined, dev.token);
  expectStatus(r, 204);
  assert.equal(r.text, '');
  assert.ok(!(await getSpace(server, dev, s.spaceId)).members.some((m) => m.userId === a.botUserId));
  const gs = await c.get('/IBotSelf/v1/GetSpaces', bot(a.token));
  if (gs.status !== 404) {
    expectStatus(gs, 200);
    assert.deepEqual(gs.body.spaces, []);
  }
  expectError(await c.del(url, undefined, dev.token), 404, 'not_found');
  expectError(await c.del(`/api/v1/spaces/${s.spaceId}/bots/${UNKNOWN}`, undefined, dev.token), 404, 'not_found');
  // The bot's token keeps working (it is still a bot, just not in this space).
  expectStatus(await getMe(a.token), 200);
  await installBot(server, dev, s.spaceId, a.appId);
  assert.ok((await getSpace(server, dev, s.spaceId)).members.some((m) => m.userId === a.botUserId));
});

test('an installed bot can use the Bot API in that space (sends a message people can read)', async () => {
  const dev = await register(server);
  const s = await createSpace(server, dev, 'Bot talks');
  const a = await createApp(server, dev);
  await installBot(server, dev, s.spaceId, a.appId);
  const general = s.channels.find((ch) => ch.name === 'general');
  const r = await c.post('/IMessages/v1/Send', { channelId: general.channelId, text: 'beep', randomId: 1 }, bot(a.token));
  if (r.status === 404 && r.body?.error === 'not_found') return; // Bot API messaging not there yet
  expectStatus(r, 200);
  const h = await c.get(`/api/v1/channels/${general.channelId}/messages`, dev.token);
  expectStatus(h, 200);
  assert.equal(h.body.messages[0].text, 'beep');
  assert.equal(h.body.messages[0].creatorId, a.botUserId);
  assert.equal(String(h.body.messages[0].messageId), String(r.body.messageId));
});
