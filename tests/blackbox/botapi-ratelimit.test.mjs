// Bot API rate limits (SPEC §3; DECISIONS §8): per bot, per interface, sliding window of 6
// segments; 429 body and headers; X-RateLimit-* on every authenticated response; 401s and 429s do
// not consume permits. The window is 60 s on an adjustable clock (testing.clock) that the tests move forward.
// (The 10-in-flight concurrency cap cannot be driven black-box before the SSE stream exists.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createApp, botWorld, expectError, expectStatus,
  expectRateHeaders, show, UNKNOWN_UUID, ADJUSTABLE_CLOCK, advanceClock, advanceClockToBoundary,
} from './harness.mjs';

// A long window on an adjustable clock: the tests move the clock instead of sleeping, and a
// request delayed by a busy machine cannot move into another segment.
const WINDOW_S = 60;
const SEGMENT_MS = (WINDOW_S * 1000) / 6;
const SELF_LIMIT = 3;
const SPACES_LIMIT = 4;

let server, c, dev;
let dflt, cd; // a second server with the default limits

before(async () => {
  [server, dflt] = await Promise.all([
    startServer({ env: {
      ...ADJUSTABLE_CLOCK,
      ARGON_RATELIMIT_WINDOW_SECONDS: String(WINDOW_S),
      ARGON_RATELIMIT_IBOTSELF: String(SELF_LIMIT),
      ARGON_RATELIMIT_ISPACES: String(SPACES_LIMIT),
    } }),
    startServer(),
  ]);
  c = api(server);
  cd = api(dflt);
  dev = await register(server);
});
after(async () => { await Promise.all([server?.stop(), dflt?.stop()]); });

const getMe = (app, via = 'header') => (via === 'header'
  ? c.get('/IBotSelf/v1/GetMe', bot(app.token))
  : c.get(`/api/bot/${app.token.replace(':', '%3A')}/IBotSelf/v1/GetMe`));

/** Assert a well-formed 429 → retry_after (seconds, float). */
function expect429(r, limit) {
  expectError(r, 429, 'rate_limited');
  assert.equal(typeof r.body.retry_after, 'number', `retry_after must be a number: ${show(r)}`);
  assert.ok(r.body.retry_after > 0 && r.body.retry_after <= WINDOW_S + 0.01,
    `retry_after within (0, window]: ${show(r)}`);
  const ra = r.headers.get('retry-after');
  assert.match(String(ra), /^\d+$/, `Retry-After must be whole seconds: ${ra}`);
  const n = Number(ra);
  assert.ok(n >= 1, `Retry-After ≥ 1: ${ra}`);
  assert.ok(n >= r.body.retry_after - 0.001 && n < r.body.retry_after + 1.001,
    `Retry-After ${ra} = ceil(retry_after ${r.body.retry_after})`);
  const h = expectRateHeaders(r, limit);
  assert.equal(h.remaining, 0, 'X-RateLimit-Remaining is 0 on a 429');
  return r.body.retry_after;
}

async function exhaustSelf(app) {
  for (let i = 0; i < SELF_LIMIT; i++) expectStatus(await getMe(app), 200);
}

test('successes carry X-RateLimit-Limit/Remaining/Reset-After; the (limit+1)th request → 429', async () => {
  const app = await createApp(server, dev);
  for (let i = 0; i < SELF_LIMIT; i++) {
    const r = await getMe(app);
    expectStatus(r, 200);
    const h = expectRateHeaders(r, SELF_LIMIT);
    assert.equal(h.remaining, SELF_LIMIT - 1 - i, `remaining after ${i + 1} requests`);
    assert.ok(h.resetAfter <= WINDOW_S + 0.01, `Reset-After within the window: ${h.resetAfter}`);
  }
  const r = await getMe(app);
  expect429(r, SELF_LIMIT);
  assert.equal(typeof r.body.message, 'string');
  // the path-token form addresses the same bucket
  expect429(await getMe(app, 'path'), SELF_LIMIT);
  // GetSpaces is the same interface
  expect429(await c.get('/IBotSelf/v1/GetSpaces', bot(app.token)), SELF_LIMIT);
});

