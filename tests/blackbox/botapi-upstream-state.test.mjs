// The runtime additions of Bot API 1.9 and the reference after it (UPSTREAM.md §3–§5, docs/bot-api.md
// "Bot API 1.9 runtime additions"): ready.spaces[] with the bot's granted entitlements, voiceState on
// interaction events, X-Argon-Locale → BotUserV1.locale / callIncoming.fromLocale / GET /api/v1/me,
// and the gif entity (type 21) that people may post and bots may not.
//
// Holds in every mode (SQLite, PostgreSQL, cluster): a request that sets a locale and the request that
// reads it back go to the same node (`pinned`), or the value is read in the event the same request
// produced; what another node sees is checked separately (cluster mode only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, createApp, installBot, verifyApp, channelByName,
  getSpace, grant, interactionWorld, registerCommand, expectError, expectStatus, show,
  pollUntil, P, ISO_MS_RE, HIGH_RATE_LIMITS, NODES, big,
} from './harness.mjs';
import { openBotStream, openPersonFeed, openReady, isEvent, isMessage } from './sse.mjs';

const ADMIN = 'bb-upstream-admin';
let server, c;

before(async () => {
  server = await startServer({
    env: { ...HIGH_RATE_LIMITS, ARGON_ADMIN_TOKEN: ADMIN, ARGON_VOICE_JOIN_GRACE_SECONDS: '600' },
  });
  c = api(server);
});
after(async () => { await server?.stop(); });

/** A client bound to one node (the first): a value one request sets is read back there. */
const pinned = () => api(server.urls[0]);
const withLocale = (locale) => ({ headers: { 'X-Argon-Locale': locale } });

// ---- ready ------------------------------------------------------------------------------------

test('ready: {intents, spaceIds, spaces[]}; spaces[] = {spaceId, grantedEntitlements, pendingApproval: false}', async () => {
  const owner = await register(server);
  const app = await createApp(server, owner);
  const a = await createSpace(server, owner, 'A');
  const b = await createSpace(server, owner, 'B');
  await installBot(server, owner, a.spaceId, app.appId);
  await installBot(server, owner, b.spaceId, app.appId);
  const defaultMask = async (space) => {
    const detail = await getSpace(server, owner, space.spaceId);
    return BigInt(detail.archetypes.find((x) => x.isDefault).permissions);
  };
  const readyOf = async () => {
    const s = await openReady(() => openBotStream(server, app.token));
    s.close();
    return s.ready;
  };

  let ready = await readyOf();
  assert.deepEqual(Object.keys(ready.data).sort(), ['intents', 'spaceIds', 'spaces']);
  assert.deepEqual([...ready.data.spaceIds].sort(), [a.spaceId, b.spaceId].sort());
  assert.equal(ready.data.spaces.length, 2);
  for (const space of ready.data.spaces) {
    assert.deepEqual(Object.keys(space).sort(), ['grantedEntitlements', 'pendingApproval', 'spaceId']);
    assert.equal(space.pendingApproval, false);
    const detail = space.spaceId === a.spaceId ? a : b;
    assert.equal(big(space.grantedEntitlements), await defaultMask(detail), JSON.stringify(space));
  }
  assert.deepEqual(ready.data.spaces.map((x) => x.spaceId), ready.data.spaceIds, 'the same spaces, the same order');

  // An archetype with ManageServer (1 << 55, beyond 2^53) given to the bot in A: the mask is the OR,
  // written as an exact JSON integer (not a string, not a float).
  const extra = P.ManageServer | P.KickMember;
  const role = await grant(server, owner, a.spaceId, app.botUserId, extra, 'boss');
  ready = await readyOf();
  const inA = ready.data.spaces.find((x) => x.spaceId === a.spaceId);
  const inB = ready.data.spaces.find((x) => x.spaceId === b.spaceId);
  const expected = (await defaultMask(a)) | extra;
  assert.equal(big(inA.grantedEntitlements), expected);
  assert.equal(big(inB.grantedEntitlements), await defaultMask(b), 'the other space is unchanged');
  assert.ok(ready.dataText.includes(`"grantedEntitlements":${expected}`), ready.dataText);

  // Taken away again: back to the default archetype's mask.
  const un = await c.del(`/api/v1/spaces/${a.spaceId}/members/${app.botUserId}/archetypes/${role.archetypeId}`, undefined, owner.token);
  expectStatus(un, 204);
  ready = await readyOf();
  assert.equal(big(ready.data.spaces.find((x) => x.spaceId === a.spaceId).grantedEntitlements), await defaultMask(a));
  // botEntitlementsUpdated is never sent: the next frame after ready is not one.
  const s = await openReady(() => openBotStream(server, app.token));
  try {
    await c.post(`/api/v1/channels/${channelByName(a, 'general').channelId}/messages`, { text: 'after ready' }, owner.token);
    const f = await s.next(isMessage('after ready'));
    assert.ok(!s.frames.some((x) => x.event === 'botEntitlementsUpdated'), JSON.stringify(s.frames.map((x) => x.event)));
    assert.equal(f.event, 'messageCreate');
  } finally { s.close(); }
});

