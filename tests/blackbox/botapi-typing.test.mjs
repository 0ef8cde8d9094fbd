// Bot API: ITyping/v1 Start, Stop (SPEC §10, §16 ITyping; DECISIONS §2, §5, §9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, grant, setArchetypePermissions, botWorld, expectError, expectStatus,
  expectEmpty200, UNKNOWN_UUID, HIGH_RATE_LIMITS, DEFAULT_PERMISSIONS, P,
} from './harness.mjs';

let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

const start = (w, body, tok = w.tok) => c.post('/ITyping/v1/Start', body, tok);
const stop = (w, body, tok = w.tok) => c.post('/ITyping/v1/Stop', body, tok);

test('Start → 200 with an empty body (kind optional); Stop → 200 empty', async () => {
  const w = await botWorld(server);
  const r = await start(w, { channelId: w.general });
  expectEmpty200(r);
  expectEmpty200(await start(w, { channelId: w.general })); // refresh
  expectEmpty200(await stop(w, { channelId: w.general }));
  expectEmpty200(await stop(w, { channelId: w.general })); // stop when not typing is fine
  expectEmpty200(await c.post('/api/bot/ityping/v1/start', { channelId: w.general }, w.tok));
  expectEmpty200(await c.post(`/${w.app.token}/ITyping/v1/Stop`, { channelId: w.general }));
});

test('Start: every supported kind, matched case-insensitively; null kind = typing', async () => {
  const w = await botWorld(server);
  for (const kind of ['typing', 'thinking', 'uploading', 'searching', 'TYPING', 'Thinking', 'UpLoAdInG', 'SEARCHING', null]) {
    expectEmpty200(await start(w, { channelId: w.general, kind }));
  }
});

test('Start: unknown kind → 400 invalid_kind with the documented message', async () => {
  const w = await botWorld(server);
  for (const kind of ['dancing', 'TYPE', 'typing_fast']) {
    const r = await start(w, { channelId: w.general, kind });
    expectError(r, 400, 'invalid_kind');
    assert.equal(r.body.message, `Unknown typing kind '${kind}'. Supported: typing, thinking, uploading, searching.`);
  }
});

test('Start: kind of a wrong type → 400 (validation_error or invalid_kind)', async () => {
  const w = await botWorld(server);
  for (const kind of [5, true, ['typing'], { k: 1 }]) {
    const r = await start(w, { channelId: w.general, kind });
    expectError(r, 400, ['validation_error', 'invalid_kind'], 'kind');
  }
});

test('Start/Stop: missing or malformed channelId, malformed JSON → 400 validation_error', async () => {
  const w = await botWorld(server);
  for (const fn of [start, stop]) {
    expectError(await fn(w, {}), 400, 'validation_error', 'channelId');
    expectError(await fn(w, { channelId: 'nope' }), 400, 'validation_error', 'channelId');
    expectError(await fn(w, { channelId: 12 }), 400, 'validation_error', 'channelId');
    expectError(await fn(w, { channelId: null }), 400, 'validation_error', 'channelId');
  }
  for (const p of ['/ITyping/v1/Start', '/ITyping/v1/Stop']) {
    expectError(await c.post(p, undefined, w.tok, { rawBody: '{"channelId":' }), 400, 'validation_error');
    expectError(await c.post(p, undefined, w.tok, { rawBody: '[]' }), 400, 'validation_error');
    expectError(await c.post(p, undefined, w.tok), 400, 'validation_error');
  }
});

test('Start/Stop: unknown channel → 404 channel_not_found; foreign channel → 403 not_a_member', async () => {
  const w = await botWorld(server);
  const foreign = w.other.channels[0].channelId;
  for (const fn of [start, stop]) {
    expectError(await fn(w, { channelId: UNKNOWN_UUID }), 404, 'channel_not_found');
    expectError(await fn(w, { channelId: foreign }), 403, 'not_a_member');
  }
  expectError(await start(w, { channelId: foreign, kind: 'typing' }), 403, 'not_a_member');
});

test('Start on a voice channel → 400 not_text_channel', async () => {
  const w = await botWorld(server);
  expectError(await start(w, { channelId: w.voice }), 400, 'not_text_channel');
});

test('Start without SendMessages → 403 missing_permission naming SendMessages; Stop needs no permission', async () => {
  const w = await botWorld(server);
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS & ~P.SendMessages);
  expectError(await start(w, { channelId: w.general }), 403, 'missing_permission', 'SendMessages');
  expectError(await start(w, { channelId: w.general, kind: 'thinking' }), 403, 'missing_permission', 'SendMessages');
  expectEmpty200(await stop(w, { channelId: w.general }));
  // existence before permission
  expectError(await start(w, { channelId: UNKNOWN_UUID }), 404, 'channel_not_found');
  await grant(server, w.owner, w.sid, w.botUserId, P.SendMessages, 'talkers');
  expectEmpty200(await start(w, { channelId: w.general }));
});

test('Start/Stop: no token → 401; GET → 405 with Allow: POST', async () => {
  const w = await botWorld(server);
  for (const p of ['/ITyping/v1/Start', '/ITyping/v1/Stop']) {
    expectError(await c.post(p, { channelId: w.general }), 401, 'unauthorized');
    const r = await c.get(p, w.tok);
    expectError(r, 405, 'method_not_allowed');
    assert.match(String(r.headers.get('allow')), /POST/i);
  }
});

test('Start: the people\'s typing route still works alongside (sanity)', async () => {
  const w = await botWorld(server);
  expectStatus(await c.post(`/api/v1/channels/${w.general}/typing`, undefined, w.owner.token), 204);
  expectEmpty200(await start(w, { channelId: w.general, kind: 'searching' }));
});
