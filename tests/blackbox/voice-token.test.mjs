// IVoice/v1/StreamToken (SPEC.md §11.1, §16 IVoice; DECISIONS.md §10): the 200 shape and its HS256
// JWT, the errors in order (not_a_member, channel_not_found, missing_permission, not_voice_channel),
// and the audio sockets refusing missing, forged, tampered and expired tokens with HTTP 401 before
// the upgrade.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  startServer, api, botWorld, grant, setArchetypePermissions, expectError, expectStatus, show,
  HIGH_RATE_LIMITS, DEFAULT_PERMISSIONS, P, UNKNOWN_UUID, UUID_RE,
  decodeJwt, signJwt, b64url, openAudioReady, refusedUpgrade, streamToken, expectNodeUrl,
} from './harness.mjs';

const SECRET = 'blackbox-voice-secret-0123456789abcdef';
let server, c;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ARGON_VOICE_JWT_SECRET: SECRET } });
  c = api(server);
});
after(async () => { await server?.stop(); });

const tokenUrl = (base, path, token, extra = '') => `${base}${path}?token=${encodeURIComponent(token)}${extra}`;

test('StreamToken → {token, ingressUrl, roomName}: HS256 JWT for the bot, 2 h, room {spaceId}/{channelId}', async () => {
  const w = await botWorld(server);
  const t0 = Math.floor(Date.now() / 1000);
  const res = await c.post('/IVoice/v1/StreamToken', { spaceId: w.sid, channelId: w.voice }, w.tok);
  const t1 = Math.ceil(Date.now() / 1000);
  expectStatus(res, 200);
  assert.match(String(res.headers.get('content-type')), /application\/json/);
  assert.deepEqual(Object.keys(res.body).sort(), ['ingressUrl', 'roomName', 'token'], show(res));
  expectNodeUrl(server, res.body.ingressUrl);
  assert.equal(res.body.roomName, `${w.sid}/${w.voice}`);

  const { token } = res.body;
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'three base64url parts, no padding');
  const jwt = decodeJwt(token);
  assert.deepEqual(jwt.header, { alg: 'HS256', typ: 'JWT' });
  const p = jwt.payload;
  assert.equal(p.sub, w.botUserId, `sub: ${jwt.payloadText}`);
  assert.ok(Number.isInteger(p.iat) && p.iat >= t0 - 2 && p.iat <= t1 + 2, `iat ${p.iat} not in [${t0}, ${t1}]`);
  assert.equal(p.exp - p.iat, 7200, `exp = iat + 7200: ${jwt.payloadText}`);
  if (p.nbf !== undefined) assert.ok(p.nbf <= t1 + 2, `nbf ${p.nbf}`);
  assert.equal(typeof p.video, 'object', jwt.payloadText);
  assert.equal(p.video.room, res.body.roomName);
  assert.equal(p.video.roomJoin, true, jwt.payloadText);
  assert.equal(p.video.canPublish, true, jwt.payloadText);
  assert.equal(p.video.canSubscribe, true, jwt.payloadText);
  // HS256 signature: 32 bytes.
  assert.equal(Buffer.from(jwt.signature, 'base64url').length, 32);

  // A second token for the same channel is just as good; both open the ingress.
  const again = await streamToken(server, w.tok, w.sid, w.voice);
  assert.equal(again.roomName, res.body.roomName);
  const s = await openAudioReady(tokenUrl(res.body.ingressUrl, '/audio/connect', token));
  await s.close();
});

test('the token is HMAC-SHA256-signed with voice.jwt_secret (ARGON_VOICE_JWT_SECRET)', async () => {
  const w = await botWorld(server);
  const { token } = await streamToken(server, w.tok, w.sid, w.voice);
  const jwt = decodeJwt(token);
  const expected = crypto.createHmac('sha256', SECRET).update(jwt.signingInput).digest('base64url');
  assert.equal(jwt.signature, expected);
});

test('the bare ingress URL (${ingressUrl}/?token=…) is /audio/connect (the docs\' sample)', async () => {
  const w = await botWorld(server);
  const g = await streamToken(server, w.tok, w.sid, w.voice);
  const s = await openAudioReady(tokenUrl(g.ingressUrl, '/', g.token));
  assert.ok(s.isOpen());
  await s.close();
});

test('errors in order: not_a_member, channel_not_found, not_voice_channel; unauthenticated 401; bad body 400', async () => {
  const w = await botWorld(server);
  const otherVoice = w.other.channels.find((ch) => ch.name === 'voice').channelId;
  const st = (body, tok = w.tok) => c.post('/IVoice/v1/StreamToken', body, tok);

  // Not a member of the space: first, even though the channel exists (in that space).
  expectError(await st({ spaceId: w.other.spaceId, channelId: otherVoice }), 403, 'not_a_member');
  expectError(await st({ spaceId: w.other.spaceId, channelId: w.general }), 403, 'not_a_member');
  expectError(await st({ spaceId: UNKNOWN_UUID, channelId: w.voice }), 403, 'not_a_member');
  // A member, but the channel is not in that space (or does not exist).
  expectError(await st({ spaceId: w.sid, channelId: otherVoice }), 404, 'channel_not_found');
  expectError(await st({ spaceId: w.sid, channelId: UNKNOWN_UUID }), 404, 'channel_not_found');
  // A text channel.
  expectError(await st({ spaceId: w.sid, channelId: w.general }), 400, 'not_voice_channel');

  expectError(await st({ spaceId: w.sid, channelId: w.voice }, null), 401, 'unauthorized');
  expectStatus(await st({ spaceId: w.sid }), 400);
  expectStatus(await st({ channelId: w.voice }), 400);
  expectStatus(await st({ spaceId: 'nope', channelId: w.voice }), 400);
});