// ---- voiceState -------------------------------------------------------------------------------

test('voiceState on commandInteraction and controlInteraction: null, then {channelId, joinedAt, state: 0} while in voice in that space', async () => {
  const w = await interactionWorld(server);
  const commandId = await registerCommand(server, w.tok, { name: 'where', description: 'Where am I' });
  const sent = await c.post('/IMessages/v1/Send', {
    channelId: w.general, text: 'press', controls: [{ controls: [{ type: 0, variant: 0, label: 'Go', id: 'go' }] }],
  }, w.tok);
  expectStatus(sent, 200);
  const mid = String(sent.body.messageId);
  // The member's own space, with a voice channel of its own.
  const own = await createSpace(server, w.member, 'Mine');
  const ownVoice = channelByName(own, 'voice').channelId;

  const s = await openReady(() => openBotStream(server, w.app.token));
  const states = async () => {
    const cmd = await c.post(`/api/v1/channels/${w.general}/commands/${commandId}`, {}, w.member.token);
    expectStatus(cmd, 200);
    const f1 = await s.next(isEvent('commandInteraction', (f) => f.data.interactionId === cmd.body.interactionId));
    const click = await c.post(`/api/v1/messages/${mid}/controls/go`, undefined, w.member.token);
    expectStatus(click, 200);
    const f2 = await s.next(isEvent('controlInteraction', (f) => f.data.interactionId === click.body.interactionId));
    assert.ok('voiceState' in f1.data && 'voiceState' in f2.data);
    return [f1.data.voiceState, f2.data.voiceState];
  };
  const join = async (channelId) => {
    const r = await c.post(`/api/v1/channels/${channelId}/voice`, undefined, w.member.token);
    expectStatus(r, 200);
  };
  const leave = async (channelId) => expectStatus(await c.del(`/api/v1/channels/${channelId}/voice`, undefined, w.member.token), 204);
  try {
    assert.deepEqual(await states(), [null, null], 'not in voice');

    await join(ownVoice);
    assert.deepEqual(await states(), [null, null], 'voice in another space does not count');

    const before = Date.now();
    await join(w.voice);
    const [cmd, click] = await states();
    assert.deepEqual(Object.keys(cmd).sort(), ['channelId', 'joinedAt', 'state']);
    assert.equal(cmd.channelId, w.voice);
    assert.equal(cmd.state, 0);
    assert.match(cmd.joinedAt, ISO_MS_RE);
    const joinedAt = Date.parse(cmd.joinedAt);
    assert.ok(joinedAt >= before - 5_000 && joinedAt <= Date.now() + 5_000, `joinedAt ${cmd.joinedAt}`);
    assert.deepEqual(click, cmd, 'the same slot on the button click');
    // Only the interacting person's voice counts: the owner (not in voice) gets null.
    const theirs = await c.post(`/api/v1/channels/${w.general}/commands/${commandId}`, {}, w.owner.token);
    expectStatus(theirs, 200);
    const f = await s.next(isEvent('commandInteraction', (x) => x.data.interactionId === theirs.body.interactionId));
    assert.equal(f.data.voiceState, null);

    await leave(w.voice);
    assert.deepEqual(await states(), [null, null], 'after leaving');
    await leave(ownVoice);
  } finally { s.close(); }
});

// ---- locale -----------------------------------------------------------------------------------

