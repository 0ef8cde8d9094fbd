// IMembers/v1/Kick (SPEC.md §16 IMembers; DECISIONS.md §5): query spaceId, channelId, userId (no
// body), permission KickMembers (1<<44) → {kicked: true}; the user's sockets in that room close with
// 4001 and voiceLeave is emitted; 400 kick_failed when the user is not in that voice channel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, botWorld, createApp, installBot, register, joinSpace, grant, expectError, expectStatus,
  show, HIGH_RATE_LIMITS, P, UNKNOWN_UUID,
  openAudio, openAudioReady, streamToken, joinVoice, personInVoice, uuidBytes, opusPacket,
} from './harness.mjs';
import { openBotStream, openReady, isEvent } from './sse.mjs';

let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

/** The bot (A) holds KickMember through an archetype; bot B does not; bob is a member. */
async function world() {
  const w = await botWorld(server);
  await grant(server, w.owner, w.sid, w.botUserId, P.KickMember, 'kicker'); // "17592186044416"
  const appB = await createApp(server, w.owner);
  await installBot(server, w.owner, w.sid, appB.appId);
  const bob = await register(server);
  await joinSpace(server, w.sid, w.owner, bob);
  return { ...w, bob, B: { userId: appB.botUserId, tok: bot(appB.token), app: appB } };
}

const kick = (w, q, tok = w.tok) => {
  const qs = Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return c.post(`/IMembers/v1/Kick?${qs}`, undefined, tok);
};

async function botUrl(w, tok, path, target) {
  const g = await streamToken(server, tok, w.sid, w.voice);
  return `${g.ingressUrl}${path}?token=${encodeURIComponent(g.token)}${target ? `&target_identity=${target}` : ''}`;
}

const isVoice = (name, userId) => isEvent(name, (f) => f.data?.user?.userId === userId);

test('kicking a connected person → {kicked:true}; their socket closes with 4001; voiceLeave; the others stay', async () => {
  assert.equal(P.KickMember, 17592186044416n);
  const w = await world();
  const vs = await openReady(() => openBotStream(server, w.app.token, { intents: 2048 }));
  try {
    const alice = await personInVoice(server, w.owner, w.voice);
    const bob = await personInVoice(server, w.bob, w.voice);
    await vs.next(isVoice('voiceJoin', w.bob.userId));

    const res = await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId });
    expectStatus(res, 200);
    assert.deepEqual(res.body, { kicked: true }, show(res));
    const closed = await bob.waitClose();
    assert.equal(closed.code, 4001, JSON.stringify(closed));
    const l = await vs.next(isVoice('voiceLeave', w.bob.userId));
    assert.deepEqual([l.data.spaceId, l.data.channelId], [w.sid, w.voice]);

    // Alice is still in: she hears a bot that publishes now.
    assert.ok(alice.isOpen());
    const pub = await openAudioReady(await botUrl(w, w.B.tok, '/audio/connect'));
    const pkt = opusPacket(1);
    await pub.send(pkt);
    const got = await alice.nextBinary();
    assert.ok(Buffer.compare(got, Buffer.concat([uuidBytes(w.B.userId), pkt])) === 0);

    // Gone now: kicking again fails.
    expectError(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId }), 400, 'kick_failed');
    // Kicked people may come back.
    const again = await personInVoice(server, w.bob, w.voice);
    await vs.next(isVoice('voiceJoin', w.bob.userId));
    await again.close();
    await pub.close();
    await alice.close();
  } finally { vs.close(); }
});

test('kicking a bot closes every socket it has in that room (4001) and emits one voiceLeave', async () => {
  const w = await world();
  const vs = await openReady(() => openBotStream(server, w.app.token, { intents: 2048 }));
  try {
    const pub = await openAudioReady(await botUrl(w, w.B.tok, '/audio/connect'));
    const sub = await openAudio(await botUrl(w, w.B.tok, '/audio/subscribe', w.owner.userId));
    await sub.nextStatus('waiting');
    await vs.next(isVoice('voiceJoin', w.B.userId));
    const res = await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.B.userId });
    expectStatus(res, 200);
    assert.deepEqual(res.body, { kicked: true });
    assert.equal((await pub.waitClose()).code, 4001);
    assert.equal((await sub.waitClose()).code, 4001);
    await vs.next(isVoice('voiceLeave', w.B.userId));
    expectError(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.B.userId }), 400, 'kick_failed');
    // Exactly one voiceLeave for the bot (sentinel: a person's join after it).
    await joinVoice(server, w.bob, w.voice);
    const upTo = await vs.until(isVoice('voiceJoin', w.bob.userId));
    assert.equal(vs.frames.filter(isVoice('voiceLeave', w.B.userId)).length, 1,
      JSON.stringify(upTo.map((f) => f.event)));
  } finally { vs.close(); }
});

test('a person who joined but has not connected yet can be kicked (voiceLeave)', async () => {
  const w = await world();
  const vs = await openReady(() => openBotStream(server, w.app.token, { intents: 2048 }));
  try {
    await joinVoice(server, w.bob, w.voice);
    await vs.next(isVoice('voiceJoin', w.bob.userId));
    const res = await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId });
    expectStatus(res, 200);
    assert.deepEqual(res.body, { kicked: true });
    await vs.next(isVoice('voiceLeave', w.bob.userId));
    expectError(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId }), 400, 'kick_failed');
  } finally { vs.close(); }
});

test('400 kick_failed: not in any voice channel, in another voice channel, unknown user', async () => {
  const w = await world();
  // A second voice channel in the same space.
  const ch = await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'voice-2', channelType: 1 }, w.owner.token);
  expectStatus(ch, 201);
  const voice2 = ch.body.channelId ?? ch.body.channel?.channelId;
  assert.ok(voice2, show(ch));

  expectError(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId }), 400, 'kick_failed');
  const bob = await personInVoice(server, w.bob, voice2);
  expectError(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId }), 400, 'kick_failed');
  assert.ok(bob.isOpen(), 'a failed kick leaves the user connected');
  expectError(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: UNKNOWN_UUID }), 400, 'kick_failed');
  // The right channel works.
  expectStatus(await kick(w, { spaceId: w.sid, channelId: voice2, userId: w.bob.userId }), 200);
  assert.equal((await bob.waitClose()).code, 4001);
});

test('403 missing_permission without KickMembers, 403 not_a_member, 404 channel_not_found, 400 bad query, 401', async () => {
  const w = await world();
  const bob = await personInVoice(server, w.bob, w.voice);
  try {
    // Bot B has only the default archetype (no 1<<44).
    expectError(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId }, w.B.tok), 403, 'missing_permission');
    assert.ok(bob.isOpen());
    const otherVoice = w.other.channels.find((x) => x.name === 'voice').channelId;
    expectError(await kick(w, { spaceId: w.other.spaceId, channelId: otherVoice, userId: w.bob.userId }), 403, 'not_a_member');
    expectError(await kick(w, { spaceId: w.sid, channelId: otherVoice, userId: w.bob.userId }), 404, 'channel_not_found');
    expectError(await kick(w, { spaceId: w.sid, channelId: UNKNOWN_UUID, userId: w.bob.userId }), 404, 'channel_not_found');
    expectStatus(await kick(w, { spaceId: w.sid, channelId: w.voice }), 400);
    expectStatus(await kick(w, { spaceId: w.sid, userId: w.bob.userId }), 400);
    expectStatus(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: 'not-a-uuid' }), 400);
    expectError(await kick(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId }, null), 401, 'unauthorized');
    assert.ok(bob.isOpen(), 'none of these disconnected bob');
  } finally { await bob.close(); }
});
