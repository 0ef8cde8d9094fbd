// Bot API metadata and routing: GET /api/bot/, the 37-route table of Bot API 1.9.0 plus the
// undocumented SubscribeCallTrack (401 without a token, 405 on a wrong method), 404 for unknown
// names and versions (SPEC §1, §19.1–3; DECISIONS §1, §2; UPSTREAM §1, §2.8).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, bot, register, createApp, botWorld, expectError, expectStatus, show,
  HIGH_RATE_LIMITS,
} from './harness.mjs';

let server, c, app, w;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
  const dev = await register(server);
  app = await createApp(server, dev);
  w = await botWorld(server, { owner: dev });
});
after(async () => { await server?.stop(); });

// SPEC §1.2, UPSTREAM §1 (api-manifest-latest.json): name → [latestVersion, contract hash]
const INTERFACES = {
  IArchetypes: [1, '54ffb425be28ff6fa8e95632cda1e1e63919a8b110d2aafb9b6f3c493e24266e'],
  IBotSelf: [1, '6e0e64decfe0f7b185bdb5e6b92dacbba557e5a9dd72e0c29b8c6e5094ea819b'],
  ICalls: [20260401, 'f5765d99a3caef2c8054c653a9cd2bda7bdb9361e5ff0e3d32063efae3358c6a'],
  IChannels: [1, '0fe77bb6a54be4f1494413f214690ba904602c7a5b4637bdbc3a4a12237fc1b2'],
  ICommands: [1, '9287d91b57d858e8f8d10a5d3fb4a5dde39adf9af17a33da4e41517d15fc365e'],
  IEvents: [1, 'a2ad75fa17aa104019b95ac85beb1f65ccdf7d704af92b4bb4331866746cc4b4'],
  IInteractions: [1, '3a08148ef4f12b63d7b58dbda29862a91ee4d09789d33f504910071fe527117f'],
  IMembers: [1, '523eb9321577603b796012867277baad830afaf46b0c121f03864f25a9c17b85'],
  IMessages: [1, 'bd1b0ab376c3db85c5c8932b02b13938e0e6de5e69662afc928869bf3b54eba6'],
  IReactions: [1, 'a192cbc985de63a76e4a7cd0413a774327a667ba5d44cf9eb81c579f448e7807'],
  ISpaces: [1, '4e98c00f57070e7d70cce6ccbac2c6488f62cc11c1fcf7623bfeb327d9a1adc6'],
  ITyping: [1, '1665131832ec0d80955b84f0c1508d9ee8c83332b1c012885d2c79b5ac166c21'],
  IVoice: [1, 'b310f9ba915b4ab2089eabfb5c83c6ea2bb35b096fe0e4df4d782b004370533e'],
  IVoiceEgress: [20260401, 'cb54113872d629de589639e5b71b5d6f53c28d0980aa747bc0add5a6b21d0b99'],
};

// The 37 routes of api-manifest-latest.json, [method, path]
const CONTRACT_ROUTES = [
  ['GET', '/IArchetypes/v1/Get'], ['GET', '/IArchetypes/v1/List'], ['GET', '/IArchetypes/v1/ListMembers'],
  ['GET', '/IBotSelf/v1/GetMe'], ['GET', '/IBotSelf/v1/GetSpaces'],
  ['POST', '/ICalls/v20260401/Accept'], ['POST', '/ICalls/v20260401/Reject'], ['GET', '/ICalls/v20260401/Ringing'],
  ['POST', '/IChannels/v1/Create'], ['DELETE', '/IChannels/v1/Delete'], ['GET', '/IChannels/v1/List'],
  ['DELETE', '/ICommands/v1/Delete'], ['GET', '/ICommands/v1/List'], ['GET', '/ICommands/v1/ListForSpace'],
  ['POST', '/ICommands/v1/Register'], ['PATCH', '/ICommands/v1/Update'],
  ['GET', '/IEvents/v1/Stream'],
  ['POST', '/IInteractions/v1/Ack'], ['POST', '/IInteractions/v1/Defer'], ['PATCH', '/IInteractions/v1/EditMessage'],
  ['POST', '/IInteractions/v1/Modal'], ['POST', '/IInteractions/v1/Reply'],
  ['POST', '/IMembers/v1/Kick'],
  ['GET', '/IMessages/v1/History'], ['POST', '/IMessages/v1/Send'],
  ['POST', '/IReactions/v1/Add'], ['POST', '/IReactions/v1/BatchGet'], ['GET', '/IReactions/v1/List'],
  ['DELETE', '/IReactions/v1/Remove'],
  ['GET', '/ISpaces/v1/Get'], ['GET', '/ISpaces/v1/GetMember'], ['GET', '/ISpaces/v1/ListMembers'],
  ['POST', '/ITyping/v1/Start'], ['POST', '/ITyping/v1/Stop'],
  ['POST', '/IVoice/v1/StreamToken'],
  ['POST', '/IVoiceEgress/v20260401/SubscribeTrack'], ['DELETE', '/IVoiceEgress/v20260401/UnsubscribeTrack'],
];
// Left the ICalls contract in 1.8.0 but still answered (UPSTREAM §2.8).
const UNDOCUMENTED_ROUTES = [['POST', '/ICalls/v20260401/SubscribeCallTrack']];
const ROUTES = [...CONTRACT_ROUTES, ...UNDOCUMENTED_ROUTES];