test('X-Argon-Locale: normalised into messageCreate.sender.locale and GET /api/v1/me; an invalid header leaves it', async () => {
  const w = await interactionWorld(server);
  const pc = pinned();
  const s = await openReady(() => openBotStream(server, w.app.token));
  try {
    const quiet = await c.post(`/api/v1/channels/${w.general}/messages`, { text: 'no header' }, w.owner.token);
    expectStatus(quiet, 201);
    const q = await s.next(isMessage('no header'));
    assert.ok('locale' in q.data.message.sender);
    assert.equal(q.data.message.sender.locale, null);

    // The request that carries it already composes with it.
    const r = await pc.post(`/api/v1/channels/${w.general}/messages`, { text: 'olá' }, w.member.token, withLocale('pt-BR'));
    expectStatus(r, 201);
    const f = await s.next(isMessage('olá'));
    assert.equal(f.data.message.sender.locale, 'pt');
    assert.equal(f.data.message.sender.userId, w.member.userId);

    const me = await pc.get('/api/v1/me', w.member.token);
    expectStatus(me, 200);
    assert.deepEqual(Object.keys(me.body).sort(), ['displayName', 'flags', 'locale', 'userId', 'username']);
    assert.equal(me.body.locale, 'pt');
    const other = await pc.get('/api/v1/me', w.owner.token);
    assert.equal(other.body.locale, null);

    // Blank and invalid values change nothing.
    for (const bad of ['1234', 'x', '   ', 'english']) {
      const res = await pc.get('/api/v1/me', w.member.token, withLocale(bad));
      expectStatus(res, 200);
      assert.equal(res.body.locale, 'pt', `after ${JSON.stringify(bad)}`);
    }
    // A later valid one replaces it (the special codes too).
    const jp = await pc.get('/api/v1/me', w.member.token, withLocale(' JP '));
    assert.equal(jp.body.locale, 'ja');
    const again = await pc.post(`/api/v1/channels/${w.general}/messages`, { text: 'again' }, w.member.token);
    expectStatus(again, 201);
    assert.equal((await s.next(isMessage('again'))).data.message.sender.locale, 'ja');
  } finally { s.close(); }
});

test('X-Argon-Locale: interaction user, memberJoin user, and the live feed connect', async () => {
  const w = await interactionWorld(server);
  const commandId = await registerCommand(server, w.tok, { name: 'hello', description: 'Hello' });
  await verifyApp(server, ADMIN, w.app.appId);  // memberJoin needs the privileged Members intent
  const pc = pinned();
  const s = await openReady(() => openBotStream(server, w.app.token, { intents: 16383 }));
  try {
    const r = await pc.post(`/api/v1/channels/${w.general}/commands/${commandId}`, {}, w.member.token, withLocale('ZH_Hant'));
    expectStatus(r, 200);
    const f = await s.next(isEvent('commandInteraction', (x) => x.data.interactionId === r.body.interactionId));
    assert.equal(f.data.user.userId, w.member.userId);
    assert.equal(f.data.user.locale, 'zh');

    // Accepting an invite with the header: memberJoin carries it.
    const carol = await register(server);
    const inv = await pc.post(`/api/v1/spaces/${w.sid}/invites`, undefined, w.owner.token);
    expectStatus(inv, 201);
    const acc = await pc.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, carol.token, withLocale('fil'));
    expectStatus(acc, 200);
    const j = await s.next(isEvent('memberJoin', (x) => x.data.user.userId === carol.userId));
    assert.equal(j.data.user.locale, 'fil');
  } finally { s.close(); }

  // The live feed's connect request counts too.
  const dave = await register(server);
  const feed = await openReady(() => openPersonFeed({ url: server.urls[0] }, dave.token, withLocale('de-AT')));
  feed.close();
  assert.equal((await pc.get('/api/v1/me', dave.token)).body.locale, 'de');
});

test('X-Argon-Locale set through one node is seen by the others (cluster mode)', { skip: NODES < 2 && 'one node' }, async () => {
  const erin = await register(server);
  const set = await api(server.urls[0]).get('/api/v1/me', erin.token, withLocale('it-IT'));
  assert.equal(set.body.locale, 'it');
  await pollUntil(async () => (await api(server.urls[1]).get('/api/v1/me', erin.token)).body.locale === 'it',
    { what: 'the other node to learn the locale' });
});

test('callIncoming.fromLocale: the caller\'s current locale at ring time, else null', async () => {
  const owner = await register(server);
  const app = await createApp(server, owner);
  await verifyApp(server, ADMIN, app.appId);
  const s = await openReady(() => openBotStream(server, app.token, { intents: 4096 }));
  try {
    const carol = await register(server);
    const r = await c.post('/api/v1/calls', { userId: app.botUserId }, carol.token, withLocale('en_tengwar'));
    expectStatus(r, 201);
    const f = await s.next(isEvent('callIncoming', (x) => x.data.callId === r.body.callId));
    assert.deepEqual(f.data, { callId: r.body.callId, fromUserId: carol.userId, fromLocale: 'en' });
    expectStatus(await c.del(`/api/v1/calls/${r.body.callId}`, undefined, carol.token), 204);

    const dave = await register(server);
    const r2 = await c.post('/api/v1/calls', { userId: app.botUserId }, dave.token);
    expectStatus(r2, 201);
    const f2 = await s.next(isEvent('callIncoming', (x) => x.data.callId === r2.body.callId));
    assert.deepEqual(f2.data, { callId: r2.body.callId, fromUserId: dave.userId, fromLocale: null });
    expectStatus(await c.del(`/api/v1/calls/${r2.body.callId}`, undefined, dave.token), 204);
  } finally { s.close(); }
});

