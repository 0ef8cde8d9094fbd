// Bot API: IChannels/v1 List, Create, Delete (SPEC §16 IChannels; DECISIONS §2, §3, §5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, grant, botWorld, getSpace, expectError, expectStatus, UUID_RE, UNKNOWN_UUID,
  HIGH_RATE_LIMITS, P,
} from './harness.mjs';

let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

const BOT_CHANNEL_KEYS = ['channelId', 'channelType', 'description', 'groupId', 'name', 'spaceId'];

/** A world whose bot holds ManageChannels through an assigned archetype. */
async function managerWorld() {
  const w = await botWorld(server);
  await grant(server, w.owner, w.sid, w.botUserId, P.ManageChannels, 'channel managers');
  return w;
}

// ---------------------------------------------------------------------------------------------
// List

test('IChannels/List → {channels: BotChannel[]} with channelType as "Text"/"Voice"/"Announcement"', async () => {
  const w = await botWorld(server);
  const ann = await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'news', description: 'Announcements', channelType: 2 }, w.owner.token);
  expectStatus(ann, 201);
  const r = await c.get(`/IChannels/v1/List?spaceId=${w.sid}`, w.tok);
  expectStatus(r, 200);
  assert.match(String(r.headers.get('content-type')), /application\/json/i);
  assert.deepEqual(Object.keys(r.body), ['channels']);
  for (const ch of r.body.channels) assert.deepEqual(Object.keys(ch).sort(), BOT_CHANNEL_KEYS, JSON.stringify(ch));
  const byName = Object.fromEntries(r.body.channels.map((ch) => [ch.name, ch]));
  assert.equal(r.body.channels.length, 3, r.text);
  assert.deepEqual(byName.general, { channelId: w.general, spaceId: w.sid, name: 'general', description: null, channelType: 'Text', groupId: null });
  assert.deepEqual(byName.voice, { channelId: w.voice, spaceId: w.sid, name: 'voice', description: null, channelType: 'Voice', groupId: null });
  assert.deepEqual(byName.news, { channelId: ann.body.channelId, spaceId: w.sid, name: 'news', description: 'Announcements', channelType: 'Announcement', groupId: null });
});

test('IChannels/List: bad spaceId 400, not a member / unknown space 403, no token 401', async () => {
  const w = await botWorld(server);
  expectError(await c.get('/IChannels/v1/List', w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get('/IChannels/v1/List?spaceId=abc', w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.get(`/IChannels/v1/List?spaceId=${w.other.spaceId}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/IChannels/v1/List?spaceId=${UNKNOWN_UUID}`, w.tok), 403, 'not_a_member');
  expectError(await c.get(`/IChannels/v1/List?spaceId=${w.sid}`), 401, 'unauthorized');
});

// ---------------------------------------------------------------------------------------------
// Create

test('IChannels/Create → BotChannel; visible in List and to people', async () => {
  const w = await managerWorld();
  const r = await c.post('/IChannels/v1/Create', { spaceId: w.sid, name: 'bot-made', description: 'made by a bot', channelType: 0 }, w.tok);
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body).sort(), BOT_CHANNEL_KEYS);
  assert.match(r.body.channelId, UUID_RE);
  assert.deepEqual({ ...r.body, channelId: 'x' },
    { channelId: 'x', spaceId: w.sid, name: 'bot-made', description: 'made by a bot', channelType: 'Text', groupId: null });

  const list = await c.get(`/IChannels/v1/List?spaceId=${w.sid}`, w.tok);
  expectStatus(list, 200);
  assert.deepEqual(list.body.channels.find((ch) => ch.channelId === r.body.channelId), r.body);

  const space = await getSpace(server, w.owner, w.sid);
  const seen = space.channels.find((ch) => ch.channelId === r.body.channelId);
  assert.ok(seen, 'the person sees the new channel');
  assert.equal(seen.channelType, 0);
  assert.equal(seen.name, 'bot-made');
});

test('IChannels/Create: channelType as integer or case-insensitive name; description optional', async () => {
  const w = await managerWorld();
  const cases = [
    [1, 'Voice'], [2, 'Announcement'], ['text', 'Text'], ['VOICE', 'Voice'], ['Announcement', 'Announcement'],
    ['announcement', 'Announcement'],
  ];
  let i = 0;
  for (const [input, out] of cases) {
    const r = await c.post('/IChannels/v1/Create', { spaceId: w.sid, name: `ch${i++}`, channelType: input }, w.tok);
    expectStatus(r, 200);
    assert.equal(r.body.channelType, out, `channelType ${JSON.stringify(input)}: ${r.text}`);
    assert.equal(r.body.description, null);
    assert.equal(r.body.groupId, null);
  }
  // null description / null groupId are the same as absent; camelCase keys match case-insensitively
  const r = await c.post('/IChannels/v1/Create', { SpaceId: w.sid, NAME: 'cased', description: null, groupId: null, channeltype: 'text' }, w.tok);
  expectStatus(r, 200);
  assert.equal(r.body.name, 'cased');
  assert.equal(r.body.channelType, 'Text');
});

