// CLIENT-API.md "Spaces, members, archetypes" — archetypes, assignment, channels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, joinSpace, getSpace, createArchetype, assignArchetype,
  expectError, expectStatus, big, UUID_RE, P, DEFAULT_PERMISSIONS,
} from './harness.mjs';

let server, c;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

before(async () => {
  server = await startServer();
  c = api(server);
});

after(async () => { await server?.stop(); });

/** owner + member (bob) + outsider (eve) in a fresh space. */
async function fixture(name = 'Arch') {
  const alice = await register(server);
  const bob = await register(server);
  const eve = await register(server);
  const space = await createSpace(server, alice, name);
  await joinSpace(server, space.spaceId, alice, bob);
  return { alice, bob, eve, space, sid: space.spaceId };
}

const memberOf = (g, userId) => g.members.find((m) => m.userId === userId);

// ------------------------------------------------------------------------------------------ archetypes

test('create archetype → 201 with the full shape; listed in the space', async () => {
  const { alice, sid } = await fixture();
  const r = await c.post(`/api/v1/spaces/${sid}/archetypes`,
    { name: 'Moderators', colour: 16711680, permissions: (P.ManageChannels | P.KickMember).toString(), isMentionable: true }, alice.token);
  expectStatus(r, 201);
  const a = r.body;
  assert.match(a.archetypeId, UUID_RE);
  assert.equal(a.spaceId, sid);
  assert.equal(a.name, 'Moderators');
  assert.equal(a.colour, 16711680);
  assert.equal(a.isMentionable, true);
  assert.equal(a.isDefault, false);
  assert.equal(big(a.permissions), P.ManageChannels | P.KickMember);
  assert.deepEqual(Object.keys(a).sort(), ['archetypeId', 'colour', 'isDefault', 'isMentionable', 'name', 'permissions', 'spaceId']);
  const g = await getSpace(server, alice, sid);
  assert.deepEqual(g.archetypes.find((x) => x.archetypeId === a.archetypeId), a);
  assert.equal(g.archetypes.length, 2);
});

test('archetype with only a name; numbers as numeric strings; 64-bit permissions round-trip', async () => {
  const { alice, sid } = await fixture();
  const a = await createArchetype(server, alice, sid, { name: 'plain' });
  assert.equal(a.name, 'plain');
  assert.equal(a.isDefault, false);
  assert.equal(typeof a.colour, 'number');
  assert.equal(typeof a.isMentionable, 'boolean');
  assert.ok(big(a.permissions) >= 0n);
  const all = P.ManageServer | P.ManageBots | P.ManageArchetype | P.ManageChannels | P.KickMember | DEFAULT_PERMISSIONS;
  const b = await createArchetype(server, alice, sid, { name: 'admin', permissions: all.toString(), colour: '-1' });
  assert.equal(big(b.permissions), all);
  assert.equal(b.colour, -1);
  // The raw JSON carries the mask as a number (int64), not a string.
  const raw = await c.get(`/api/v1/spaces/${sid}`, alice.token);
  assert.match(raw.text, new RegExp(`"permissions"\\s*:\\s*${all.toString()}`));
  const d = await createArchetype(server, alice, sid, { name: 'numeric', permissions: Number(P.KickMember) });
  assert.equal(big(d.permissions), P.KickMember);
});

test('archetype validation → 400 validation_error naming the field; nothing is created', async () => {
  const { alice, sid } = await fixture();
  const cases = [
    [{}, 'name'], [{ name: '' }, 'name'], [{ name: '  ' }, 'name'], [{ name: 'n'.repeat(101) }, 'name'], [{ name: ['x'] }, 'name'],
    [{ name: 'x', colour: 'red' }, 'colour'], [{ name: 'x', colour: 2147483648 }, 'colour'], [{ name: 'x', colour: -2147483649 }, 'colour'],
    [{ name: 'x', colour: 1.5 }, 'colour'],
    [{ name: 'x', permissions: -1 }, 'permissions'], [{ name: 'x', permissions: 'all' }, 'permissions'],
    [{ name: 'x', permissions: '9223372036854775808' }, 'permissions'], [{ name: 'x', permissions: 1.5 }, 'permissions'],
    [{ name: 'x', isMentionable: 'yes' }, 'isMentionable'], [{ name: 'x', isMentionable: 3 }, 'isMentionable'],
  ];
  for (const [body, field] of cases) {
    expectError(await c.post(`/api/v1/spaces/${sid}/archetypes`, body, alice.token), 400, 'validation_error', field);
  }
  assert.equal((await getSpace(server, alice, sid)).archetypes.length, 1);
  const edge = await createArchetype(server, alice, sid, { name: 'n'.repeat(100), colour: 2147483647 });
  assert.equal(edge.colour, 2147483647);
});

