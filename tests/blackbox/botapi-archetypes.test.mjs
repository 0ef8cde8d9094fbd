// Bot API: IArchetypes/v1 List, Get, ListMembers (SPEC §12.3, §16 IArchetypes, §17; DECISIONS §5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, joinSpace, createArchetype, assignArchetype, grant,
  setArchetypePermissions, botWorld, expectError, expectStatus, big, UUID_RE, UNKNOWN_UUID,
  HIGH_RATE_LIMITS, DEFAULT_PERMISSIONS, P,
} from './harness.mjs';

let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

const ARCH_KEYS = ['archetypeId', 'colour', 'isDefault', 'isMentionable', 'name', 'permissions', 'spaceId'];

function checkShape(a) {
  assert.deepEqual(Object.keys(a).sort(), ARCH_KEYS, JSON.stringify(a));
  assert.match(a.archetypeId, UUID_RE);
  assert.equal(typeof a.name, 'string');
  assert.equal(typeof a.colour, 'number');
  assert.equal(typeof a.isMentionable, 'boolean');
  assert.equal(typeof a.isDefault, 'boolean');
}

/** A world with an extra archetype "Moderators" (colour, mentionable, big permissions). */
async function world() {
  const w = await botWorld(server);
  const mods = await createArchetype(server, w.owner, w.sid, {
    name: 'Moderators', colour: 16711680, isMentionable: true, permissions: P.KickMember | P.ManageServer,
  });
  return { ...w, mods };
}

// ---------------------------------------------------------------------------------------------
// List / Get without ManageArchetype

test('IArchetypes/List → {archetypes: BotArchetypeV1[]}; permissions null without ManageArchetype', async () => {
  const w = await world();
  const r = await c.get(`/IArchetypes/v1/List?spaceId=${w.sid}`, w.tok);
  expectStatus(r, 200);
  assert.match(String(r.headers.get('content-type')), /application\/json/i);
  assert.deepEqual(Object.keys(r.body), ['archetypes']);
  assert.equal(r.body.archetypes.length, 2, r.text);
  for (const a of r.body.archetypes) {
    checkShape(a);
    assert.equal(a.spaceId, w.sid);
    assert.equal(a.permissions, null, `permissions hidden: ${JSON.stringify(a)}`);
  }
  const def = r.body.archetypes.find((a) => a.isDefault);
  assert.deepEqual(def, {
    archetypeId: w.space.defaultArchetypeId, spaceId: w.sid, name: 'everyone', colour: 0,
    isMentionable: false, isDefault: true, permissions: null,
  });
  const mods = r.body.archetypes.find((a) => a.archetypeId === w.mods.archetypeId);
  assert.deepEqual(mods, {
    archetypeId: w.mods.archetypeId, spaceId: w.sid, name: 'Moderators', colour: 16711680,
    isMentionable: true, isDefault: false, permissions: null,
  });
});

test('IArchetypes/Get → one BotArchetypeV1; permissions null without ManageArchetype', async () => {
  const w = await world();
  const r = await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${w.mods.archetypeId}`, w.tok);
  expectStatus(r, 200);
  checkShape(r.body);
  assert.deepEqual(r.body, {
    archetypeId: w.mods.archetypeId, spaceId: w.sid, name: 'Moderators', colour: 16711680,
    isMentionable: true, isDefault: false, permissions: null,
  });
  const d = await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${w.space.defaultArchetypeId}`, w.tok);
  expectStatus(d, 200);
  assert.equal(d.body.isDefault, true);
  assert.equal(d.body.permissions, null);
});

test('IArchetypes: permissions stay null when the bot holds other bits (ManageChannels, KickMember)', async () => {
  const w = await world();
  await grant(server, w.owner, w.sid, w.botUserId, P.ManageChannels | P.KickMember, 'not-enough');
  const r = await c.get(`/IArchetypes/v1/List?spaceId=${w.sid}`, w.tok);
  expectStatus(r, 200);
  for (const a of r.body.archetypes) assert.equal(a.permissions, null, JSON.stringify(a));
});

// ---------------------------------------------------------------------------------------------
// With ManageArchetype

