// Events survive kill -9 (DECISIONS §7: the event log is durable, written with the change).
// The npm `eventsource` client (the one the Argon docs' examples use) reconnects by itself when
// the server comes back on the same port and data dir, sending Last-Event-ID: every event whose
// request succeeded — produced before the kill (received or not) or after the restart — arrives
// exactly once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  startServer, makeTempDir, register, createSpace, createApp, installBot, channelByName, sendMessage,
  HIGH_RATE_LIMITS, pollUntil,
} from './harness.mjs';
import { parseSpaceEventId } from './sse.mjs';

const require = createRequire(import.meta.url);
const EventSource = require('eventsource'); // v2: new EventSource(url, {headers})

test('kill -9 mid-stream: the eventsource client reconnects by itself; nothing lost, nothing twice', async () => {
  const dataDir = await makeTempDir();
  const env = { ...HIGH_RATE_LIMITS };
  let server = await startServer({ dataDir, env });
  // The stream's node (one of two in cluster mode, where the sends below alternate between the
  // nodes): the restart brings a node back on its port, where the client reconnects.
  const streamUrl = server.url;
  const port = Number(new URL(streamUrl).port);
  const owner = await register(server);
  const space = await createSpace(server, owner, 'Durable');
  const general = channelByName(space, 'general').channelId;
  const app = await createApp(server, owner);
  await installBot(server, owner, space.spaceId, app.appId);

  const es = new EventSource(`${streamUrl}/IEvents/v1/Stream?intents=1`, {
    headers: { Authorization: `Bot ${app.token}` },
  });
  const got = []; // {id, text}
  const lifecycle = []; // ready / resumed frames
  let opens = 0;
  const log = []; // everything the client saw, for failure messages
  es.onopen = () => { opens += 1; log.push('open'); };
  es.onerror = () => {}; // reconnecting is expected while the server is down
  es.addEventListener('messageCreate', (e) => {
    const text = JSON.parse(e.data).message.text;
    got.push({ id: e.lastEventId, text });
    log.push(`${text}@${e.lastEventId}`);
  });
  for (const name of ['ready', 'resumed']) {
    es.addEventListener(name, (e) => { lifecycle.push({ event: name, data: JSON.parse(e.data) }); log.push(`${name} ${e.data}`); });
  }
  const haveTexts = (n) => pollUntil(() => got.length >= n, { timeoutMs: 10_000, what: `${n} messages (have ${got.length})` });

  try {
    await pollUntil(() => lifecycle.length === 1, { what: 'ready' });
    const sent = [];
    for (let i = 1; i <= 5; i++) { await sendMessage(server, owner, general, `k${i}`); sent.push(`k${i}`); }
    await haveTexts(5);
    // A burst right before the kill: some may be delivered, some not; each one acknowledged
    // with 201 must survive.
    for (let i = 6; i <= 15; i++) { await sendMessage(server, owner, general, `k${i}`); sent.push(`k${i}`); }
    await server.kill();
    const beforeRestart = got.length;
    log.push('--- killed');

    server = await startServer({ dataDir, env, listen: `127.0.0.1:${port}` });
    assert.equal(server.nodes[0].port, port);  // `listen` names the first node's address
    log.push('--- restarted');
    for (let i = 16; i <= 20; i++) { await sendMessage(server, owner, general, `k${i}`); sent.push(`k${i}`); }
    await haveTexts(sent.length);
    // Give a duplicate (if the server sent one) the chance to arrive behind a live marker.
    await sendMessage(server, owner, general, 'end');
    sent.push('end');
    await haveTexts(sent.length);

    assert.deepEqual(got.map((g) => g.text), sent, `received ${got.length} (${beforeRestart} before the kill)`);
    assert.equal(new Set(got.map((g) => g.id)).size, got.length, 'every id once');
    const seqs = got.map((g) => parseSpaceEventId(g.id)?.seq);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `ids increase across the restart: ${got.map((g) => g.id)}`);
    assert.ok(opens >= 2, `the client reconnected (${opens} opens)`);
    assert.equal(lifecycle.filter((l) => l.event === 'ready').length, opens);
    // The reconnect carried Last-Event-ID, so the server answered with `resumed`.
    // (Only the reconnect is checked here; a `resumed` on the very first stream is the subject of
    // events-resume.test.mjs.)
    const afterKill = log.slice(log.indexOf('--- killed'));
    const resumed = afterKill.filter((l) => l.startsWith('resumed '));
    assert.equal(resumed.length, 1, log.join('\n'));
    assert.ok(JSON.parse(resumed[0].slice(8)).replayedCount >= 0);
  } finally {
    es.close();
    await server.stop();
  }
});
