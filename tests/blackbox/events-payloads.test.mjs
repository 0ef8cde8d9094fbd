// Events stream: the payload of every produced event, every field present (SPEC §4.7, §17;
// DECISIONS §3, §7, §9; CLIENT-API producers). A verified bot with every intent watches a space.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, createApp, installBot, channelByName, sendMessage, joinSpace,
  verifyApp, grant, expectStatus, UUID_RE, ISO_MS_RE, HIGH_RATE_LIMITS, P, TWO_POW_53, big,
  ADJUSTABLE_CLOCK, CLOCK_ADMIN_TOKEN, advanceClock,
} from './harness.mjs';
import { openBotStream, openReady, isEvent, isMessage, notHeartbeat, parseSpaceEventId, parseDirectEventId, hex32 } from './sse.mjs';

const ADMIN = CLOCK_ADMIN_TOKEN; // the operator token the adjustable clock also answers to
let server, c;
let owner, space, sid, general, app, tok, s;

before(async () => {
  server = await startServer({
    env: { ...HIGH_RATE_LIMITS, ...ADJUSTABLE_CLOCK, ARGON_TYPING_EXPIRY_SECONDS: '1' },
  });
  c = api(server);
  owner = await register(server, undefined, { displayName: 'Owner O.' });
  space = await createSpace(server, owner, 'Payloads');
  sid = space.spaceId;
  general = channelByName(space, 'general').channelId;
  app = await createApp(server, owner, { displayName: 'Watcher' });
  await installBot(server, owner, sid, app.appId);
  await verifyApp(server, ADMIN, app.appId);
  tok = { raw: `Bot ${app.token}` };
  // The bot may create channels and send messages.
  await grant(server, owner, sid, app.botUserId, P.ManageChannels | P.SendMessages | P.ViewChannel | P.ReadHistory, 'botperms');
  s = await openReady(() => openBotStream(server, app.token, { intents: 16383 }));
  assert.equal(s.ready.data.intents, 16383);
});
after(async () => { s?.close(); await server?.stop(); });

const keys = (o) => Object.keys(o).sort();
const ENTITY_KEYS = ['type', 'offset', 'length', 'userId', 'archetypeId', 'email', 'hashtag', 'quotedUserId', 'colour',
  'domain', 'path', 'numerator', 'denominator', 'callerId', 'callId', 'durationSeconds', 'inviterId', 'fileName',
  'fileSize', 'contentType', 'width', 'height', 'thumbHash'].sort();
const USER_KEYS = ['avatarUrl', 'displayName', 'flags', 'locale', 'userId', 'username'];

function assertUser(u, expected) {
  assert.deepEqual(keys(u), USER_KEYS, JSON.stringify(u));
  assert.match(u.userId, UUID_RE);
  assert.equal(typeof u.username, 'string');
  assert.equal(typeof u.displayName, 'string');
  assert.ok(u.avatarUrl === null || typeof u.avatarUrl === 'string');
  assert.ok(Number.isInteger(u.flags));
  assert.ok(u.locale === null || /^[a-z]{2,3}$/.test(u.locale), `locale ${u.locale}`);
  for (const [k, v] of Object.entries(expected ?? {})) assert.equal(u[k], v, `user.${k}: ${JSON.stringify(u)}`);
}

function assertSpaceId(f) {
  const id = parseSpaceEventId(f.id);
  assert.ok(id, `space event id: ${f.id}`);
  assert.equal(id.space, hex32(f.data.spaceId), `id ${f.id} names the payload's space`);
}

