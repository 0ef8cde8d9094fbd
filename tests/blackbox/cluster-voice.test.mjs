// Voice across nodes (docs/architecture.md "Voice across nodes"): two nodes on one PostgreSQL and
// one NATS of this file's own. A room (voice channel or call) is served by one node at a time; a
// node asked for a token of a room another node serves hands out that node's URL, refuses a socket
// for it (421 wrong_node, JSON, with the right ingressUrl), and sends kicks and hang-ups there.
//
//   - a person joined and connected through A and a bot whose StreamToken was asked of B meet on
//     A's relay and hear each other; once everyone left, the room is free for another node;
//   - a kick asked of B closes the person's socket on A (4001), with exactly one voiceLeave;
//   - a call started by a person through A and accepted by the bot through B is served by B: both
//     connect there and hear each other; hanging up through A ends it once;
//   - an unanswered call ends exactly once (callEnded once on each side), though every node's
//     timer or sweep could end it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startPgCluster, startNats, startNode, api, bot, register, createSpace, channelByName, joinSpace,
  createApp, installBot, grant, verifyApp, expectStatus, expectError, show, sleep, P,
  HIGH_RATE_LIMITS, openAudioReady, refusedUpgrade, opusPacket, uuidBytes, joinVoice,
  streamToken,
} from './harness.mjs';
import { openBotStream, openPersonFeed, openReady, isEvent } from './sse.mjs';

const ADMIN = 'bb-cluster-voice-admin';
const RING_TIMEOUT_S = 2;
let pg, nats, A, B;

before(async () => {
  [pg, nats] = await Promise.all([startPgCluster(), startNats()]);
  const env = {
    ...HIGH_RATE_LIMITS, ARGON_ADMIN_TOKEN: ADMIN, ARGON_CALLS_RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_S),
  };
  A = await startNode({ database: pg.url, bus: nats.url, env });
  B = await startNode({ database: pg.url, bus: nats.url, env });
});
after(async () => {
  const results = await Promise.allSettled([A, B].filter(Boolean).map((n) => n.stop()));
  await nats?.stop();
  await pg?.stop();
  for (const r of results) if (r.status === 'rejected') throw r.reason;
});

const wsOf = (node) => `ws://127.0.0.1:${node.port}`;
const withToken = (url, token, extra = '') => `${url}?token=${encodeURIComponent(token)}${extra}`;
const sameBytes = (got, want, what) => assert.ok(Buffer.compare(got, want) === 0,
  `${what}: got ${got.toString('hex').slice(0, 80)}, want ${want.toString('hex').slice(0, 80)}`);
const isVoice = (name, userId) => isEvent(name, (f) => f.data?.user?.userId === userId);
const forCall = (name, callId) => isEvent(name, (f) => f.data?.callId === callId);

/** A space made through A: its owner, a member bob, a (verified) bot that may kick; → ids and tokens. */
async function world() {
  const owner = await register(A);
  const space = await createSpace(A, owner, 'Voice across nodes');
  const app = await createApp(A, owner);
  await installBot(A, owner, space.spaceId, app.appId);
  await verifyApp(A, ADMIN, app.appId);
  await grant(A, owner, space.spaceId, app.botUserId, P.KickMember, 'kicker');
  const bob = await register(B);
  await joinSpace(B, space.spaceId, owner, bob);
  return {
    owner, bob, app, sid: space.spaceId, voice: channelByName(space, 'voice').channelId,
    botUserId: app.botUserId, tok: bot(app.token),
  };
}

