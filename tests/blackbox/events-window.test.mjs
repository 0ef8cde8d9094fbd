// Events stream: the implicit resume window (ARGON_EVENTS_RESUME_WINDOW_SECONDS, DECISIONS §7).
// Within the window a reconnect without an id replays what was missed; after it, the stream starts
// live — but an explicit id still replays from the (longer-kept) event log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, createApp, installBot, channelByName, sendMessage,
  HIGH_RATE_LIMITS, pollUntil, ADJUSTABLE_CLOCK, advanceClock,
} from './harness.mjs';
import { openBotStream, openReady, isEvent, isMessage, notHeartbeat } from './sse.mjs';

let server, c;

before(async () => {
  server = await startServer({
    env: { ...HIGH_RATE_LIMITS, ARGON_RATELIMIT_MAX_CONCURRENCY: '1', ARGON_EVENTS_RESUME_WINDOW_SECONDS: '60', ...ADJUSTABLE_CLOCK },
  });
  c = api(server);
});
after(async () => { await server?.stop(); });

test('after the resume window an id-less reconnect starts live; an explicit id still replays', async () => {
  const owner = await register(server);
  const space = await createSpace(server, owner, 'Window');
  const general = channelByName(space, 'general').channelId;
  const app = await createApp(server, owner);
  await installBot(server, owner, space.spaceId, app.appId);
  const open = (opts) => openReady(() => openBotStream(server, app.token, opts));
  const closeAndWait = async (s) => {
    s.close();
    await s.ended;
    await pollUntil(async () => (await c.get('/IBotSelf/v1/GetMe', { raw: `Bot ${app.token}` })).status === 200,
      { timeoutMs: 3000, what: 'slot free' });
  };

  const s1 = await open();
  await sendMessage(server, owner, general, 'w1');
  const w1 = await s1.next(isMessage('w1'));
  await closeAndWait(s1);
  await sendMessage(server, owner, general, 'w2');
  // Within the window: replayed.
  const s2 = await open();
  const r = (await s2.until(isEvent('resumed'))).filter(notHeartbeat);
  assert.deepEqual(r.map((f) => f.event), ['messageCreate', 'resumed']);
  assert.equal(r[0].data.message.text, 'w2');
  await closeAndWait(s2);

  await sendMessage(server, owner, general, 'w3');
  await advanceClock(server, 61_000); // past the 60 s window (the clock moves, nobody waits)
  const s3 = await open();
  try {
    await sendMessage(server, owner, general, 'w4');
    const seen = (await s3.until(isMessage('w4'))).filter(notHeartbeat);
    assert.deepEqual(seen.map((f) => f.data?.message?.text ?? f.event), ['w4'], 'the saved position has expired: live');
  } finally { await closeAndWait(s3); }

  const s4 = await open({ lastEventId: w1.id });
  try {
    const got = (await s4.until(isEvent('resumed'))).filter(notHeartbeat);
    const resumed = got.pop();
    assert.deepEqual(got.map((f) => f.data.message.text), ['w2', 'w3', 'w4']);
    assert.deepEqual(resumed.data, { replayedCount: 3 });
  } finally { s4.close(); }
});
