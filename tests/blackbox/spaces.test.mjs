// CLIENT-API.md "Spaces, members, archetypes" — spaces, invites, members (leave/kick/patch).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, joinSpace, getSpace, createArchetype, assignArchetype,
  expectError, expectStatus, big, uname, UUID_RE, ISO_MS_RE, P, DEFAULT_PERMISSIONS,
} from './harness.mjs';

let server, c;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

before(async () => {
  server = await startServer();
  c = api(server);
});

after(async () => { await server?.stop(); });

async function spaceIds(user) {
  const r = await c.get('/api/v1/spaces', user.token);
  expectStatus(r, 200);
  assert.ok(Array.isArray(r.body.spaces));
  return r.body.spaces.map((s) => s.spaceId);
}

function member(space, userId) {
  return space.members.find((m) => m.userId === userId);
}

test('POST /spaces → 201 with general (text) and voice (voice) channels; creator is owner', async () => {
  const alice = await register(server);
  const r = await c.post('/api/v1/spaces', { name: 'Book club', description: 'We read.' }, alice.token);
  expectStatus(r, 201);
  const s = r.body;
  assert.match(s.spaceId, UUID_RE);
  assert.equal(s.name, 'Book club');
  assert.equal(s.description, 'We read.');
  assert.equal(s.ownerId, alice.userId);
  assert.match(s.defaultArchetypeId, UUID_RE);
  assert.ok(Array.isArray(s.channels));
  assert.equal(s.channels.length, 2);
  const general = s.channels.find((ch) => ch.name === 'general');
  const voice = s.channels.find((ch) => ch.name === 'voice');
  assert.ok(general && voice, JSON.stringify(s.channels));
  assert.equal(general.channelType, 0);
  assert.equal(voice.channelType, 1);
  for (const ch of s.channels) {
    assert.match(ch.channelId, UUID_RE);
    assert.equal(ch.spaceId, s.spaceId);
    assert.ok('description' in ch);
  }
});

test('POST /spaces without description → description null', async () => {
  const alice = await register(server);
  const s = await createSpace(server, alice, 'No description');
  assert.equal(s.description, null);
});

test('GET /spaces lists exactly the caller\'s spaces, as summaries', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const a1 = await createSpace(server, alice, 'A1');
  const a2 = await createSpace(server, alice, 'A2');
  const b1 = await createSpace(server, bob, 'B1');
  const r = await c.get('/api/v1/spaces', alice.token);
  expectStatus(r, 200);
  assert.deepEqual(r.body.spaces.map((x) => x.spaceId).sort(), [a1.spaceId, a2.spaceId].sort());
  const sum = r.body.spaces.find((x) => x.spaceId === a1.spaceId);
  assert.deepEqual(sum, { spaceId: a1.spaceId, name: 'A1', description: null, ownerId: alice.userId, defaultArchetypeId: a1.defaultArchetypeId });
  assert.deepEqual(await spaceIds(bob), [b1.spaceId]);
  const carol = await register(server);
  assert.deepEqual(await spaceIds(carol), []);
});

test('GET /spaces/{id} → space with channels, archetypes (default "everyone") and members', async () => {
  const alice = await register(server);
  const s = await createSpace(server, alice, 'Full', 'desc');
  const g = await getSpace(server, alice, s.spaceId);
  assert.equal(g.spaceId, s.spaceId);
  assert.equal(g.name, 'Full');
  assert.equal(g.description, 'desc');
  assert.equal(g.ownerId, alice.userId);
  assert.equal(g.defaultArchetypeId, s.defaultArchetypeId);
  assert.deepEqual(g.channels.map((ch) => ch.channelId).sort(), s.channels.map((ch) => ch.channelId).sort());
  for (const ch of g.channels) {
    assert.deepEqual(Object.keys(ch).sort(), ['channelId', 'channelType', 'description', 'name', 'spaceId']);
  }
  assert.equal(g.archetypes.length, 1);
  const everyone = g.archetypes[0];
  assert.equal(everyone.archetypeId, s.defaultArchetypeId);
  assert.equal(everyone.spaceId, s.spaceId);
  assert.equal(everyone.name, 'everyone');
  assert.equal(everyone.isDefault, true);
  assert.equal(typeof everyone.isMentionable, 'boolean');
  assert.equal(typeof everyone.colour, 'number');
  assert.equal(big(everyone.permissions), DEFAULT_PERMISSIONS);
  assert.equal(g.members.length, 1);
  assert.deepEqual(g.members[0], {
    userId: alice.userId, spaceId: s.spaceId, username: alice.username, displayName: alice.username,
    archetypeIds: [s.defaultArchetypeId], flags: 0, presence: { status: 0, activity: null },
  });
});

