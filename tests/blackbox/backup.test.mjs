// `argon backup DEST` (docs/operations.md "Backups"): SQLite's online backup of a live database
// while a person keeps sending messages, plus the voice key; then a restore into a new data dir.
// SQLite mode only: with PostgreSQL (the PostgreSQL and cluster passes) the command refuses with
// exit 2 and points at pg_dump, which the second test checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  ENGINE, MODE, startServer, makeTempDir, api, register, createSpace, channelByName, runCli,
  history, joinVoice, decodeJwt, expectStatus,
} from './harness.mjs';

const SQLITE_ONLY = ENGINE === 'sqlite' ? false : `argon backup copies SQLite data dirs; in ${MODE} mode it refuses (next test)`;
// A key an earlier version kept in the data dir: the server adopts it into the database.
const VOICE_KEY = 'backup-test-voice-key-0123456789abcdefghijklmn';

/** `PRAGMA integrity_check` of a database file, through the sqlite3 shell (or Python's module). */
function integrityCheck(file) {
  return new Promise((resolve, reject) => {
    const done = (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(String(stdout).trim()));
    if (fs.existsSync('/usr/bin/sqlite3')) {
      execFile('/usr/bin/sqlite3', ['-readonly', file, 'PRAGMA integrity_check;'], done);
    } else {
      execFile('python3', ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])', file], done);
    }
  });
}

/** Every message id of a channel (paging backwards from the newest). */
async function allMessageIds(server, person, channelId) {
  const ids = new Set();
  let from = null;
  for (;;) {
    const page = await history(server, person, channelId, `limit=100${from ? `&from=${from}` : ''}`);
    for (const m of page) ids.add(String(m.messageId));
    if (page.length < 100) return ids;
    from = String(page[page.length - 1].messageId);
  }
}

test('argon backup copies a live database while messages keep coming; the restore has them all', { skip: SQLITE_ONLY }, async () => {
  const dataDir = await makeTempDir();
  await fsp.writeFile(path.join(dataDir, 'voice.secret'), `${VOICE_KEY}\n`, { mode: 0o600 });
  const server = await startServer({ dataDir });
  const alice = await register(server);
  const space = await createSpace(server, alice, 'Backed up');
  const general = channelByName(space, 'general').channelId;

  // Four senders, each one message at a time; an id counts once its 201 arrived.
  const acknowledged = [];
  let sending = true;
  let sent = 0;
  const sender = async (n) => {
    while (sending) {
      const res = await api(server).post(`/api/v1/channels/${general}/messages`, { text: `sender ${n} message ${sent++}` }, alice.token);
      expectStatus(res, 201);
      acknowledged.push(String(res.body.messageId));
    }
  };
  const senders = [1, 2, 3, 4].map(sender);
  try {
    while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 10));
    const before = [...acknowledged];
    const dest = path.join(await makeTempDir(), 'backup');
    const res = await runCli(['backup', dest, '--data-dir', dataDir], { timeoutMs: 60_000 });
    const during = acknowledged.length - before.length;
    assert.equal(res.code, 0, `argon backup exited ${res.code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
    assert.match(res.stdout, /argon\.db \(\d+ bytes, integrity ok\)/);
    // Writes went on during the backup (it held nobody up): more messages were acknowledged.
    while (acknowledged.length < before.length + during + 20) await new Promise((r) => setTimeout(r, 10));
    sending = false;
    await Promise.all(senders);

    assert.deepEqual((await fsp.readdir(dest)).sort(), ['argon.db', 'voice.secret']);
    assert.equal((await fsp.stat(dest)).mode & 0o777, 0o700);
    assert.equal((await fsp.stat(path.join(dest, 'argon.db'))).mode & 0o777, 0o600);
    assert.equal((await fsp.stat(path.join(dest, 'voice.secret'))).mode & 0o777, 0o600);
    assert.equal((await fsp.readFile(path.join(dest, 'voice.secret'), 'utf8')).trim(), VOICE_KEY);
    assert.equal(await integrityCheck(path.join(dest, 'argon.db')), 'ok');

    // A second backup into the same directory is refused, and leaves the first one alone.
    const size = (await fsp.stat(path.join(dest, 'argon.db'))).size;
    const again = await runCli(['backup', dest, '--data-dir', dataDir]);
    assert.notEqual(again.code, 0, 'a backup into a non-empty directory must fail');
    assert.match(again.stderr, /not empty/);
    assert.equal((await fsp.stat(path.join(dest, 'argon.db'))).size, size);

    // Restore (docs/operations.md "Backups"): the files into a new data dir, a server on it.
    const restoredDir = await makeTempDir();
    for (const f of ['argon.db', 'voice.secret']) await fsp.copyFile(path.join(dest, f), path.join(restoredDir, f));
    const restored = await startServer({ dataDir: restoredDir });
    try {
      expectStatus(await api(restored).get('/readyz'), 200);
      // alice's session came along; every message acknowledged before the backup began is there.
      const ids = await allMessageIds(restored, alice, general);
      const missing = before.filter((id) => !ids.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${before.length} messages acknowledged before the backup are missing`);
      assert.ok(ids.size <= acknowledged.length, 'the restore holds no message that was never acknowledged');
      // The voice key is the same: a token the restored server hands out verifies with it.
      const grant = await joinVoice(restored, alice, channelByName(space, 'voice').channelId);
      const jwt = decodeJwt(grant.token);
      assert.equal(jwt.signature, crypto.createHmac('sha256', VOICE_KEY).update(jwt.signingInput).digest('base64url'));
      // It still writes.
      const res2 = await api(restored).post(`/api/v1/channels/${general}/messages`, { text: 'after the restore' }, alice.token);
      expectStatus(res2, 201);
    } finally {
      await restored.stop();
    }
  } finally {
    sending = false;
    await Promise.allSettled(senders);
    await server.stop();
  }
  assert.equal(await integrityCheck(path.join(dataDir, 'argon.db')), 'ok');
});

test('argon backup: a missing database or a non-directory DEST fails; PostgreSQL exits 2 naming pg_dump', async () => {
  const dir = await makeTempDir();
  if (ENGINE === 'sqlite') {
    const none = await runCli(['backup', path.join(dir, 'out'), '--data-dir', path.join(dir, 'empty')]);
    assert.equal(none.code, 1, `no database: ${none.stderr}`);
    assert.match(none.stderr, /no database at/);
    assert.ok(!fs.existsSync(path.join(dir, 'out')), 'nothing is created for a failed backup');
    await fsp.writeFile(path.join(dir, 'file'), 'x');
    const server = await startServer({ dataDir: path.join(dir, 'data') });
    await server.stop();
    const notDir = await runCli(['backup', path.join(dir, 'file'), '--data-dir', path.join(dir, 'data')]);
    assert.equal(notDir.code, 1);
    assert.match(notDir.stderr, /not a directory/);
    return;
  }
  // runCli adds the data dir's --database in the PostgreSQL and cluster passes.
  const res = await runCli(['backup', path.join(dir, 'out'), '--data-dir', path.join(dir, 'data')]);
  assert.equal(res.code, 2, `PostgreSQL: exit 2, got ${res.code}\n${res.stderr}`);
  assert.match(res.stderr, /pg_dump --format=custom/);
  assert.ok(!fs.existsSync(path.join(dir, 'out')));
});