// ---- gif --------------------------------------------------------------------------------------

const GIF = { type: 21, offset: 0, length: 3, gifId: 'tenor-42', hmac: '9f86d081884c7d65', width: 320, height: 240 };

test('gif entity (21): a bot cannot send it (400 validation_error naming the entity)', async () => {
  const w = await interactionWorld(server);
  for (const entity of [GIF, { ...GIF, type: 'gif' }, { ...GIF, type: 'GIF', previewUrl: 'https://p.example/x.gif' }]) {
    const r = await c.post('/IMessages/v1/Send', { channelId: w.general, text: 'gif', entities: [entity] }, w.tok);
    expectError(r, 400, 'validation_error', 'entities[0]');
    assert.match(r.body.message, /gif/i, show(r));
  }
  const reply = await c.post('/IInteractions/v1/Reply', { channelId: w.general, text: 'gif', entities: [{ type: 10, offset: 0, length: 1 }, GIF] }, w.tok);
  expectError(reply, 400, 'validation_error', 'entities[1]');
  const history = await c.get(`/IMessages/v1/History?channelId=${w.general}`, w.tok);
  expectStatus(history, 200);
  assert.ok(!history.body.messages.some((m) => m.text === 'gif'), 'nothing was sent');
});

test('gif entity (21): people post the union form; History echoes it, messageCreate flattens it', async () => {
  const w = await interactionWorld(server);
  const s = await openReady(() => openBotStream(server, w.app.token));
  try {
    const full = { ...GIF, version: 1, fileId: '0f8fad5b-d9cb-469f-a165-70867728950e', previewUrl: 'https://media.example/p.gif' };
    const r = await c.post(`/api/v1/channels/${w.general}/messages`, { text: 'lol', entities: [full] }, w.member.token);
    expectStatus(r, 201);
    const f = await s.next(isMessage('lol'));
    const flat = f.data.message.entities[0];
    assert.equal(flat.type, 21);
    assert.equal(flat.width, 320);
    assert.equal(flat.height, 240);
    assert.equal(flat.fileName, null);
    assert.ok(!('gifId' in flat), JSON.stringify(flat));

    const h = await c.get(`/IMessages/v1/History?channelId=${w.general}`, w.tok);
    expectStatus(h, 200);
    const m = h.body.messages.find((x) => String(x.messageId) === String(r.body.messageId));
    assert.ok(m, show(h));
    assert.deepEqual(m.entities, [{ type: 21, offset: 0, length: 3, version: 1, gifId: 'tenor-42', hmac: '9f86d081884c7d65', fileId: full.fileId, width: 320, height: 240, previewUrl: full.previewUrl }]);
    const people = await c.get(`/api/v1/channels/${w.general}/messages`, w.owner.token);
    assert.deepEqual(people.body.messages.find((x) => String(x.messageId) === String(r.body.messageId)).entities, m.entities);

    // Optional fields absent → null.
    const bare = await c.post(`/api/v1/channels/${w.general}/messages`, { text: 'bare', entities: [{ ...GIF, type: 'gif' }] }, w.member.token);
    expectStatus(bare, 201);
    const h2 = await c.get(`/api/v1/channels/${w.general}/messages`, w.owner.token);
    const b = h2.body.messages.find((x) => String(x.messageId) === String(bare.body.messageId)).entities[0];
    assert.equal(b.fileId, null);
    assert.equal(b.previewUrl, null);
    assert.equal(b.version, 0);
  } finally { s.close(); }
  // Validation of the extras.
  const cases = [
    [{ ...GIF, hmac: undefined }, 'hmac'],
    [{ ...GIF, gifId: '' }, 'gifId'],
    [{ ...GIF, width: 0 }, 'width'],
    [{ ...GIF, height: undefined }, 'height'],
    [{ ...GIF, previewUrl: 'javascript:alert(1)' }, 'previewUrl'],
    [{ ...GIF, fileId: 'nope' }, 'fileId'],
    [{ ...GIF, length: 9 }, 'length'],
  ];
  for (const [entity, field] of cases) {
    const r = await c.post(`/api/v1/channels/${w.general}/messages`, { text: 'bad', entities: [entity] }, w.member.token);
    expectError(r, 400, 'validation_error', `entities[0].${field}`);
  }
});
