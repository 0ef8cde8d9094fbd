// Browser auth (docs/client-api.md "Browser auth"): POST /api/v1/auth/tickets → a single-use ticket
// for 30 s, bound to the session it was taken with, accepted as ?ticket= on GET /api/v1/events
// (EventSource cannot send Authorization), and as ?ticket=&channelId= on the person's voice socket
// (WebSocket cannot either). The attacks: reuse, expiry, someone else's ticket with
// one's own session, unknown tickets, nothing at all. On a cluster, api() alternates nodes: a
// ticket is taken on one node and used on the other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, channelByName, sendMessage, expectError, expectStatus,
  ADJUSTABLE_CLOCK, HIGH_RATE_LIMITS, advanceClock, ISO_MS_RE, createApp, bot, joinVoice,
  openAudioReady, refusedUpgrade, joinSpace,
} from './harness.mjs';
import { openSse, openReady, isMessage } from './sse.mjs';

let server, c;
before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ...ADJUSTABLE_CLOCK } });
  c = api(server);
});
after(async () => { await server?.stop(); });

async function takeTicket(person) {
  const res = await c.post('/api/v1/auth/tickets', undefined, person.token);
  expectStatus(res, 201);
  assert.match(res.body.ticket, /^[A-Za-z0-9_-]{20,}$/);
  assert.match(res.body.expiresAt, ISO_MS_RE);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return res.body;
}
const feedUrl = (ticket) => `${server.url}/api/v1/events?ticket=${encodeURIComponent(ticket)}`;
const openWithTicket = (ticket, headers = {}) => openSse(feedUrl(ticket), { headers });

test('a ticket opens the person\'s live feed without Authorization, and lives 30 s', async () => {
  const alice = await register(server);
  const space = await createSpace(server, alice, 'Tickets');
  const now = await advanceClock(server, 0);
  const t = await takeTicket(alice);
  const lifetime = Date.parse(t.expiresAt) - now;
  assert.ok(lifetime >= 29_000 && lifetime <= 31_000, `expiresAt ${t.expiresAt} is 30 s from ${now}`);
  const s = await openReady(() => openWithTicket(t.ticket));
  try {
    assert.equal(s.ready.data.userId, alice.userId);
    await sendMessage(server, alice, channelByName(space, 'general').channelId, 'over a ticket');
    await s.next(isMessage('over a ticket'));
  } finally { s.close(); }
});

test('a ticket is single use: the second use is 401', async () => {
  const alice = await register(server);
  const t = await takeTicket(alice);
  const s = await openReady(() => openWithTicket(t.ticket));
  s.close();
  expectError(await openWithTicket(t.ticket), 401, 'unauthorized');
});

test('an expired ticket is 401 (and stays used up)', async () => {
  const alice = await register(server);
  const t = await takeTicket(alice);
  await advanceClock(server, 30_001);
  expectError(await openWithTicket(t.ticket), 401, 'unauthorized');
  // Just inside its 30 s a ticket still works.
  const fresh = await takeTicket(alice);
  await advanceClock(server, 29_000);
  const s = await openReady(() => openWithTicket(fresh.ticket));
  s.close();
});

test('someone else\'s ticket cannot be bound to another session: with Bob\'s session it is 401', async () => {
  const alice = await register(server);
  const bob = await register(server);
  const t = await takeTicket(alice);
  expectError(await openWithTicket(t.ticket, { Authorization: `Bearer ${bob.token}` }), 401, 'unauthorized');
  // That attempt used it up: not even Alice gets in with it afterwards.
  expectError(await openWithTicket(t.ticket), 401, 'unauthorized');
  // With the session it was taken with, header and ticket together are fine.
  const mine = await takeTicket(alice);
  const s = await openReady(() => openWithTicket(mine.ticket, { Authorization: `Bearer ${alice.token}` }));
  assert.equal(s.ready.data.userId, alice.userId);
  s.close();
  // A ticket of one session is not good with another session of the same person either.
  const login = await c.post('/api/v1/auth/login', { username: alice.username, password: alice.password });
  expectStatus(login, 200);
  const other = await takeTicket(alice);
  expectError(await openWithTicket(other.ticket, { Authorization: `Bearer ${login.body.token}` }), 401, 'unauthorized');
});

test('unknown, empty or malformed tickets, no ticket and no header → 401', async () => {
  expectError(await openWithTicket('not-a-ticket'), 401, 'unauthorized');
  expectError(await openWithTicket(''), 401, 'unauthorized');
  expectError(await openWithTicket('x'.repeat(1000)), 401, 'unauthorized');
  expectError(await openSse(`${server.url}/api/v1/events`), 401, 'unauthorized');
});

