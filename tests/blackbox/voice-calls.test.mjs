// Calls (SPEC.md §11.4, §16 ICalls; DECISIONS.md §10; CLIENT-API "Voice and calls"): a person calls
// a bot user (POST /api/v1/calls), the verified bot gets callIncoming (intent Calls 4096), lists it in
// Ringing, accepts (or rejects), both talk through the relay, and hanging up, rejecting or ringing
// out ends it with callEnded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createApp, verifyApp, expectError, expectStatus, show,
  HIGH_RATE_LIMITS, UUID_RE, UNKNOWN_UUID,
  openAudio, openAudioReady, uuidBytes, opusPacket, decodeJwt, expectNodeUrl,
} from './harness.mjs';
import { openBotStream, openPersonFeed, openReady, isEvent, parseDirectEventId } from './sse.mjs';

const ADMIN = 'bb-voice-admin';
const RING_TIMEOUT_S = 2;
let server, c, owner;

before(async () => {
  server = await startServer({
    env: { ...HIGH_RATE_LIMITS, ARGON_ADMIN_TOKEN: ADMIN, ARGON_CALLS_RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_S) },
  });
  c = api(server);
  owner = await register(server);
});
after(async () => { await server?.stop(); });

/** A bot application (verified unless told) → {app, userId, tok}. */
async function newBot({ verified = true } = {}) {
  const app = await createApp(server, owner);
  if (verified) await verifyApp(server, ADMIN, app.appId);
  return { app, userId: app.botUserId, tok: bot(app.token) };
}

async function call(person, botUser) {
  const res = await c.post('/api/v1/calls', { userId: botUser.userId }, person.token);
  expectStatus(res, 201);
  assert.deepEqual(Object.keys(res.body), ['callId'], show(res));
  assert.match(res.body.callId, UUID_RE);
  return res.body.callId;
}

const callsStream = (b) => openReady(() => openBotStream(server, b.app.token, { intents: 4096 }));
const feed = (person) => openReady(() => openPersonFeed(server, person.token));
const forCall = (name, callId) => isEvent(name, (f) => f.data?.callId === callId);
const ringing = async (b) => {
  const res = await c.get('/ICalls/v20260401/Ringing', b.tok);
  expectStatus(res, 200);
  assert.ok(Array.isArray(res.body?.calls), show(res));
  return res.body.calls;
};
const sameBytes = (got, want, what) => assert.ok(Buffer.compare(got, want) === 0,
  `${what}: got ${got.toString('hex').slice(0, 80)}, want ${want.toString('hex').slice(0, 80)}`);

