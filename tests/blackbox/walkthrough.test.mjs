// The first-steps walk-through, end to end, as a new operator/developer would do it:
// register → create a space → invite a second person who accepts → create an app →
// install its bot → the bot's GetMe works → people talk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, expectStatus, UUID_RE, BOT_TOKEN_RE, TWO_POW_53, big,
} from './harness.mjs';

let server, c;

before(async () => { server = await startServer(); c = api(server); });
after(async () => { await server?.stop(); });

test('first steps', async () => {
  // 0. The server is up.
  expectStatus(await c.get('/healthz'), 200);

  // 1. Register the first person.
  const reg = await c.post('/api/v1/auth/register', { username: 'ada', password: 'analytical-engine', displayName: 'Ada' });
  expectStatus(reg, 201);
  const ada = reg.body;
  assert.match(ada.userId, UUID_RE);

  // 2. Create a space.
  const sp = await c.post('/api/v1/spaces', { name: 'Engine Room' }, ada.token);
  expectStatus(sp, 201);
  const space = sp.body;
  assert.equal(space.ownerId, ada.userId);
  const general = space.channels.find((ch) => ch.name === 'general' && ch.channelType === 0);
  assert.ok(general, 'general text channel');
  assert.ok(space.channels.find((ch) => ch.name === 'voice' && ch.channelType === 1), 'voice channel');

  // 3. Invite a second person, who registers and accepts.
  const inv = await c.post(`/api/v1/spaces/${space.spaceId}/invites`, undefined, ada.token);
  expectStatus(inv, 201);
  const reg2 = await c.post('/api/v1/auth/register', { username: 'charles', password: 'difference-engine' });
  expectStatus(reg2, 201);
  const charles = reg2.body;
  const acc = await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, charles.token);
  expectStatus(acc, 200);
  assert.equal(acc.body.spaceId, space.spaceId);

  // 4. Create a bot application.
  const ap = await c.post('/api/v1/apps', { name: 'Note Taker', botUsername: 'notes_bot' }, ada.token);
  expectStatus(ap, 201);
  const app = ap.body;
  assert.match(app.token, BOT_TOKEN_RE);
  assert.equal(app.botUsername, 'notes_bot');

  // 5. Install the bot into the space.
  const ins = await c.post(`/api/v1/spaces/${space.spaceId}/bots`, { appId: app.appId }, ada.token);
  expectStatus(ins, 201);

  // 6. The bot's GetMe works, exactly like the Getting Started page shows.
  const me = await c.get('/IBotSelf/v1/GetMe', bot(app.token));
  expectStatus(me, 200);
  assert.deepEqual(me.body, {
    botId: app.appId,
    userId: app.botUserId,
    username: 'notes_bot',
    displayName: 'Note Taker',
    avatarUrl: null,
    email: `${app.appId}+notes_bot@noreply.argon.gl`,
  });

  // 7. Everyone is in the member list.
  const g = await c.get(`/api/v1/spaces/${space.spaceId}`, charles.token);
  expectStatus(g, 200);
  assert.deepEqual(g.body.members.map((m) => m.username).sort(), ['ada', 'charles', 'notes_bot']);

  // 8. The people talk.
  const s1 = await c.post(`/api/v1/channels/${general.channelId}/messages`, { text: 'Hello, Charles!' }, ada.token);
  expectStatus(s1, 201);
  assert.ok(big(s1.body.messageId) > TWO_POW_53);
  const s2 = await c.post(`/api/v1/channels/${general.channelId}/messages`, { text: 'Hello, Ada!', replyTo: s1.body.messageId }, charles.token);
  expectStatus(s2, 201);
  const h = await c.get(`/api/v1/channels/${general.channelId}/messages`, ada.token);
  expectStatus(h, 200);
  assert.deepEqual(h.body.messages.map((m) => m.text), ['Hello, Ada!', 'Hello, Charles!']);
  assert.equal(String(h.body.messages[0].replyTo), String(s1.body.messageId));
});
