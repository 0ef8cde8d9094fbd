// Durability: a restart on the same data dir keeps users, tokens, spaces, members, archetypes,
// messages (same ids), apps, bot tokens and installs. SIGTERM exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, makeTempDir, api, bot, register, createSpace, joinSpace, channelByName, getSpace,
  sendMessage, history, createApp, installBot, createArchetype, assignArchetype, expectError,
  expectStatus, big, P, PASSWORD,
} from './harness.mjs';

test('restart after SIGTERM keeps everything', async () => {
  const dataDir = await makeTempDir();
  let server = await startServer({ dataDir, env: { ARGON_ADMIN_TOKEN: 'adm' } });
  let c = api(server);
  const alice = await register(server, undefined, { displayName: 'Alice A.' });
  const bob = await register(server);
  const space = await createSpace(server, alice, 'Persistent', 'survives restarts');
  await joinSpace(server, space.spaceId, alice, bob);
  const general = channelByName(space, 'general');
  const m1 = await sendMessage(server, alice, general.channelId, { text: 'before restart', entities: [{ type: 'bold', offset: 0, length: 6 }] });
  const m2 = await sendMessage(server, bob, general.channelId, { text: 'reply', replyTo: m1, randomId: 777 });
  const role = await createArchetype(server, alice, space.spaceId, { name: 'role', permissions: P.ManageChannels | P.ManageServer, colour: 123 });
  await assignArchetype(server, alice, space.spaceId, bob.userId, role.archetypeId);
  const app = await createApp(server, alice, { displayName: 'Persisted Bot' });
  await installBot(server, alice, space.spaceId, app.appId);
  expectStatus(await c.post(`/api/v1/admin/bots/${app.appId}/verify`, undefined, 'adm'), 200);
  const inv = await c.post(`/api/v1/spaces/${space.spaceId}/invites`, { maxUses: 5 }, alice.token);
  expectStatus(inv, 201);
  const spaceBefore = await getSpace(server, alice, space.spaceId);
  const historyBefore = await history(server, alice, general.channelId);
  const meBefore = (await c.get('/IBotSelf/v1/GetMe', bot(app.token))).body;

  await server.stop();

  server = await startServer({ dataDir, env: { ARGON_ADMIN_TOKEN: 'adm' } });
  c = api(server);
  try {
    // Tokens issued before the restart still work.
    const me = await c.get('/api/v1/me', alice.token);
    expectStatus(me, 200);
    assert.equal(me.body.userId, alice.userId);
    assert.equal(me.body.displayName, 'Alice A.');
    // Passwords still work.
    const login = await c.post('/api/v1/auth/login', { username: bob.username, password: PASSWORD });
    expectStatus(login, 200);
    assert.equal(login.body.userId, bob.userId);
    // The username stays taken.
    expectError(await c.post('/api/v1/auth/register', { username: alice.username, password: PASSWORD }), 409, 'username_taken');
    // Spaces, channels, archetypes, members.
    const spaceAfter = await getSpace(server, alice, space.spaceId);
    const norm = (g) => ({
      ...g,
      channels: [...g.channels].sort((a, b) => a.channelId.localeCompare(b.channelId)),
      archetypes: [...g.archetypes].sort((a, b) => a.archetypeId.localeCompare(b.archetypeId)),
      members: [...g.members].sort((a, b) => a.userId.localeCompare(b.userId))
        .map((m) => ({ ...m, archetypeIds: [...m.archetypeIds].sort() })),
    });
    assert.deepEqual(norm(spaceAfter), norm(spaceBefore));
    assert.deepEqual((await c.get('/api/v1/spaces', bob.token)).body.spaces.map((s) => s.spaceId), [space.spaceId]);
    // Messages with the same ids, replies and entities.
    const historyAfter = await history(server, alice, general.channelId);
    assert.deepEqual(historyAfter, historyBefore);
    assert.deepEqual(historyAfter.map((m) => String(m.messageId)), [m2, m1]);
    // randomId idempotency survives the restart.
    const again = await c.post(`/api/v1/channels/${general.channelId}/messages`, { text: 'reply', replyTo: m1, randomId: 777 }, bob.token);
    expectStatus(again, [200, 201]);
    assert.equal(String(again.body.messageId), m2);
    // New message ids keep increasing.
    const m3 = await sendMessage(server, alice, general.channelId, 'after restart');
    assert.ok(big(m3) > big(m2));
    // Permissions from archetypes still apply.
    expectStatus(await c.post(`/api/v1/spaces/${space.spaceId}/channels`, { name: 'by-bob', channelType: 0 }, bob.token), 201);
    // Apps, bot token, verification, install.
    const apps = (await c.get('/api/v1/apps', alice.token)).body.apps;
    assert.deepEqual(apps.map((a) => [a.appId, a.isVerified]), [[app.appId, true]]);
    const meAfter = await c.get('/IBotSelf/v1/GetMe', bot(app.token));
    expectStatus(meAfter, 200);
    assert.deepEqual(meAfter.body, meBefore);
    expectError(await c.post(`/api/v1/spaces/${space.spaceId}/bots`, { appId: app.appId }, alice.token), 409, 'already_installed');
    // The invite still works.
    const carol = await register(server);
    expectStatus(await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, carol.token), 200);
  } finally {
    await server.stop();
  }
});

test('a rotated bot token stays revoked after a restart', async () => {
  const dataDir = await makeTempDir();
  let server = await startServer({ dataDir });
  let c = api(server);
  const dev = await register(server);
  const app = await createApp(server, dev);
  const rot = await c.post(`/api/v1/apps/${app.appId}/token`, undefined, dev.token);
  expectStatus(rot, 200);
  await server.stop();
  server = await startServer({ dataDir });
  c = api(server);
  try {
    expectError(await c.get('/IBotSelf/v1/GetMe', bot(app.token)), 401, 'unauthorized');
    expectStatus(await c.get('/IBotSelf/v1/GetMe', bot(rot.body.token)), 200);
  } finally {
    await server.stop();
  }
});

test('acknowledged writes survive SIGKILL', async () => {
  const dataDir = await makeTempDir();
  let server = await startServer({ dataDir });
  const alice = await register(server);
  const space = await createSpace(server, alice, 'Crash test');
  const general = channelByName(space, 'general');
  const id = await sendMessage(server, alice, general.channelId, 'durable');
  await server.kill();
  server = await startServer({ dataDir });
  try {
    const msgs = await history(server, alice, general.channelId);
    assert.deepEqual(msgs.map((m) => [String(m.messageId), m.text]), [[id, 'durable']]);
  } finally {
    await server.stop();
  }
});