test('the full call: ring, Ringing, accept, both talk (duplex + SubscribeCallTrack), hang up → callEnded', async () => {
  const V = await newBot();
  const carol = await register(server);
  const bs = await callsStream(V);
  const pf = await feed(carol);
  const socks = [];
  try {
    const callId = await call(carol, V);
    const inc = await bs.next(isEvent('callIncoming'));
    assert.deepEqual(inc.data, { callId, fromUserId: carol.userId, fromLocale: null });
    assert.ok(parseDirectEventId(inc.id) !== null, `callIncoming is a direct event: ${inc.id}`);
    assert.deepEqual((await ringing(V)).filter((x) => x.callId === callId), [{ callId, callerId: carol.userId }]);

    expectError(await c.post('/ICalls/v20260401/SubscribeCallTrack', { callId }, V.tok), 400, 'not_accepted');

    const acc = await c.post('/ICalls/v20260401/Accept', { callId }, V.tok);
    expectStatus(acc, 200);
    assert.deepEqual(Object.keys(acc.body).sort(), ['audioBaseUrl', 'callerId', 'roomName', 'token'], show(acc));
    assert.equal(acc.body.roomName, `call/${callId}`);
    assert.equal(acc.body.callerId, carol.userId);
    expectNodeUrl(server, acc.body.audioBaseUrl);
    const jwt = decodeJwt(acc.body.token);
    assert.equal(jwt.payload.sub, V.userId);
    assert.equal(jwt.payload.video?.room, `call/${callId}`);
    expectError(await c.post('/ICalls/v20260401/Accept', { callId }, V.tok), 400, 'not_ringing');
    assert.equal((await ringing(V)).filter((x) => x.callId === callId).length, 0, 'no longer ringing');

    // The caller is told, with what they need to connect.
    const ca = await pf.next(forCall('callAccepted', callId));
    assert.equal(ca.data.roomName, `call/${callId}`);
    expectNodeUrl(server, ca.data.url, '/audio/voice');
    assert.equal(typeof ca.data.token, 'string');
    assert.equal(decodeJwt(ca.data.token).payload.sub, carol.userId);
    const person = await openAudioReady(`${ca.data.url}?token=${encodeURIComponent(ca.data.token)}`);
    socks.push(person);

    // The bot's duplex socket, built as the docs say.
    const duplex = await openAudioReady(`${acc.body.audioBaseUrl}/audio/duplex?token=${encodeURIComponent(acc.body.token)}` +
      `&target_identity=${acc.body.callerId}&target_track_source=microphone`);
    socks.push(duplex);
    const st = await duplex.nextStatus('subscribed');
    assert.equal(st.participant_identity, carol.userId);

    const hello = opusPacket(1, 80);
    await person.send(hello);
    sameBytes(await duplex.nextBinary(), hello, 'the bot hears the caller');
    const reply = opusPacket(2, 64);
    await duplex.send(reply);
    sameBytes(await person.nextBinary(), Buffer.concat([uuidBytes(V.userId), reply]), 'the caller hears the bot (16-byte id first)');

    // SubscribeCallTrack after Accept: a listen-only socket on the caller.
    const sct = await c.post('/ICalls/v20260401/SubscribeCallTrack', { callId }, V.tok);
    expectStatus(sct, 200);
    assert.deepEqual(Object.keys(sct.body).sort(), ['callerId', 'roomName', 'token', 'wsUrl'], show(sct));
    assert.equal(sct.body.wsUrl, `${acc.body.audioBaseUrl}/audio/subscribe`);
    assert.equal(sct.body.roomName, `call/${callId}`);
    assert.equal(sct.body.callerId, carol.userId);
    const sub = await openAudio(`${sct.body.wsUrl}?token=${encodeURIComponent(sct.body.token)}&target_identity=${carol.userId}`);
    socks.push(sub);
    assert.equal((await sub.nextStatus('subscribed')).participant_identity, carol.userId);
    const more = Buffer.from([0xf8, 0xff, 0xfe]);
    await person.send(more);
    sameBytes(await duplex.nextBinary(), more, 'duplex');
    sameBytes(await sub.nextBinary(), more, 'SubscribeCallTrack socket');

    // Hang up.
    expectStatus(await c.del(`/api/v1/calls/${callId}`, undefined, carol.token), 204);
    const end = await bs.next(isEvent('callEnded'));
    assert.deepEqual(end.data, { callId });
    assert.ok(parseDirectEventId(end.id) !== null, end.id);
    await pf.next(forCall('callEnded', callId));
    for (const s of [person, duplex, sub]) await s.waitClose();
    assert.equal((await ringing(V)).filter((x) => x.callId === callId).length, 0);
  } finally {
    bs.close(); pf.close();
    for (const s of socks) if (s.isOpen()) await s.close();
  }
});

test('Reject → {rejected:true}; the call ends (callEnded to the bot and the caller) and leaves Ringing', async () => {
  const V = await newBot();
  const carol = await register(server);
  const bs = await callsStream(V);
  const pf = await feed(carol);
  try {
    const callId = await call(carol, V);
    await bs.next(forCall('callIncoming', callId));
    const res = await c.post('/ICalls/v20260401/Reject', { callId, reason: 'busy' }, V.tok);
    expectStatus(res, 200);
    assert.deepEqual(res.body, { rejected: true });
    assert.deepEqual((await bs.next(isEvent('callEnded'))).data, { callId });
    await pf.next(forCall('callEnded', callId));
    assert.equal((await ringing(V)).filter((x) => x.callId === callId).length, 0);
    // A second call may be rejected without a reason.
    const id2 = await call(carol, V);
    await bs.next(forCall('callIncoming', id2));
    const r2 = await c.post('/ICalls/v20260401/Reject', { callId: id2 }, V.tok);
    expectStatus(r2, 200);
    assert.deepEqual(r2.body, { rejected: true });
    await bs.next(forCall('callEnded', id2));
  } finally { bs.close(); pf.close(); }
});

test(`an unanswered call ends after ARGON_CALLS_RING_TIMEOUT_SECONDS (${RING_TIMEOUT_S} s)`, async () => {
  const V = await newBot();
  const carol = await register(server);
  const bs = await callsStream(V);
  const pf = await feed(carol);
  try {
    const t0 = Date.now();
    const callId = await call(carol, V);
    await bs.next(forCall('callIncoming', callId));
    assert.equal((await ringing(V)).filter((x) => x.callId === callId).length, 1);
    const end = await bs.next(forCall('callEnded', callId), RING_TIMEOUT_S * 1000 + 5_000);
    const took = Date.now() - t0;
    assert.deepEqual(end.data, { callId });
    assert.ok(took >= RING_TIMEOUT_S * 1000 - 250, `ended after ${took} ms, before the ring timeout`);
    await pf.next(forCall('callEnded', callId));
    assert.equal((await ringing(V)).filter((x) => x.callId === callId).length, 0);
    const acc = await c.post('/ICalls/v20260401/Accept', { callId }, V.tok);
    assert.ok([400, 403, 404].includes(acc.status), `accepting an ended call: ${show(acc)}`);
  } finally { bs.close(); pf.close(); }
});