test('taking a ticket needs a person\'s session (not a bot token, not another ticket)', async () => {
  expectError(await c.post('/api/v1/auth/tickets'), 401, 'unauthorized');
  expectError(await c.post('/api/v1/auth/tickets', undefined, 'nope'), 401, 'unauthorized');
  const alice = await register(server);
  const app = await createApp(server, alice);
  expectError(await c.post('/api/v1/auth/tickets', undefined, bot(app.token)), 401, 'unauthorized');
  const t = await takeTicket(alice);
  expectError(await c.post(`/api/v1/auth/tickets?ticket=${t.ticket}`), 401, 'unauthorized');
  // A ticket is for the live feed only: other routes still want the header.
  expectError(await c.get(`/api/v1/me?ticket=${t.ticket}`), 401, 'unauthorized');
});

// The person's voice socket: the url comes from a join (on a cluster it names the node serving the
// room), ?ticket=&channelId= stands in for ?token=.
async function voiceWorld() {
  const alice = await register(server);
  const space = await createSpace(server, alice, 'Voice tickets');
  const voice = channelByName(space, 'voice').channelId;
  const grant = await joinVoice(server, alice, voice);
  return { alice, space, voice, url: grant.url };
}
const voiceUrl = (url, ticket, channelId) =>
  `${url}?ticket=${encodeURIComponent(ticket)}` + (channelId ? `&channelId=${channelId}` : '');

test('voice socket: a ticket with the channel opens it; the same ticket again is 401', async () => {
  const w = await voiceWorld();
  const t = await takeTicket(w.alice);
  const s = await openAudioReady(voiceUrl(w.url, t.ticket, w.voice));
  try {
    const refused = await refusedUpgrade(voiceUrl(w.url, t.ticket, w.voice));
    assert.equal(refused.status, 401);
  } finally { await s.terminate(); }
});

test('voice socket: without channelId 400 (the ticket is kept); no token and no ticket 401', async () => {
  const w = await voiceWorld();
  const t = await takeTicket(w.alice);
  assert.equal((await refusedUpgrade(voiceUrl(w.url, t.ticket))).status, 400);
  assert.equal((await refusedUpgrade(voiceUrl(w.url, t.ticket, 'not-a-uuid'))).status, 400);
  assert.equal((await refusedUpgrade(w.url)).status, 401);
  assert.equal((await refusedUpgrade(voiceUrl(w.url, 'unknown-ticket', w.voice))).status, 401);
  const s = await openAudioReady(voiceUrl(w.url, t.ticket, w.voice));
  await s.terminate();
});

test('voice socket: an expired ticket is 401; a non-member\'s ticket is 403 and used up', async () => {
  const w = await voiceWorld();
  const t = await takeTicket(w.alice);
  await advanceClock(server, 30_001);
  assert.equal((await refusedUpgrade(voiceUrl(w.url, t.ticket, w.voice))).status, 401);

  const mallory = await register(server);
  const m = await takeTicket(mallory);
  const refused = await refusedUpgrade(voiceUrl(w.url, m.ticket, w.voice));
  assert.equal(refused.status, 403);
  assert.equal(refused.body?.error, 'not_a_member');
  // Even once Mallory is a member, that ticket is spent.
  await joinSpace(server, w.space.spaceId, w.alice, mallory);
  assert.equal((await refusedUpgrade(voiceUrl(w.url, m.ticket, w.voice))).status, 401);
  const fresh = await takeTicket(mallory);
  const s = await openAudioReady(voiceUrl(w.url, fresh.ticket, w.voice));
  await s.terminate();
});

test('sign out (DELETE /api/v1/auth/session) ends that session only; its tickets die with it', async () => {
  const alice = await register(server);
  const login = await c.post('/api/v1/auth/login', { username: alice.username, password: alice.password });
  expectStatus(login, 200);
  const t = await takeTicket(alice);
  expectStatus(await c.del('/api/v1/auth/session', undefined, alice.token), 204);
  expectError(await c.get('/api/v1/me', alice.token), 401, 'unauthorized');
  expectError(await c.del('/api/v1/auth/session', undefined, alice.token), 401, 'unauthorized');
  expectError(await openWithTicket(t.ticket), 401, 'unauthorized');
  // The other session (another device) goes on.
  expectStatus(await c.get('/api/v1/me', login.body.token), 200);
  const other = await c.post('/api/v1/auth/tickets', undefined, login.body.token);
  expectStatus(other, 201);
  const s = await openReady(() => openWithTicket(other.body.ticket));
  s.close();
});