test('IArchetypes List/Get with ManageArchetype assigned → permissions are the int64 masks (big-int exact)', async () => {
  const w = await world();
  const manager = await grant(server, w.owner, w.sid, w.botUserId, P.ManageArchetype, 'archetype managers');
  const r = await c.get(`/IArchetypes/v1/List?spaceId=${w.sid}`, w.tok);
  expectStatus(r, 200);
  assert.equal(r.body.archetypes.length, 3, r.text);
  const by = new Map(r.body.archetypes.map((a) => [a.archetypeId, a]));
  assert.equal(big(by.get(w.space.defaultArchetypeId).permissions), DEFAULT_PERMISSIONS);
  assert.equal(big(by.get(manager.archetypeId).permissions), P.ManageArchetype);
  // KickMember | ManageServer = 2^44 + 2^55 > 2^53: must be an exact JSON integer
  assert.equal(big(by.get(w.mods.archetypeId).permissions), P.KickMember | P.ManageServer);
  assert.match(r.text, new RegExp(`"permissions"\\s*:\\s*${(P.KickMember | P.ManageServer).toString()}\\b`),
    'a bare JSON number, exact');

  const g = await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${w.mods.archetypeId}`, w.tok);
  expectStatus(g, 200);
  assert.equal(big(g.body.permissions), P.KickMember | P.ManageServer);

  // unassigning the archetype hides them again
  expectStatus(await c.del(`/api/v1/spaces/${w.sid}/members/${w.botUserId}/archetypes/${manager.archetypeId}`, undefined, w.owner.token), 204);
  const g2 = await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${w.mods.archetypeId}`, w.tok);
  expectStatus(g2, 200);
  assert.equal(g2.body.permissions, null);
});

test('IArchetypes: an archetype created/changed by a person shows up with its new values', async () => {
  const w = await world();
  await grant(server, w.owner, w.sid, w.botUserId, P.ManageArchetype, 'am');
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS | P.AddReactions);
  const p = await c.patch(`/api/v1/spaces/${w.sid}/archetypes/${w.mods.archetypeId}`, { name: 'Mods', colour: 255, isMentionable: false }, w.owner.token);
  expectStatus(p, 200);
  const g = await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${w.mods.archetypeId}`, w.tok);
  expectStatus(g, 200);
  assert.equal(g.body.name, 'Mods');
  assert.equal(g.body.colour, 255);
  assert.equal(g.body.isMentionable, false);
  const d = await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${w.space.defaultArchetypeId}`, w.tok);
  assert.equal(big(d.body.permissions), DEFAULT_PERMISSIONS | P.AddReactions);
});

// ---------------------------------------------------------------------------------------------
// Errors of List / Get