test('GET /spaces/{id}: non-member → 403 not_a_member; unknown → 404 not_found; no token → 401', async () => {
  const alice = await register(server);
  const eve = await register(server);
  const s = await createSpace(server, alice, 'Private');
  expectError(await c.get(`/api/v1/spaces/${s.spaceId}`, eve.token), 403, 'not_a_member');
  expectError(await c.get(`/api/v1/spaces/${UNKNOWN}`, alice.token), 404, 'not_found');
  expectError(await c.get(`/api/v1/spaces/${s.spaceId}`), 401, 'unauthorized');
  const bad = await c.get('/api/v1/spaces/not-a-uuid', alice.token);
  expectStatus(bad, [400, 404]);
  assert.ok(['validation_error', 'not_found'].includes(bad.body?.error), bad.text);
});

test('POST /spaces validation → 400 validation_error naming the field; nothing is created', async () => {
  const alice = await register(server);
  const cases = [
    [{}, 'name'], [{ name: '' }, 'name'], [{ name: '   ' }, 'name'], [{ name: 'n'.repeat(101) }, 'name'],
    [{ name: null }, 'name'], [{ name: ['x'] }, 'name'], [{ name: { a: 1 } }, 'name'],
    [{ name: 'ok', description: 'd'.repeat(1025) }, 'description'], [{ name: 'ok', description: ['x'] }, 'description'],
  ];
  for (const [body, field] of cases) {
    const r = await c.post('/api/v1/spaces', body, alice.token);
    expectError(r, 400, 'validation_error', field);
  }
  assert.deepEqual(await spaceIds(alice), []);
  const ok = await createSpace(server, alice, 'n'.repeat(100), 'd'.repeat(1024));
  assert.equal(ok.name.length, 100);
  assert.equal(ok.description.length, 1024);
  const nameKeys = await c.post('/api/v1/spaces', { NAME: 'upper keys' }, alice.token);
  expectStatus(nameKeys, 201);
  assert.equal(nameKeys.body.name, 'upper keys');
  expectError(await c.post('/api/v1/spaces', { name: 'x' }), 401, 'unauthorized');
});

test('invites: create → 201 {code, spaceId, maxUses, expiresAt}; accept → 200 {spaceId}; member appears', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const s = await createSpace(server, alice, 'Invites');
  const inv = await c.post(`/api/v1/spaces/${s.spaceId}/invites`, undefined, alice.token);
  expectStatus(inv, 201);
  assert.equal(typeof inv.body.code, 'string');
  assert.ok(inv.body.code.length > 0);
  assert.equal(inv.body.spaceId, s.spaceId);
  assert.ok('maxUses' in inv.body && 'expiresAt' in inv.body, inv.text);
  const acc = await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, bob.token);
  expectStatus(acc, 200);
  assert.deepEqual(acc.body, { spaceId: s.spaceId });
  assert.deepEqual(await spaceIds(bob), [s.spaceId]);
  const g = await getSpace(server, bob, s.spaceId);
  assert.deepEqual(member(g, bob.userId), {
    userId: bob.userId, spaceId: s.spaceId, username: bob.username, displayName: bob.username,
    archetypeIds: [s.defaultArchetypeId], flags: 0, presence: { status: 0, activity: null },
  });
  // The invite (no maxUses) can be used again by someone else.
  const carol = await register(server);
  expectStatus(await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, carol.token), 200);
  assert.equal((await getSpace(server, alice, s.spaceId)).members.length, 3);
});