test('messageCreate (client API): nested message, flattened entities with every field, sender, reply', async () => {
  const m1 = await sendMessage(server, owner, general, 'first');
  const f1 = await s.next(isMessage('first'));
  const text = 'hi @you bold';
  const mid = await sendMessage(server, owner, general, {
    text, replyTo: m1,
    entities: [{ type: 'bold', offset: 8, length: 4 }, { type: 'mention', offset: 3, length: 4, userId: owner.userId }],
  });
  const f = await s.next(isMessage(text));
  assertSpaceId(f);
  assert.equal(f.event, 'messageCreate');
  assert.deepEqual(keys(f.data), ['channelId', 'message', 'spaceId']);
  assert.equal(f.data.spaceId, sid);
  assert.equal(f.data.channelId, general);
  const m = f.data.message;
  assert.deepEqual(keys(m), ['channelId', 'controls', 'entities', 'messageId', 'reactions', 'replyId', 'sender', 'spaceId', 'text', 'timeSent'].sort());
  assert.equal(String(m.messageId), mid);
  assert.ok(big(m.messageId) > TWO_POW_53, `snowflake beyond 2^53: ${m.messageId}`);
  assert.equal(String(m.replyId), m1);
  assert.equal(f1.data.message.replyId, null);
  assert.equal(m.channelId, general);
  assert.equal(m.spaceId, sid);
  assert.equal(m.text, text);
  assert.match(m.timeSent, ISO_MS_RE);
  assert.ok(Math.abs(Date.parse(m.timeSent) - Date.now()) < 60_000);
  assert.equal(m.controls, null);
  assertUser(m.sender, { userId: owner.userId, username: owner.username, displayName: 'Owner O.', flags: 0 });
  assert.equal(m.entities.length, 2);
  for (const e of m.entities) assert.deepEqual(keys(e), ENTITY_KEYS, JSON.stringify(e));
  const bold = m.entities.find((e) => e.offset === 8);
  const mention = m.entities.find((e) => e.offset === 3);
  assert.ok(bold && mention, JSON.stringify(m.entities));
  assert.equal(bold.length, 4);
  assert.equal(bold.userId, null);
  assert.equal(mention.userId, owner.userId);
  assert.equal(mention.length, 4);
  // Enums as the reference writes them (integers): bold = 10, mention = 1.
  assert.ok([10, 'bold'].includes(bold.type), `bold type ${bold.type}`);
  assert.ok([1, 'mention'].includes(mention.type), `mention type ${mention.type}`);
  assert.equal(f.dataText.includes('\n'), false);
});

test('messageCreate (IMessages/Send by the bot): the bot sees its own message; sender flags BOT|VERIFIED; controls rows', async () => {
  const r = await c.post('/IMessages/v1/Send', {
    channelId: general, text: 'bot says', randomId: 42,
    controls: [{ controls: [{ type: 'button', variant: 'callback', label: 'Go', id: 'go' }] }],
  }, tok);
  expectStatus(r, 200);
  const f = await s.next(isMessage('bot says'));
  const m = f.data.message;
  assert.equal(String(m.messageId), String(r.body.messageId));
  assertUser(m.sender, { userId: app.botUserId, username: app.botUsername });
  assert.equal(m.sender.flags & 1, 1, 'BOT flag');
  assert.equal(m.sender.flags & 4, 4, 'VERIFIED flag');
  assert.ok(Array.isArray(m.controls) && m.controls.length === 1, JSON.stringify(m.controls));
  assert.ok(Array.isArray(m.controls[0].controls), 'rows are objects {controls:[…]}');
  assert.equal(m.controls[0].controls[0].label, 'Go');
  assert.deepEqual(m.entities, []);
  assert.equal(m.replyId, null);
});

test('messageEdit: {spaceId, channelId, messageId, text, updatedAt}', async () => {
  const mid = await sendMessage(server, owner, general, 'to edit');
  await s.next(isMessage('to edit'));
  expectStatus(await c.patch(`/api/v1/channels/${general}/messages/${mid}`, { text: 'edited' }, owner.token), 204);
  const f = await s.next(isEvent('messageEdit'));
  assertSpaceId(f);
  assert.deepEqual(keys(f.data), ['channelId', 'messageId', 'spaceId', 'text', 'updatedAt']);
  assert.equal(f.data.spaceId, sid);
  assert.equal(f.data.channelId, general);
  assert.equal(String(f.data.messageId), mid);
  assert.equal(f.data.text, 'edited');
  assert.match(f.data.updatedAt, ISO_MS_RE);
});

