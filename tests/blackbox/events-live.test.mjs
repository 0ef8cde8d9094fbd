// Events stream, live behaviour (DECISIONS §7, §8; SPEC §4.4): install/uninstall while connected,
// several streams of one bot, concurrency slots held by streams and released on disconnect, the
// IEvents connect rate, the bot's own presence (Online while ≥1 stream is open).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createSpace, createApp, installBot, channelByName, sendMessage,
  botWorld, verifyApp, expectError, expectStatus, pollUntil,
} from './harness.mjs';
import { openBotStream, openReady, isEvent, isMessage, notHeartbeat, parseCursor, hex32 } from './sse.mjs';

const ADMIN = 'adm-live';
let server, c;

// Default IEvents limit (5 connects a minute per bot): every test uses its own bots.
before(async () => {
  server = await startServer({
    env: {
      ARGON_ADMIN_TOKEN: ADMIN, ARGON_RATELIMIT_MAX_CONCURRENCY: '2', ARGON_EVENTS_HEARTBEAT_SECONDS: '1',
      ARGON_RATELIMIT_IBOTSELF: '100000', ARGON_RATELIMIT_IMESSAGES: '100000',
    },
  });
  c = api(server);
});
after(async () => { await server?.stop(); });

const open = (app, opts) => openReady(() => openBotStream(server, app.token, opts));

test('install while connected: botInstallingToSpace, then that space\'s events live and in the cursor; uninstall removes it', async () => {
  const w = await botWorld(server);
  const s = await open(w.app);
  try {
    const b = await createSpace(server, w.owner, 'Added live');
    const gb = channelByName(b, 'general').channelId;
    await installBot(server, w.owner, b.spaceId, w.app.appId);
    const inst = await s.next(isEvent('botInstallingToSpace'));
    assert.deepEqual(inst.data, { spaceId: b.spaceId });
    await sendMessage(server, w.owner, gb, 'in B');
    const m = await s.next(isMessage('in B'), 3000);
    assert.equal(m.data.spaceId, b.spaceId);
    const hb = await s.next(isEvent('heartbeat'), 4000);
    assert.ok(parseCursor(hb.id)?.has(hex32(b.spaceId)), `cursor names B: ${hb.id}`);

    expectStatus(await c.del(`/api/v1/spaces/${b.spaceId}/bots/${w.app.appId}`, undefined, w.owner.token), 204);
    const un = await s.next(isEvent('botUninstallingFromSpace'));
    assert.deepEqual(un.data, { spaceId: b.spaceId });
    await sendMessage(server, w.owner, gb, 'B after uninstall');
    await sendMessage(server, w.owner, w.general, 'A marker');
    const seen = await s.until(isMessage('A marker'));
    assert.deepEqual(seen.filter((f) => f.event === 'messageCreate').map((f) => f.data.message.text), ['A marker'],
      'no event of the space the bot left');
  } finally { s.close(); }
});

test('two streams of one bot: each receives every event', async () => {
  const w = await botWorld(server);
  const s1 = await open(w.app);
  const s2 = await open(w.app);
  try {
    for (let i = 0; i < 5; i++) await sendMessage(server, w.owner, w.general, `both ${i}`);
    expectStatus(await c.post(`/api/v1/spaces/${w.sid}/channels`, { name: 'twice', channelType: 0 }, w.owner.token), 201);
    const a = (await s1.until(isEvent('channelCreate'))).filter(notHeartbeat);
    const b = (await s2.until(isEvent('channelCreate'))).filter(notHeartbeat);
    assert.deepEqual(a.map((f) => f.raw), b.map((f) => f.raw));
    assert.deepEqual(a.filter((f) => f.event === 'messageCreate').map((f) => f.data.message.text),
      ['both 0', 'both 1', 'both 2', 'both 3', 'both 4']);
  } finally { s1.close(); s2.close(); }
});

