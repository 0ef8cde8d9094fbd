// The built-in audio relay (SPEC.md §11.2, DECISIONS.md §10, CLIENT-API "Voice and calls"):
// /audio/connect → /audio/subscribe forwards the exact bytes; waiting → subscribed when the target
// arrives; target_left then close; duplex both ways; RFC 6716 TOC checks close with 1007; a person's
// socket hears everyone else with the sender's 16-byte id first; voiceJoin/voiceLeave (intent Voice).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, botWorld, createApp, installBot, register, joinSpace, sendMessage, expectStatus,
  HIGH_RATE_LIMITS, UUID_RE,
  openAudio, openAudioReady, streamToken, joinVoice, personInVoice, uuidBytes, opusPacket, expectNodeUrl,
} from './harness.mjs';
import { openBotStream, openReady, isEvent, isMessage, notHeartbeat } from './sse.mjs';

let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

const REASON = 'opus frame too small for declared structure';

/** A space with two bots (A, B) installed, a second person (bob) as a member. */
async function world() {
  const w = await botWorld(server);
  const appB = await createApp(server, w.owner);
  await installBot(server, w.owner, w.sid, appB.appId);
  const bob = await register(server);
  await joinSpace(server, w.sid, w.owner, bob);
  return {
    ...w, bob,
    A: { userId: w.botUserId, tok: w.tok, app: w.app },
    B: { userId: appB.botUserId, tok: bot(appB.token), app: appB },
  };
}

/** The bot's ingress URL for `path` (optionally listening to `target`). */
async function audioUrl(w, who, path, target) {
  const g = await streamToken(server, who.tok, w.sid, w.voice);
  return `${g.ingressUrl}${path}?token=${encodeURIComponent(g.token)}${target ? `&target_identity=${target}` : ''}`;
}

function expectStatusFrame(s, status, identity) {
  assert.equal(s.status, status, JSON.stringify(s));
  assert.equal(typeof s.session_id, 'string', `session_id: ${JSON.stringify(s)}`);
  assert.ok(s.session_id.length > 0);
  if (identity !== undefined) assert.equal(s.participant_identity, identity, JSON.stringify(s));
}

const sameBytes = (got, want, what) =>
  assert.ok(Buffer.compare(got, want) === 0, `${what}: got ${got.length} bytes ${got.toString('hex').slice(0, 80)}, want ${want.length} bytes ${want.toString('hex').slice(0, 80)}`);

// The largest packet the relay takes: 3825 bytes, code 3 VBR, 3 frames of 1273 bytes (RFC 6716 §3.2.5).
function maxPacket(lastFrame = 1273) {
  const head = [0xfb, 0x83, 253, 255, 253, 255]; // TOC (CELT FB 20 ms, code 3), v=1 M=3, 2 × length 1273
  const body = Buffer.alloc(1273 * 2 + lastFrame, 0x55);
  return Buffer.concat([Buffer.from(head), body]);
}

// Valid packets of every TOC code.
const VALID = {
  'silence f8 ff fe': Buffer.from([0xf8, 0xff, 0xfe]),
  'fc ff fe': Buffer.from([0xfc, 0xff, 0xfe]),
  'code 0, 3 data bytes': Buffer.from([0x78, 1, 2, 3]),
  'code 0, 1 data byte': Buffer.from([0x78, 9]),
  'voice-sized code 0': opusPacket(7, 120),
  'code 1, even payload': Buffer.from([0x79, 1, 2]),
  'code 2, lengths fit': Buffer.from([0x7a, 1, 9, 8]),
  'code 3 CBR, M=2': Buffer.from([0x7b, 0x02, 5, 6]),
  'code 3 VBR, 3825 bytes': maxPacket(),
};

