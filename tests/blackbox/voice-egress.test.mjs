// IVoiceEgress/v20260401 (SPEC.md §11.3, §16; verified bots only): SubscribeTrack → a token that
// already targets one user, wsUrl …/audio/subscribe, trackId "{roomName}:{userId}"; UnsubscribeTrack
// → {deleted:true}; errors not_verified, not_a_member, channel_not_found, not_voice_channel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, botWorld, register, joinSpace, verifyApp, expectError, expectStatus, show,
  HIGH_RATE_LIMITS, UNKNOWN_UUID,
  openAudio, refusedUpgrade, personInVoice, opusPacket, decodeJwt, expectNodeUrl,
} from './harness.mjs';

const ADMIN = 'bb-egress-admin';
let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ARGON_ADMIN_TOKEN: ADMIN } });
  c = api(server);
});
after(async () => { await server?.stop(); });

async function world({ verified = true } = {}) {
  const w = await botWorld(server);
  if (verified) await verifyApp(server, ADMIN, w.app.appId);
  const bob = await register(server);
  await joinSpace(server, w.sid, w.owner, bob);
  return { ...w, bob };
}

const subscribeTrack = (w, body) => c.post('/IVoiceEgress/v20260401/SubscribeTrack', body, w.tok);

test('SubscribeTrack → {token, wsUrl, roomName, trackId}; the socket hears that user (no target_identity needed)', async () => {
  const w = await world();
  const alice = await personInVoice(server, w.owner, w.voice);
  const socks = [alice];
  try {
    const res = await subscribeTrack(w, { spaceId: w.sid, channelId: w.voice, userId: w.owner.userId });
    expectStatus(res, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['roomName', 'token', 'trackId', 'wsUrl'], show(res));
    const room = `${w.sid}/${w.voice}`;
    assert.equal(res.body.roomName, room);
    assert.equal(res.body.trackId, `${room}:${w.owner.userId}`);
    expectNodeUrl(server, res.body.wsUrl, '/audio/subscribe');
    assert.equal(decodeJwt(res.body.token).payload.sub, w.botUserId);
    const url = `${res.body.wsUrl}?token=${encodeURIComponent(res.body.token)}`;

    const sub = await openAudio(url);
    socks.push(sub);
    const st = await sub.nextStatus();
    assert.equal(st.status, 'subscribed', JSON.stringify(st));
    assert.equal(st.participant_identity, w.owner.userId);
    const same = await openAudio(`${url}&target_identity=${w.owner.userId}`);
    socks.push(same);
    assert.equal((await same.nextStatus()).status, 'subscribed');

    const pkt = opusPacket(4, 33);
    await alice.send(pkt);
    for (const s of [sub, same]) assert.ok(Buffer.compare(await s.nextBinary(), pkt) === 0, 'raw packet, no prefix');

    // Another target than the token's → 403 before the upgrade.
    const r = await refusedUpgrade(`${url}&target_identity=${w.bob.userId}`);
    assert.equal(r.status, 403, `${r.status} ${r.text}`);
    assert.equal(typeof r.body?.error, 'string', r.text);

    // A user who is not there yet: waiting.
    const res2 = await subscribeTrack(w, { spaceId: w.sid, channelId: w.voice, userId: w.bob.userId });
    expectStatus(res2, 200);
    const waitBob = await openAudio(`${res2.body.wsUrl}?token=${encodeURIComponent(res2.body.token)}`);
    socks.push(waitBob);
    assert.equal((await waitBob.nextStatus()).status, 'waiting');
    const bob = await personInVoice(server, w.bob, w.voice);
    socks.push(bob);
    assert.equal((await waitBob.nextStatus()).status, 'subscribed');

    const del = await c.del('/IVoiceEgress/v20260401/UnsubscribeTrack', { trackId: res.body.trackId }, w.tok);
    expectStatus(del, 200);
    assert.deepEqual(del.body, { deleted: true });
  } finally {
    for (const s of socks) if (s.isOpen()) await s.close();
  }
});

test('errors: not_a_member, channel_not_found, not_voice_channel; unverified → 403 not_verified on both routes', async () => {
  const w = await world();
  const otherVoice = w.other.channels.find((x) => x.name === 'voice').channelId;
  const u = w.owner.userId;
  expectError(await subscribeTrack(w, { spaceId: w.other.spaceId, channelId: otherVoice, userId: u }), 403, 'not_a_member');
  expectError(await subscribeTrack(w, { spaceId: w.sid, channelId: otherVoice, userId: u }), 404, 'channel_not_found');
  expectError(await subscribeTrack(w, { spaceId: w.sid, channelId: UNKNOWN_UUID, userId: u }), 404, 'channel_not_found');
  expectError(await subscribeTrack(w, { spaceId: w.sid, channelId: w.general, userId: u }), 400, 'not_voice_channel');
  expectStatus(await subscribeTrack(w, { spaceId: w.sid, channelId: w.voice }), 400);

  const uw = await world({ verified: false });
  expectError(await subscribeTrack(uw, { spaceId: uw.sid, channelId: uw.voice, userId: uw.owner.userId }), 403, 'not_verified');
  expectError(await c.del('/IVoiceEgress/v20260401/UnsubscribeTrack', { trackId: `${uw.sid}/${uw.voice}:${uw.owner.userId}` }, uw.tok),
    403, 'not_verified');
});
