// docs/client-api.md "Spaces": a person's member list (GET /api/v1/spaces/{id}, GET …/members/{userId})
// carries each member's user flags (BOT, VERIFIED) and current presence, so a page opening a space
// shows who is online before any presenceUpdate arrives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, joinSpace, getSpace, createApp, installBot,
  expectError, expectStatus,
} from './harness.mjs';

const ADMIN = 'operator-secret-token-members';
let server, c;

before(async () => {
  server = await startServer({ env: { ARGON_ADMIN_TOKEN: ADMIN } });
  c = api(server);
});

after(async () => {
  await server?.stop();
});

test('members carry flags and presence; a presence change shows on the next read', async () => {
  const [alice, bob] = await Promise.all([register(server), register(server)]);
  const space = await createSpace(server, alice, 'Presence');
  await joinSpace(server, space.spaceId, alice, bob);

  let g = await getSpace(server, alice, space.spaceId);
  for (const m of g.members) {
    assert.equal(m.flags, 0, JSON.stringify(m));
    assert.deepEqual(m.presence, { status: 0, activity: null }, JSON.stringify(m));
  }

  expectStatus(await c.put('/api/v1/me/presence', { status: 6, activity: { kind: 0, titleName: 'Tetris' } }, bob.token), 204);
  g = await getSpace(server, alice, space.spaceId);
  const b = g.members.find((m) => m.userId === bob.userId);
  assert.equal(b.presence.status, 6);
  assert.equal(b.presence.activity.kind, 0);
  assert.equal(b.presence.activity.titleName, 'Tetris');
  assert.equal(typeof b.presence.activity.startTimestampSeconds, 'number');
  assert.equal(g.members.find((m) => m.userId === alice.userId).presence.status, 0);

  const one = await c.get(`/api/v1/spaces/${space.spaceId}/members/${bob.userId}`, alice.token);
  expectStatus(one, 200);
  assert.deepEqual(one.body.presence, b.presence);
  assert.equal(one.body.flags, 0);

  expectStatus(await c.put('/api/v1/me/presence', { status: 'online' }, bob.token), 204);
  g = await getSpace(server, alice, space.spaceId);
  assert.deepEqual(g.members.find((m) => m.userId === bob.userId).presence, { status: 1, activity: null });
});

test('an installed bot is flagged BOT (1), and VERIFIED (4) once the operator verifies it', async () => {
  const dev = await register(server);
  const space = await createSpace(server, dev, 'Bots');
  const app = await createApp(server, dev);
  await installBot(server, dev, space.spaceId, app.appId);
  const flagsOf = async () => (await getSpace(server, dev, space.spaceId)).members.find((m) => m.userId === app.botUserId).flags;
  assert.equal(await flagsOf(), 1);
  expectStatus(await c.post(`/api/v1/admin/bots/${app.appId}/verify`, undefined, ADMIN), 200);
  assert.equal(await flagsOf(), 1 | 4);
  assert.equal((await getSpace(server, dev, space.spaceId)).members.find((m) => m.userId === dev.userId).flags, 0);
});

test('the member list stays for members only', async () => {
  const [alice, eve] = await Promise.all([register(server), register(server)]);
  const space = await createSpace(server, alice, 'Closed');
  expectError(await c.get(`/api/v1/spaces/${space.spaceId}`, eve.token), 403, 'not_a_member');
  expectError(await c.get(`/api/v1/spaces/${space.spaceId}/members/${alice.userId}`, eve.token), 403, 'not_a_member');
});
