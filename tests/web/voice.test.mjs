// End to end: voice in the web client (docs/web-client.md "Voice"). Chromium captures a fake
// microphone (a 440 Hz tone from a WAV file this test writes), the page encodes it to Opus with
// WebCodecs and sends it over the person's voice socket; a Node test bot (created, installed and
// joined over the real APIs, like tests/blackbox/voice-*.test.mjs) echoes every packet back, so the
// test proves both directions: the bot receives real Opus packets from the page's encoder, and
// the page decodes the bot's (the frames it shows as "heard" for the bot, and its speaking dot).
// Also: two people hear each other, a page opened later lists who is in voice, Leave updates the
// other page, calls to a bot (accepted:
// audio flows, hang up; rejected), and the errors: no WebCodecs, no Connect permission, kicked.
// Every wait is on a condition (Playwright locators, waitForFunction, pollUntil); no fixed sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, HIGH_RATE_LIMITS, api, bot, register, createSpace, channelByName, joinSpace, createApp,
  installBot, verifyApp, streamToken, openAudioReady, pollUntil, expectStatus, grant, P, DEFAULT_PERMISSIONS,
  setArchetypePermissions, uname,
} from '../blackbox/harness.mjs';
import { openBotStream, openReady, isEvent } from '../blackbox/sse.mjs';
import { launchChromium, person as personIn, shot, signedIn, WAIT_MS } from './browser.mjs';

const ADMIN = 'web-voice-admin';
const FRAMES = 25;  // half a second of 20 ms frames
let server, browser, tmp;

