// HTTP read strictly (RFC 9112) by a real argon: request smuggling through Transfer-Encoding,
// repeated headers, Host, obs-fold, header counts; error bodies that stay valid UTF-8;
// integers past int64; silent connections, connection caps and a low open-file limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import {
  startServer, botWorld, history, expectStatus, expectError, api, sleep, HIGH_RATE_LIMITS,
} from './harness.mjs';

let server;
let world;
before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  world = await botWorld(server);
});
after(async () => { await server?.stop(); });

/**
 * Sends raw bytes on a fresh connection to `port`; resolves with everything the server sent
 * back, once it closed the connection (or `timeoutMs` passed: then `closed` is false).
 */
function exchange(port, bytes, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const timer = setTimeout(() => { socket.destroy(); done(false); }, timeoutMs);
    let settled = false;
    const done = (closed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ closed, data: Buffer.concat(chunks) });
    };
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', () => done(true));
    socket.on('error', (e) => { if (e.code === 'ECONNRESET') done(true); else reject(e); });
  });
}

/** The first response in `data`: {status, headers (lowercase), body (Buffer)}. */
function firstResponse(data) {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no response head in ${JSON.stringify(text.slice(0, 200))}`);
  const lines = text.slice(0, end).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = data.subarray(end + 4, end + 4 + length);
  return { status, headers, body, rest: data.subarray(end + 4 + length) };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function expectJsonError(res, status, code) {
  assert.equal(res.status, status, res.body.toString('latin1'));
  const text = strictUtf8.decode(res.body);  // throws on invalid UTF-8
  const body = JSON.parse(text);
  assert.equal(body.error, code);
  assert.equal(typeof body.message, 'string');
  return body;
}

test('a Send hidden in the body of a request with a non-chunked Transfer-Encoding is never run', async () => {
  const port = server.port;
  const text = `smuggled-${Date.now()}`;
  const send = JSON.stringify({ channelId: world.general, text });
  const hidden = `POST /IMessages/v1/Send HTTP/1.1\r\nHost: x\r\nAuthorization: ${world.tok.raw}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(send)}\r\n\r\n${send}`;
  for (const coding of ['gzip', 'identity', 'chunked, identity', 'foo']) {
    const { closed, data } = await exchange(port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${coding}\r\n\r\n${hidden}`);
    assert.ok(closed, `connection closed after the 400 (${coding})`);
    const res = firstResponse(data);
    expectJsonError(res, 400, 'bad_request');
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.rest.length, 0, `exactly one response (${coding})`);
  }
  const h = await history(server, world.owner, world.general);
  assert.ok(!JSON.stringify(h).includes(text), 'the hidden Send stored nothing');
});

test('two Authorization headers (valid + garbage, either order) → 400 on a Bot API route', async () => {
  for (const pair of [[world.tok.raw, 'Bot garbage'], ['Bot garbage', world.tok.raw]]) {
    const { data } = await exchange(server.port,
      `GET /IBotSelf/v1/GetMe HTTP/1.1\r\nHost: x\r\nAuthorization: ${pair[0]}\r\n` +
      `Authorization: ${pair[1]}\r\n\r\n`);
    expectJsonError(firstResponse(data), 400, 'bad_request');
  }
  // One valid header still works.
  const { data } = await exchange(server.port,
    `GET /IBotSelf/v1/GetMe HTTP/1.1\r\nHost: x\r\nAuthorization: ${world.tok.raw}\r\nConnection: close\r\n\r\n`);
  assert.equal(firstResponse(data).status, 200);
});

test('two Host, Content-Length or Content-Type headers, no Host in HTTP/1.1, obs-fold → 400', async () => {
  const body = '{}';
  for (const head of [
    'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
    `POST /api/v1/sessions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n${body}`,
    `POST /api/v1/sessions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n${body}`,
    'GET /healthz HTTP/1.1\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n',
  ]) {
    const { closed, data } = await exchange(server.port, head);
    expectJsonError(firstResponse(data), 400, 'bad_request');
    assert.ok(closed);
  }
  const { data } = await exchange(server.port, 'GET /healthz HTTP/1.0\r\n\r\n');
  assert.equal(firstResponse(data).status, 200, 'HTTP/1.0 needs no Host');
});

test('more than 100 header fields → 431; 100 are fine (Host and Connection count)', async () => {
  const fields = (n) => Array.from({ length: n }, (_, i) => `X-F${i}: v\r\n`).join('');
  let { data } = await exchange(server.port, `GET /healthz HTTP/1.1\r\nHost: a\r\n${fields(98)}Connection: close\r\n\r\n`);
  assert.equal(firstResponse(data).status, 200);
  ({ data } = await exchange(server.port, `GET /healthz HTTP/1.1\r\nHost: a\r\n${fields(101)}\r\n`));
  expectJsonError(firstResponse(data), 431, 'headers_too_large');
});

