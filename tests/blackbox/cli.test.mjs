// The operator CLI: `argon user create`, `argon bot list|verify|unverify`, `argon demo`.
// CLI commands run against the data dir while no server is running on it; a server is then
// started on the same dir to observe the effect through the HTTP API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, makeTempDir, api, bot, register, createApp, runCli, expectStatus, uname, BOT_TOKEN_RE,
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
