// argon behind nginx, with exactly the configuration of docs/deployment.md: the file
// deploy/nginx/argon.conf (which the doc shows verbatim) with this test's addresses, ports and a
// self-signed certificate filled in, run by Debian's nginx (/usr/sbin/nginx) in front of two nodes
// on a PostgreSQL cluster and a nats-server of this file's own. Through nginx: people and bots
// use the API, requests are balanced over both nodes, a bot's EventSource gets its events live
// (no buffering), the voice sockets upgrade through the per-node locations, and a node that stops
// (a rolling restart) is skipped without an error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT, startPgCluster, startNats, startNode, makeTempDir, freePort, api, register, createSpace,
  createApp, installBot, channelByName, sendMessage, streamToken, bot, openAudio, openAudioReady,
  opusPacket, expectStatus, expectError, pollUntil, withDeadline,
} from './harness.mjs';
import { replaceExactly as replaceExactlyIn, selfSignedCertificate, startNginx, waitListening, expectHeartbeatsUnbuffered,
} from './nginx.mjs';
import { NO_LIMITS } from './cluster.mjs';

const require = createRequire(import.meta.url);
const EventSource = require('eventsource'); // v2: new EventSource(url, {headers, https})

// nginx here serves a certificate made for this run: the clients of this process (fetch, ws,
// eventsource), which only ever talk to 127.0.0.1, accept it.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const CONF = path.join(REPO_ROOT, 'deploy', 'nginx', 'argon.conf');
const DOC = path.join(REPO_ROOT, 'docs', 'deployment.md');

let pg, nats, nodes = [], nginx, base, world;

/** deploy/nginx/argon.conf with the nodes, the ports and the certificate of this test. */
function siteConfig({ nodePorts, httpsPort, httpPort, cert, key }) {
  const replaceExactly = (text, from, to, times = 1) => replaceExactlyIn(text, from, to, times, CONF);
  let c = fs.readFileSync(CONF, 'utf8');
  c = replaceExactly(c, 'server 10.0.0.11:8080;', `server 127.0.0.1:${nodePorts[0]};`, 2);
  c = replaceExactly(c, 'server 10.0.0.12:8080;', `server 127.0.0.1:${nodePorts[1]};`, 2);
  c = replaceExactly(c, '    listen 80;\n', `    listen 127.0.0.1:${httpPort};\n`);
  c = replaceExactly(c, '    listen [::]:80;\n', '');
  c = replaceExactly(c, '    listen 443 ssl http2;\n', `    listen 127.0.0.1:${httpsPort} ssl http2;\n`);
  c = replaceExactly(c, '    listen [::]:443 ssl http2;\n', '');
  c = replaceExactly(c, '/etc/letsencrypt/live/chat.example.org/fullchain.pem', cert);
  c = replaceExactly(c, '/etc/letsencrypt/live/chat.example.org/privkey.pem', key);
  return c;
}

/** The node id part (10 bits above 12 bits of sequence) of a message id. */
const nodeOf = (messageId) => Number((BigInt(messageId) >> 12n) & 1023n);

before(async () => {
  const dir = await makeTempDir('argon-nginx-');
  const { cert, key } = selfSignedCertificate(dir);
  [pg, nats] = await Promise.all([startPgCluster(), startNats()]);
  // The nodes' --public-url names nginx's port, so that port is picked first; should another
  // process take it before nginx binds it, everything starts again on new ports.
  for (let attempt = 1; ; attempt++) {
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    nodes = await Promise.all([1, 2].map((n) => startNode({
      database: pg.url, bus: nats.url, nodeId: n,
      args: ['--public-url', `https://127.0.0.1:${httpsPort}/node/${n}`],
      env: { ...NO_LIMITS, ARGON_EVENTS_HEARTBEAT_SECONDS: '1' },
    })));
    const ndir = path.join(dir, `nginx-${attempt}`);
    const site = siteConfig({ nodePorts: nodes.map((n) => n.port), httpsPort, httpPort,
      cert, key });
    nginx = await startNginx(ndir, site);
    try {
      await waitListening(httpsPort, nginx.alive, 'nginx');
      base = `https://127.0.0.1:${httpsPort}`;
      nginx.httpPort = httpPort;
      break;
    } catch (e) {
      const inUse = /Address already in use/i.test(nginx.errorLog() + nginx.stderr());
      await nginx.stop();
      await Promise.all(nodes.map((n) => n.kill()));
      if (!inUse || attempt >= 3) throw new Error(`${e.message}\n${nginx.errorLog()}${nginx.stderr()}`);
    }
  }

  // A person registers through nginx, makes a space and installs a bot.
  const owner = await register(base);
  const space = await createSpace(base, owner, 'Behind nginx');
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
  await Promise.allSettled(nodes.map((n) => (n.isRunning() ? n.stop() : null)));
  await nats?.stop();
  await pg?.stop();
});

