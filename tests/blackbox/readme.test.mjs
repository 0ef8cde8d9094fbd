// The README's "First steps with curl" block, run as written (bash, curl, jq) against a server:
// the walk-through a new operator pastes must work, end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, api, REPO_ROOT } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

async function walkthrough() {
  const readme = await fs.readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## First steps with curl'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'README has a ```sh block under "First steps with curl"');
  return block[1];
}

test('README: the curl walk-through runs as written and does what it says', async () => {
  let script = await walkthrough();
  assert.match(script, /^S=http:\/\/127\.0\.0\.1:8080;/m);
  script = script.replace(/^S=http:\/\/127\.0\.0\.1:8080;/m, `S=${server.url};`);
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', script], { timeout: 30_000 }, (err, out, errOut) =>
      resolve({ code: err ? err.code ?? -1 : 0, stdout: String(out), stderr: String(errOut) }));
  });
  assert.equal(code, 0, `the walk-through failed\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  assert.match(stdout, /"username":"librarian_bot"/, 'GetMe answered');
  assert.match(stdout, /"text":"hello bot"/, 'the message is listed');
  assert.match(stdout, /"reactions":\[\{"emoji":"👍","count":1,"userIds":\["[0-9a-f-]{36}"\]\}\]/, 'with its reaction');
  // And the state it describes exists: Bob is in Alice's space.
  const login = await api(server).post('/api/v1/auth/login', { username: 'bob', password: 'correct horse' });
  assert.equal(login.status, 200);
  const spaces = await api(server).get('/api/v1/spaces', { raw: `Bearer ${login.body.token}` });
  assert.deepEqual(spaces.body.spaces.map((s) => s.name), ['Book club']);
});
