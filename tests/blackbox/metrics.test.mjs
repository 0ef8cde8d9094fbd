// Prometheus metrics (docs/operations.md "Metrics"): GET /metrics in the text format, requests
// counted by API, route pattern and status (never the raw path: a bot token may be in it), the
// hub's streams and deliveries, the store's transactions, rate-limit rejections, process metrics;
// loopback-only without metrics.token, the token otherwise; and a real Prometheus (Debian's
// `prometheus`) scraping a server and answering a query.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs/promises';
import {
  startServer, api, bot, botWorld, sendMessage, expectStatus, pollUntil, makeTempDir, freePort, runCli, ENGINE,
} from './harness.mjs';
import { openBotStream, openReady, isEvent } from './sse.mjs';

let server, c;
before(async () => {
  server = await startServer({ env: { ARGON_RATELIMIT_IBOTSELF: '3' } });
  c = api(server);
});
after(async () => { await server?.stop(); });

/** The scrape of one node → {text, value(name, labels) → number|undefined}. */
async function scrape(url) {
  const r = await api(url).get('/metrics');
  expectStatus(r, 200);
  assert.match(String(r.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
  const value = (name, labels = {}) => {
    for (const line of r.text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
    }
    return undefined;
  };
  return { text: r.text, value };
}
const sum = async (name, labels) => {
  let total = 0;
  for (const url of server.urls ?? [server.url]) total += (await scrape(url)).value(name, labels) ?? 0;
  return total;
};

test('requests by api, route pattern and status; streams, deliveries, store, rejections, process', async () => {
  const w = await botWorld(server);
  const s = await openReady(() => openBotStream(server, w.app.token, { intents: 1 }));
  try {
    const sent = await c.post('/IMessages/v1/Send', { channelId: w.general, text: 'metered' }, w.tok);
    expectStatus(sent, 200);
    await s.next(isEvent('messageCreate'));
    // The path-token form: counted under its pattern, the token nowhere.
    expectStatus(await c.get(`/${w.app.token}/IBotSelf/v1/GetSpaces`), 200);
    // IBotSelf allows 3 a minute here (GetSpaces was one): 3 of these 5 are refused.
    for (let i = 0; i < 5; i += 1) await c.get('/IBotSelf/v1/GetMe', w.tok);
    await sendMessage(server, w.owner, w.general, 'from a person');

    assert.equal(await sum('argon_http_requests_total', { api: 'bot', route: '/IMessages/v1/Send', status: '200' }), 1);
    assert.equal(await sum('argon_http_requests_total', { api: 'bot', route: '/IBotSelf/v1/GetSpaces', status: '200' }), 1);
    assert.ok(await sum('argon_http_requests_total', { api: 'client', route: '/api/v1/channels/{channelId}/messages', status: '201' }) >= 1);
    assert.equal(await sum('argon_ratelimit_rejections_total', { policy: 'IBotSelf' }), 3);
    assert.ok(await sum('argon_http_request_duration_seconds_count', { api: 'bot', route: '/IMessages/v1/Send' }) >= 1);
    assert.equal(await sum('argon_event_streams', { kind: 'bot' }), 1);
    assert.ok(await sum('argon_events_delivered_total') >= 1);
    assert.ok(await sum('argon_store_transaction_duration_seconds_count', { engine: ENGINE }) > 0);
    const one = await scrape(server.urls ? server.urls[0] : server.url);
    for (const name of ['argon_http_connections', 'argon_event_replay_total', 'argon_store_retries_total',
      'argon_voice_rooms', 'argon_voice_packets_total', 'process_cpu_seconds_total',
      'process_resident_memory_bytes', 'process_open_fds', 'process_start_time_seconds']) {
      assert.ok(one.value(name) !== undefined, `${name} in the scrape`);
    }
    assert.ok(one.value('process_resident_memory_bytes') > 1e6);
    assert.ok(!one.text.includes(w.app.token.split(':')[1]), 'no token in a label');
  } finally { s.close(); }
});

test('metrics.token: without it 401, with it 200', async () => {
  const guarded = await startServer({ env: { ARGON_METRICS_TOKEN: 'scrape-me' }, nodes: 1 });
  try {
    const g = api(guarded);
    assert.equal((await g.get('/metrics')).status, 401);
    assert.equal((await g.get('/metrics', 'wrong')).status, 401);
    const ok = await g.get('/metrics', 'scrape-me');
    expectStatus(ok, 200);
    assert.match(ok.text, /^# HELP /m);
  } finally { await guarded.stop(); }
});

test('metrics.listen: /metrics, /healthz and /readyz on their own port, and nothing else there', async () => {
  const port = await freePort();
  const ops = `http://127.0.0.1:${port}`;
  const split = await startServer({ env: { ARGON_METRICS_LISTEN: `127.0.0.1:${port}` }, nodes: 1 });
  try {
    // The public listener no longer serves /metrics; its probes stay.
    expectStatus(await api(split).get('/metrics'), 404);
    expectStatus(await api(split).get('/healthz'), 200);
    expectStatus(await api(split).get('/api/v1/me', 'nobody'), 401);
    const { value } = await scrape(ops);
    assert.ok(value('argon_http_requests_total', { route: '/healthz', status: '200' }) >= 1,
      'requests on the public port are counted');
    expectStatus(await api(ops).get('/healthz'), 200);
    const ready = await api(ops).get('/readyz');
    expectStatus(ready, 200);
    assert.equal(ready.body.status, 'ready');
    // The operator's port serves no API.
    expectStatus(await api(ops).get('/api/v1/me', 'nobody'), 404);
    expectStatus(await api(ops).post('/IMessages/v1/Send', {}, bot('x')), 404);
  } finally { await split.stop(); }
});

test('metrics.listen with metrics.token: the token is required there too', async () => {
  const port = await freePort();
  const ops = api(`http://127.0.0.1:${port}`);
  const split = await startServer({
    env: { ARGON_METRICS_LISTEN: `127.0.0.1:${port}`, ARGON_METRICS_TOKEN: 'scrape-me' }, nodes: 1,
  });
  try {
    assert.equal((await ops.get('/metrics')).status, 401);
    expectStatus(await ops.get('/metrics', 'scrape-me'), 200);
  } finally { await split.stop(); }
});

test('a malformed metrics.listen stops start-up', async () => {
  const dir = await makeTempDir();
  const res = await runCli(['serve', '--data-dir', dir],
    { env: { ARGON_SERVER_LISTEN: '127.0.0.1:0', ARGON_METRICS_LISTEN: 'no-port-here' } });
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /metrics\.listen must be HOST:PORT, got 'no-port-here'/);
});

test('a real Prometheus scrapes the server and answers a query for argon_http_requests_total', async () => {
  const target = new URL(server.urls ? server.urls[0] : server.url);
  const sends = 3;
  const w = await botWorld(server);
  for (let i = 0; i < sends; i += 1) {
    expectStatus(await api(target.origin).post('/IMessages/v1/Send', { channelId: w.general, text: `p${i}` }, w.tok), 200);
  }
  const dir = await makeTempDir('argon-prom-');
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  await fs.writeFile(config, [
    'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s',
    'scrape_configs:', '  - job_name: argon', '    static_configs:', `      - targets: ['${target.host}']`, '',
  ].join('\n'));
  const prom = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let promErr = '';
  prom.stderr.on('data', (d) => { promErr += d; });
  try {
    const query = encodeURIComponent('sum(argon_http_requests_total{api="bot",route="/IMessages/v1/Send",status="200"})');
    const value = await pollUntil(async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${query}`);
        if (r.status !== 200) return null;
        const body = await r.json();
        const result = body?.data?.result ?? [];
        return result.length ? Number(result[0].value[1]) : null;
      } catch { return null; }
    }, { timeoutMs: 20_000, intervalMs: 250, what: `Prometheus to scrape ${target.host} (stderr: ${promErr.slice(-500)})` });
    assert.ok(value >= sends, `Prometheus sees ${value} Sends`);
    const up = await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=up`)).json();
    assert.equal(up.data.result[0].value[1], '1', 'the target is up');
  } finally {
    prom.kill('SIGTERM');
    await new Promise((r) => { if (prom.exitCode !== null) r(); else prom.on('exit', r); });
  }
});