test('invites with maxUses and expiresInSeconds; used-up code → 404 invite_not_found', async () => {
  const alice = await register(server);
  const s = await createSpace(server, alice, 'Limited');
  const t0 = Date.now();
  const inv = await c.post(`/api/v1/spaces/${s.spaceId}/invites`, { maxUses: 1, expiresInSeconds: 3600 }, alice.token);
  expectStatus(inv, 201);
  assert.equal(inv.body.maxUses, 1);
  assert.match(inv.body.expiresAt, ISO_MS_RE);
  const exp = Date.parse(inv.body.expiresAt);
  assert.ok(Math.abs(exp - (t0 + 3600_000)) < 60_000, `expiresAt ${inv.body.expiresAt} is not ~1 h from now`);
  const bob = await register(server);
  const carol = await register(server);
  expectStatus(await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, bob.token), 200);
  const r = await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, carol.token);
  expectError(r, 404, 'invite_not_found');
  assert.deepEqual(await spaceIds(carol), []);
  const inv2 = await c.post(`/api/v1/spaces/${s.spaceId}/invites`, { maxUses: '1000', expiresInSeconds: '60' }, alice.token);
  expectStatus(inv2, 201);
  assert.equal(inv2.body.maxUses, 1000);
  expectStatus(await c.post(`/api/v1/spaces/${s.spaceId}/invites`, { expiresInSeconds: 2592000 }, alice.token), 201);
});

test('invite validation → 400 validation_error naming the field', async () => {
  const alice = await register(server);
  const s = await createSpace(server, alice, 'Bad invites');
  for (const [body, field] of [
    [{ maxUses: 0 }, 'maxUses'], [{ maxUses: 1001 }, 'maxUses'], [{ maxUses: -5 }, 'maxUses'], [{ maxUses: 'many' }, 'maxUses'],
    [{ expiresInSeconds: 59 }, 'expiresInSeconds'], [{ expiresInSeconds: 2592001 }, 'expiresInSeconds'], [{ expiresInSeconds: 'soon' }, 'expiresInSeconds'],
  ]) {
    const r = await c.post(`/api/v1/spaces/${s.spaceId}/invites`, body, alice.token);
    expectError(r, 400, 'validation_error', field);
  }
});