test('archetype create needs ManageArchetype; non-member 403; unknown space 404', async () => {
  const { alice, bob, eve, sid } = await fixture();
  expectError(await c.post(`/api/v1/spaces/${sid}/archetypes`, { name: 'nope' }, bob.token), 403, 'missing_permission', 'archetype');
  expectError(await c.post(`/api/v1/spaces/${sid}/archetypes`, { name: 'nope' }, eve.token), 403, 'not_a_member');
  expectError(await c.post(`/api/v1/spaces/${UNKNOWN}/archetypes`, { name: 'nope' }, alice.token), 404, 'not_found');
  expectError(await c.post(`/api/v1/spaces/${sid}/archetypes`, { name: 'nope' }), 401, 'unauthorized');
  assert.equal((await getSpace(server, alice, sid)).archetypes.length, 1);
  const managers = await createArchetype(server, alice, sid, { name: 'managers', permissions: P.ManageArchetype });
  await assignArchetype(server, alice, sid, bob.userId, managers.archetypeId);
  const r = await c.post(`/api/v1/spaces/${sid}/archetypes`, { name: 'made by bob' }, bob.token);
  expectStatus(r, 201);
  // ManageServer also grants it.
  const carol = await register(server);
  await joinSpace(server, sid, alice, carol);
  const admins = await createArchetype(server, alice, sid, { name: 'admins', permissions: P.ManageServer });
  await assignArchetype(server, alice, sid, carol.userId, admins.archetypeId);
  expectStatus(await c.post(`/api/v1/spaces/${sid}/archetypes`, { name: 'made by carol' }, carol.token), 201);
});

test('PATCH archetype → 200 archetype; only given fields change', async () => {
  const { alice, sid } = await fixture();
  const a = await createArchetype(server, alice, sid, { name: 'before', colour: 255, permissions: P.KickMember, isMentionable: false });
  const url = `/api/v1/spaces/${sid}/archetypes/${a.archetypeId}`;
  const r = await c.patch(url, { name: 'after' }, alice.token);
  expectStatus(r, 200);
  assert.deepEqual(r.body, { ...a, name: 'after' });
  const r2 = await c.patch(url, { colour: 65280, isMentionable: true, permissions: P.ManageChannels.toString() }, alice.token);
  expectStatus(r2, 200);
  assert.equal(r2.body.name, 'after');
  assert.equal(r2.body.colour, 65280);
  assert.equal(r2.body.isMentionable, true);
  assert.equal(big(r2.body.permissions), P.ManageChannels);
  const g = await getSpace(server, alice, sid);
  assert.deepEqual(g.archetypes.find((x) => x.archetypeId === a.archetypeId), r2.body);
});

test('PATCH archetype errors: validation, unknown 404, permission 403, non-member 403', async () => {
  const { alice, bob, eve, sid } = await fixture();
  const a = await createArchetype(server, alice, sid, { name: 'keep', colour: 1 });
  const url = `/api/v1/spaces/${sid}/archetypes/${a.archetypeId}`;
  for (const [body, field] of [[{ name: '' }, 'name'], [{ name: 'n'.repeat(101) }, 'name'], [{ colour: 'blue' }, 'colour'],
    [{ permissions: -2 }, 'permissions'], [{ isMentionable: 'no' }, 'isMentionable']]) {
    expectError(await c.patch(url, body, alice.token), 400, 'validation_error', field);
  }
  expectError(await c.patch(`/api/v1/spaces/${sid}/archetypes/${UNKNOWN}`, { name: 'x' }, alice.token), 404, 'not_found');
  expectError(await c.patch(url, { name: 'bob was here' }, bob.token), 403, 'missing_permission');
  expectError(await c.patch(url, { name: 'eve was here' }, eve.token), 403, 'not_a_member');
  // An archetype of another space is "unknown" here.
  const other = await createSpace(server, alice, 'Other');
  expectError(await c.patch(`/api/v1/spaces/${other.spaceId}/archetypes/${a.archetypeId}`, { name: 'x' }, alice.token), 404, 'not_found');
  const g = await getSpace(server, alice, sid);
  assert.deepEqual(g.archetypes.find((x) => x.archetypeId === a.archetypeId), a);
});

test('the default archetype can be patched and grants to every member', async () => {
  const { alice, bob, sid, space } = await fixture();
  const url = `/api/v1/spaces/${sid}/archetypes/${space.defaultArchetypeId}`;
  const r = await c.patch(url, { permissions: (DEFAULT_PERMISSIONS | P.ManageChannels).toString() }, alice.token);
  expectStatus(r, 200);
  assert.equal(r.body.isDefault, true);
  assert.equal(r.body.name, 'everyone');
  expectStatus(await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'by-bob', channelType: 0 }, bob.token), 201);
});

