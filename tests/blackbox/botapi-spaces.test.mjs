// Bot API: IBotSelf/v1 GetSpaces and ISpaces/v1 Get, GetMember, ListMembers
// (SPEC §1.3, §12.4, §12.6, §16 ISpaces; DECISIONS §2, §5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createSpace, createApp, installBot, joinSpace, grant,
  setArchetypePermissions, verifyApp, botWorld, expectError, expectStatus, UUID_RE, UNKNOWN_UUID,
  HIGH_RATE_LIMITS, DEFAULT_PERMISSIONS, P,
} from './harness.mjs';

const ADMIN = 'bb-admin-token';
let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ARGON_ADMIN_TOKEN: ADMIN } });
  c = api(server);
});
after(async () => { await server?.stop(); });

// ---------------------------------------------------------------------------------------------
// IBotSelf/GetSpaces

test('IBotSelf/GetSpaces lists exactly the spaces the bot is installed in', async () => {
  const owner = await register(server);
  const app = await createApp(server, owner);
  const none = await c.get('/IBotSelf/v1/GetSpaces', bot(app.token));
  expectStatus(none, 200);
  assert.deepEqual(none.body, { spaces: [] });

  const s1 = await createSpace(server, owner, 'First', 'the first one');
  const s2 = await createSpace(server, owner, 'Second');
  await createSpace(server, owner, 'Third (no bot)');
  await installBot(server, owner, s1.spaceId, app.appId);
  await installBot(server, owner, s2.spaceId, app.appId);
  const r = await c.get('/IBotSelf/v1/GetSpaces', bot(app.token));
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body), ['spaces']);
  const got = [...r.body.spaces].sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(got, [
    { spaceId: s1.spaceId, name: 'First', description: 'the first one' },
    { spaceId: s2.spaceId, name: 'Second', description: null },
  ]);

  expectStatus(await c.del(`/api/v1/spaces/${s1.spaceId}/bots/${app.appId}`, undefined, owner.token), 204);
  const after1 = await c.get('/IBotSelf/v1/GetSpaces', bot(app.token));
  expectStatus(after1, 200);
  assert.deepEqual(after1.body.spaces.map((s) => s.spaceId), [s2.spaceId]);
});

test('IBotSelf/GetSpaces without a token → 401', async () => {
  expectError(await c.get('/IBotSelf/v1/GetSpaces'), 401, 'unauthorized');
});

// ---------------------------------------------------------------------------------------------
// ISpaces/Get

test('ISpaces/Get → {spaceId, name, description, isCommunity:false}', async () => {
  const w = await botWorld(server, { spaceName: 'Engine Room', description: 'gears' });
  const r = await c.get(`/ISpaces/v1/Get?spaceId=${w.sid}`, w.tok);
  expectStatus(r, 200);
  assert.match(String(r.headers.get('content-type')), /application\/json/i);
  assert.deepEqual(r.body, { spaceId: w.sid, name: 'Engine Room', description: 'gears', isCommunity: false });

  const w2 = await botWorld(server, { spaceName: 'Plain' });
  const r2 = await c.get(`/api/bot/ISpaces/v1/Get?spaceId=${w2.sid}`, w2.tok);
  expectStatus(r2, 200);
  assert.deepEqual(r2.body, { spaceId: w2.sid, name: 'Plain', description: null, isCommunity: false });
});

test('ISpaces/Get: case-insensitive names, path-token form, uppercase UUID accepted', async () => {
  const w = await botWorld(server);
  const expected = { spaceId: w.sid, name: 'Bot space', description: null, isCommunity: false };
  for (const p of [`/ispaces/v1/get?spaceId=${w.sid}`, `/${w.app.token}/ISpaces/v1/Get?spaceId=${w.sid}`,
    `/api/bot/${w.app.token.replace(':', '%3A')}/ISPACES/v1/GET?spaceId=${w.sid}`]) {
    const r = await c.get(p, p.includes(w.app.token.slice(0, 10)) ? undefined : w.tok);
    expectStatus(r, 200);
    assert.deepEqual(r.body, expected, p);
  }
  const up = await c.get(`/ISpaces/v1/Get?spaceId=${w.sid.toUpperCase()}`, w.tok);
  expectStatus(up, 200);
  assert.equal(up.body.spaceId, w.sid, 'UUIDs are written lowercase');
});

test('ISpaces/Get: missing or malformed spaceId → 400 validation_error naming spaceId', async () => {
  const w = await botWorld(server);
  for (const q of ['', '?spaceId=', '?spaceId=nope', '?spaceId=12345', `?spaceId=${w.sid}x`, '?spaceid_wrong=1']) {
    expectError(await c.get(`/ISpaces/v1/Get${q}`, w.tok), 400, 'validation_error', 'spaceId');
  }
});

