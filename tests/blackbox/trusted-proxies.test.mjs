// server.trusted_proxies (docs/operations.md "Behind a reverse proxy"): a request whose TCP peer is
// a trusted proxy comes from the address that proxy names in X-Forwarded-For (the right-most one
// that is not itself trusted); from any other peer X-Forwarded-For is ignored. Observed through
// the failed-login counts per client address (accounts.login_failures_per_address) and the
// `auth: failed login … address=…` log line. Both servers here are reached from 127.0.0.1: one
// trusts it, the other (the default) trusts nobody.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, expectError, expectStatus, uname, PASSWORD, ADJUSTABLE_CLOCK, advanceClock,
  makeTempDir, ARGON_BIN,
} from './harness.mjs';
import { spawnSync } from 'node:child_process';

const PER_ADDRESS = 3;
const env = (extra = {}) => ({
  ...ADJUSTABLE_CLOCK,
  ARGON_ACCOUNTS_LOGIN_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
  ARGON_ACCOUNTS_LOGIN_FAILURES_PER_USER: '1000',
  ARGON_ACCOUNTS_LOGIN_WINDOW_SECONDS: '600',
  ...extra,
});

let trusting, plain;

before(async () => {
  [trusting, plain] = await Promise.all([
    startServer({ env: env({ ARGON_SERVER_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' }) }),
    startServer({ env: env() }),
  ]);
});
after(async () => { await Promise.allSettled([trusting?.stop(), plain?.stop()]); });

/** A login "from" `xff` (an X-Forwarded-For value; undefined: none). */
const login = (server, username, password, xff) => api(server).post('/api/v1/auth/login', { username, password }, undefined,
  { headers: xff === undefined ? {} : { 'X-Forwarded-For': xff } });
const fail = async (server, xff) => expectError(await login(server, uname('nobody'), 'wrong password!', xff), 401, 'invalid_credentials');
/** How many failed logins `server` logged from `address` (each test uses addresses of its own). */
const failedFrom = (server, address) => [...server.stderr().matchAll(/auth: failed login username="[^"]*" address=(\S+)/g)]
  .filter((m) => m[1] === address).length;

test('trusted peer: failures from distinct forwarded addresses do not add up; the one that failed is throttled alone', async () => {
  await advanceClock(trusting, 601_000);
  const p = await register(trusting);
  for (let i = 0; i < PER_ADDRESS; i++) await fail(trusting, '203.0.113.1');
  // 203.0.113.1 spent its budget: even the right password answers 429 from there…
  expectError(await login(trusting, p.username, PASSWORD, '203.0.113.1'), 429, 'too_many_attempts');
  // …but not from the next address, nor from the proxy itself.
  await fail(trusting, '203.0.113.2');
  expectStatus(await login(trusting, p.username, PASSWORD, '203.0.113.2'), 200);
  expectStatus(await login(trusting, p.username, PASSWORD), 200);
  assert.equal(failedFrom(trusting, '203.0.113.1'), PER_ADDRESS);
  assert.equal(failedFrom(trusting, '203.0.113.2'), 1);
  assert.equal(failedFrom(trusting, '127.0.0.1'), 0);
});

test('trusted peer: the right-most untrusted address counts; a forged address to its left changes nothing', async () => {
  await advanceClock(trusting, 601_000);
  const p = await register(trusting);
  // The client sent "X-Forwarded-For: <anything>"; a proxy (10.0.0.7, trusted) appended what it saw.
  for (let i = 0; i < PER_ADDRESS; i++) await fail(trusting, `198.51.100.${i}, 203.0.113.20, 10.0.0.7`);
  expectError(await login(trusting, p.username, PASSWORD, '192.0.2.99, 203.0.113.20'), 429, 'too_many_attempts');
  assert.equal(failedFrom(trusting, '203.0.113.20'), PER_ADDRESS);
  assert.doesNotMatch(trusting.stderr(), /address=(198\.51\.100\.|10\.0\.0\.7)/);
  // IPv6, written as the proxy pleases, is counted in its canonical form.
  await fail(trusting, '[2001:DB8::5]:4711');
  assert.equal(failedFrom(trusting, '2001:db8::5'), 1);
});

test('trusted peer: a malformed X-Forwarded-For counts against the peer itself', async () => {
  await advanceClock(trusting, 601_000);
  const p = await register(trusting);
  for (const junk of ['unknown', '203.0.113.30, not-an-ip', '']) await fail(trusting, junk);
  assert.equal(failedFrom(trusting, '127.0.0.1'), 3);
  expectError(await login(trusting, p.username, PASSWORD), 429, 'too_many_attempts');
  // A well-formed one is still its own client.
  expectStatus(await login(trusting, p.username, PASSWORD, '203.0.113.31'), 200);
});

test('untrusted peer (the default): X-Forwarded-For is ignored, every failure is the peer\'s', async () => {
  await advanceClock(plain, 601_000);
  const p = await register(plain);
  for (let i = 0; i < PER_ADDRESS; i++) await fail(plain, `203.0.113.${40 + i}`);
  assert.equal(failedFrom(plain, '127.0.0.1'), PER_ADDRESS);
  expectError(await login(plain, p.username, PASSWORD, '203.0.113.99'), 429, 'too_many_attempts');
  assert.doesNotMatch(plain.stderr(), /address=203\.0\.113\./);
});

test('a malformed server.trusted_proxies stops the server at start, naming the item (exit 2)', async () => {
  const dir = await makeTempDir();
  const r = spawnSync(ARGON_BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir], {
    env: { ...process.env, ARGON_SERVER_TRUSTED_PROXIES: '127.0.0.1, proxy.example.org' },
    encoding: 'utf8', timeout: 15_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /config: server\.trusted_proxies: 'proxy\.example\.org' is not an IP address/);
  assert.equal(r.stdout, '', 'never listened');
});