const bodyFor = (method) => (method === 'GET' ? undefined : {});

// ---------------------------------------------------------------------------------------------
// GET /api/bot/

test('GET /api/bot/ (anonymous) lists the 14 interfaces of Bot API 1.9.0 with versions, urls and contract hashes', async () => {
  const r = await c.get('/api/bot/');
  expectStatus(r, 200);
  assert.match(String(r.headers.get('content-type')), /application\/json/i);
  assert.ok(r.body && Array.isArray(r.body.interfaces), show(r));
  assert.deepEqual(Object.keys(r.body), ['interfaces']);
  assert.deepEqual(r.body.interfaces.map((i) => i.name).sort(), Object.keys(INTERFACES).sort());
  for (const itf of r.body.interfaces) {
    const [latest, hash] = INTERFACES[itf.name];
    assert.deepEqual(Object.keys(itf).sort(), ['latestVersion', 'name', 'versions'], JSON.stringify(itf));
    assert.equal(itf.latestVersion, latest, `${itf.name} latestVersion`);
    assert.ok(Array.isArray(itf.versions) && itf.versions.length >= 1, `${itf.name} versions`);
    for (const v of itf.versions) {
      assert.deepEqual(Object.keys(v).sort(), ['hash', 'isDeprecated', 'sunsetDate', 'url', 'version'], JSON.stringify(v));
      assert.equal(v.url, `/api/bot/${itf.name}/v${v.version}`);
      assert.match(v.hash, /^[0-9a-f]{64}$/);
    }
    const v = itf.versions.find((x) => x.version === latest);
    assert.ok(v, `${itf.name} lists its latest version ${latest}`);
    assert.equal(v.isDeprecated, false, itf.name);
    assert.equal(v.sunsetDate, null, itf.name);
    assert.equal(v.hash, hash, `${itf.name} contract hash`);
  }
  const reactions = r.body.interfaces.find((i) => i.name === 'IReactions');
  assert.deepEqual(reactions.versions.map((v) => [v.version, v.hash]),
    [[1, 'a192cbc985de63a76e4a7cd0413a774327a667ba5d44cf9eb81c579f448e7807']]);
});

test('GET /api/bot/ needs no token and ignores one; POST → 405', async () => {
  const anon = await c.get('/api/bot/');
  const withBot = await c.get('/api/bot/', bot(app.token));
  const withGarbage = await c.get('/api/bot/', bot('garbage'));
  expectStatus(withBot, 200);
  expectStatus(withGarbage, 200);
  assert.deepEqual(withBot.body, anon.body);
  assert.deepEqual(withGarbage.body, anon.body);
  const r = await c.post('/api/bot/', {});
  expectError(r, 405, 'method_not_allowed');
  assert.match(String(r.headers.get('allow')), /GET/i);
});

test('the listed urls and hashes agree with the routes that are served', async () => {
  const r = await c.get('/api/bot/');
  expectStatus(r, 200);
  const self = r.body.interfaces.find((i) => i.name === 'IBotSelf');
  const me = await c.get(`${self.versions[0].url}/GetMe`, bot(app.token));
  expectStatus(me, 200);
  assert.equal(me.body.botId, app.appId);
});