test('publish → subscribe: subscribed {session_id, track_sid, participant_identity}, then the exact bytes in order', async () => {
  const w = await world();
  const pub = await openAudioReady(await audioUrl(w, w.A, '/audio/connect'));
  assert.equal(maxPacket().length, 3825);
  const sub = await openAudio(await audioUrl(w, w.B, '/audio/subscribe', w.A.userId));
  try {
    const st = await sub.nextStatus();
    expectStatusFrame(st, 'subscribed', w.A.userId);
    assert.equal(typeof st.track_sid, 'string', JSON.stringify(st));
    assert.ok(st.track_sid.length > 0);
    assert.notEqual(st.session_id, pub.ready.session_id, 'each socket has its own session');
    for (const pkt of Object.values(VALID)) await pub.send(pkt);
    for (const [what, pkt] of Object.entries(VALID)) sameBytes(await sub.nextBinary(), pkt, what);
    assert.ok(pub.isOpen(), 'valid packets keep the publisher connected');
    assert.equal(pub.binaries.length, 0, 'a publish-only socket receives no audio');
    assert.deepEqual(sub.statuses.map((s) => s.status), ['subscribed']);
  } finally {
    await sub.close();
    await pub.close();
  }
});

test('waiting until the target publishes, then subscribed; target_left then the socket closes (close or drop)', async () => {
  const w = await world();
  for (const ending of ['close', 'terminate']) {
    const sub = await openAudio(await audioUrl(w, w.B, '/audio/subscribe', w.A.userId));
    expectStatusFrame(await sub.nextStatus(), 'waiting', w.A.userId);
    const pub = await openAudioReady(await audioUrl(w, w.A, '/audio/connect'));
    const st = await sub.nextStatus();
    expectStatusFrame(st, 'subscribed', w.A.userId);
    assert.equal(st.session_id, sub.statuses[0].session_id, 'one session id per socket');
    const pkt = opusPacket(3, 60);
    await pub.send(pkt);
    sameBytes(await sub.nextBinary(), pkt, 'after waiting');

    if (ending === 'close') await pub.close(); else await pub.terminate();
    expectStatusFrame(await sub.nextStatus(), 'target_left', w.A.userId);
    await sub.waitClose();
    assert.equal(sub.isOpen(), false);
    assert.equal(sub.statuses.at(-1).status, 'target_left', 'target_left is the last status');
  }
});

test('a subscriber hears only its target', async () => {
  const w = await world();
  const pubA = await openAudioReady(await audioUrl(w, w.A, '/audio/connect'));
  const pubB = await openAudioReady(await audioUrl(w, w.B, '/audio/connect'));
  const alice = await personInVoice(server, w.owner, w.voice);
  const sub = await openAudio(await audioUrl(w, w.B, '/audio/subscribe', w.A.userId));
  try {
    await sub.nextStatus('subscribed');
    await pubB.send(opusPacket(10));
    await alice.send(opusPacket(11));
    sameBytes(await alice.nextBinary(), Buffer.concat([uuidBytes(w.B.userId), opusPacket(10)]), 'alice hears B');
    const a = opusPacket(12);
    await pubA.send(a);
    sameBytes(await sub.nextBinary(), a, 'the first packet the subscriber gets is its target\'s');
    assert.equal(sub.pendingBinaries().length, 0);
  } finally {
    for (const s of [sub, alice, pubA, pubB]) await s.close();
  }
});

test('duplex: ready first, then waiting/subscribed; both directions on one socket (echo)', async () => {
  const w = await world();
  const dA = await openAudioReady(await audioUrl(w, w.A, '/audio/duplex', w.B.userId));
  expectStatusFrame(await dA.nextStatus(), 'waiting', w.B.userId);
  const dB = await openAudioReady(await audioUrl(w, w.B, '/audio/duplex', w.A.userId));
  try {
    expectStatusFrame(await dB.nextStatus(), 'subscribed', w.A.userId);
    expectStatusFrame(await dA.nextStatus(), 'subscribed', w.B.userId);
    for (let i = 0; i < 5; i++) {
      const pkt = opusPacket(20 + i, 30 + i);
      await dA.send(pkt);
      const heard = await dB.nextBinary();
      sameBytes(heard, pkt, `B hears A #${i}`);
      await dB.send(heard); // echo
      sameBytes(await dA.nextBinary(), pkt, `A hears its echo #${i}`);
    }
    assert.equal(dA.pendingBinaries().length + dB.pendingBinaries().length, 0, 'nobody hears itself');
  } finally {
    await dA.close();
    await dB.close();
  }
});