test('memberJoin / memberUpdate (profile, archetype) / memberLeave', async () => {
  const bob = await register(server, undefined, { displayName: 'Bob B.' });
  await joinSpace(server, sid, owner, bob);
  const j = await s.next(isEvent('memberJoin'));
  assertSpaceId(j);
  assert.deepEqual(keys(j.data), ['spaceId', 'user']);
  assert.equal(j.data.spaceId, sid);
  assertUser(j.data.user, { userId: bob.userId, username: bob.username, displayName: 'Bob B.', flags: 0 });

  expectStatus(await c.patch(`/api/v1/spaces/${sid}/members/${bob.userId}`, { displayName: 'Bobby' }, bob.token), 204);
  const u = await s.next(isEvent('memberUpdate'));
  assertSpaceId(u);
  assert.deepEqual(keys(u.data), ['spaceId', 'user']);
  assertUser(u.data.user, { userId: bob.userId, username: bob.username });

  const arch = await c.post(`/api/v1/spaces/${sid}/archetypes`, { name: 'member-role' }, owner.token);
  expectStatus(arch, 201);
  await s.next(isEvent('archetypeCreate'));
  expectStatus(await c.put(`/api/v1/spaces/${sid}/members/${bob.userId}/archetypes/${arch.body.archetypeId}`, undefined, owner.token), 204);
  const u2 = await s.next(isEvent('memberUpdate'));
  assert.deepEqual(keys(u2.data), ['spaceId', 'user']);
  assert.equal(u2.data.user.userId, bob.userId);

  expectStatus(await c.del(`/api/v1/spaces/${sid}/members/${bob.userId}`, undefined, bob.token), 204);
  const l = await s.next(isEvent('memberLeave'));
  assertSpaceId(l);
  assert.deepEqual(l.data, { spaceId: sid, userId: bob.userId });
});

test('channelCreate / channelDelete from the client API and from IChannels', async () => {
  const r = await c.post(`/api/v1/spaces/${sid}/channels`, { name: 'news', description: 'about', channelType: 2 }, owner.token);
  expectStatus(r, 201);
  const f = await s.next(isEvent('channelCreate'));
  assertSpaceId(f);
  assert.deepEqual(keys(f.data), ['channel', 'spaceId']);
  assert.equal(f.data.spaceId, sid);
  const ch = f.data.channel;
  assert.deepEqual(keys(ch), ['channelId', 'description', 'name', 'spaceId', 'type']);
  assert.match(ch.channelId, UUID_RE);
  assert.equal(ch.spaceId, sid);
  assert.equal(ch.name, 'news');
  assert.equal(ch.description, 'about');
  assert.equal(ch.type, 2);

  const b = await c.post('/IChannels/v1/Create', { spaceId: sid, name: 'bot-voice', channelType: 'voice' }, tok);
  expectStatus(b, 200);
  const f2 = await s.next(isEvent('channelCreate'));
  assert.deepEqual(f2.data.channel, { channelId: b.body.channelId, spaceId: sid, type: 1, name: 'bot-voice', description: null });

  expectStatus(await c.del(`/api/v1/spaces/${sid}/channels/${ch.channelId}`, undefined, owner.token), 204);
  const d = await s.next(isEvent('channelDelete'));
  assertSpaceId(d);
  assert.deepEqual(d.data, { spaceId: sid, channelId: ch.channelId });

  expectStatus(await c.del(`/IChannels/v1/Delete?spaceId=${sid}&channelId=${b.body.channelId}`, undefined, tok), 200);
  const d2 = await s.next(isEvent('channelDelete'));
  assert.deepEqual(d2.data, { spaceId: sid, channelId: b.body.channelId });
});

test('archetypeCreate / archetypeUpdate: full archetype, permissions null', async () => {
  const r = await c.post(`/api/v1/spaces/${sid}/archetypes`, { name: 'mods', colour: 255, permissions: String(P.KickMember), isMentionable: true }, owner.token);
  expectStatus(r, 201);
  const f = await s.next(isEvent('archetypeCreate'));
  assertSpaceId(f);
  assert.deepEqual(keys(f.data), ['archetype', 'spaceId']);
  assert.deepEqual(f.data.archetype, {
    archetypeId: r.body.archetypeId, spaceId: sid, name: 'mods', colour: 255, isMentionable: true, isDefault: false, permissions: null,
  });
  expectStatus(await c.patch(`/api/v1/spaces/${sid}/archetypes/${r.body.archetypeId}`, { name: 'moderators', colour: 7 }, owner.token), 200);
  const u = await s.next(isEvent('archetypeUpdate'));
  assertSpaceId(u);
  assert.deepEqual(u.data, {
    spaceId: sid,
    archetype: { archetypeId: r.body.archetypeId, spaceId: sid, name: 'moderators', colour: 7, isMentionable: true, isDefault: false, permissions: null },
  });
});