test('ISpaces/Get: space the bot is not in, or unknown space → 403 not_a_member', async () => {
  const w = await botWorld(server);
  expectError(await c.get(`/ISpaces/v1/Get?spaceId=${w.other.spaceId}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/ISpaces/v1/Get?spaceId=${UNKNOWN_UUID}`, w.tok), 403, 'not_a_member');
});

test('ISpaces/Get: after uninstall → 403 not_a_member', async () => {
  const w = await botWorld(server);
  expectStatus(await c.get(`/ISpaces/v1/Get?spaceId=${w.sid}`, w.tok), 200);
  expectStatus(await c.del(`/api/v1/spaces/${w.sid}/bots/${w.app.appId}`, undefined, w.owner.token), 204);
  expectError(await c.get(`/ISpaces/v1/Get?spaceId=${w.sid}`, w.tok), 403, 'not_a_member');
});

test('ISpaces/Get without a token → 401; POST → 405', async () => {
  const w = await botWorld(server);
  expectError(await c.get(`/ISpaces/v1/Get?spaceId=${w.sid}`), 401, 'unauthorized');
  const r = await c.post(`/ISpaces/v1/Get?spaceId=${w.sid}`, {}, w.tok);
  expectError(r, 405, 'method_not_allowed');
  assert.match(String(r.headers.get('allow')), /GET/i);
});

// ---------------------------------------------------------------------------------------------
// ISpaces/GetMember

test('ISpaces/GetMember → BotMember {userId, spaceId, username, displayName, archetypeIds}', async () => {
  const w = await botWorld(server);
  const bob = await register(server, undefined, { displayName: 'Bob B' });
  await joinSpace(server, w.sid, w.owner, bob);
  const mod = await grant(server, w.owner, w.sid, bob.userId, P.KickMember, 'mods');

  const r = await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${bob.userId}`, w.tok);
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body).sort(), ['archetypeIds', 'displayName', 'spaceId', 'userId', 'username']);
  assert.equal(r.body.userId, bob.userId);
  assert.equal(r.body.spaceId, w.sid);
  assert.equal(r.body.username, bob.username);
  assert.equal(r.body.displayName, 'Bob B');
  assert.deepEqual([...r.body.archetypeIds].sort(), [w.space.defaultArchetypeId, mod.archetypeId].sort());

  // the bot itself and the owner
  const me = await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${w.botUserId}`, w.tok);
  expectStatus(me, 200);
  assert.deepEqual(me.body, {
    userId: w.botUserId, spaceId: w.sid, username: w.app.botUsername, displayName: 'Test app',
    archetypeIds: [w.space.defaultArchetypeId],
  });
  const own = await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${w.owner.userId}`, w.tok);
  expectStatus(own, 200);
  assert.equal(own.body.username, w.owner.username);
  assert.ok(own.body.archetypeIds.every((id) => UUID_RE.test(id)));
});

test('ISpaces/GetMember reflects the per-space display name', async () => {
  const w = await botWorld(server);
  const bob = await register(server);
  await joinSpace(server, w.sid, w.owner, bob);
  expectStatus(await c.patch(`/api/v1/spaces/${w.sid}/members/${bob.userId}`, { displayName: 'Captain Bob' }, bob.token), 204);
  const r = await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${bob.userId}`, w.tok);
  expectStatus(r, 200);
  assert.equal(r.body.displayName, 'Captain Bob');
});

test('ISpaces/GetMember: a user who is not a member, or no such user → 404 not_found', async () => {
  const w = await botWorld(server);
  const eve = await register(server);
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${eve.userId}`, w.tok), 404, 'not_found');
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${UNKNOWN_UUID}`, w.tok), 404, 'not_found');
  // a person who left is no longer a member
  const bob = await register(server);
  await joinSpace(server, w.sid, w.owner, bob);
  expectStatus(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${bob.userId}`, w.tok), 200);
  expectStatus(await c.del(`/api/v1/spaces/${w.sid}/members/${bob.userId}`, undefined, bob.token), 204);
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${bob.userId}`, w.tok), 404, 'not_found');
});