test('IChannels/Create: a created voice channel answers message routes with not_text_channel', async () => {
  const w = await managerWorld();
  const r = await c.post('/IChannels/v1/Create', { spaceId: w.sid, name: 'talk', channelType: 'voice' }, w.tok);
  expectStatus(r, 200);
  expectError(await c.post('/IMessages/v1/Send', { channelId: r.body.channelId, text: 'hi', randomId: 1 }, w.tok), 400, 'not_text_channel');
});

test('IChannels/Create: invalid input → 400 validation_error naming the field', async () => {
  const w = await managerWorld();
  const ok = { spaceId: w.sid, name: 'x', channelType: 0 };
  const cases = [
    [{ name: 'x', channelType: 0 }, 'spaceId'],
    [{ ...ok, spaceId: 'not-a-uuid' }, 'spaceId'],
    [{ ...ok, spaceId: 42 }, 'spaceId'],
    [{ spaceId: w.sid, channelType: 0 }, 'name'],
    [{ ...ok, name: '' }, 'name'],
    [{ ...ok, name: '   ' }, 'name'],
    [{ ...ok, name: 'n'.repeat(101) }, 'name'],
    [{ ...ok, name: 5 }, 'name'],
    [{ ...ok, description: 'd'.repeat(1025) }, 'description'],
    [{ ...ok, description: 7 }, 'description'],
    [{ spaceId: w.sid, name: 'x' }, 'channelType'],
    [{ ...ok, channelType: 3 }, 'channelType'],
    [{ ...ok, channelType: -1 }, 'channelType'],
    [{ ...ok, channelType: 'forum' }, 'channelType'],
    [{ ...ok, channelType: true }, 'channelType'],
    [{ ...ok, groupId: 'nope' }, 'groupId'],
  ];
  for (const [body, field] of cases) {
    expectError(await c.post('/IChannels/v1/Create', body, w.tok), 400, 'validation_error', field);
  }
  // exactly 100 characters and a 1024-character description are fine
  const edge = await c.post('/IChannels/v1/Create', { ...ok, name: 'n'.repeat(100), description: 'd'.repeat(1024) }, w.tok);
  expectStatus(edge, 200);
});

test('IChannels/Create: malformed JSON, non-object body, wrong content type', async () => {
  const w = await managerWorld();
  expectError(await c.post('/IChannels/v1/Create', undefined, w.tok, { rawBody: '{"spaceId": ' }), 400, 'validation_error');
  expectError(await c.post('/IChannels/v1/Create', undefined, w.tok, { rawBody: '[1,2]' }), 400, 'validation_error');
  expectError(await c.post('/IChannels/v1/Create', undefined, w.tok, { rawBody: '"str"' }), 400, 'validation_error');
  expectError(await c.post('/IChannels/v1/Create', undefined, w.tok), 400, 'validation_error');
  expectError(await c.post('/IChannels/v1/Create', undefined, w.tok,
    { rawBody: JSON.stringify({ spaceId: w.sid, name: 'x', channelType: 0 }), contentType: 'text/plain' }), 415, 'unsupported_media_type');
});

test('IChannels/Create: not a member / unknown space → 403 not_a_member (before the permission check)', async () => {
  const w = await botWorld(server); // no ManageChannels
  expectError(await c.post('/IChannels/v1/Create', { spaceId: w.other.spaceId, name: 'x', channelType: 0 }, w.tok), 403, 'not_a_member');
  expectError(await c.post('/IChannels/v1/Create', { spaceId: UNKNOWN_UUID, name: 'x', channelType: 0 }, w.tok), 403, 'not_a_member');
});

test('IChannels/Create without ManageChannels → 403 missing_permission naming ManageChannels; nothing created', async () => {
  const w = await botWorld(server);
  const r = await c.post('/IChannels/v1/Create', { spaceId: w.sid, name: 'denied', channelType: 0 }, w.tok);
  expectError(r, 403, 'missing_permission', 'ManageChannels');
  const space = await getSpace(server, w.owner, w.sid);
  assert.ok(!space.channels.some((ch) => ch.name === 'denied'));
  // invalid input is still reported first
  expectError(await c.post('/IChannels/v1/Create', { spaceId: w.sid, name: '', channelType: 0 }, w.tok), 400, 'validation_error', 'name');
});