test('the path-token and header forms share one bucket', async () => {
  const app = await createApp(server, dev);
  expectStatus(await getMe(app, 'path'), 200);
  expectStatus(await getMe(app), 200);
  const third = await c.get(`/${app.token}/IBotSelf/v1/GetSpaces`);
  expectStatus(third, 200);
  assert.equal(expectRateHeaders(third, SELF_LIMIT).remaining, 0);
  expect429(await getMe(app), SELF_LIMIT);
});

test('401s do not consume permits', async () => {
  const app = await createApp(server, dev);
  const [hex, secret] = app.token.split(':');
  const wrong = `${hex}:${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
  for (let i = 0; i < 10; i++) {
    expectError(await c.get('/IBotSelf/v1/GetMe', bot(wrong)), 401, 'unauthorized');
    expectError(await c.get(`/${wrong}/IBotSelf/v1/GetMe`), 401, 'unauthorized');
  }
  for (let i = 0; i < 5; i++) expectError(await c.get('/IBotSelf/v1/GetMe'), 401, 'unauthorized');
  for (let i = 0; i < SELF_LIMIT; i++) {
    const r = await getMe(app);
    expectStatus(r, 200);
    assert.equal(expectRateHeaders(r, SELF_LIMIT).remaining, SELF_LIMIT - 1 - i);
  }
  expect429(await getMe(app), SELF_LIMIT);
});

test('errors after authentication consume permits and carry the headers; 429 comes before validation and not_verified', async () => {
  const w = await botWorld(server, { owner: dev });
  const steps = [
    [await c.get('/ISpaces/v1/Get', w.tok), 400],                                        // validation_error
    [await c.get(`/ISpaces/v1/Get?spaceId=${UNKNOWN_UUID}`, w.tok), 403],                 // not_a_member
    [await c.get(`/ISpaces/v1/GetMember?spaceId=${w.sid}&userId=${UNKNOWN_UUID}`, w.tok), 404],
    [await c.get(`/ISpaces/v1/Get?spaceId=${w.sid}`, w.tok), 200],
  ];
  steps.forEach(([r, status], i) => {
    expectStatus(r, status);
    assert.equal(expectRateHeaders(r, SPACES_LIMIT).remaining, SPACES_LIMIT - 1 - i, `step ${i}: ${show(r)}`);
  });
  expect429(await c.get(`/ISpaces/v1/Get?spaceId=${w.sid}`, w.tok), SPACES_LIMIT);
  expect429(await c.get('/ISpaces/v1/Get?spaceId=garbage', w.tok), SPACES_LIMIT);
  expect429(await c.get(`/ISpaces/v1/ListMembers?spaceId=${w.sid}`, w.tok), SPACES_LIMIT); // unverified, but 429 first
});

test('interfaces are independent', async () => {
  const w = await botWorld(server, { owner: dev });
  await exhaustSelf(w.app);
  expect429(await getMe(w.app), SELF_LIMIT);
  const s = await c.get(`/ISpaces/v1/Get?spaceId=${w.sid}`, w.tok);
  expectStatus(s, 200);
  assert.equal(expectRateHeaders(s, SPACES_LIMIT).remaining, SPACES_LIMIT - 1);
  const ch = await c.get(`/IChannels/v1/List?spaceId=${w.sid}`, w.tok);
  expectStatus(ch, 200);
  assert.equal(expectRateHeaders(ch, 60).remaining, 59, 'IChannels keeps its default 60');
  const ar = await c.get(`/IArchetypes/v1/List?spaceId=${w.sid}`, w.tok);
  expectStatus(ar, 200);
  expectRateHeaders(ar, 30);
  expect429(await getMe(w.app), SELF_LIMIT);
});

test('bots are independent', async () => {
  const a = await createApp(server, dev);
  const b = await createApp(server, dev);
  await exhaustSelf(a);
  expect429(await getMe(a), SELF_LIMIT);
  const r = await getMe(b);
  expectStatus(r, 200);
  assert.equal(expectRateHeaders(r, SELF_LIMIT).remaining, SELF_LIMIT - 1);
});

test('429s do not consume permits: after the window the full quota is back', async () => {
  const app = await createApp(server, dev);
  const t0 = await advanceClockToBoundary(server, SEGMENT_MS);
  await exhaustSelf(app);
  await advanceClock(server, 3 * SEGMENT_MS);
  for (let i = 0; i < 6; i++) expect429(await getMe(app), SELF_LIMIT);
  // One second past the window the first requests have left it; the 429s (three segments
  // later) would still be inside it if they had been counted.
  const now = await advanceClock(server, 0);
  await advanceClock(server, t0 + WINDOW_S * 1000 + 1000 - now);
  for (let i = 0; i < SELF_LIMIT; i++) expectStatus(await getMe(app), 200);
  expect429(await getMe(app), SELF_LIMIT);
});

test('the window slides (permits return as old segments leave; not a fixed window)', async () => {
  const app = await createApp(server, dev);
  // Just after a segment boundary: the first two requests share a segment and leave together.
  const t0 = await advanceClockToBoundary(server, SEGMENT_MS);
  expectStatus(await getMe(app), 200);
  expectStatus(await getMe(app), 200);
  await advanceClock(server, 3 * SEGMENT_MS);
  expectStatus(await getMe(app), 200); // three segments later: counted three segments longer
  const retry = expect429(await getMe(app), SELF_LIMIT);
  const now = await advanceClock(server, 0);
  // The first segment leaves the window at t0 - 1 ms + window (segments are epoch-aligned).
  const expected = (t0 - 1 + WINDOW_S * 1000 - now) / 1000;
  assert.ok(Math.abs(retry - expected) < 0.5,
    `retry_after ${retry} s is when the first requests leave the window (≈ ${expected} s)`);
  await advanceClock(server, Math.ceil(retry * 1000) + 1);
  // The two early permits are back; the third request's is still counted.
  expectStatus(await getMe(app), 200);
  const last = await getMe(app);
  expectStatus(last, 200);
  assert.equal(expectRateHeaders(last, SELF_LIMIT).remaining, 0);
  expect429(await getMe(app), SELF_LIMIT);
  // Three segments later that one leaves too: one permit back.
  await advanceClock(server, 3 * SEGMENT_MS);
  expectStatus(await getMe(app), 200);
  expect429(await getMe(app), SELF_LIMIT);
});

test('default limits per interface (no overrides): IBotSelf 15, ISpaces 30, IChannels 60, IArchetypes 30, IMessages 120, ITyping 60', async () => {
  const owner = await register(dflt);
  const w = await botWorld(dflt, { owner });
  const cases = [
    ['IBotSelf', await cd.get('/IBotSelf/v1/GetMe', w.tok), 15],
    ['ISpaces', await cd.get(`/ISpaces/v1/Get?spaceId=${w.sid}`, w.tok), 30],
    ['IChannels', await cd.get(`/IChannels/v1/List?spaceId=${w.sid}`, w.tok), 60],
    ['IArchetypes', await cd.get(`/IArchetypes/v1/List?spaceId=${w.sid}`, w.tok), 30],
    ['IMessages', await cd.get(`/IMessages/v1/History?channelId=${w.general}`, w.tok), 120],
    ['ITyping', await cd.post('/ITyping/v1/Start', { channelId: w.general }, w.tok), 60],
  ];
  for (const [name, r, limit] of cases) {
    expectStatus(r, 200);
    const h = expectRateHeaders(r, limit);
    assert.equal(h.remaining, limit - 1, `${name} remaining`);
    assert.ok(h.resetAfter <= 60.01, `${name} Reset-After within 60 s: ${h.resetAfter}`);
  }
});

test('IBotSelf default: the 16th GetMe inside a minute → 429 with Retry-After', async () => {
  const owner = await register(dflt);
  const app = await createApp(dflt, owner);
  for (let i = 0; i < 15; i++) expectStatus(await cd.get('/IBotSelf/v1/GetMe', bot(app.token)), 200);
  const r = await cd.get('/IBotSelf/v1/GetMe', bot(app.token));
  expectError(r, 429, 'rate_limited');
  assert.ok(r.body.retry_after > 0 && r.body.retry_after <= 60.01, show(r));
  const ra = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 60, `Retry-After ${r.headers.get('retry-after')}`);
  assert.equal(expectRateHeaders(r, 15).remaining, 0);
});
