// Many nodes, one truth about bots: a token rotated, a bot uninstalled, a bot verified or
// unverified through one node is refused / seen on the other node within 1 s — even though each
// node trusts a checked token for auth.bot_cache_ms (5 s by default, 60 s here so that only an
// invalidation can make the deadline).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, api, bot, expectError, expectStatus, pollUntil } from './harness.mjs';
import { openBotStream, openReady, isEvent } from './sse.mjs';
import { clusterWorld, NO_LIMITS } from './cluster.mjs';

const ADMIN = 'adm-cluster-auth';
const DEADLINE_MS = 1000;
let cluster, A, B;

before(async () => {
  cluster = await startCluster({
    nodes: 2, env: { ...NO_LIMITS, ARGON_ADMIN_TOKEN: ADMIN, ARGON_AUTH_BOT_CACHE_MS: '60000' },
  });
  [A, B] = cluster.nodes;
});
after(async () => { await cluster?.stop(); });

const getMe = (node, token) => api(node).get('/IBotSelf/v1/GetMe', bot(token));

/** Poll `check` (→ truthy when the change is seen) for at most 1 s from `since`. */
async function within1s(since, check, what) {
  await pollUntil(check, { timeoutMs: Math.max(1, since + DEADLINE_MS - Date.now()), intervalMs: 10, what });
  return Date.now() - since;
}

test('token rotated through A: the old token is refused on B within 1 s; the new one works on both', async () => {
  const w = await clusterWorld(A);
  // Both nodes have checked (and cached) the token.
  for (const n of [A, B]) expectStatus(await getMe(n, w.app.token), 200);
  const t0 = Date.now();
  const rot = await api(A).post(`/api/v1/apps/${w.app.appId}/token`, undefined, w.owner.token);
  expectStatus(rot, 200);
  expectError(await getMe(A, w.app.token), 401, 'unauthorized');  // the node that rotated: at once
  await within1s(t0, async () => (await getMe(B, w.app.token)).status === 401, 'B to refuse the rotated token');
  expectError(await getMe(B, w.app.token), 401, 'unauthorized');
  for (const n of [A, B]) expectStatus(await getMe(n, rot.body.token), 200);

  // The other way round, a second time: rotated through B, refused on A.
  for (const n of [A, B]) expectStatus(await getMe(n, rot.body.token), 200);
  const t1 = Date.now();
  const rot2 = await api(B).post(`/api/v1/apps/${w.app.appId}/token`, undefined, w.owner.token);
  expectStatus(rot2, 200);
  await within1s(t1, async () => (await getMe(A, rot.body.token)).status === 401, 'A to refuse the token rotated through B');
  // A stream cannot be opened with it either.
  const s = await openBotStream(A, rot.body.token);
  assert.equal(s.status, 401, s.text);
});

test('bot uninstalled through A: B refuses the bot in that space within 1 s, and its stream on B hears of it', async () => {
  const w = await clusterWorld(A);
  const sendVia = (n, text) => api(n).post('/IMessages/v1/Send', { channelId: w.general, text, randomId: Date.now() }, w.tok);
  expectStatus(await sendVia(B, 'before'), 200);
  const spacesOf = async (n) => (await api(n).get('/IBotSelf/v1/GetSpaces', w.tok)).body;
  const before = await spacesOf(B);
  assert.ok(JSON.stringify(before).includes(w.sid), `GetSpaces on B names the space: ${JSON.stringify(before)}`);
  const s = await openReady(() => openBotStream(B, w.app.token));
  try {
    const t0 = Date.now();
    expectStatus(await api(A).del(`/api/v1/spaces/${w.sid}/bots/${w.app.appId}`, undefined, w.owner.token), 204);
    await within1s(t0, async () => (await sendVia(B, 'after')).status === 403, 'B to refuse a send into the space');
    expectError(await sendVia(B, 'after'), 403, 'not_a_member');
    const after = await spacesOf(B);
    assert.ok(!JSON.stringify(after).includes(w.sid), `GetSpaces on B no longer names the space: ${JSON.stringify(after)}`);
    const un = await s.next(isEvent('botUninstallingFromSpace'), DEADLINE_MS);
    assert.deepEqual(un.data, { spaceId: w.sid });
  } finally { s.close(); }
});

test('verify / unverify through A: B sees the change within 1 s (privileged routes, effective intents)', async () => {
  const w = await clusterWorld(A);
  const members = (n) => api(n).get(`/ISpaces/v1/ListMembers?spaceId=${w.sid}`, w.tok);
  // B checks the bot while it is unverified.
  expectError(await members(B), 403, 'not_verified');
  let s = await openReady(() => openBotStream(B, w.app.token, { intents: 32 | 1 }));
  assert.equal(s.ready.data.intents, 1, 'Presence dropped while unverified');
  s.close();

  const t0 = Date.now();
  expectStatus(await api(A).post(`/api/v1/admin/bots/${w.app.appId}/verify`, undefined, ADMIN), 200);
  await within1s(t0, async () => (await members(B)).status === 200, 'B to treat the bot as verified');
  s = await openReady(() => openBotStream(B, w.app.token, { intents: 32 | 1 }));
  assert.equal(s.ready.data.intents, 33, 'Presence kept once verified (stream on B)');
  s.close();

  const t1 = Date.now();
  expectStatus(await api(A).post(`/api/v1/admin/bots/${w.app.appId}/unverify`, undefined, ADMIN), 200);
  await within1s(t1, async () => (await members(B)).status === 403, 'B to treat the bot as unverified again');
  expectError(await members(B), 403, 'not_verified');
  s = await openReady(() => openBotStream(B, w.app.token, { intents: 32 | 1 }));
  assert.equal(s.ready.data.intents, 1, 'Presence dropped again (stream on B)');
  s.close();
});