test('invite errors: unknown code 404, already a member 409, non-member creator 403, unknown space 404', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const eve = await register(server);
  const s = await createSpace(server, alice, 'Errs');
  expectError(await c.post('/api/v1/invites/doesnotexist123/accept', undefined, bob.token), 404, 'invite_not_found');
  const inv = await c.post(`/api/v1/spaces/${s.spaceId}/invites`, undefined, alice.token);
  expectError(await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, alice.token), 409, 'already_member');
  expectStatus(await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, bob.token), 200);
  expectError(await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, bob.token), 409, 'already_member');
  expectError(await c.post(`/api/v1/spaces/${s.spaceId}/invites`, undefined, eve.token), 403, 'not_a_member');
  expectError(await c.post(`/api/v1/spaces/${UNKNOWN}/invites`, undefined, alice.token), 404, 'not_found');
  expectError(await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`), 401, 'unauthorized');
  assert.equal((await getSpace(server, alice, s.spaceId)).members.length, 2);
});

test('any member may create invites', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const carol = await register(server);
  const s = await createSpace(server, alice, 'Open');
  await joinSpace(server, s.spaceId, alice, bob);
  await joinSpace(server, s.spaceId, bob, carol);
  assert.deepEqual(await spaceIds(carol), [s.spaceId]);
});

test('leave: DELETE own membership → 204; then 403 not_a_member; owner cannot leave', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const s = await createSpace(server, alice, 'Leaving');
  await joinSpace(server, s.spaceId, alice, bob);
  const r = await c.del(`/api/v1/spaces/${s.spaceId}/members/${bob.userId}`, undefined, bob.token);
  expectStatus(r, 204);
  expectError(await c.get(`/api/v1/spaces/${s.spaceId}`, bob.token), 403, 'not_a_member');
  assert.deepEqual(await spaceIds(bob), []);
  assert.equal(member(await getSpace(server, alice, s.spaceId), bob.userId), undefined);
  const o = await c.del(`/api/v1/spaces/${s.spaceId}/members/${alice.userId}`, undefined, alice.token);
  expectError(o, 400, 'owner_cannot_leave');
  assert.ok(member(await getSpace(server, alice, s.spaceId), alice.userId));
  // Rejoining after leaving works.
  await joinSpace(server, s.spaceId, alice, bob);
  assert.ok(member(await getSpace(server, alice, s.spaceId), bob.userId));
});

test('kick: needs KickMember; owner can kick; target not a member → 404; the owner cannot be kicked', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const carol = await register(server);
  const dave = await register(server);
  const s = await createSpace(server, alice, 'Kicking');
  await joinSpace(server, s.spaceId, alice, bob);
  await joinSpace(server, s.spaceId, alice, carol);
  // bob lacks KickMember.
  const r = await c.del(`/api/v1/spaces/${s.spaceId}/members/${carol.userId}`, undefined, bob.token);
  expectError(r, 403, 'missing_permission', 'kick');
  assert.ok(member(await getSpace(server, alice, s.spaceId), carol.userId));
  // Give bob KickMember through an archetype.
  const mods = await createArchetype(server, alice, s.spaceId, { name: 'kickers', permissions: P.KickMember });
  await assignArchetype(server, alice, s.spaceId, bob.userId, mods.archetypeId);
  expectStatus(await c.del(`/api/v1/spaces/${s.spaceId}/members/${carol.userId}`, undefined, bob.token), 204);
  assert.equal(member(await getSpace(server, alice, s.spaceId), carol.userId), undefined);
  expectError(await c.get(`/api/v1/spaces/${s.spaceId}`, carol.token), 403, 'not_a_member');
  // Target not a member.
  expectError(await c.del(`/api/v1/spaces/${s.spaceId}/members/${dave.userId}`, undefined, bob.token), 404, 'not_found');
  expectError(await c.del(`/api/v1/spaces/${s.spaceId}/members/${UNKNOWN}`, undefined, alice.token), 404, 'not_found');
  // Owner cannot be kicked, even by someone with KickMember.
  expectError(await c.del(`/api/v1/spaces/${s.spaceId}/members/${alice.userId}`, undefined, bob.token), 403, 'missing_permission');
  assert.ok(member(await getSpace(server, alice, s.spaceId), alice.userId));
  // Owner kicks bob.
  expectStatus(await c.del(`/api/v1/spaces/${s.spaceId}/members/${bob.userId}`, undefined, alice.token), 204);
  assert.deepEqual((await getSpace(server, alice, s.spaceId)).members.map((m) => m.userId), [alice.userId]);
  // Non-member → 403 not_a_member; unknown space → 404.
  expectError(await c.del(`/api/v1/spaces/${s.spaceId}/members/${alice.userId}`, undefined, dave.token), 403, 'not_a_member');
  expectError(await c.del(`/api/v1/spaces/${UNKNOWN}/members/${alice.userId}`, undefined, alice.token), 404, 'not_found');
});

test('PATCH member displayName: self → 204; others need ManageServer; validation', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const carol = await register(server);
  const s = await createSpace(server, alice, 'Names');
  await joinSpace(server, s.spaceId, alice, bob);
  await joinSpace(server, s.spaceId, alice, carol);
  const url = (u) => `/api/v1/spaces/${s.spaceId}/members/${u.userId}`;
  expectStatus(await c.patch(url(bob), { displayName: 'Bobby' }, bob.token), 204);
  assert.equal(member(await getSpace(server, alice, s.spaceId), bob.userId).displayName, 'Bobby');
  // bob → carol without ManageServer
  expectError(await c.patch(url(carol), { displayName: 'Hacked' }, bob.token), 403, 'missing_permission');
  assert.equal(member(await getSpace(server, alice, s.spaceId), carol.userId).displayName, carol.username);
  // owner → carol
  expectStatus(await c.patch(url(carol), { displayName: 'Caz' }, alice.token), 204);
  assert.equal(member(await getSpace(server, alice, s.spaceId), carol.userId).displayName, 'Caz');
  // ManageServer via archetype
  const admins = await createArchetype(server, alice, s.spaceId, { name: 'admins', permissions: P.ManageServer });
  await assignArchetype(server, alice, s.spaceId, bob.userId, admins.archetypeId);
  expectStatus(await c.patch(url(carol), { displayName: 'Renamed by Bob' }, bob.token), 204);
  assert.equal(member(await getSpace(server, alice, s.spaceId), carol.userId).displayName, 'Renamed by Bob');
  // validation
  for (const dn of ['', '  ', 'x'.repeat(65), ['a']]) {
    expectError(await c.patch(url(bob), { displayName: dn }, bob.token), 400, 'validation_error', 'displayName');
  }
  expectError(await c.patch(url(bob), {}, bob.token), 400, 'validation_error', 'displayName');
  assert.equal(member(await getSpace(server, alice, s.spaceId), bob.userId).displayName, 'Bobby');
  // target not a member / non-member caller
  const dave = await register(server);
  expectError(await c.patch(url(dave), { displayName: 'x' }, alice.token), 404, 'not_found');
  expectError(await c.patch(url(alice), { displayName: 'x' }, dave.token), 403, 'not_a_member');
});