/** A mono 16-bit 48 kHz WAV of a 440 Hz tone (Chromium loops it as the fake microphone). */
function toneWav(seconds = 1) {
  const rate = 48_000, n = rate * seconds;
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 0.3 * 32767), 44 + i * 2);
  return b;
}

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ARGON_ADMIN_TOKEN: ADMIN } });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'argon-web-voice-'));
  const wav = path.join(tmp, 'tone.wav');
  await fs.writeFile(wav, toneWav());
  browser = await launchChromium([
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`,
  ]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

const c = () => api(server);

/** A person registered through the API, with a page already signed in as them (microphone allowed). */
async function personPage(displayName, { colorScheme = 'light', init } = {}) {
  const who = await register(server, uname(displayName.toLowerCase()), { displayName });
  const p = await personIn(browser, colorScheme);
  await p.context.grantPermissions(['microphone'], { origin: server.url });
  await signedIn(p.context, { ...who, displayName });
  if (init) await p.context.addInitScript(init);
  return { ...p, who };
}

async function openSpace(p, spaceId) {
  await p.page.goto(`${server.url}/app/${spaceId}`);
  await p.page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
}

const panel = (page) => page.getByRole('region', { name: /^(Voice: |Call with |Voice$)/ });
const participants = (page) => page.getByRole('list', { name: 'Participants' });

/** Waits until the page shows at least `n` decoded frames heard from `userId`. */
async function heardAtLeast(page, userId, n) {
  await page.waitForFunction(([id, min]) => {
    const li = document.querySelector(`.voice-participants li[data-user-id="${id}"]`);
    return li && Number(li.getAttribute('data-frames')) >= min;
  }, [userId, n], { timeout: WAIT_MS });
}

/** RFC 6716 §3.1: the frame duration (ms) a TOC byte declares. */
function tocFrameMs(toc) {
  const config = toc >> 3;
  if (config < 12) return [10, 20, 40, 60][config % 4];
  if (config < 16) return [10, 20][config % 2];
  return [2.5, 5, 10, 20][config % 4];
}

/** A bot's audio socket that echoes every packet it receives (the official echo bot's behaviour). */
async function echoSocket(url) {
  const s = await openAudioReady(url);
  const got = [];
  s.ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    got.push(Buffer.from(data));
    s.ws.send(data, { binary: true });
  });
  return { s, got };
}

/** The packets the bot got from the page: real Opus from the page's encoder (20 ms, one frame each). */
function checkPackets(got) {
  for (const pkt of got) {
    assert.ok(pkt.length > 2 && pkt.length <= 3825, `packet of ${pkt.length} bytes`);
    assert.equal(pkt[0] & 3, 0, `one frame per packet (TOC ${pkt[0].toString(16)})`);
    assert.equal(tocFrameMs(pkt[0]), 20, `20 ms frames (TOC ${pkt[0].toString(16)})`);
  }
}

function noProblems(p, allowed = []) {
  const left = p.problems.filter((x) => !allowed.some((re) => re.test(x)));
  assert.deepEqual(left, [], 'no page errors, console errors or failed requests');
}

test('voice channel: the page encodes the microphone to Opus for an echo bot and decodes the echo; mute; leave', async () => {
  const alice = await personPage('Alice');
  const space = await createSpace(server, alice.who, 'Voice space');
  const voice = channelByName(space, 'voice').channelId;
  const app = await createApp(server, alice.who, { name: 'Echo', displayName: 'Echo Bot' });
  await installBot(server, alice.who, space.spaceId, app.appId);
  const a = alice.page;
  let echo;
  try {
    await openSpace(alice, space.spaceId);
    // The bot joins the voice channel over the Bot API: a duplex socket listening to Alice.
    const g = await streamToken(server, bot(app.token), space.spaceId, voice);
    echo = await echoSocket(`${g.ingressUrl}/audio/duplex?token=${encodeURIComponent(g.token)}&target_identity=${alice.who.userId}`);
    // The bot's voiceJoin reached the page: it is listed under the channel.
    await a.getByRole('list', { name: 'In voice' }).getByText('Echo Bot').waitFor();

    await a.getByRole('button', { name: 'Join voice channel voice' }).click();
    await panel(a).getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await a.getByRole('button', { name: 'In voice channel voice' }).waitFor();

    // The bot got real encoded packets from the page (they passed the server's Opus checks, or
    // the socket would have closed with 1007).
    await pollUntil(() => echo.got.length >= FRAMES, { timeoutMs: WAIT_MS, what: `${FRAMES} packets at the bot` });
    checkPackets(echo.got);
    assert.ok(echo.got.some((p) => p.length > 10), 'a tone is more than silence');

    // The page decoded the bot's packets: frames heard from the bot's user id, and it speaks.
    await heardAtLeast(a, app.botUserId, FRAMES);
    const botRow = participants(a).getByRole('listitem').filter({ hasText: 'Echo Bot' });
    await botRow.getByText(/heard \d+\.\d s/).waitFor();
    await botRow.getByText('speaking').waitFor();
    await participants(a).getByRole('listitem').filter({ hasText: 'Alice (you)' }).getByText('speaking').waitFor();
    await shot(a, 'voice');
    // At phone width the panel stays in view (the channel list folds behind Menu).
    await a.setViewportSize({ width: 390, height: 760 });
    await panel(a).getByRole('button', { name: 'Leave' }).waitFor();
    await shot(a, 'voice-phone');
    await a.setViewportSize({ width: 1100, height: 760 });

    // Mute: nothing is encoded (the row says so); unmute: packets flow again.
    await a.getByRole('button', { name: 'Mute' }).click();
    await a.getByRole('button', { name: 'Unmute', pressed: true }).waitFor();
    await participants(a).getByText('muted').waitFor();
    await a.getByRole('button', { name: 'Unmute' }).click();
    const before = echo.got.length;
    await pollUntil(() => echo.got.length >= before + FRAMES, { timeoutMs: WAIT_MS, what: 'packets after unmute' });
    checkPackets(echo.got);

    // Leave: DELETE voice, the socket closes, the bot is told its target left.
    await panel(a).getByRole('button', { name: 'Leave' }).click();
    await echo.s.nextStatus('target_left', WAIT_MS);
    await panel(a).waitFor({ state: 'detached' });
    await a.getByRole('button', { name: 'Join voice channel voice' }).waitFor();
    noProblems(alice);
  } finally {
    if (echo?.s.isOpen()) await echo.s.close();
    await alice.context.close();
  }
});

test('two people in a voice channel hear each other; Leave updates the other page', async () => {
  const alice = await personPage('Alma');
  const bob = await personPage('Bruno', { colorScheme: 'dark' });
  const space = await createSpace(server, alice.who, 'Talk');
  await joinSpace(server, space.spaceId, alice.who, bob.who);
  const a = alice.page, b = bob.page;
  try {
    await openSpace(alice, space.spaceId);
    await openSpace(bob, space.spaceId);
    await a.getByRole('button', { name: 'Join voice channel voice' }).click();
    await panel(a).getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    // Bob sees Alma in the channel before joining (voiceJoin).
    await b.getByRole('list', { name: 'In voice' }).getByText('Alma').waitFor();
    await b.getByRole('button', { name: 'Join voice channel voice' }).click();
    await panel(b).getByRole('status').filter({ hasText: 'Connected' }).waitFor();

    await heardAtLeast(a, bob.who.userId, FRAMES);
    await heardAtLeast(b, alice.who.userId, FRAMES);
    await participants(a).getByRole('listitem').filter({ hasText: 'Bruno' }).getByText('speaking').waitFor();
    await participants(b).getByRole('listitem').filter({ hasText: 'Alma' }).getByText('speaking').waitFor();
    await shot(b, 'voice-dark');

    // Someone who opens the space now sees both in the channel (GET /api/v1/spaces/{id}/voice:
    // they joined before this page's feed connected).
    const carl = await personPage('Carl');
    await joinSpace(server, space.spaceId, alice.who, carl.who);
    try {
      await openSpace(carl, space.spaceId);
      const inVoice = carl.page.getByRole('list', { name: 'In voice' });
      await inVoice.getByText('Alma').waitFor();
      await inVoice.getByText('Bruno').waitFor();
      noProblems(carl);
    } finally {
      await carl.context.close();
    }

    await panel(b).getByRole('button', { name: 'Leave' }).click();
    await participants(a).getByRole('listitem').filter({ hasText: 'Bruno' }).waitFor({ state: 'detached' });
    await a.getByRole('list', { name: 'In voice' }).getByText('Bruno').waitFor({ state: 'detached' });
    await panel(b).waitFor({ state: 'detached' });
    noProblems(alice);
    noProblems(bob);
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('calls: a bot accepts (audio both ways) and the person hangs up; a bot rejects', async () => {
  const carol = await personPage('Carol');
  const space = await createSpace(server, carol.who, 'Calls');
  const app = await createApp(server, carol.who, { name: 'Phone', displayName: 'Phone Bot' });
  await verifyApp(server, ADMIN, app.appId);  // callIncoming goes to verified bots only
  await installBot(server, carol.who, space.spaceId, app.appId);
  const tok = bot(app.token);
  const bs = await openReady(() => openBotStream(server, app.token, { intents: 4096 }));
  const p = carol.page;
  let echo;
  try {
    await openSpace(carol, space.spaceId);
    await p.getByRole('button', { name: 'Call Phone Bot' }).click();
    await panel(p).getByRole('status').filter({ hasText: 'Ringing…' }).waitFor();
    const inc = await bs.next(isEvent('callIncoming'), WAIT_MS);
    assert.equal(inc.data.fromUserId, carol.who.userId);
    const acc = await c().post('/ICalls/v20260401/Accept', { callId: inc.data.callId }, tok);
    expectStatus(acc, 200);
    echo = await echoSocket(`${acc.body.audioBaseUrl}/audio/duplex?token=${encodeURIComponent(acc.body.token)}` +
      `&target_identity=${acc.body.callerId}&target_track_source=microphone`);
    await panel(p).getByRole('heading', { name: 'Call with Phone Bot' }).waitFor();
    await panel(p).getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await pollUntil(() => echo.got.length >= FRAMES, { timeoutMs: WAIT_MS, what: 'the caller\'s packets at the bot' });
    checkPackets(echo.got);
    await heardAtLeast(p, app.botUserId, FRAMES);
    await shot(p, 'voice-call');

    await panel(p).getByRole('button', { name: 'Hang up' }).click();
    const end = await bs.next(isEvent('callEnded', (f) => f.data?.callId === inc.data.callId), WAIT_MS);
    assert.deepEqual(end.data, { callId: inc.data.callId });
    await echo.s.waitClose(WAIT_MS);
    await panel(p).waitFor({ state: 'detached' });

    // Again, and the bot rejects.
    await p.getByRole('button', { name: 'Call Phone Bot' }).click();
    const inc2 = await bs.next(isEvent('callIncoming', (f) => f.data?.callId !== inc.data.callId), WAIT_MS);
    expectStatus(await c().post('/ICalls/v20260401/Reject', { callId: inc2.data.callId }, tok), 200);
    await panel(p).getByRole('alert').filter({ hasText: 'The bot rejected the call.' }).waitFor();
    await p.getByRole('button', { name: 'Call Phone Bot' }).waitFor();
    noProblems(carol);
  } finally {
    bs.close();
    if (echo?.s.isOpen()) await echo.s.close();
    await carol.context.close();
  }
});

test('errors: no WebCodecs, no Connect permission, kicked from voice (4001)', async () => {
  // A browser without WebCodecs: said plainly, nothing requested.
  const old = await personPage('Olga', { init: () => { delete window.AudioEncoder; delete window.AudioDecoder; } });
  const owner = await personPage('Owen');
  const space = await createSpace(server, owner.who, 'Rules');
  const voice = channelByName(space, 'voice').channelId;
  await joinSpace(server, space.spaceId, owner.who, old.who);
  const app = await createApp(server, owner.who, { name: 'Mod', displayName: 'Mod Bot' });
  await installBot(server, owner.who, space.spaceId, app.appId);
  await grant(server, owner.who, space.spaceId, app.botUserId, P.KickMember, 'moderators');
  try {
    await openSpace(old, space.spaceId);
    await old.page.getByRole('button', { name: 'Join voice channel voice' }).click();
    await panel(old.page).getByRole('alert').filter({ hasText: 'no WebCodecs AudioEncoder' }).waitFor();

    // Members may no longer Connect: the join is refused (403 missing_permission), said so.
    const noConnect = DEFAULT_PERMISSIONS & ~P.Connect;
    await setArchetypePermissions(server, owner.who, space.spaceId, space.defaultArchetypeId, noConnect);
    const olga2 = await personPage('Nora');
    await joinSpace(server, space.spaceId, owner.who, olga2.who);
    try {
      await openSpace(olga2, space.spaceId);
      await olga2.page.getByRole('button', { name: 'Join voice channel voice' }).click();
      await panel(olga2.page).getByRole('alert').filter({ hasText: 'You may not join #voice' }).waitFor();
      noProblems(olga2, [/^403 POST \/api\/v1\/channels\/[^/]+\/voice$/]);
    } finally {
      await olga2.context.close();
    }

    // The owner joins; the moderator bot kicks them: the socket closes with 4001, said so.
    await openSpace(owner, space.spaceId);
    await owner.page.getByRole('button', { name: 'Join voice channel voice' }).click();
    await panel(owner.page).getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    const q = `spaceId=${space.spaceId}&channelId=${voice}&userId=${owner.who.userId}`;
    const kicked = await c().post(`/IMembers/v1/Kick?${q}`, undefined, bot(app.token));
    expectStatus(kicked, 200);
    await panel(owner.page).getByRole('alert').filter({ hasText: 'disconnected from voice by a moderator' }).waitFor();
    await owner.page.getByRole('button', { name: 'Join voice channel voice' }).waitFor();
    noProblems(old);
    noProblems(owner);
  } finally {
    await old.context.close();
    await owner.context.close();
  }
});