test('typingStart / typingStop: people (kind null) and bots (kind in capitals); Stop and expiry give exactly one typingStop', async () => {
  expectStatus(await c.post(`/api/v1/channels/${general}/typing`, undefined, owner.token), 204);
  const t = await s.next(isEvent('typingStart'));
  assertSpaceId(t);
  assert.deepEqual(t.data, { spaceId: sid, channelId: general, userId: owner.userId, kind: null });
  expectStatus(await c.del(`/api/v1/channels/${general}/typing`, undefined, owner.token), 204);
  const st = await s.next(isEvent('typingStop'));
  assertSpaceId(st);
  assert.deepEqual(st.data, { spaceId: sid, channelId: general, userId: owner.userId });

  expectStatus(await c.post('/ITyping/v1/Start', { channelId: general, kind: 'thinking' }, tok), 200);
  const bt = await s.next(isEvent('typingStart'));
  assert.deepEqual(bt.data, { spaceId: sid, channelId: general, userId: app.botUserId, kind: 'THINKING' });
  expectStatus(await c.post('/ITyping/v1/Start', { channelId: general }, tok), 200);
  const bt2 = await s.next(isEvent('typingStart'));
  assert.equal(bt2.data.kind, 'TYPING');
  // Expiry (1 s here; the test moves the server's clock, and its timers with it) → exactly one
  // typingStop, and not before the expiry: a message sent before the clock moves comes first.
  await sendMessage(server, owner, general, 'before-expiry');
  const early = await s.until(isMessage('before-expiry'));
  assert.ok(!early.some((f) => f.event === 'typingStop'), 'no typingStop before the expiry');
  await advanceClock(server, 1100);
  const exp = await s.next(isEvent('typingStop'), 4000);
  assert.deepEqual(exp.data, { spaceId: sid, channelId: general, userId: app.botUserId });
  // Start + Stop: the Stop cancels the timer (no second stop after the expiry).
  expectStatus(await c.post('/ITyping/v1/Start', { channelId: general, kind: 'uploading' }, tok), 200);
  expectStatus(await c.post('/ITyping/v1/Stop', { channelId: general }, tok), 200);
  await advanceClock(server, 1600); // past the 1 s expiry
  await sendMessage(server, owner, general, 'typing-marker');
  const seen = await s.until(isMessage('typing-marker'));
  assert.deepEqual(seen.filter(notHeartbeat).map((f) => f.event), ['typingStart', 'typingStop', 'messageCreate'],
    seen.map((f) => `${f.event} ${f.dataText}`).join('\n'));
});

test('presenceUpdate from PUT /api/v1/me/presence: {spaceId, user, presence:{status, activity}}', async () => {
  expectStatus(await c.put('/api/v1/me/presence', { status: 4, activity: { kind: 0, titleName: 'Chess' } }, owner.token), 204);
  const f = await s.next(isEvent('presenceUpdate', (x) => x.data.user?.userId === owner.userId));
  assertSpaceId(f);
  assert.deepEqual(keys(f.data), ['presence', 'spaceId', 'user']);
  assert.equal(f.data.spaceId, sid);
  assertUser(f.data.user, { userId: owner.userId });
  assert.deepEqual(keys(f.data.presence), ['activity', 'status']);
  assert.equal(f.data.presence.status, 4);
  const a = f.data.presence.activity;
  assert.ok(a && typeof a === 'object', JSON.stringify(f.data.presence));
  assert.deepEqual(keys(a), ['kind', 'startTimestampSeconds', 'titleName']);
  assert.equal(a.titleName, 'Chess');
  assert.ok([0, 'game'].includes(a.kind), `activity kind ${a.kind}`);
  assert.ok(Number.isInteger(a.startTimestampSeconds) && a.startTimestampSeconds >= 0);

  expectStatus(await c.put('/api/v1/me/presence', { status: 1 }, owner.token), 204);
  const g = await s.next(isEvent('presenceUpdate', (x) => x.data.user?.userId === owner.userId));
  assert.deepEqual(g.data.presence, { status: 1, activity: null });
});

test('botInstallingToSpace / botUninstallingFromSpace: {spaceId}, direct ids', async () => {
  const other = await createSpace(server, owner, 'Elsewhere');
  await installBot(server, owner, other.spaceId, app.appId);
  const i = await s.next(isEvent('botInstallingToSpace'));
  assert.notEqual(parseDirectEventId(i.id), null, i.id);
  assert.deepEqual(i.data, { spaceId: other.spaceId });
  expectStatus(await c.del(`/api/v1/spaces/${other.spaceId}/bots/${app.appId}`, undefined, owner.token), 204);
  const u = await s.next(isEvent('botUninstallingFromSpace'));
  assert.notEqual(parseDirectEventId(u.id), null, u.id);
  assert.deepEqual(u.data, { spaceId: other.spaceId });
});