test('another bot: 403 not_callee on Accept, Reject and SubscribeCallTrack; the callee still can accept', async () => {
  const V = await newBot();
  const W = await newBot();
  const carol = await register(server);
  const callId = await call(carol, V);
  expectError(await c.post('/ICalls/v20260401/Accept', { callId }, W.tok), 403, 'not_callee');
  expectError(await c.post('/ICalls/v20260401/Reject', { callId }, W.tok), 403, 'not_callee');
  expectError(await c.post('/ICalls/v20260401/SubscribeCallTrack', { callId }, W.tok), 403, 'not_callee');
  assert.equal((await ringing(W)).filter((x) => x.callId === callId).length, 0, 'not in another bot\'s Ringing');
  assert.equal((await ringing(V)).filter((x) => x.callId === callId).length, 1, 'still ringing for the callee');
  const acc = await c.post('/ICalls/v20260401/Accept', { callId }, V.tok);
  expectStatus(acc, 200);
  expectError(await c.post('/ICalls/v20260401/SubscribeCallTrack', { callId }, W.tok), 403, 'not_callee');
  expectStatus(await c.del(`/api/v1/calls/${callId}`, undefined, carol.token), 204);
});

test('unverified bots: 403 not_verified on every ICalls route', async () => {
  const U = await newBot({ verified: false });
  const carol = await register(server);
  const callId = await call(carol, U); // people may still call it
  expectError(await c.get('/ICalls/v20260401/Ringing', U.tok), 403, 'not_verified');
  expectError(await c.post('/ICalls/v20260401/Accept', { callId }, U.tok), 403, 'not_verified');
  expectError(await c.post('/ICalls/v20260401/Reject', { callId }, U.tok), 403, 'not_verified');
  expectError(await c.post('/ICalls/v20260401/SubscribeCallTrack', { callId }, U.tok), 403, 'not_verified');
  expectStatus(await c.del(`/api/v1/calls/${callId}`, undefined, carol.token), 204);
});

test('Ringing lists every ringing call of the bot {callId, callerId}; hanging up removes it', async () => {
  const V = await newBot();
  const carol = await register(server);
  const dave = await register(server);
  const a = await call(carol, V);
  const b = await call(dave, V);
  const mine = (await ringing(V)).filter((x) => x.callId === a || x.callId === b)
    .sort((x, y) => (x.callId === a ? -1 : 1) - (y.callId === a ? -1 : 1));
  assert.deepEqual(mine, [{ callId: a, callerId: carol.userId }, { callId: b, callerId: dave.userId }]);
  for (const x of mine) assert.deepEqual(Object.keys(x).sort(), ['callId', 'callerId']);
  expectStatus(await c.del(`/api/v1/calls/${a}`, undefined, carol.token), 204);
  assert.deepEqual((await ringing(V)).filter((x) => x.callId === a || x.callId === b), [{ callId: b, callerId: dave.userId }]);
  expectStatus(await c.del(`/api/v1/calls/${b}`, undefined, dave.token), 204);
  assert.deepEqual((await ringing(V)).filter((x) => x.callId === a || x.callId === b), []);
});

test('POST /api/v1/calls: a person (not a bot) or an unknown user → 404; bad body → 400; no auth → 401', async () => {
  const carol = await register(server);
  const dave = await register(server);
  expectStatus(await c.post('/api/v1/calls', { userId: dave.userId }, carol.token), 404);
  expectStatus(await c.post('/api/v1/calls', { userId: UNKNOWN_UUID }, carol.token), 404);
  expectStatus(await c.post('/api/v1/calls', {}, carol.token), 400);
  expectStatus(await c.post('/api/v1/calls', { userId: 'x' }, carol.token), 400);
  expectStatus(await c.post('/api/v1/calls', { userId: dave.userId }), 401);
});

test('in a call, the bot closing its socket hangs up: callEnded reaches both sides', async () => {
  const V = await newBot();
  const dan = await register(server);
  const bs = await callsStream(V);
  const pf = await feed(dan);
  try {
    const callId = await call(dan, V);
    await bs.next(forCall('callIncoming', callId));
    const acc = await c.post('/ICalls/v20260401/Accept', { callId }, V.tok);
    expectStatus(acc, 200);
    const duplex = await openAudioReady(`${acc.body.audioBaseUrl}/audio/duplex?token=${encodeURIComponent(acc.body.token)}` +
      `&target_identity=${acc.body.callerId}`);
    await duplex.terminate();
    const ended = await bs.next(forCall('callEnded', callId));
    assert.deepEqual(ended.data, { callId });
    await pf.next(forCall('callEnded', callId));
    // The call is over: its tokens no longer open a socket, and it cannot be accepted again.
    expectError(await c.post('/ICalls/v20260401/Accept', { callId }, V.tok), 400, 'not_ringing');
  } finally {
    bs.close();
    pf.close();
  }
});