test('a person through A and a bot whose token came from B meet on A\'s relay and hear each other', async () => {
  const w = await world();
  // The bot's stream of voice events is on B, the room's events happen on A.
  const vs = await openReady(() => openBotStream(B, w.app.token, { intents: 2048 }));
  const socks = [];
  try {
    const g = await joinVoice(A, w.owner, w.voice);
    assert.equal(g.url, `${wsOf(A)}/audio/voice`, 'A serves the room it was joined through');
    const person = await openAudioReady(withToken(g.url, g.token));
    socks.push(person);
    await vs.next(isVoice('voiceJoin', w.owner.userId));

    const st = await streamToken(B, w.tok, w.sid, w.voice);
    assert.equal(st.ingressUrl, wsOf(A), 'B hands out the URL of the node serving the room');
    assert.equal(st.roomName, `${w.sid}/${w.voice}`);
    // The same token presented to B: refused before the upgrade, with where to go.
    const refused = await refusedUpgrade(withToken(`${wsOf(B)}/audio/duplex`, st.token, `&target_identity=${w.owner.userId}`));
    assert.equal(refused.status, 421, JSON.stringify(refused.body));
    assert.equal(refused.body?.error, 'wrong_node');
    assert.equal(refused.body?.ingressUrl, wsOf(A));
    assert.match(String(refused.headers['content-type']), /application\/json/);
    // IVoiceEgress asked of B points at A too.
    const eg = await api(B).post('/IVoiceEgress/v20260401/SubscribeTrack', { spaceId: w.sid, channelId: w.voice, userId: w.owner.userId }, w.tok);
    expectStatus(eg, 200);
    assert.equal(eg.body.wsUrl, `${wsOf(A)}/audio/subscribe`);

    const duplex = await openAudioReady(withToken(`${st.ingressUrl}/audio/duplex`, st.token, `&target_identity=${w.owner.userId}`));
    socks.push(duplex);
    assert.equal((await duplex.nextStatus('subscribed')).participant_identity, w.owner.userId);
    await vs.next(isVoice('voiceJoin', w.botUserId));

    for (let i = 0; i < 3; i++) {
      const fromPerson = opusPacket(40 + i, 50);
      await person.send(fromPerson);
      sameBytes(await duplex.nextBinary(), fromPerson, `the bot hears the person #${i}`);
      const fromBot = opusPacket(60 + i, 30);
      await duplex.send(fromBot);
      sameBytes(await person.nextBinary(), Buffer.concat([uuidBytes(w.botUserId), fromBot]), `the person hears the bot #${i}`);
    }

    // Everyone leaves: one voiceLeave each, and the room is free: the next token asked of B is B's.
    await duplex.close();
    await vs.next(isVoice('voiceLeave', w.botUserId));
    await person.close();
    await vs.next(isVoice('voiceLeave', w.owner.userId));
    let next;
    for (const deadline = Date.now() + 5_000; ;) {
      next = await streamToken(B, w.tok, w.sid, w.voice);
      if (next.ingressUrl === wsOf(B) || Date.now() > deadline) break;
      await sleep(50);
    }
    assert.equal(next.ingressUrl, wsOf(B), 'an empty room is given up, so the next user may land elsewhere');
    const again = await openAudioReady(withToken(`${next.ingressUrl}/audio/connect`, next.token));
    socks.push(again);
    await vs.next(isVoice('voiceJoin', w.botUserId));
    const joinsAndLeaves = vs.frames.filter((f) => f.event === 'voiceJoin' || f.event === 'voiceLeave')
      .map((f) => `${f.event}:${f.data.user.userId === w.botUserId ? 'bot' : 'person'}`);
    assert.deepEqual(joinsAndLeaves, ['voiceJoin:person', 'voiceJoin:bot', 'voiceLeave:bot', 'voiceLeave:person', 'voiceJoin:bot']);
  } finally {
    vs.close();
    for (const s of socks) if (s.isOpen()) await s.close();
  }
});

test('a kick asked of the node that does not serve the room closes the socket there (4001), one voiceLeave', async () => {
  const w = await world();
  const vs = await openReady(() => openBotStream(A, w.app.token, { intents: 2048 }));
  try {
    const g = await joinVoice(A, w.bob, w.voice);
    assert.equal(g.url, `${wsOf(A)}/audio/voice`);
    const bob = await openAudioReady(withToken(g.url, g.token));
    await vs.next(isVoice('voiceJoin', w.bob.userId));

    const kick = (node) => api(node).post(`/IMembers/v1/Kick?spaceId=${w.sid}&channelId=${w.voice}&userId=${w.bob.userId}`, undefined, w.tok);
    const res = await kick(B);
    expectStatus(res, 200);
    assert.deepEqual(res.body, { kicked: true }, show(res));
    assert.equal((await bob.waitClose()).code, 4001);
    await vs.next(isVoice('voiceLeave', w.bob.userId));
    expectError(await kick(B), 400, 'kick_failed');
    expectError(await kick(A), 400, 'kick_failed');
    // Exactly one voiceLeave (a sentinel event after it: the owner joins).
    await joinVoice(B, w.owner, w.voice);
    await vs.until(isVoice('voiceJoin', w.owner.userId));
    assert.equal(vs.frames.filter(isVoice('voiceLeave', w.bob.userId)).length, 1);
    expectStatus(await api(A).del(`/api/v1/channels/${w.voice}/voice`, undefined, w.owner.token), 204);
    await vs.next(isVoice('voiceLeave', w.owner.userId));
  } finally { vs.close(); }
});