test('error bodies quoting bytes that are not UTF-8 are still valid UTF-8 JSON', async () => {
  let { data } = await exchange(server.port, 'GET /%C0%AF/%FF/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  expectJsonError(firstResponse(data), 404, 'not_found');
  const head = Buffer.concat([
    Buffer.from('POST /api/v1/sessions HTTP/1.1\r\nHost: a\r\nContent-Type: text/'),
    Buffer.from([0xff, 0xc0, 0xaf]),
    Buffer.from('\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'),
  ]);
  ({ data } = await exchange(server.port, head));
  expectJsonError(firstResponse(data), 415, 'unsupported_media_type');
});

test('randomId below the int64 minimum → 400 naming randomId; the minimum itself is a distinct id', async () => {
  const c = api(server);
  const raw = (randomId) => `{"channelId":"${world.general}","text":"edge","randomId":${randomId}}`;
  const low = await c.post('/IMessages/v1/Send', undefined, world.tok, { rawBody: raw('-9223372036854775809') });
  expectError(low, 400, 'validation_error', 'randomId');
  const min = await c.post('/IMessages/v1/Send', undefined, world.tok, { rawBody: raw('-9223372036854775808') });
  expectStatus(min, 200);
  const high = await c.post('/IMessages/v1/Send', undefined, world.tok, { rawBody: raw('9223372036854775808') });
  expectError(high, 400, 'validation_error', 'randomId');
});

/** Opens `n` connections that never send a byte; resolves once all are connected. */
async function silentSockets(port, n) {
  const sockets = [];
  const closedByServer = { count: 0, answered503: 0 };
  await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('connect', resolve);
    s.on('error', () => resolve());
    s.on('close', () => {
      closedByServer.count += 1;
      if (got.startsWith('HTTP/1.1 503')) closedByServer.answered503 += 1;
    });
    sockets.push(s);
  })));
  return { sockets, closedByServer };
}

async function waitFor(what, cond, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A kept-alive connection: get(path) sends one request and resolves with the status. */
function keptAlive(port) {
  const s = net.connect(port, '127.0.0.1');
  let buf = Buffer.alloc(0);
  let waiter = null;
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (waiter && buf.indexOf('\r\n\r\n') >= 0) {
      const res = firstResponse(buf);
      buf = res.rest;
      const w = waiter; waiter = null; w(res.status);
    }
  });
  return {
    get: (path) => new Promise((resolve, reject) => {
      waiter = resolve;
      s.write(`GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`);
      setTimeout(() => reject(new Error('kept-alive request timed out')), 5000);
    }),
    close: () => s.destroy(),
  };
}

test('over http.max_connections new sockets get 503 at once; open ones keep being served; silent ones go after the header timeout', async () => {
  const capped = await startServer({
    nodes: 1,
    env: { ARGON_HTTP_MAX_CONNECTIONS: '20', ARGON_HTTP_HEADER_TIMEOUT_SECONDS: '1' },
  });
  try {
    const port = capped.nodes[0].port;
    const kept = keptAlive(port);
    assert.equal(await kept.get('/healthz'), 200);
    const { sockets, closedByServer } = await silentSockets(port, 60);
    // 19 fit next to the kept-alive one; the other 41 are answered 503 and closed.
    await waitFor('the refused sockets to close', () => closedByServer.answered503 >= 41);
    assert.equal(await kept.get('/healthz'), 200, 'the open connection is still served');
    // The silent ones are closed by the header timeout (1 s), and the server takes new ones.
    await waitFor('the silent sockets to be closed', () => closedByServer.count === 60);
    const { data } = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.equal(firstResponse(data).status, 200);
    sockets.forEach((s) => s.destroy());
    kept.close();
    const limitLines = capped.stderr().split('\n').filter((l) => l.includes('connection limit reached'));
    assert.ok(limitLines.length >= 1 && limitLines.length <= 3, `logged at a bounded rate: ${limitLines.length}`);
  } finally {
    await capped.stop();
  }
});

test('a low open-file limit: the cap follows it, 300 silent sockets do not starve an open connection, no EMFILE flood', async () => {
  const low = await startServer({
    nodes: 1,
    wrapper: ['prlimit', '--nofile=200:200', '--'],
    env: { ARGON_HTTP_HEADER_TIMEOUT_SECONDS: '2', ARGON_LOG_LEVEL: 'info' },
  });
  try {
    assert.match(low.stderr(), /open-file limit 200, at most 100 connections/);
    const port = low.nodes[0].port;
    const kept = keptAlive(port);
    assert.equal(await kept.get('/healthz'), 200);
    const { sockets, closedByServer } = await silentSockets(port, 300);
    await waitFor('the sockets over the cap to be refused', () => closedByServer.answered503 >= 150);
    assert.equal(await kept.get('/healthz'), 200);
    await waitFor('every silent socket to be closed', () => closedByServer.count === 300, 15_000);
    const { data } = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.equal(firstResponse(data).status, 200);
    sockets.forEach((s) => s.destroy());
    kept.close();
    const log = low.stderr();
    assert.ok(!/Too many open files/.test(log) || log.split('Too many open files').length <= 4,
      'EMFILE, if ever hit, is logged at a bounded rate');
  } finally {
    await low.stop();
  }
});