test('IArchetypes/List: bad spaceId 400; not a member / unknown space 403', async () => {
  const w = await world();
  expectError(await c.get('/IArchetypes/v1/List', w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get('/IArchetypes/v1/List?spaceId=zz', w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get(`/IArchetypes/v1/List?spaceId=${w.other.spaceId}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/IArchetypes/v1/List?spaceId=${UNKNOWN_UUID}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/IArchetypes/v1/List?spaceId=${w.sid}`), 401, 'unauthorized');
});

test('IArchetypes/Get: unknown archetype or one of another space → 404 not_found', async () => {
  const w = await world();
  expectStatus(await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${w.mods.archetypeId}`, w.tok), 200);
  expectError(await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${UNKNOWN_UUID}`, w.tok), 404, 'not_found');
  expectError(await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${w.other.defaultArchetypeId}`, w.tok), 404, 'not_found');
});

test('IArchetypes/Get: bad ids 400 naming the field; not a member 403', async () => {
  const w = await world();
  const a = w.mods.archetypeId;
  expectError(await c.get(`/IArchetypes/v1/Get?archetypeId=${a}`, w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get(`/IArchetypes/v1/Get?spaceId=1&archetypeId=${a}`, w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}`, w.tok), 400, 'validation_error', 'archetypeId');
  expectError(await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=nope`, w.tok), 400, 'validation_error', 'archetypeId');
  expectError(await c.get(`/IArchetypes/v1/Get?spaceId=${w.other.spaceId}&archetypeId=${w.other.defaultArchetypeId}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/IArchetypes/v1/Get?spaceId=${UNKNOWN_UUID}&archetypeId=${UNKNOWN_UUID}`, w.tok), 403, 'not_a_member');
});

// ---------------------------------------------------------------------------------------------
// ListMembers

test('IArchetypes/ListMembers → {archetypeId, members:[{userId, username, displayName}]} of an assigned archetype', async () => {
  const w = await world();
  const bob = await register(server, undefined, { displayName: 'Bob' });
  const carol = await register(server, undefined, { displayName: 'Carol' });
  await joinSpace(server, w.sid, w.owner, bob);
  await joinSpace(server, w.sid, w.owner, carol);
  await assignArchetype(server, w.owner, w.sid, bob.userId, w.mods.archetypeId);
  await assignArchetype(server, w.owner, w.sid, w.botUserId, w.mods.archetypeId);

  const r = await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}&archetypeId=${w.mods.archetypeId}`, w.tok);
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body).sort(), ['archetypeId', 'members']);
  assert.equal(r.body.archetypeId, w.mods.archetypeId);
  for (const m of r.body.members) assert.deepEqual(Object.keys(m).sort(), ['displayName', 'userId', 'username']);
  const got = [...r.body.members].sort((a, b) => a.username.localeCompare(b.username));
  const want = [
    { userId: bob.userId, username: bob.username, displayName: 'Bob' },
    { userId: w.botUserId, username: w.app.botUsername, displayName: 'Test app' },
  ].sort((a, b) => a.username.localeCompare(b.username));
  assert.deepEqual(got, want);

  // an archetype nobody holds → empty list
  const empty = await createArchetype(server, w.owner, w.sid, { name: 'Nobody' });
  const e = await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}&archetypeId=${empty.archetypeId}`, w.tok);
  expectStatus(e, 200);
  assert.deepEqual(e.body, { archetypeId: empty.archetypeId, members: [] });
});

test('IArchetypes/ListMembers of the default archetype lists every member', async () => {
  const w = await world();
  const bob = await register(server);
  await joinSpace(server, w.sid, w.owner, bob);
  const r = await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}&archetypeId=${w.space.defaultArchetypeId}`, w.tok);
  expectStatus(r, 200);
  assert.deepEqual(r.body.members.map((m) => m.userId).sort(), [w.owner.userId, bob.userId, w.botUserId].sort());
});

test('IArchetypes/ListMembers: bad ids 400; not a member 403; unknown archetype 404; no ViewMembers 403', async () => {
  const w = await world();
  const a = w.mods.archetypeId;
  expectError(await c.get(`/IArchetypes/v1/ListMembers?archetypeId=${a}`, w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}`, w.tok), 400, 'validation_error', 'archetypeId');
  expectError(await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}&archetypeId=x`, w.tok), 400, 'validation_error', 'archetypeId');
  expectError(await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.other.spaceId}&archetypeId=${w.other.defaultArchetypeId}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}&archetypeId=${UNKNOWN_UUID}`, w.tok), 404, 'not_found');
  expectError(await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}&archetypeId=${w.other.defaultArchetypeId}`, w.tok), 404, 'not_found');

  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS & ~P.ViewChannel);
  expectError(await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}&archetypeId=${a}`, w.tok), 403, 'missing_permission', ['ViewMembers', 'ViewChannel']);
  // existence before permission
  expectError(await c.get(`/IArchetypes/v1/ListMembers?spaceId=${w.sid}&archetypeId=${UNKNOWN_UUID}`, w.tok), 404, 'not_found');
  // List and Get need no permission
  expectStatus(await c.get(`/IArchetypes/v1/List?spaceId=${w.sid}`, w.tok), 200);
  expectStatus(await c.get(`/IArchetypes/v1/Get?spaceId=${w.sid}&archetypeId=${a}`, w.tok), 200);
});

test('IArchetypes: wrong method → 405 with Allow: GET', async () => {
  const w = await world();
  for (const m of ['List', 'Get', 'ListMembers']) {
    const r = await c.post(`/IArchetypes/v1/${m}?spaceId=${w.sid}`, {}, w.tok);
    expectError(r, 405, 'method_not_allowed');
    assert.match(String(r.headers.get('allow')), /GET/i);
  }
});
