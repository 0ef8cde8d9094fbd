// GET /api/v1/spaces/{spaceId}/voice (CLIENT-API "Voice and calls"): who is in the space's voice
// channels now — people who joined (connected yet or not) and bots with a socket — in join order,
// each with the channel, the user (as in voiceJoin) and when they joined. A page that opens while
// people are already talking learns it here (the feed only tells what changes after it connects).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, botWorld, register, joinSpace, createSpace, expectStatus, expectError, show,
  HIGH_RATE_LIMITS, ISO_MS_RE, UNKNOWN_UUID, pollUntil, joinVoice, personInVoice, streamToken, openAudioReady,
} from './harness.mjs';

let server, c;
before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

async function inVoice(person, spaceId) {
  const res = await c.get(`/api/v1/spaces/${spaceId}/voice`, person.token);
  expectStatus(res, 200);
  assert.deepEqual(Object.keys(res.body), ['participants'], show(res));
  return res.body.participants;
}
const ids = (list) => list.map((p) => `${p.channelId}:${p.user.userId}`);

test('people and bots in the voice channels, in join order; leaving and dropping take them out', async () => {
  const w = await botWorld(server);
  const bob = await register(server);
  await joinSpace(server, w.sid, w.owner, bob);
  const second = await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'stage', channelType: 'voice' }, w.owner.token);
  expectStatus(second, 201);
  const stage = second.body.channelId;

  assert.deepEqual(await inVoice(bob, w.sid), [], 'nobody yet');

  // The owner joins (no socket yet: they are in for the join grace), then Bob with a socket.
  await joinVoice(server, w.owner, w.voice);
  const bobSock = await personInVoice(server, bob, stage);
  let list = await inVoice(bob, w.sid);
  assert.deepEqual(ids(list), [`${w.voice}:${w.owner.userId}`, `${stage}:${bob.userId}`]);
  const first = list[0];
  assert.deepEqual(Object.keys(first).sort(), ['channelId', 'joinedAt', 'user']);
  assert.match(first.joinedAt, ISO_MS_RE);
  assert.ok(first.joinedAt <= list[1].joinedAt, 'join order');
  assert.equal(first.user.userId, w.owner.userId);
  assert.equal(typeof first.user.username, 'string', JSON.stringify(first.user));

  // A bot with a socket in the voice channel is in too.
  const g = await streamToken(server, w.tok, w.sid, w.voice);
  const botSock = await openAudioReady(`${g.ingressUrl}/audio/connect?token=${encodeURIComponent(g.token)}`);
  list = await pollUntil(async () => {
    const l = await inVoice(w.owner, w.sid);
    return l.some((p) => p.user.userId === w.botUserId) && l;
  }, { what: 'the bot in the list' });
  assert.deepEqual(ids(list).slice(-1), [`${w.voice}:${w.botUserId}`]);

  // Leaving (DELETE) and a dropped socket take them out.
  expectStatus(await c.del(`/api/v1/channels/${w.voice}/voice`, undefined, w.owner.token), 204);
  await bobSock.terminate();
  list = await pollUntil(async () => {
    const l = await inVoice(w.owner, w.sid);
    return !l.some((p) => p.user.userId === bob.userId) && l;
  }, { what: 'Bob gone after his socket dropped' });
  assert.deepEqual(ids(list), [`${w.voice}:${w.botUserId}`]);
  await botSock.close();
  await pollUntil(async () => (await inVoice(w.owner, w.sid)).length === 0, { what: 'the bot gone' });
});

test('only the space\'s own voice channels; members only; 404 for an unknown space; 400 for a bad id', async () => {
  const owner = await register(server);
  const a = await createSpace(server, owner, 'A');
  const b = await createSpace(server, owner, 'B');
  const voiceB = b.channels.find((ch) => ch.name === 'voice').channelId;
  await joinVoice(server, owner, voiceB);
  assert.deepEqual(await inVoice(owner, a.spaceId), [], 'space B\'s voice is not in A');
  assert.equal((await inVoice(owner, b.spaceId)).length, 1);
  const stranger = await register(server);
  expectError(await c.get(`/api/v1/spaces/${b.spaceId}/voice`, stranger.token), 403, 'not_a_member');
  expectError(await c.get(`/api/v1/spaces/${UNKNOWN_UUID}/voice`, owner.token), 404, 'not_found');
  expectError(await c.get('/api/v1/spaces/not-a-uuid/voice', owner.token), 400, 'validation_error');
  expectStatus(await c.del(`/api/v1/channels/${voiceB}/voice`, undefined, owner.token), 204);
});