test('malformed Opus packets close the socket with 1007 "opus frame too small for declared structure"', async () => {
  const w = await world();
  const tooBig = maxPacket(1274); // 3826 bytes, well-formed otherwise
  assert.equal(tooBig.length, 3826);
  const BAD = {
    'empty': Buffer.alloc(0),
    '1 byte (0xdc DTX)': Buffer.from([0xdc]),
    '1 byte (0xf8)': Buffer.from([0xf8]),
    'code 1 with an odd payload': Buffer.from([0x79, 1, 2, 3]),
    'code 2 first length overruns': Buffer.from([0x7a, 200, 1, 2, 3]),
    'code 2 two-byte length truncated': Buffer.from([0x7a, 252]),
    'code 3 with M=0': Buffer.from([0x7b, 0x00, 1, 2]),
    'more than 3825 bytes': tooBig,
  };
  const url = await audioUrl(w, w.A, '/audio/connect');
  await Promise.all(Object.entries(BAD).map(async ([what, pkt]) => {
    const s = await openAudioReady(url);
    await s.send(pkt).catch(() => {});
    const closed = await s.waitClose();
    assert.deepEqual(closed, { code: 1007, reason: REASON }, what);
  }));

  // Duplex and a person's socket run the same check; a listener never receives the bad packet.
  const sub = await openAudio(await audioUrl(w, w.B, '/audio/subscribe', w.A.userId));
  const dA = await openAudioReady(await audioUrl(w, w.A, '/audio/duplex', w.B.userId));
  await sub.nextStatus('subscribed');
  const good = opusPacket(5);
  await dA.send(good);
  await dA.send(Buffer.from([0x79, 1, 2, 3])).catch(() => {});
  assert.deepEqual(await dA.waitClose(), { code: 1007, reason: REASON }, 'duplex');
  sameBytes(await sub.nextBinary(), good, 'the good packet before it');
  expectStatusFrame(await sub.nextStatus(), 'target_left', w.A.userId);
  await sub.waitClose();
  assert.equal(sub.binaries.length, 1, 'the malformed packet is not forwarded');

  const person = await personInVoice(server, w.bob, w.voice);
  await person.send(Buffer.from([0xdc])).catch(() => {});
  assert.deepEqual(await person.waitClose(), { code: 1007, reason: REASON }, 'person socket');
});

test('a person\'s socket: join → {token, url, roomName}; ready; hears bots and other people (16-byte sender id + packet), never itself', async () => {
  const w = await world();
  const g = await joinVoice(server, w.owner, w.voice);
  assert.deepEqual(Object.keys(g).sort(), ['roomName', 'token', 'url']);
  expectNodeUrl(server, g.url, '/audio/voice');
  assert.equal(g.roomName, `${w.sid}/${w.voice}`);
  const alice = await openAudioReady(`${g.url}?token=${encodeURIComponent(g.token)}`);
  const bob = await personInVoice(server, w.bob, w.voice);
  const pubA = await openAudioReady(await audioUrl(w, w.A, '/audio/connect'));
  const subAlice = await openAudio(await audioUrl(w, w.B, '/audio/subscribe', w.owner.userId));
  try {
    assert.equal(uuidBytes(w.A.userId).length, 16);
    await subAlice.nextStatus('subscribed');

    const fromBot = opusPacket(30, 50);
    await pubA.send(fromBot);
    const want = Buffer.concat([uuidBytes(w.A.userId), fromBot]);
    sameBytes(await alice.nextBinary(), want, 'alice hears bot A');
    sameBytes(await bob.nextBinary(), want, 'bob hears bot A');

    const fromAlice = Buffer.from([0xf8, 0xff, 0xfe]);
    await alice.send(fromAlice);
    sameBytes(await bob.nextBinary(), Buffer.concat([uuidBytes(w.owner.userId), fromAlice]), 'bob hears alice');
    sameBytes(await subAlice.nextBinary(), fromAlice, 'a bot subscribed to alice gets her raw packet');

    const fromBob = opusPacket(31, 3);
    await bob.send(fromBob);
    sameBytes(await alice.nextBinary(), Buffer.concat([uuidBytes(w.bob.userId), fromBob]), 'alice hears bob');
    assert.equal(alice.pendingBinaries().length, 0, 'alice does not hear herself');
    assert.equal(bob.pendingBinaries().length, 0, 'bob does not hear himself');
    assert.equal(pubA.binaries.length, 0, 'a publish-only bot socket hears nothing');
  } finally {
    for (const s of [subAlice, pubA, bob, alice]) await s.close();
  }
});