test('concurrency: each open stream holds a slot (limit 2); a disconnect frees it at once', async () => {
  const w = await botWorld(server);
  const s1 = await open(w.app);
  const s2 = await open(w.app);
  let s3;
  try {
    const third = await openBotStream(server, w.app.token);
    assert.equal(third.ok, false, 'third concurrent stream must be refused');
    assert.equal(third.status, 429, third.text);
    assert.equal(third.body?.error, 'rate_limited', third.text);
    const rest = await c.get('/IBotSelf/v1/GetMe', w.tok);
    expectError(rest, 429, 'rate_limited');
    assert.ok(rest.headers.get('retry-after') !== null, 'Retry-After on a concurrency 429');

    s1.close();
    await s1.ended;
    const t0 = Date.now();
    await pollUntil(async () => (await c.get('/IBotSelf/v1/GetMe', w.tok)).status === 200,
      { timeoutMs: 2000, what: 'the slot of the closed stream' });
    assert.ok(Date.now() - t0 < 1000, `slot freed ${Date.now() - t0} ms after the disconnect`);
    s3 = await open(w.app);
    // s2 is still live.
    await sendMessage(server, w.owner, w.general, 'still here');
    await s2.next(isMessage('still here'));
    await s3.next(isMessage('still here'));
  } finally { s1.close(); s2.close(); s3?.close(); }
});

test('IEvents: 5 connects a minute per bot, the 6th → 429 rate_limited with Retry-After', async () => {
  const w = await botWorld(server);
  for (let i = 0; i < 5; i++) {
    const s = await open(w.app);
    s.close();
    await s.ended;
    await pollUntil(async () => (await c.get('/IBotSelf/v1/GetMe', w.tok)).status === 200, { what: 'slot free' });
  }
  const r = await openBotStream(server, w.app.token);
  assert.equal(r.status, 429, r.text);
  assert.equal(r.body?.error, 'rate_limited');
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  assert.equal(typeof r.body.retry_after, 'number');
  // Another bot is not affected.
  const other = await createApp(server, w.owner);
  const s = await open(other);
  s.close();
});

test('bot presence: Online (1) when its first stream opens, Offline (0) only when the last one closes; seen by a verified bot with Presence', async () => {
  const owner = await register(server);
  const space = await createSpace(server, owner, 'Presence');
  const general = channelByName(space, 'general').channelId;
  const watcher = await createApp(server, owner);
  await installBot(server, owner, space.spaceId, watcher.appId);
  await verifyApp(server, ADMIN, watcher.appId);
  const unverified = await createApp(server, owner);
  await installBot(server, owner, space.spaceId, unverified.appId);
  const subject = await createApp(server, owner);
  await installBot(server, owner, space.spaceId, subject.appId);

  const ws = await open(watcher, { intents: 32 | 1 });
  const us = await open(unverified, { intents: 32 | 1 });
  assert.equal(ws.ready.data.intents, 33);
  assert.equal(us.ready.data.intents, 1);
  const ofSubject = (status) => isEvent('presenceUpdate', (f) => f.data.user?.userId === subject.botUserId &&
    (status === undefined || f.data.presence?.status === status));
  let a, b;
  try {
    a = await open(subject);
    const on = await ws.next(ofSubject(), 3000);
    assert.equal(on.data.spaceId, space.spaceId);
    assert.equal(on.data.presence.status, 1, on.raw);
    assert.equal(on.data.user.username, subject.botUsername);
    assert.equal(on.data.user.flags & 1, 1);

    b = await open(subject); // a second stream: still Online
    a.close();
    await a.ended;
    await pollUntil(async () => (await c.get('/IBotSelf/v1/GetMe', bot(subject.token))).status === 200, { what: 'slot free' });
    await sendMessage(server, owner, general, 'one stream left');
    const mid = await ws.until(isMessage('one stream left'));
    assert.equal(mid.filter(ofSubject(0)).length, 0, 'no Offline while a stream is still open');

    b.close();
    const off = await ws.next(ofSubject(0), 3000);
    assert.deepEqual(off.data.presence, { status: 0, activity: null });

    // The unverified bot (Presence stripped) never sees a presenceUpdate.
    await sendMessage(server, owner, general, 'presence marker');
    const useen = await us.until(isMessage('presence marker'));
    assert.equal(useen.filter((f) => f.event === 'presenceUpdate').length, 0, useen.map((f) => f.event).join(','));
  } finally { ws.close(); us.close(); a?.close(); b?.close(); }
});