test('docs/deployment.md shows deploy/nginx/argon.conf (and the systemd unit) verbatim', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  const conf = fs.readFileSync(CONF, 'utf8');
  assert.ok(doc.includes('```nginx\n' + conf + '```\n'), 'the doc\'s nginx block must be the file this test runs');
  const unit = fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'systemd', 'argon@.service'), 'utf8');
  assert.ok(doc.includes('```ini\n' + unit + '```\n'), 'the doc\'s unit must be deploy/systemd/argon@.service');
});

test('plain HTTP is redirected to HTTPS', async () => {
  const res = await fetch(`http://127.0.0.1:${nginx.httpPort}/IBotSelf/v1/GetMe`, { redirect: 'manual' });
  assert.equal(res.status, 301);
  assert.equal(res.headers.get('location'), 'https://127.0.0.1/IBotSelf/v1/GetMe');
});

test('requests are balanced over both nodes: message ids carry both node ids, the access log both addresses', async () => {
  const ids = [];
  for (let i = 0; i < 6; i++) ids.push(await sendMessage(base, world.owner, world.general, `balanced ${i}`));
  const seen = ids.map(nodeOf);
  assert.deepEqual([...new Set(seen)].sort(), [1, 2], `node ids of the messages: ${seen}`);
  // One worker, one request at a time: strictly in turn.
  for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1], `in turn: ${seen}`);
  const posts = nginx.accessLog().split('\n').filter((l) => l.startsWith(`POST /api/v1/channels/${world.general}/messages 201 `));
  const upstreams = new Set(posts.map((l) => l.split(' ')[3]));
  assert.deepEqual([...upstreams].sort(), nodes.map((n) => `127.0.0.1:${n.port}`).sort(), posts.join('\n'));
  // The same history through either node.
  const a = await api(base).get(`/api/v1/channels/${world.general}/messages?limit=6`, world.owner.token);
  const b = await api(base).get(`/api/v1/channels/${world.general}/messages?limit=6`, world.owner.token);
  expectStatus(a, 200);
  assert.deepEqual(a.body, b.body);
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
  es.addEventListener('messageCreate', (e) => got.push({ text: JSON.parse(e.data).message.text, at: Date.now() }));
  try {
    await pollUntil(() => ready, { timeoutMs: 5_000, what: 'ready through nginx' });
    // One message at a time, each through the next node (round robin), the stream open on one of
    // them: every event must arrive while the stream stays open, long before any buffer fills.
    for (let i = 0; i < 4; i++) {
      const text = `live ${i}`;
      const sent = Date.now();
      await sendMessage(base, world.owner, world.general, text);
      const m = await pollUntil(() => got.find((g) => g.text === text), { timeoutMs: 3_000, what: `"${text}" on the stream` });
      assert.ok(m.at - sent < 3_000);
    }
    assert.deepEqual(got.map((g) => g.text), ['live 0', 'live 1', 'live 2', 'live 3']);
    assert.equal(opens, 1, `one connection, never reopened (errors: ${errors})`);
    assert.deepEqual(errors, []);
  } finally {
    es.close();
  }
});

test('heartbeats pass nginx one by one (events.heartbeat_seconds = 1)', async () => {
  await expectHeartbeatsUnbuffered(base, world.app.token);
});

test('the voice sockets upgrade through nginx: the node location of the URL argon hands out, and the balanced location', async () => {
  const g1 = await streamToken(base, bot(world.app.token), world.sid, world.voice);
  const m = new RegExp(`^wss://127\\.0\\.0\\.1:${new URL(base).port}/node/([12])$`).exec(g1.ingressUrl);
  assert.ok(m, `ingressUrl ${g1.ingressUrl} must be a node location of nginx`);
  const owner = Number(m[1]);
  // The second bot is sent to the same node: the room is served by one node.
  const g2 = await streamToken(base, bot(world.app2.token), world.sid, world.voice);
  assert.equal(g2.ingressUrl, g1.ingressUrl);

  const pub = await openAudioReady(`${g1.ingressUrl}/audio/connect?token=${encodeURIComponent(g1.token)}`);
  const listen = `/audio/subscribe?token=${encodeURIComponent(g2.token)}&target_identity=${world.app.botUserId}`;
  const sub = await openAudio(`${g2.ingressUrl}${listen}`);
  const opened = [pub, sub];
  try {
    const st = await sub.nextStatus();
    assert.equal(st.status, 'subscribed', JSON.stringify(st));
    for (let i = 1; i <= 3; i++) {
      const pkt = opusPacket(i, 60);
      await pub.send(pkt);
      const got = await sub.nextBinary();
      assert.ok(Buffer.compare(got, pkt) === 0, `packet ${i} relayed through nginx byte for byte`);
    }

    // Through the balanced location the upgrade reaches either node: the owner answers 101, the
    // other 421 wrong_node naming the owner's URL. One worker, in turn: one attempt each.
    const outcomes = [];
    for (let i = 0; i < 2; i++) {
      try {
        const s = await openAudio(`${base.replace('https:', 'wss:')}${listen}`);
        opened.push(s);
        const st2 = await s.nextStatus();
        assert.equal(st2.status, 'subscribed', JSON.stringify(st2));
        outcomes.push(101);
      } catch (e) {
        if (e.status === undefined) throw e;
        assert.equal(e.status, 421, e.message);
        assert.equal(e.body?.error, 'wrong_node', e.message);
        assert.equal(e.body?.ingressUrl, g1.ingressUrl, e.message);
        outcomes.push(421);
      }
    }
    assert.deepEqual(outcomes.slice().sort(), [101, 421], `one attempt per node: ${outcomes}`);
  } finally {
    await Promise.all(opened.map((s) => s.close().catch(() => s.terminate())));
  }
  // nginx logs an upgraded connection when it closes: every socket was served by the owner.
  const ownerAddr = `127.0.0.1:${nodes[owner - 1].port}`;
  const lines = await pollUntil(() => {
    const l = nginx.accessLog().split('\n').filter((x) => / \/(node\/[12]\/)?audio\/(connect|subscribe) 101 /.test(x));
    return l.length >= 3 ? l : null;
  }, { what: 'the three upgraded sockets in the access log' });
  assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')).sort(), [
    'GET /audio/subscribe', `GET /node/${owner}/audio/connect`, `GET /node/${owner}/audio/subscribe`]);
  assert.ok(lines.every((l) => l.endsWith(` ${ownerAddr}`)), `all served by node ${owner} (${ownerAddr}):\n${lines.join('\n')}`);
});