// ---------------------------------------------------------------------------------------------
// 401 and 405 across the route table

test(`all ${ROUTES.length} routes answer 401 unauthorized without a token (both prefixes)`, async () => {
  assert.equal(CONTRACT_ROUTES.length, 37);
  const failures = [];
  for (const [method, p] of ROUTES) {
    for (const prefix of ['', '/api/bot']) {
      const r = await c.request(method, prefix + p, bodyFor(method));
      if (r.status !== 401 || r.body?.error !== 'unauthorized') failures.push(`${method} ${prefix}${p}: ${show(r)}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('all routes answer 401 with a garbage or person token', async () => {
  const person = await register(server);
  const failures = [];
  for (const [method, p] of ROUTES) {
    for (const auth of [bot('garbage'), bot(person.token), person.token]) {
      const r = await c.request(method, p, bodyFor(method), auth);
      if (r.status !== 401 || r.body?.error !== 'unauthorized') failures.push(`${method} ${p} ${JSON.stringify(auth)}: ${show(r)}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('all routes answer 405 method_not_allowed with Allow for a wrong method', async () => {
  const failures = [];
  for (const [method, p] of ROUTES) {
    const wrong = method === 'GET' ? ['POST', 'DELETE'] : ['GET', method === 'PATCH' ? 'POST' : 'PUT'];
    for (const m of wrong) {
      const r = await c.request(m, p, bodyFor(m), bot(app.token));
      const allow = String(r.headers.get('allow')).split(',').map((s) => s.trim().toUpperCase());
      if (r.status !== 405 || r.body?.error !== 'method_not_allowed' || !allow.includes(method)) {
        failures.push(`${m} ${p}: Allow "${r.headers.get('allow')}" ${show(r)}`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('route names match case-insensitively on every interface (no token → 401, not 404)', async () => {
  const failures = [];
  for (const [method, p] of ROUTES) {
    for (const variant of [p.toLowerCase(), p.toUpperCase().replace(/\/V(\d+)\//, '/v$1/')]) {
      const r = await c.request(method, variant, bodyFor(method));
      if (r.status !== 401) failures.push(`${method} ${variant}: ${show(r)}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('path-token forms work on the new routes', async () => {
  const tok = w.app.token;
  for (const p of [`/${tok}/IChannels/v1/List?spaceId=${w.sid}`, `/api/bot/${tok.replace(':', '%3a')}/ichannels/v1/list?spaceId=${w.sid}`]) {
    const r = await c.get(p);
    expectStatus(r, 200);
    assert.ok(Array.isArray(r.body?.channels), `${p}: ${show(r)}`);
  }
  const r = await c.post(`/${tok}/IMessages/v1/Send`, { channelId: w.general, text: 'via path token', randomId: 1 });
  expectStatus(r, 200);
});

// ---------------------------------------------------------------------------------------------
// 404s

test('unknown method, interface or version → 404 not_found', async () => {
  const paths = [
    '/IMessages/v1/Delete', '/IMessages/v2/Send', '/IMessages/v0/Send', '/ISpaces/v1/NoSuchThing',
    '/IChannels/v20260401/List', '/ICalls/v1/Ringing', '/IVoiceEgress/v1/SubscribeTrack',
    '/IReactions/v2/Add', '/INope/v1/List', '/api/bot/IReactions/v1/Nope', '/IMessages/vx/Send',
  ];
  for (const p of paths) {
    for (const m of ['GET', 'POST']) {
      expectError(await c.request(m, p, bodyFor(m), bot(app.token)), 404, 'not_found');
    }
  }
});

test('draft interfaces are served only under their date version', async () => {
  expectError(await c.get('/ICalls/v20260401/Ringing'), 401, 'unauthorized');
  expectError(await c.get('/api/bot/ICalls/v20260401/Ringing'), 401, 'unauthorized');
  expectError(await c.get('/ICalls/v1/Ringing', bot(app.token)), 404, 'not_found');
  expectError(await c.get('/ICalls/v2026-04-01/Ringing', bot(app.token)), 404, 'not_found');
  expectError(await c.post('/IVoiceEgress/v20260401/SubscribeTrack', {}), 401, 'unauthorized');
  expectError(await c.post('/IVoiceEgress/v1/SubscribeTrack', {}, bot(app.token)), 404, 'not_found');
});