test('missing ConnectVoice → 403 missing_permission (after channel_not_found, before not_voice_channel)', async () => {
  const w = await botWorld(server);
  const st = (channelId) => c.post('/IVoice/v1/StreamToken', { spaceId: w.sid, channelId }, w.tok);
  expectStatus(await st(w.voice), 200); // the default archetype has Connect (1<<20)
  await setArchetypePermissions(server, w.owner, w.sid, w.space.defaultArchetypeId, DEFAULT_PERMISSIONS & ~P.Connect);

  expectError(await st(w.voice), 403, 'missing_permission');
  expectError(await st(w.general), 403, 'missing_permission');
  expectError(await st(UNKNOWN_UUID), 404, 'channel_not_found');

  // Granted back through another archetype (1<<20 = 1048576).
  await grant(server, w.owner, w.sid, w.botUserId, P.Connect, 'voice');
  expectStatus(await st(w.voice), 200);
  expectError(await st(w.general), 400, 'not_voice_channel');
});

// ---------------------------------------------------------------------------------------------
// Tokens at the socket

function expect401(r, what) {
  assert.equal(r.status, 401, `${what}: expected HTTP 401 before the upgrade, got ${r.status} ${r.text}`);
  assert.ok(r.body && typeof r.body === 'object' && typeof r.body.error === 'string',
    `${what}: JSON error body expected, got ${r.text}`);
  assert.match(String(r.headers['content-type']), /application\/json/i, `${what}: content-type`);
}

test('every audio endpoint refuses a missing or empty token with 401 JSON', async () => {
  const base = `ws://127.0.0.1:${server.port}`;
  const target = `&target_identity=${UNKNOWN_UUID}`;
  for (const [path, extra] of [['/audio/connect', ''], ['/audio/subscribe', target], ['/audio/duplex', target],
    ['/audio/voice', ''], ['/', '']]) {
    expect401(await refusedUpgrade(`${base}${path}${extra ? `?${extra.slice(1)}` : ''}`), `${path} without token`);
    expect401(await refusedUpgrade(`${base}${path}?token=${extra}`), `${path} with an empty token`);
  }
});

test('forged, tampered, alg-tampered and expired tokens are refused with 401; a well-signed one opens', async () => {
  const w = await botWorld(server);
  const g = await streamToken(server, w.tok, w.sid, w.voice);
  const jwt = decodeJwt(g.token);
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'HS256', typ: 'JWT' };
  const claims = (over = {}) => ({ ...jwt.payload, ...over });
  const [h64, , s64] = jwt.parts;

  const bad = {
    'garbage': 'not-a-jwt',
    'two parts': `${h64}.${jwt.parts[1]}`,
    'payload tampered (sub), signature kept': `${h64}.${b64url(JSON.stringify(claims({ sub: UNKNOWN_UUID })))}.${s64}`,
    'payload tampered (room), signature kept':
      `${h64}.${b64url(JSON.stringify(claims({ video: { ...jwt.payload.video, room: `${w.other.spaceId}/${w.voice}` } })))}.${s64}`,
    'signature truncated': g.token.slice(0, -2),
    'signature of another secret': signJwt(header, claims(), 'not-the-secret'),
    'alg none, empty signature': `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${jwt.parts[1]}.`,
    'alg none, original signature': `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${jwt.parts[1]}.${s64}`,
    'alg HS384 (signed with the secret)': signJwt({ alg: 'HS384', typ: 'JWT' }, claims(), SECRET, 'sha384'),
    'alg HS512 (signed with the secret)': signJwt({ alg: 'HS512', typ: 'JWT' }, claims(), SECRET, 'sha512'),
    'expired (signed with the secret)': signJwt(header, claims({ iat: now - 7300, nbf: now - 7300, exp: now - 100 }), SECRET),
  };
  for (const [what, token] of Object.entries(bad)) {
    expect401(await refusedUpgrade(tokenUrl(g.ingressUrl, '/audio/connect', token)), what);
  }
  // The same refusals on the listening endpoints.
  for (const what of ['signature of another secret', 'expired (signed with the secret)', 'alg none, empty signature']) {
    for (const path of ['/audio/subscribe', '/audio/duplex']) {
      expect401(await refusedUpgrade(tokenUrl(g.ingressUrl, path, bad[what], `&target_identity=${w.botUserId}`)), `${path}: ${what}`);
    }
    expect401(await refusedUpgrade(tokenUrl(g.ingressUrl, '/', bad[what])), `/: ${what}`);
  }

  // Control: the same claims, re-signed with the right secret and a future exp, are accepted — so
  // the refusals above are about the forgery, not about how this test builds tokens.
  const fresh = signJwt(header, claims({ iat: now, nbf: now - 1, exp: now + 600 }), SECRET);
  const s = await openAudioReady(tokenUrl(g.ingressUrl, '/audio/connect', fresh));
  await s.close();
  // And the server's own token, unmodified.
  const s2 = await openAudioReady(tokenUrl(g.ingressUrl, '/audio/connect', g.token));
  await s2.close();
});

test('a token signed by another server (another generated secret) is refused', async () => {
  // A second, independent server generates its own secret; its tokens mean nothing here.
  const other = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  try {
    const w2 = await botWorld(other);
    const g2 = await streamToken(other, w2.tok, w2.sid, w2.voice);
    assert.match(decodeJwt(g2.token).payload.sub, UUID_RE);
    expect401(await refusedUpgrade(tokenUrl(`ws://127.0.0.1:${server.port}`, '/audio/connect', g2.token)), 'foreign token');
    const s = await openAudioReady(tokenUrl(g2.ingressUrl, '/audio/connect', g2.token));
    await s.close();
  } finally {
    await other.stop();
  }
});