test('IChannels/Create: ManageServer on an assigned archetype also allows it', async () => {
  const w = await botWorld(server);
  await grant(server, w.owner, w.sid, w.botUserId, P.ManageServer, 'admins');
  expectStatus(await c.post('/IChannels/v1/Create', { spaceId: w.sid, name: 'admin-made', channelType: 0 }, w.tok), 200);
});

test('IChannels/Create: GET → 405 with Allow: POST', async () => {
  const w = await managerWorld();
  const r = await c.get('/IChannels/v1/Create', w.tok);
  expectError(r, 405, 'method_not_allowed');
  assert.match(String(r.headers.get('allow')), /POST/i);
});

// ---------------------------------------------------------------------------------------------
// Delete

test('IChannels/Delete → {deleted:true}; the channel is gone for bots and people; again → 404', async () => {
  const w = await managerWorld();
  const made = await c.post('/IChannels/v1/Create', { spaceId: w.sid, name: 'doomed', channelType: 0 }, w.tok);
  expectStatus(made, 200);
  const id = made.body.channelId;
  const r = await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${id}`, undefined, w.tok);
  expectStatus(r, 200);
  assert.deepEqual(r.body, { deleted: true });
  const list = await c.get(`/IChannels/v1/List?spaceId=${w.sid}`, w.tok);
  assert.ok(!list.body.channels.some((ch) => ch.channelId === id), 'gone from List');
  const space = await getSpace(server, w.owner, w.sid);
  assert.ok(!space.channels.some((ch) => ch.channelId === id), 'gone for people');
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${id}`, undefined, w.tok), 404, 'channel_not_found');
  // a deleted channel is unknown to the message routes too
  expectError(await c.post('/IMessages/v1/Send', { channelId: id, text: 'hello?', randomId: 1 }, w.tok), 404, 'channel_not_found');
});

test('IChannels/Delete: a built-in channel (voice) can be deleted by a manager', async () => {
  const w = await managerWorld();
  const r = await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${w.voice}`, undefined, w.tok);
  expectStatus(r, 200);
  assert.deepEqual(r.body, { deleted: true });
});

test('IChannels/Delete: unknown channel, or a channel of another space → 404 channel_not_found', async () => {
  const w = await managerWorld();
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${UNKNOWN_UUID}`, undefined, w.tok), 404, 'channel_not_found');
  // the bot is a manager in both spaces, but the channel does not belong to the addressed one
  const w2 = await botWorld(server, { owner: w.owner, app: w.app });
  await grant(server, w.owner, w2.sid, w.botUserId, P.ManageChannels, 'mgr');
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${w2.general}`, undefined, w.tok), 404, 'channel_not_found');
  const still = await c.get(`/IChannels/v1/List?spaceId=${w2.sid}`, w.tok);
  assert.ok(still.body.channels.some((ch) => ch.channelId === w2.general), 'the other space keeps its channel');
});

test('IChannels/Delete: bad input 400 naming the field', async () => {
  const w = await managerWorld();
  expectError(await c.del(`/IChannels/v1/Delete?channelId=${w.general}`, undefined, w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=x&channelId=${w.general}`, undefined, w.tok), 400, 'validation_error', 'spaceId');
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}`, undefined, w.tok), 400, 'validation_error', 'channelId');
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=123`, undefined, w.tok), 400, 'validation_error', 'channelId');
});

test('IChannels/Delete: not a member 403; without ManageChannels 403 missing_permission, but unknown channel 404 first', async () => {
  const w = await botWorld(server);
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.other.spaceId}&channelId=${w.other.channels[0].channelId}`, undefined, w.tok), 403, 'not_a_member');
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${UNKNOWN_UUID}&channelId=${UNKNOWN_UUID}`, undefined, w.tok), 403, 'not_a_member');
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${w.general}`, undefined, w.tok), 403, 'missing_permission', 'ManageChannels');
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${UNKNOWN_UUID}`, undefined, w.tok), 404, 'channel_not_found');
  const space = await getSpace(server, w.owner, w.sid);
  assert.ok(space.channels.some((ch) => ch.channelId === w.general), 'nothing deleted');
});

test('IChannels/Delete: GET/POST → 405 with Allow: DELETE; no token → 401', async () => {
  const w = await managerWorld();
  for (const m of ['GET', 'POST']) {
    const r = await c.request(m, `/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${w.general}`, undefined, w.tok);
    expectError(r, 405, 'method_not_allowed');
    assert.match(String(r.headers.get('allow')), /DELETE/i);
  }
  expectError(await c.del(`/IChannels/v1/Delete?spaceId=${w.sid}&channelId=${w.general}`), 401, 'unauthorized');
});
