// One argon behind nginx, with exactly the configuration of docs/operations.md ("Behind a reverse
// proxy"): the file deploy/nginx/argon-single.conf (which the doc shows verbatim) with this test's
// address, ports and a self-signed certificate filled in, run by Debian's nginx (/usr/sbin/nginx).
// argon runs with --public-url https://127.0.0.1:<nginx's port>, so the voice URLs it hands out
// point through nginx, and with server.trusted_proxies = 127.0.0.1. Through nginx: a bot's event
// stream gets a live event (and heartbeats one by one), a Bot API Send, the audio WebSockets
// (/audio/connect and /audio/subscribe, the bare ingress URL /, a person's /audio/voice), and
// X-Forwarded-For reaching argon as the client's address.
//
// In cluster mode (scripts/with-cluster) argon is one node of the suite's database and bus: the
// proxy in front of several nodes is cluster-nginx.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT, startServer, makeTempDir, freePort, api, register, createSpace, createApp, installBot,
  channelByName, sendMessage, streamToken, bot, openAudio, openAudioReady, opusPacket, joinVoice,
  expectStatus, expectError, pollUntil, uname, history,
} from './harness.mjs';
import { replaceExactly, selfSignedCertificate, startNginx, waitListening, expectHeartbeatsUnbuffered,
} from './nginx.mjs';

const require = createRequire(import.meta.url);
const EventSource = require('eventsource'); // v2: new EventSource(url, {headers, https})

// nginx serves a certificate made for this run: the clients of this process (fetch, ws,
// eventsource), which only ever talk to 127.0.0.1, accept it.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const CONF = path.join(REPO_ROOT, 'deploy', 'nginx', 'argon-single.conf');
const DOC = path.join(REPO_ROOT, 'docs', 'operations.md');

let server, nginx, base, world;

/** deploy/nginx/argon-single.conf with the argon, the ports and the certificate of this test. */
function siteConfig({ argonPort, httpsPort, httpPort, cert, key }) {
  const once = (text, from, to) => replaceExactly(text, from, to, 1, CONF);
  let c = fs.readFileSync(CONF, 'utf8');
  c = once(c, 'server 127.0.0.1:8080;', `server 127.0.0.1:${argonPort};`);
  c = once(c, '    listen 80;\n', `    listen 127.0.0.1:${httpPort};\n`);
  c = once(c, '    listen [::]:80;\n', '');
  c = once(c, '    listen 443 ssl http2;\n', `    listen 127.0.0.1:${httpsPort} ssl http2;\n`);
  c = once(c, '    listen [::]:443 ssl http2;\n', '');
  c = once(c, '/etc/letsencrypt/live/chat.example.org/fullchain.pem', cert);
  c = once(c, '/etc/letsencrypt/live/chat.example.org/privkey.pem', key);
  return c;
}

before(async () => {
  const dir = await makeTempDir('argon-proxy-');
  const { cert, key } = selfSignedCertificate(dir);
  // argon's --public-url names nginx's port, so that port is picked first; should another
  // process take it before nginx binds it, everything starts again on new ports.
  for (let attempt = 1; ; attempt++) {
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    server = await startServer({
      nodes: 1,
      args: ['--public-url', `https://127.0.0.1:${httpsPort}`],
      env: { ARGON_EVENTS_HEARTBEAT_SECONDS: '1', ARGON_SERVER_TRUSTED_PROXIES: '127.0.0.1' },
    });
    const ndir = path.join(dir, `nginx-${attempt}`);
    nginx = await startNginx(ndir, siteConfig({ argonPort: server.port, httpsPort, httpPort, cert, key }));
    try {
      await waitListening(httpsPort, nginx.alive, 'nginx');
      base = `https://127.0.0.1:${httpsPort}`;
      nginx.httpPort = httpPort;
      break;
    } catch (e) {
      const inUse = /Address already in use/i.test(nginx.errorLog() + nginx.stderr());
      await nginx.stop();
      await server.kill();
      if (!inUse || attempt >= 3) throw new Error(`${e.message}\n${nginx.errorLog()}${nginx.stderr()}`);
    }
  }

  // A person registers through nginx, makes a space and installs two bots.
  const owner = await register(base);
  const space = await createSpace(base, owner, 'Behind one nginx');
  const app = await createApp(base, owner);
  await installBot(base, owner, space.spaceId, app.appId);
  const app2 = await createApp(base, owner);
  await installBot(base, owner, space.spaceId, app2.appId);
  world = {
    owner, space, sid: space.spaceId, general: channelByName(space, 'general').channelId,
    voice: channelByName(space, 'voice').channelId, app, app2,
  };
});

after(async () => {
  await nginx?.stop();
  await server?.stop();
});

test('docs/operations.md shows deploy/nginx/argon-single.conf verbatim', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  const conf = fs.readFileSync(CONF, 'utf8');
  assert.ok(doc.includes('```nginx\n' + conf + '```\n'), 'the doc\'s nginx block must be the file this test runs');
});

test('plain HTTP is redirected to HTTPS', async () => {
  const res = await fetch(`http://127.0.0.1:${nginx.httpPort}/api/v1/me`, { redirect: 'manual' });
  assert.equal(res.status, 301);
  assert.equal(res.headers.get('location'), 'https://127.0.0.1/api/v1/me');
});

