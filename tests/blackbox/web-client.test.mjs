// The embedded web client (docs/web-client.md "Serving"): GET / and the app's own addresses answer
// index.html (no-cache, locked down by CSP), the hashed files under /assets/ are immutable for a
// year, with their Content-Type, and gzip or brotli when Accept-Encoding allows; HEAD works, and a
// WebSocket upgrade on / is still the bots' audio socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { startServer, refusedUpgrade } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

// node:http (fetch would decompress on its own and hide Content-Encoding).
function get(path, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded(res) {
  const coding = res.headers['content-encoding'];
  if (coding === 'gzip') return zlib.gunzipSync(res.body).toString('utf8');
  if (coding === 'br') return zlib.brotliDecompressSync(res.body).toString('utf8');
  assert.equal(coding, undefined);
  return res.body.toString('utf8');
}

async function assetsOfIndex() {
  const page = decoded(await get('/'));
  const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.some((a) => a.endsWith('.js')), page);
  assert.ok(assets.some((a) => a.endsWith('.css')), page);
  return assets;
}

test('GET / is the app\'s index.html: no-cache, CSP, nosniff, no referrer', async () => {
  const res = await get('/');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.match(res.headers['content-security-policy'], /default-src 'self'/);
  assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
  const html = decoded(res);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<div id="app"><\/div>/);
  // Nothing from elsewhere at run time: every script and stylesheet is the server's own.
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
});

test('the app\'s own addresses answer index.html too; other paths stay 404', async () => {
  const index = decoded(await get('/'));
  for (const path of ['/app', '/app/some-space', '/app/some-space/some-channel', '/invite/abc123', '/developers']) {
    const res = await get(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['cache-control'], 'no-cache', path);
    assert.equal(decoded(res), index, path);
  }
  for (const path of ['/nope', '/app/a/b/c', '/assets/missing-123.js', '/invite', '/developers/x']) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.match(res.headers['content-type'], /^application\/json/);
  }
});

test('assets: hashed names, their Content-Type, immutable for a year, gzip/brotli when accepted', async () => {
  for (const asset of await assetsOfIndex()) {
    assert.match(asset, /^\/assets\/[\w-]+-[A-Z0-9]{8}\.(js|css)$/);
    const type = asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8';
    const plain = await get(asset);
    assert.equal(plain.status, 200, asset);
    assert.equal(plain.headers['content-type'], type);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['vary'], 'Accept-Encoding');
    assert.equal(plain.headers['content-encoding'], undefined);
    const text = plain.body.toString('utf8');

    const gz = await get(asset, { 'Accept-Encoding': 'gzip, deflate' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(decoded(gz), text);
    assert.ok(gz.body.length < plain.body.length);

    const br = await get(asset, { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(decoded(br), text);

    const refused = await get(asset, { 'Accept-Encoding': 'gzip;q=0, br;q=0' });
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.equal(refused.body.toString('utf8'), text);
  }
});

test('HEAD: the same headers, no body', async () => {
  const [asset] = await assetsOfIndex();
  for (const path of ['/', asset]) {
    const full = await get(path, { 'Accept-Encoding': 'gzip' });
    const head = await get(path, { 'Accept-Encoding': 'gzip' }, 'HEAD');
    assert.equal(head.status, 200, path);
    assert.equal(head.body.length, 0, path);
    for (const h of ['content-type', 'cache-control', 'content-encoding', 'content-length'])
      assert.equal(head.headers[h], full.headers[h], `${path} ${h}`);
  }
});

test('a WebSocket upgrade on / is still the audio socket (refused without a token, not the page)', async () => {
  const refused = await refusedUpgrade(`ws://127.0.0.1:${server.port}/`);
  assert.equal(refused.status, 401);
});