test('a call started through A and accepted through B is served by B: both connect there and talk; hanging up through A ends it once', async () => {
  const owner = await register(A);
  const app = await createApp(A, owner);
  await verifyApp(A, ADMIN, app.appId);
  const tok = bot(app.token);
  const carol = await register(A);
  const bs = await openReady(() => openBotStream(B, app.token, { intents: 4096 }));
  const pf = await openReady(() => openPersonFeed(A, carol.token));
  const socks = [];
  try {
    const started = await api(A).post('/api/v1/calls', { userId: app.botUserId }, carol.token);
    expectStatus(started, 201);
    const { callId } = started.body;
    await bs.next(forCall('callIncoming', callId));
    const ringing = await api(B).get('/ICalls/v20260401/Ringing', tok);
    expectStatus(ringing, 200);
    assert.deepEqual(ringing.body.calls.filter((c) => c.callId === callId), [{ callId, callerId: carol.userId }]);

    const acc = await api(B).post('/ICalls/v20260401/Accept', { callId }, tok);
    expectStatus(acc, 200);
    assert.equal(acc.body.audioBaseUrl, wsOf(B), 'the accepting node serves the call');
    expectError(await api(A).post('/ICalls/v20260401/Accept', { callId }, tok), 400, 'not_ringing');
    const ca = await pf.next(forCall('callAccepted', callId));
    assert.equal(ca.data.url, `${wsOf(B)}/audio/voice`, 'the caller is sent to the same node');
    const sct = await api(A).post('/ICalls/v20260401/SubscribeCallTrack', { callId }, tok);
    expectStatus(sct, 200);
    assert.equal(sct.body.wsUrl, `${wsOf(B)}/audio/subscribe`);

    // Connecting to A instead is refused, pointing at B.
    const wrong = await refusedUpgrade(withToken(`${wsOf(A)}/audio/voice`, ca.data.token));
    assert.equal(wrong.status, 421);
    assert.equal(wrong.body?.ingressUrl, wsOf(B));

    const person = await openAudioReady(withToken(ca.data.url, ca.data.token));
    socks.push(person);
    const duplex = await openAudioReady(withToken(`${acc.body.audioBaseUrl}/audio/duplex`, acc.body.token, `&target_identity=${acc.body.callerId}`));
    socks.push(duplex);
    await duplex.nextStatus('subscribed');
    const hello = opusPacket(1, 80);
    await person.send(hello);
    sameBytes(await duplex.nextBinary(), hello, 'the bot hears the caller');
    const reply = opusPacket(2, 64);
    await duplex.send(reply);
    sameBytes(await person.nextBinary(), Buffer.concat([uuidBytes(app.botUserId), reply]), 'the caller hears the bot');

    expectStatus(await api(A).del(`/api/v1/calls/${callId}`, undefined, carol.token), 204);
    assert.deepEqual((await bs.next(forCall('callEnded', callId))).data, { callId });
    await pf.next(forCall('callEnded', callId));
    for (const s of [person, duplex]) assert.equal((await s.waitClose()).code, 1000);
    // Once: a later sentinel call's callIncoming arrives with no second callEnded before it.
    const sentinel = await api(A).post('/api/v1/calls', { userId: app.botUserId }, carol.token);
    expectStatus(sentinel, 201);
    await bs.until(forCall('callIncoming', sentinel.body.callId));
    assert.equal(bs.frames.filter(forCall('callEnded', callId)).length, 1);
    expectStatus(await api(B).del(`/api/v1/calls/${sentinel.body.callId}`, undefined, carol.token), 204);
  } finally {
    bs.close(); pf.close();
    for (const s of socks) if (s.isOpen()) await s.close();
  }
});

test(`an unanswered call ends once after the ring timeout (${RING_TIMEOUT_S} s), whichever node sees it`, async () => {
  const owner = await register(B);
  const app = await createApp(B, owner);
  await verifyApp(B, ADMIN, app.appId);
  const tok = bot(app.token);
  const carol = await register(A);
  const streams = [
    await openReady(() => openBotStream(A, app.token, { intents: 4096 })),
    await openReady(() => openBotStream(B, app.token, { intents: 4096 })),
  ];
  const feeds = [
    await openReady(() => openPersonFeed(A, carol.token)),
    await openReady(() => openPersonFeed(B, carol.token)),
  ];
  try {
    const t0 = Date.now();
    const started = await api(A).post('/api/v1/calls', { userId: app.botUserId }, carol.token);
    expectStatus(started, 201);
    const { callId } = started.body;
    for (const s of [...streams, ...feeds]) await s.next(forCall('callEnded', callId), RING_TIMEOUT_S * 1000 + 5_000);
    assert.ok(Date.now() - t0 >= RING_TIMEOUT_S * 1000 - 250, 'not before the ring timeout');
    // Past every node's timer and sweep (2 s): still exactly one.
    await sleep(2_500);
    const sentinel = await api(B).post('/api/v1/calls', { userId: app.botUserId }, carol.token);
    expectStatus(sentinel, 201);
    for (const s of streams) await s.until(forCall('callIncoming', sentinel.body.callId));
    for (const s of [...streams, ...feeds]) assert.equal(s.frames.filter(forCall('callEnded', callId)).length, 1);
    for (const node of [A, B]) {
      const ringing = await api(node).get('/ICalls/v20260401/Ringing', tok);
      assert.equal(ringing.body.calls.filter((c) => c.callId === callId).length, 0);
    }
    expectError(await api(B).post('/ICalls/v20260401/Accept', { callId }, tok), 400, 'not_ringing');
    expectStatus(await api(A).del(`/api/v1/calls/${sentinel.body.callId}`, undefined, carol.token), 204);
  } finally {
    for (const s of [...streams, ...feeds]) s.close();
  }
});