test('voiceJoin/voiceLeave on the bot stream (intent Voice 2048): people join/leave/drop, bots first/last socket', async () => {
  const w = await world();
  const vs = await openReady(() => openBotStream(server, w.app.token, { intents: 2048 }));
  const ms = await openReady(() => openBotStream(server, w.app.token, { intents: 1 }));
  const isVoice = (name, userId) => isEvent(name, (f) => f.data?.user?.userId === userId);
  const voiceFrames = () => vs.frames.filter((f) => f.event === 'voiceJoin' || f.event === 'voiceLeave')
    .map((f) => `${f.event}:${f.data.user.userId}`);
  try {
    // A person: POST join → voiceJoin {spaceId, channelId, user}.
    await joinVoice(server, w.bob, w.voice);
    const j = await vs.next(isVoice('voiceJoin', w.bob.userId));
    assert.equal(j.data.spaceId, w.sid);
    assert.equal(j.data.channelId, w.voice);
    assert.equal(j.data.user.userId, w.bob.userId);
    assert.match(j.data.user.userId, UUID_RE);
    assert.equal(typeof j.data.user.username, 'string', JSON.stringify(j.data));
    // Leave → 204, voiceLeave; leaving again → 204.
    expectStatus(await c.del(`/api/v1/channels/${w.voice}/voice`, undefined, w.bob.token), 204);
    const l = await vs.next(isVoice('voiceLeave', w.bob.userId));
    assert.deepEqual([l.data.spaceId, l.data.channelId], [w.sid, w.voice]);
    expectStatus(await c.del(`/api/v1/channels/${w.voice}/voice`, undefined, w.bob.token), 204);

    // A person whose socket drops leaves.
    const bob = await personInVoice(server, w.bob, w.voice);
    await vs.next(isVoice('voiceJoin', w.bob.userId));
    await bob.terminate();
    await vs.next(isVoice('voiceLeave', w.bob.userId));

    // A bot: its first socket joins, its last one leaves.
    const s1 = await openAudioReady(await audioUrl(w, w.B, '/audio/connect'));
    await vs.next(isVoice('voiceJoin', w.B.userId));
    const s2 = await openAudio(await audioUrl(w, w.B, '/audio/subscribe', w.A.userId));
    await s2.nextStatus('waiting');
    await s1.close();
    await joinVoice(server, w.owner, w.voice); // a sentinel event
    await vs.next(isVoice('voiceJoin', w.owner.userId));
    assert.deepEqual(voiceFrames().slice(-2), [`voiceJoin:${w.B.userId}`, `voiceJoin:${w.owner.userId}`],
      'no second voiceJoin for the second socket, no voiceLeave while one socket remains');
    await s2.close();
    await vs.next(isVoice('voiceLeave', w.B.userId));

    // A bot whose only socket drops leaves.
    const s3 = await openAudioReady(await audioUrl(w, w.A, '/audio/duplex', w.owner.userId));
    await vs.next(isVoice('voiceJoin', w.A.userId));
    await s3.terminate();
    await vs.next(isVoice('voiceLeave', w.A.userId));

    // Without the Voice intent nothing of this arrives.
    await sendMessage(server, w.owner, w.general, 'after voice');
    await ms.next(isMessage('after voice'));
    assert.deepEqual(ms.frames.filter(notHeartbeat).map((f) => f.event), ['ready', 'messageCreate']);
    assert.ok(!vs.frames.some((f) => f.event === 'messageCreate'), 'Voice intent only');
  } finally {
    vs.close();
    ms.close();
  }
});
