// The operator CLI: `argon user create`, `argon bot list|verify|unverify`, `argon demo`,
// `argon contracts verify|manifest|openapi`.
// CLI commands run against the data dir while no server is running on it; a server is then
// started on the same dir to observe the effect through the HTTP API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startServer, makeTempDir, api, bot, register, createApp, runCli, expectStatus, uname, BOT_TOKEN_RE,
  REPO_ROOT,
} from './harness.mjs';

/** Token from a line like "token: X", "X" or "... X" (the last word of the last non-empty line mentioning it). */
function tokenFrom(stdout) {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  assert.ok(lines.length > 0, 'no output');
  const tagged = lines.map((l) => /token\s*[:=]\s*(\S+)/i.exec(l)).filter(Boolean);
  if (tagged.length) return tagged[tagged.length - 1][1];
  const last = lines[lines.length - 1].split(/\s+/);
  return last[last.length - 1];
}

function ok(res, what) {
  assert.equal(res.code, 0, `${what} exited ${res.code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
}

test('argon user create prints a token that works for that person', async () => {
  const dir = await makeTempDir();
  const name = uname('cli');
  const res = await runCli(['user', 'create', name, '--data-dir', dir]);
  ok(res, 'user create');
  const token = tokenFrom(res.stdout);
  const server = await startServer({ dataDir: dir });
  try {
    const me = await api(server).get('/api/v1/me', token);
    expectStatus(me, 200);
    assert.equal(me.body.username, name);
    // The name is taken for registration.
    const r = await api(server).post('/api/v1/auth/register', { username: name, password: 'whatever-long' });
    expectStatus(r, 409);
    assert.equal(r.body.error, 'username_taken');
  } finally {
    await server.stop();
  }
});

test('argon user create refuses invalid or taken usernames (non-zero exit)', async () => {
  const dir = await makeTempDir();
  const name = uname('clidup');
  ok(await runCli(['user', 'create', name, '--data-dir', dir]), 'first create');
  const dup = await runCli(['user', 'create', name, '--data-dir', dir]);
  assert.notEqual(dup.code, 0, 'duplicate username must fail');
  for (const bad of ['x', 'no spaces', 'person_bot']) {
    const r = await runCli(['user', 'create', bad, '--data-dir', dir]);
    assert.notEqual(r.code, 0, `username ${JSON.stringify(bad)} must fail`);
  }
});

test('argon bot list / verify / unverify', async () => {
  const dir = await makeTempDir();
  let server = await startServer({ dataDir: dir });
  const dev = await register(server);
  const app = await createApp(server, dev);
  const other = await createApp(server, dev);
  await server.stop();

  const list = await runCli(['bot', 'list', '--data-dir', dir]);
  ok(list, 'bot list');
  assert.ok(list.stdout.includes(app.botUsername), `bot list must name ${app.botUsername}:\n${list.stdout}`);
  assert.ok(list.stdout.includes(other.botUsername), `bot list must name ${other.botUsername}:\n${list.stdout}`);

  ok(await runCli(['bot', 'verify', app.botUsername, '--data-dir', dir]), 'bot verify');
  server = await startServer({ dataDir: dir });
  try {
    const apps = (await api(server).get('/api/v1/apps', dev.token)).body.apps;
    const byId = Object.fromEntries(apps.map((a) => [a.appId, a.isVerified]));
    assert.equal(byId[app.appId], true);
    assert.equal(byId[other.appId], false);
    expectStatus(await api(server).get('/IBotSelf/v1/GetMe', bot(app.token)), 200);
  } finally {
    await server.stop();
  }

  ok(await runCli(['bot', 'unverify', app.botUsername, '--data-dir', dir]), 'bot unverify');
  server = await startServer({ dataDir: dir });
  try {
    const apps = (await api(server).get('/api/v1/apps', dev.token)).body.apps;
    assert.equal(apps.find((a) => a.appId === app.appId).isVerified, false);
  } finally {
    await server.stop();
  }

  const missing = await runCli(['bot', 'verify', 'nobody_here_bot', '--data-dir', dir]);
  assert.notEqual(missing.code, 0, 'verifying an unknown bot must fail');
});

test('argon demo creates a person, a space and a bot and prints both tokens and a curl line', async () => {
  const dir = await makeTempDir();
  const res = await runCli(['demo', '--data-dir', dir]);
  ok(res, 'demo');
  const person = /person token:\s*(\S+)/.exec(res.stdout);
  const botTok = /bot token:\s*(\S+)/.exec(res.stdout);
  assert.ok(person, `no "person token:" line:\n${res.stdout}`);
  assert.ok(botTok, `no "bot token:" line:\n${res.stdout}`);
  assert.match(botTok[1], BOT_TOKEN_RE);
  assert.match(res.stdout, /curl/);
  // It says what to run next: the server on the data it just seeded.
  const next = /next, start the server on this data[^\n]*\n\s+(argon serve [^\n]+)/.exec(res.stdout);
  assert.ok(next, `no "next" line:\n${res.stdout}`);
  assert.ok(next[1].includes(`--data-dir '${dir}'`), next[1]);
  assert.match(next[1], /--listen \S+:\d+$/);
  const server = await startServer({ dataDir: dir });
  try {
    const c = api(server);
    const me = await c.get('/api/v1/me', person[1]);
    expectStatus(me, 200);
    const bm = await c.get('/IBotSelf/v1/GetMe', bot(botTok[1]));
    expectStatus(bm, 200);
    const spaces = (await c.get('/api/v1/spaces', person[1])).body.spaces;
    assert.ok(spaces.length >= 1, 'the demo person has a space');
    const g = await c.get(`/api/v1/spaces/${spaces[0].spaceId}`, person[1]);
    expectStatus(g, 200);
    assert.ok(g.body.members.some((m) => m.userId === bm.body.userId), 'the demo bot is a member of the demo space');
    assert.ok(g.body.members.some((m) => m.userId === me.body.userId));
  } finally {
    await server.stop();
  }
});

test('an invalid enumerated config value is a start-up error naming the valid values', async () => {
  const dir = await makeTempDir();
  const res = await runCli(['user', 'create', uname('cfg'), '--data-dir', dir], { env: { ARGON_LOG_LEVEL: 'verbose' } });
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /log\.level must be one of trace, debug, info, warn, warning, error, critical, off; got 'verbose'/);
  const sync = await runCli(['user', 'create', uname('cfg'), '--data-dir', dir], { env: { ARGON_STORE_SYNCHRONOUS: 'sometimes' } });
  assert.equal(sync.code, 2, sync.stderr);
  assert.match(sync.stderr, /store\.synchronous must be one of full, normal; got 'sometimes'/);
  // "warning", the name argon's own log lines print, is a valid level (in any case).
  const warning = await runCli(['user', 'create', uname('cfg'), '--data-dir', dir], { env: { ARGON_LOG_LEVEL: 'Warning' } });
  assert.equal(warning.code, 0, warning.stderr);
  assert.doesNotMatch(warning.stderr, / info /, 'info lines are filtered at warning');
});

// The project's copy of the newest published manifest (Bot API 1.9.0; UPSTREAM §1).
const LATEST = JSON.parse(fs.readFileSync(
  path.join(REPO_ROOT, 'tests', 'fixtures', 'spec', 'api-manifest-latest.json'), 'utf8'));

test('argon contracts verify reports Bot API 1.9.0 and every hash, exit 0', async () => {
  const res = await runCli(['contracts', 'verify']);
  ok(res, 'contracts verify');
  assert.match(res.stdout, /^ok: Bot API 1\.9\.0, 14 interfaces, 37 routes, 28 events checked$/m);
  for (const itf of LATEST.interfaces) {
    assert.ok(res.stdout.includes(itf.computedHash), `${itf.name} ${itf.computedHash}`);
  }
  for (const e of LATEST.events) {
    if (e.name === 'CallIncoming') continue;  // + fromLocale (reference server after 1.9.0)
    assert.ok(res.stdout.includes(e.computedHash), `${e.name} ${e.computedHash}`);
  }
  assert.ok(res.stdout.includes('34230d8ea1aadb4f19c6779cf80de9db9dbcecc34e9a2a792694280d55e83b83'));
  assert.ok(!res.stdout.includes('SubscribeCallTrack'));
});

test('argon contracts manifest prints the latest manifest (without shapes) and its version', async () => {
  const res = await runCli(['contracts', 'manifest']);
  ok(res, 'contracts manifest');
  const m = JSON.parse(res.stdout);
  assert.equal(m.botApiVersion, '1.9.0');
  const pick = (list, keys) => list.map((x) => Object.fromEntries(keys.map((k) => [k, x[k]])));
  const ifaceKeys = ['name', 'version', 'computedHash', 'declaredHash', 'isStable', 'description'];
  assert.deepEqual(pick(m.interfaces, ifaceKeys), pick(LATEST.interfaces, ifaceKeys));
  assert.deepEqual(m.interfaces.map((i) => i.routes.map((r) => `${r.method} ${r.path}`)),
    LATEST.interfaces.map((i) => i.routes.map((r) => `${r.method} ${r.path}`)));
  const eventKeys = ['name', 'intent', 'payloadTypeName', 'declaredHash', 'isStable'];
  assert.deepEqual(pick(m.events, eventKeys), pick(LATEST.events, eventKeys));
  assert.deepEqual(m.intents, LATEST.intents);
  assert.deepEqual(m.rateLimits, LATEST.rateLimits);
});

test('argon --version: version, git commit and Bot API version on one line, exit 0', async () => {
  const res = await runCli(['--version']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout.trim(), /^argon \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown), Bot API 1\.9\.0\)$/);
});