test('assign / unassign archetypes → 204; idempotent; reflected in archetypeIds', async () => {
  const { alice, bob, sid, space } = await fixture();
  const a = await createArchetype(server, alice, sid, { name: 'role' });
  const url = `/api/v1/spaces/${sid}/members/${bob.userId}/archetypes/${a.archetypeId}`;
  const r = await c.put(url, undefined, alice.token);
  expectStatus(r, 204);
  assert.equal(r.text, '');
  let m = memberOf(await getSpace(server, alice, sid), bob.userId);
  assert.deepEqual([...m.archetypeIds].sort(), [space.defaultArchetypeId, a.archetypeId].sort());
  expectStatus(await c.put(url, undefined, alice.token), 204);
  m = memberOf(await getSpace(server, alice, sid), bob.userId);
  assert.equal(m.archetypeIds.length, 2, 'assigning twice must not duplicate');
  expectStatus(await c.del(url, undefined, alice.token), 204);
  m = memberOf(await getSpace(server, alice, sid), bob.userId);
  assert.deepEqual(m.archetypeIds, [space.defaultArchetypeId]);
});

test('assign / unassign errors', async () => {
  const { alice, bob, eve, sid, space } = await fixture();
  const a = await createArchetype(server, alice, sid, { name: 'role' });
  const base = `/api/v1/spaces/${sid}/members`;
  // the default archetype cannot be assigned or unassigned
  expectError(await c.put(`${base}/${bob.userId}/archetypes/${space.defaultArchetypeId}`, undefined, alice.token), 400, 'validation_error');
  expectError(await c.del(`${base}/${bob.userId}/archetypes/${space.defaultArchetypeId}`, undefined, alice.token), 400, 'validation_error');
  // unknown archetype
  expectError(await c.put(`${base}/${bob.userId}/archetypes/${UNKNOWN}`, undefined, alice.token), 404, 'not_found');
  // target not a member
  expectError(await c.put(`${base}/${eve.userId}/archetypes/${a.archetypeId}`, undefined, alice.token), 404, 'not_found');
  // caller lacks ManageArchetype (even for themselves)
  expectError(await c.put(`${base}/${bob.userId}/archetypes/${a.archetypeId}`, undefined, bob.token), 403, 'missing_permission');
  expectError(await c.put(`${base}/${alice.userId}/archetypes/${a.archetypeId}`, undefined, bob.token), 403, 'missing_permission');
  // non-member caller
  expectError(await c.put(`${base}/${bob.userId}/archetypes/${a.archetypeId}`, undefined, eve.token), 403, 'not_a_member');
  const g = await getSpace(server, alice, sid);
  assert.deepEqual(memberOf(g, bob.userId).archetypeIds, [space.defaultArchetypeId]);
  // unassign needs ManageArchetype too
  await assignArchetype(server, alice, sid, bob.userId, a.archetypeId);
  expectError(await c.del(`${base}/${bob.userId}/archetypes/${a.archetypeId}`, undefined, bob.token), 403, 'missing_permission');
  assert.equal(memberOf(await getSpace(server, alice, sid), bob.userId).archetypeIds.length, 2);
});

test('effective permissions are the OR of archetypes, and removing the archetype removes the grant', async () => {
  const { alice, bob, sid } = await fixture();
  const ch = await createArchetype(server, alice, sid, { name: 'channel people', permissions: P.ManageChannels });
  expectError(await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'x', channelType: 0 }, bob.token), 403, 'missing_permission');
  await assignArchetype(server, alice, sid, bob.userId, ch.archetypeId);
  expectStatus(await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'x', channelType: 0 }, bob.token), 201);
  expectStatus(await c.del(`/api/v1/spaces/${sid}/members/${bob.userId}/archetypes/${ch.archetypeId}`, undefined, alice.token), 204);
  expectError(await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'y', channelType: 0 }, bob.token), 403, 'missing_permission');
  // Patching the archetype's mask takes effect for its holders.
  await assignArchetype(server, alice, sid, bob.userId, ch.archetypeId);
  expectStatus(await c.patch(`/api/v1/spaces/${sid}/archetypes/${ch.archetypeId}`, { permissions: 0 }, alice.token), 200);
  expectError(await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'z', channelType: 0 }, bob.token), 403, 'missing_permission');
});

// ------------------------------------------------------------------------------------------ channels

test('create channel → 201 channel {channelId, spaceId, name, description, channelType}', async () => {
  const { alice, sid } = await fixture();
  const r = await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'news', description: 'Announcements', channelType: 2 }, alice.token);
  expectStatus(r, 201);
  assert.match(r.body.channelId, UUID_RE);
  assert.deepEqual(r.body, { channelId: r.body.channelId, spaceId: sid, name: 'news', description: 'Announcements', channelType: 2 });
  const g = await getSpace(server, alice, sid);
  assert.deepEqual(g.channels.find((ch) => ch.channelId === r.body.channelId), r.body);
  assert.equal(g.channels.length, 3);
});