test('a bot\'s EventSource through nginx gets each event live, on one open stream', async () => {
  const es = new EventSource(`${base}/IEvents/v1/Stream?intents=1`, {
    headers: { Authorization: `Bot ${world.app.token}` }, https: { rejectUnauthorized: false },
  });
  let opens = 0;
  const errors = [];
  const got = [];
  let ready = false;
  es.onopen = () => { opens += 1; };
  es.onerror = (e) => { errors.push(e?.message ?? e?.status ?? 'error'); };
  es.addEventListener('ready', () => { ready = true; });
  es.addEventListener('messageCreate', (e) => got.push(JSON.parse(e.data).message.text));
  try {
    await pollUntil(() => ready, { timeoutMs: 5_000, what: 'ready through nginx' });
    // One at a time: each must arrive while the stream stays open, long before a buffer fills.
    for (let i = 0; i < 3; i++) {
      const text = `live ${i}`;
      await sendMessage(base, world.owner, world.general, text);
      await pollUntil(() => got.includes(text), { timeoutMs: 3_000, what: `"${text}" on the stream` });
    }
    assert.deepEqual(got, ['live 0', 'live 1', 'live 2']);
    assert.equal(opens, 1, `one connection, never reopened (errors: ${errors})`);
    assert.deepEqual(errors, []);
  } finally {
    es.close();
  }
});

test('heartbeats pass nginx one by one (events.heartbeat_seconds = 1)', async () => {
  await expectHeartbeatsUnbuffered(base, world.app.token);
});

test('a Bot API Send through nginx', async () => {
  const text = `sent by a bot through nginx ${uname('m')}`;
  const res = await api(base).post('/IMessages/v1/Send', { channelId: world.general, text, randomId: 7 }, bot(world.app.token));
  expectStatus(res, 200);
  const h = await history(base, world.owner, world.general);
  assert.ok(JSON.stringify(h).includes(text), 'the message is in the channel');
  // The same randomId again (a retry): the same message, not a second one.
  const again = await api(base).post('/IMessages/v1/Send', { channelId: world.general, text, randomId: 7 }, bot(world.app.token));
  expectStatus(again, 200);
  assert.deepEqual(again.body, res.body);
});

test('the audio WebSockets upgrade through nginx: /audio/connect, /audio/subscribe, the bare ingress URL, a person\'s voice socket', async () => {
  const g1 = await streamToken(base, bot(world.app.token), world.sid, world.voice);
  // --public-url is nginx's: the socket URLs argon hands out lead through it.
  assert.equal(g1.ingressUrl, base.replace('https:', 'wss:'));
  const g2 = await streamToken(base, bot(world.app2.token), world.sid, world.voice);

  const pub = await openAudioReady(`${g1.ingressUrl}/audio/connect?token=${encodeURIComponent(g1.token)}`);
  const opened = [pub];
  try {
    const sub = await openAudio(`${g2.ingressUrl}/audio/subscribe?token=${encodeURIComponent(g2.token)}&target_identity=${world.app.botUserId}`);
    opened.push(sub);
    const st = await sub.nextStatus();
    assert.equal(st.status, 'subscribed', JSON.stringify(st));
    for (let i = 1; i <= 3; i++) {
      const pkt = opusPacket(i, 60);
      await pub.send(pkt);
      const got = await sub.nextBinary();
      assert.ok(Buffer.compare(got, pkt) === 0, `packet ${i} relayed through nginx byte for byte`);
    }
    await pub.close();
    const left = await sub.nextStatus('target_left');  // through nginx, to the end
    assert.equal(left.participant_identity, world.app.botUserId);

    // The docs' own sample connects to the bare ingress URL: the same publisher socket.
    const g3 = await streamToken(base, bot(world.app.token), world.sid, world.voice);
    const root = await openAudioReady(`${g3.ingressUrl}/?token=${encodeURIComponent(g3.token)}`);
    opened.push(root);

    // A person joins voice: their socket URL leads through nginx too.
    const grant = await joinVoice(base, world.owner, world.voice);
    assert.equal(grant.url, `${base.replace('https:', 'wss:')}/audio/voice`);
    const person = await openAudioReady(`${grant.url}?token=${encodeURIComponent(grant.token)}`);
    opened.push(person);
  } finally {
    await Promise.all(opened.map((s) => s.close().catch(() => s.terminate())));
  }
  // nginx logs an upgraded connection when it closes.
  const lines = await pollUntil(() => {
    const l = nginx.accessLog().split('\n').filter((x) => / \/(audio\/(connect|subscribe|voice))? 101 /.test(x));
    return l.length >= 4 ? l : null;
  }, { what: 'the four upgraded sockets in the access log' });
  assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')).sort(),
    ['GET /', 'GET /audio/connect', 'GET /audio/subscribe', 'GET /audio/voice']);
});

test('X-Forwarded-For through nginx: argon (server.trusted_proxies = 127.0.0.1) sees the client\'s address', async () => {
  const failed = (address) => new RegExp(`auth: failed login username="[^"]*" address=${address.replace(/\./g, '\\.')}(\\s|$)`, 'm');
  // nginx appends the address it was connected from to what the client sent. This test's client
  // is itself at 127.0.0.1, a trusted address, so what it sends is believed like a further
  // proxy's: "203.0.113.77, 127.0.0.1" names 203.0.113.77.
  const name = uname('nobody');
  const res = await api(base).post('/api/v1/auth/login', { username: name, password: 'wrong password!' }, undefined,
    { headers: { 'X-Forwarded-For': '203.0.113.77' } });
  expectError(res, 401, 'invalid_credentials');
  await pollUntil(() => failed('203.0.113.77').test(server.stderr()), { what: 'the failed login from 203.0.113.77 in the log' });
  // Without one, the client is the address nginx saw.
  expectError(await api(base).post('/api/v1/auth/login', { username: name, password: 'wrong password!' }), 401, 'invalid_credentials');
  await pollUntil(() => failed('127.0.0.1').test(server.stderr()), { what: 'the failed login from 127.0.0.1 in the log' });
});