test('ISpaces/GetMember: missing/malformed ids → 400 validation_error naming the field', async () => {
  const w = await botWorld(server);
  const u = w.owner.userId;
  expectError(await c.get(`/ISpaces/v1/GetMember?userId=${u}`, w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=bad&userId=${u}`, w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}`, w.tok), 400, 'validation_error', 'userId');
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=`, w.tok), 400, 'validation_error', 'userId');
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=not-a-uuid`, w.tok), 400, 'validation_error', 'userId');
  // input is checked before membership
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.other.spaceId}&userId=zzz`, w.tok), 400, 'validation_error', 'userId');
});

test('ISpaces/GetMember: space the bot is not in / unknown space → 403 not_a_member', async () => {
  const w = await botWorld(server);
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.other.spaceId}&userId=${w.owner.userId}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${UNKNOWN_UUID}&userId=${w.owner.userId}`, w.tok), 403, 'not_a_member');
});

test('ISpaces/GetMember without ViewMembers → 403 missing_permission naming it; existence is checked first', async () => {
  const w = await botWorld(server);
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS & ~P.ViewChannel);
  const r = await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${w.owner.userId}`, w.tok);
  expectError(r, 403, 'missing_permission', ['ViewMembers', 'ViewChannel']);
  // unknown member → 404 before the permission check (DECISIONS §2 order)
  expectError(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${UNKNOWN_UUID}`, w.tok), 404, 'not_found');
  // granting ViewChannel through an assigned archetype restores access
  await grant(server, w.owner, w.sid, w.botUserId, P.ViewChannel, 'viewers');
  expectStatus(await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${w.owner.userId}`, w.tok), 200);
});

// ---------------------------------------------------------------------------------------------
// ISpaces/ListMembers (privileged)

test('ISpaces/ListMembers: unverified bot → 403 not_verified, even before input checks', async () => {
  const w = await botWorld(server);
  expectError(await c.get(`/ISpaces/v1/ListMembers?spaceId=${w.sid}`, w.tok), 403, 'not_verified');
  expectError(await c.get('/ISpaces/v1/ListMembers', w.tok), 403, 'not_verified');
  expectError(await c.get('/ISpaces/v1/ListMembers?spaceId=garbage', w.tok), 403, 'not_verified');
  expectError(await c.get(`/ISpaces/v1/ListMembers?spaceId=${w.other.spaceId}`, w.tok), 403, 'not_verified');
});

test('ISpaces/ListMembers: verified bot → {members: BotMember[]} of every member', async () => {
  const w = await botWorld(server);
  const bob = await register(server, undefined, { displayName: 'Bobby' });
  await joinSpace(server, w.sid, w.owner, bob);
  await verifyApp(server, ADMIN, w.app.appId);
  const r = await c.get(`/ISpaces/v1/ListMembers?spaceId=${w.sid}`, w.tok);
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body), ['members']);
  const byId = new Map(r.body.members.map((m) => [m.userId, m]));
  assert.equal(r.body.members.length, 3, r.text);
  for (const m of r.body.members) {
    assert.deepEqual(Object.keys(m).sort(), ['archetypeIds', 'displayName', 'spaceId', 'userId', 'username']);
    assert.equal(m.spaceId, w.sid);
    assert.ok(m.archetypeIds.includes(w.space.defaultArchetypeId));
  }
  assert.equal(byId.get(bob.userId)?.displayName, 'Bobby');
  assert.equal(byId.get(bob.userId)?.username, bob.username);
  assert.equal(byId.get(w.owner.userId)?.username, w.owner.username);
  assert.equal(byId.get(w.botUserId)?.username, w.app.botUsername);
});

test('ISpaces/ListMembers (verified): bad input 400, not a member 403, no ViewMembers 403; unverify → not_verified', async () => {
  const w = await botWorld(server);
  await verifyApp(server, ADMIN, w.app.appId);
  expectError(await c.get('/ISpaces/v1/ListMembers', w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get('/ISpaces/v1/ListMembers?spaceId=nope', w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get(`/ISpaces/v1/ListMembers?spaceId=${w.other.spaceId}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/ISpaces/v1/ListMembers?spaceId=${UNKNOWN_UUID}`, w.tok), 403, 'not_a_member');
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS & ~P.ViewChannel);
  expectError(await c.get(`/ISpaces/v1/ListMembers?spaceId=${w.sid}`, w.tok), 403, 'missing_permission', ['ViewMembers', 'ViewChannel']);
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS);
  expectStatus(await c.get(`/ISpaces/v1/ListMembers?spaceId=${w.sid}`, w.tok), 200);
  expectStatus(await c.post(`/api/v1/admin/bots/${w.app.appId}/unverify`, undefined, ADMIN), 200);
  expectError(await c.get(`/ISpaces/v1/ListMembers?spaceId=${w.sid}`, w.tok), 403, 'not_verified');
});