test('channelType accepts integers and case-insensitive names', async () => {
  const { alice, sid } = await fixture();
  for (const [input, expected] of [[0, 0], [1, 1], [2, 2], ['text', 0], ['Voice', 1], ['ANNOUNCEMENT', 2], ['1', 1]]) {
    const r = await c.post(`/api/v1/spaces/${sid}/channels`, { name: `c${String(input)}`, channelType: input }, alice.token);
    expectStatus(r, 201);
    assert.equal(r.body.channelType, expected, `channelType ${JSON.stringify(input)}`);
    assert.equal(r.body.description, null);
  }
});

test('channel validation → 400 naming the field; nothing is created', async () => {
  const { alice, sid } = await fixture();
  for (const [body, field] of [
    [{ channelType: 0 }, 'name'], [{ name: '', channelType: 0 }, 'name'], [{ name: ' ', channelType: 0 }, 'name'],
    [{ name: 'n'.repeat(101), channelType: 0 }, 'name'], [{ name: ['not', 'a', 'string'], channelType: 0 }, 'name'],
    [{ name: 'ok', description: 'd'.repeat(1025), channelType: 0 }, 'description'],
    [{ name: 'ok', channelType: 3 }, 'channelType'], [{ name: 'ok', channelType: -1 }, 'channelType'],
    [{ name: 'ok', channelType: 'forum' }, 'channelType'], [{ name: 'ok', channelType: [0] }, 'channelType'],
  ]) {
    expectError(await c.post(`/api/v1/spaces/${sid}/channels`, body, alice.token), 400, 'validation_error', field);
  }
  assert.equal((await getSpace(server, alice, sid)).channels.length, 2);
  const ok = await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'n'.repeat(100), description: 'd'.repeat(1024), channelType: 0 }, alice.token);
  expectStatus(ok, 201);
});

test('channel create needs ManageChannels; non-member 403; unknown space 404', async () => {
  const { alice, bob, eve, sid } = await fixture();
  expectError(await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'x', channelType: 0 }, bob.token), 403, 'missing_permission', 'channel');
  expectError(await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'x', channelType: 0 }, eve.token), 403, 'not_a_member');
  expectError(await c.post(`/api/v1/spaces/${UNKNOWN}/channels`, { name: 'x', channelType: 0 }, alice.token), 404, 'not_found');
  expectError(await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'x', channelType: 0 }), 401, 'unauthorized');
  assert.equal((await getSpace(server, alice, sid)).channels.length, 2);
});

test('delete channel → 204; gone from the space; again → 404 channel_not_found', async () => {
  const { alice, bob, eve, sid, space } = await fixture();
  const ch = (await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'temp', channelType: 0 }, alice.token)).body;
  expectError(await c.del(`/api/v1/spaces/${sid}/channels/${ch.channelId}`, undefined, bob.token), 403, 'missing_permission');
  expectError(await c.del(`/api/v1/spaces/${sid}/channels/${ch.channelId}`, undefined, eve.token), 403, 'not_a_member');
  assert.ok((await getSpace(server, alice, sid)).channels.some((x) => x.channelId === ch.channelId));
  const r = await c.del(`/api/v1/spaces/${sid}/channels/${ch.channelId}`, undefined, alice.token);
  expectStatus(r, 204);
  assert.equal(r.text, '');
  assert.ok(!(await getSpace(server, alice, sid)).channels.some((x) => x.channelId === ch.channelId));
  expectError(await c.del(`/api/v1/spaces/${sid}/channels/${ch.channelId}`, undefined, alice.token), 404, 'channel_not_found');
  expectError(await c.del(`/api/v1/spaces/${sid}/channels/${UNKNOWN}`, undefined, alice.token), 404, 'channel_not_found');
  // A channel of another space is not found through this space.
  const other = await createSpace(server, alice, 'Other');
  expectError(await c.del(`/api/v1/spaces/${sid}/channels/${other.channels[0].channelId}`, undefined, alice.token), 404, 'channel_not_found');
  assert.equal((await getSpace(server, alice, other.spaceId)).channels.length, 2);
  // Messages to a deleted channel → 404 channel_not_found.
  expectError(await c.post(`/api/v1/channels/${ch.channelId}/messages`, { text: 'hi' }, alice.token), 404, 'channel_not_found');
  // Deleting the built-in voice channel works as well.
  const voice = space.channels.find((x) => x.name === 'voice');
  expectStatus(await c.del(`/api/v1/spaces/${sid}/channels/${voice.channelId}`, undefined, alice.token), 204);
});