test('argon\'s own 413 comes through (client_max_body_size is above http.max_body_bytes)', async () => {
  const res = await api(base).post('/api/v1/spaces', undefined, world.owner.token,
    { rawBody: JSON.stringify({ name: 'x'.repeat(1_500_000) }) });
  expectError(res, 413, 'payload_too_large');
});

test('a node stops (a rolling restart): nginx sends everything to the other, the EventSource resumes there', async () => {
  // Round robin, one request at a time: after a request node 2 served, the next goes to node 1.
  // That one opens the stream, so the stream starts on the node that stops.
  await pollUntil(async () => nodeOf(await sendMessage(base, world.owner, world.general, 'steer')) === 2,
    { what: 'a request served by node 2' });
  const es = new EventSource(`${base}/IEvents/v1/Stream?intents=1`, {
    headers: { Authorization: `Bot ${world.app.token}` }, https: { rejectUnauthorized: false },
  });
  const trace = [];  // what the client saw, for failure messages
  const got = [];
  let opens = 0;
  es.onopen = () => { opens += 1; trace.push('open'); };
  es.onerror = () => { trace.push('error'); };  // the stream of the node that stops ends; the client reconnects
  es.addEventListener('ready', () => trace.push('ready'));
  es.addEventListener('resumed', (e) => trace.push(`resumed ${e.data}`));
  es.addEventListener('messageCreate', (e) => got.push(JSON.parse(e.data).message.text));
  const statuses = [];
  const sent = [];
  let sending = true;
  let loop = Promise.resolve();
  try {
    await pollUntil(() => trace.includes('ready'), { what: 'the stream through nginx' });
    // A person keeps sending through nginx while node 1 stops.
    loop = (async () => {
      for (let i = 0; sending; i++) {
        const text = `rolling ${i}`;
        const r = await api(base).post(`/api/v1/channels/${world.general}/messages`, { text }, world.owner.token);
        statuses.push(r.status);
        if (r.status === 201) sent.push(text);
      }
    })();
    await pollUntil(() => got.length >= 4, { what: 'the first sends on the stream' });
    await nodes[0].stop();  // SIGTERM: drains, exits 0
    trace.push(`--- node 1 stopped (${got.length} received)`);
    const atStop = sent.length;
    await pollUntil(() => sent.length >= atStop + 10, { timeoutMs: 10_000, what: '10 sends after node 1 stopped' });
    sending = false;
    await withDeadline(loop, 5_000, 'the send loop');
    assert.deepEqual(statuses.filter((s) => s !== 201), [], `every send through nginx answered 201 (${statuses.length} sends)`);
    await pollUntil(() => sent.every((t) => got.includes(t)), {
      timeoutMs: 10_000, what: `every acknowledged send on the stream (${got.length}/${sent.length}; ${trace.join(', ')})` });
    assert.equal(new Set(got).size, got.length, 'nothing twice');
    assert.ok(opens >= 2, `the stream, which was on node 1, was opened again, on node 2: ${trace.join(', ')}`);
    assert.ok(trace.some((t) => t.startsWith('resumed ')), `the new stream resumed where the first ended: ${trace.join(', ')}`);
    const tail = nginx.accessLog().split('\n').filter((l) => l.startsWith('POST ')).slice(-10);
    assert.ok(tail.every((l) => l.endsWith(` 127.0.0.1:${nodes[1].port}`)), `the last sends all went to node 2:\n${tail.join('\n')}`);
  } finally {
    sending = false;
    es.close();
    await loop.catch(() => {});
  }
});
