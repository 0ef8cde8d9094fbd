// The Debian package (`make package`, scripts/build-deb, docs/operations.md "Packages") and what
// goes into it: `argon config example` (the conffile) and the systemd notifications of
// `argon serve` (the unit is Type=notify with a watchdog).
// The package is built from the binary under test (ARGON_BIN, --any-build) into a temp dir and
// inspected with dpkg-deb; nothing is installed on this machine. The maintainer scripts run
// against stub commands that only record what they were asked to do. The package and the
// notifications do not depend on the store: they are checked in the SQLite pass, skipped in the
// PostgreSQL and cluster passes; `argon config example` is checked in every pass.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  ARGON_BIN, ENGINE, MODE, REPO_ROOT, makeTempDir, runCli, startServer, withDeadline,
} from './harness.mjs';

const PACKAGE_PASS = ENGINE === 'sqlite' && MODE === 'sqlite'
  ? false : `the package does not depend on the store engine: checked in the SQLite pass (this is ${MODE})`;

function run(file, args, opts = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000, ...opts }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function which(name) {
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':')) {
    const p = path.join(dir, name);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

const VERSION = /project\(argon VERSION ([0-9.]+)/.exec(fs.readFileSync(path.join(REPO_ROOT, 'CMakeLists.txt'), 'utf8'))[1];

// ---------------------------------------------------------------------------------------------
// argon config example

/** The keys of docs/configuration.md's table (the documented ones), without ratelimit.<interface>. */
function documentedKeys() {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
  return [...text.matchAll(/^\| `([a-z]+\.[a-z0-9_]+)` \|/gm)].map((m) => m[1]);
}

/** {section → {key → value text}} of the "#key = value" (commented) or "key = value" lines. */
function settings(text, { commented }) {
  const out = {};
  let section = null;
  for (const line of text.split('\n')) {
    const header = /^\[([a-z]+)\]$/.exec(line);
    if (header) { section = header[1]; out[section] ??= {}; continue; }
    const m = (commented ? /^#([a-z0-9_]+) = (.*)$/ : /^([a-z0-9_]+) = (.*)$/).exec(line);
    if (m) {
      assert.ok(section, `a setting before any section: ${line}`);
      out[section][m[1]] = m[2];
    }
  }
  return out;
}

test('argon config example: every documented key commented out with its default; uncommented it loads cleanly', async () => {
  const res = await run(ARGON_BIN, ['config', 'example']);
  assert.equal(res.code, 0, res.stderr);
  const shown = settings(res.stdout, { commented: true });
  assert.deepEqual(settings(res.stdout, { commented: false }), Object.fromEntries(Object.keys(shown).map((s) => [s, {}])),
    'nothing is set while everything is commented out');
  const keys = documentedKeys();
  assert.ok(keys.length >= 50, `docs/configuration.md lists ${keys.length} keys`);
  for (const key of keys) {
    const [section, name] = key.split('.');
    assert.ok(shown[section] && name in shown[section], `${key} is not in argon config example`);
  }
  // Defaults as the docs table states them (a few spot checks, typed as TOML).
  assert.equal(shown.server.listen, '"127.0.0.1:8080"');
  assert.equal(shown.events.heartbeat_seconds, '30');
  assert.equal(shown.store.url, '""');

  // Uncommented, the file is valid TOML and sets only known keys (no warning) to their defaults.
  const dir = await makeTempDir();
  const file = path.join(dir, 'argon.toml');
  await fsp.writeFile(file, res.stdout.replace(/^#([a-z0-9_]+ = )/gm, '$1'));
  const loaded = await runCli(['user', 'list', '--config', file, '--data-dir', path.join(dir, 'data')]);
  assert.equal(loaded.code, 0, `argon with the uncommented example: ${loaded.stderr}`);
  assert.doesNotMatch(loaded.stderr, /warn|unknown config key/i, loaded.stderr);

  // With --data-dir / --listen those two are set (the package's conffile).
  const pkg = await run(ARGON_BIN, ['config', 'example', '--data-dir', '/var/lib/argon', '--listen', '127.0.0.1:8080']);
  assert.equal(pkg.code, 0, pkg.stderr);
  assert.deepEqual(settings(pkg.stdout, { commented: false }).server, { listen: '"127.0.0.1:8080"', data_dir: '"/var/lib/argon"' });
});

// ---------------------------------------------------------------------------------------------
// The package

let deb = null;        // path of the .deb
let contents = '';     // dpkg-deb --contents
let root = null;       // the package's files, extracted (dpkg-deb -x)
let control = null;    // its control area (dpkg-deb -e)

before(async () => {
  if (PACKAGE_PASS) return;
  const out = await makeTempDir('argon-deb-');
  const built = await run(path.join(REPO_ROOT, 'scripts', 'build-deb'), ['--any-build', ARGON_BIN, out]);
  assert.equal(built.code, 0, `scripts/build-deb failed:\n${built.stdout}\n${built.stderr}`);
  const arch = (await run('dpkg', ['--print-architecture'])).stdout.trim();
  deb = path.join(out, `argon_${VERSION}_${arch}.deb`);
  assert.ok(fs.existsSync(deb), `no ${deb}: ${built.stdout}`);
  contents = (await run('dpkg-deb', ['--contents', deb])).stdout;
  root = path.join(out, 'root');
  control = path.join(out, 'control');
  assert.equal((await run('dpkg-deb', ['-x', deb, root])).code, 0);
  assert.equal((await run('dpkg-deb', ['-e', deb, control])).code, 0);
});

test('the package holds the binary, the unit, the conffile and the docs, with their modes', { skip: PACKAGE_PASS }, () => {
  const entries = Object.fromEntries(contents.trim().split('\n').map((line) => {
    const f = line.split(/\s+/);
    return [f[f.length - 1], { mode: f[0], owner: f[1] }];
  }));
  const expect = {
    './usr/bin/argon': '-rwxr-xr-x',
    './lib/systemd/system/argon.service': '-rw-r--r--',
    './etc/argon/argon.toml': '-rw-r-----',
    './usr/share/doc/argon/copyright': '-rw-r--r--',
    './usr/share/doc/argon/changelog.Debian.gz': '-rw-r--r--',
    './usr/share/doc/argon/README.md': '-rw-r--r--',
    './usr/share/doc/argon/operations.md': '-rw-r--r--',
    './usr/share/doc/argon/configuration.md': '-rw-r--r--',
  };
  for (const [file, mode] of Object.entries(expect)) {
    assert.ok(entries[file], `${file} is not in the package:\n${contents}`);
    assert.equal(entries[file].mode, mode, file);
  }
  for (const [file, e] of Object.entries(entries)) assert.equal(e.owner, 'root/root', `${file} is owned by ${e.owner}`);
  // The data dir is the service's (postinst), never a file of the package: upgrades keep it.
  assert.ok(!Object.keys(entries).some((f) => f.startsWith('./var/')), 'nothing under /var in the package');
});

test('dpkg-deb --info: control fields, Depends on the shared libraries, conffiles, maintainer scripts', { skip: PACKAGE_PASS }, async () => {
  const info = await run('dpkg-deb', ['--info', deb]);
  assert.equal(info.code, 0, info.stderr);
  const field = (name) => new RegExp(`^ ${name}: (.*)$`, 'm').exec(info.stdout)?.[1];
  assert.equal(field('Package'), 'argon');
  assert.equal(field('Version'), VERSION);
  assert.ok(field('Maintainer'));
  assert.ok(Number(field('Installed-Size')) > 1000);
  const depends = field('Depends').split(', ').map((d) => d.split(' ')[0]);
  for (const lib of ['libc6', 'libstdc++6', 'libsqlite3-0', 'libpq5', 'libssl3', 'libopus0', 'libsodium23', 'adduser'])
    assert.ok(depends.includes(lib), `Depends lacks ${lib}: ${field('Depends')}`);
  for (const script of ['postinst', 'prerm', 'postrm'])
    assert.match(info.stdout, new RegExp(`\\d+ lines\\s+\\*\\s+${script}\\s+#!/bin/sh`), `${script} (executable, /bin/sh)`);
  assert.equal(fs.readFileSync(path.join(control, 'conffiles'), 'utf8'), '/etc/argon/argon.toml\n');
  // md5sums covers every file but the conffile.
  const sums = fs.readFileSync(path.join(control, 'md5sums'), 'utf8');
  assert.match(sums, / usr\/bin\/argon\n/);
  assert.doesNotMatch(sums, /etc\/argon/);
});

test('the packaged binary runs --version; the conffile is `argon config example` for /var/lib/argon and loads', { skip: PACKAGE_PASS }, async () => {
  const bin = path.join(root, 'usr', 'bin', 'argon');
  const version = await run(bin, ['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, new RegExp(`^argon ${VERSION.replace(/\./g, '\\.')} \\(commit [^,]+, Bot API [0-9.]+\\)\\n$`));
  const conf = path.join(root, 'etc', 'argon', 'argon.toml');
  const expected = await run(ARGON_BIN, ['config', 'example', '--data-dir', '/var/lib/argon', '--listen', '127.0.0.1:8080']);
  assert.equal(fs.readFileSync(conf, 'utf8'), expected.stdout);
  // The packaged binary reads it (a data dir of our own instead of /var/lib/argon).
  const dir = await makeTempDir();
  const loaded = await run(bin, ['user', 'list', '--config', conf, '--data-dir', dir], { env: { PATH: process.env.PATH } });
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.doesNotMatch(loaded.stderr, /warn/i);
});

test('the unit: Type=notify with a watchdog, user argon, hardening; systemd-analyze verify passes', { skip: PACKAGE_PASS }, async (t) => {
  const unitFile = path.join(root, 'lib', 'systemd', 'system', 'argon.service');
  const unit = fs.readFileSync(unitFile, 'utf8');
  const lines = new Set(unit.split('\n'));
  for (const line of [
    'Type=notify', 'ExecStart=/usr/bin/argon serve --config /etc/argon/argon.toml', 'User=argon',
    'Group=argon', 'ReadWritePaths=/var/lib/argon', 'NoNewPrivileges=yes', 'ProtectSystem=strict',
    'ProtectHome=yes', 'PrivateTmp=yes', 'PrivateDevices=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX', 'LimitNOFILE=1048576', 'KillSignal=SIGTERM',
    'WantedBy=multi-user.target',
  ]) assert.ok(lines.has(line), `argon.service lacks ${line}`);
  assert.match(unit, /^WatchdogSec=\d+$/m);

  const analyze = which('systemd-analyze');
  if (!analyze) { t.skip('systemd-analyze is not installed (scripts/install-deps --test installs systemd)'); return; }
  // verify checks that ExecStart's binary exists: point it at the extracted one.
  const dir = await makeTempDir();
  const copy = path.join(dir, 'argon.service');
  await fsp.writeFile(copy, unit.replace('ExecStart=/usr/bin/argon', `ExecStart=${path.join(root, 'usr', 'bin', 'argon')}`));
  const verify = await run(analyze, ['verify', copy]);
  assert.equal(verify.code, 0, `systemd-analyze verify:\n${verify.stdout}${verify.stderr}`);
  assert.equal((verify.stdout + verify.stderr).trim(), '', `systemd-analyze verify complains:\n${verify.stdout}${verify.stderr}`);
  // The hardening keeps the exposure score at most 2.5 of 10 ("OK").
  const security = await run(analyze, ['security', '--offline=true', '--threshold=25', copy]);
  assert.equal(security.code, 0, `systemd-analyze security:\n${security.stdout.split('\n').slice(-3).join('\n')}${security.stderr}`);
});

/**
 * Runs a maintainer script with `args` against stub commands (PATH holds only them) that record
 * each call → [calls as "name arg…"]. `env`: GETENT_RC (0 = the user exists).
 */
async function runMaintainerScript(script, args, env = {}) {
  const dir = await makeTempDir();
  const log = path.join(dir, 'calls');
  const stubs = ['adduser', 'getent', 'install', 'chown', 'chmod', 'dpkg-statoverride', 'deb-systemd-helper',
    'deb-systemd-invoke', 'systemctl', 'rm', 'rmdir'];
  for (const name of stubs) {
    const rc = name === 'getent' ? '${GETENT_RC:-2}' : name === 'dpkg-statoverride' ? '1' : '0';
    await fsp.writeFile(path.join(dir, name), `#!/bin/sh\necho "\${0##*/} $*" >> "${log}"\nexit ${rc}\n`, { mode: 0o755 });
  }
  const res = await run('/bin/sh', [path.join(control, script), ...args], { env: { PATH: dir, ...env } });
  assert.equal(res.code, 0, `${script} ${args.join(' ')}: ${res.stderr}`);
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
}

test('maintainer scripts: sh -n (and shellcheck), user and data dir on install, data removed on purge only', { skip: PACKAGE_PASS }, async () => {
  const shellcheck = which('shellcheck');
  for (const script of ['postinst', 'prerm', 'postrm']) {
    const file = path.join(control, script);
    assert.ok(fs.statSync(file).mode & 0o111, `${script} is executable`);
    const syntax = await run('sh', ['-n', file]);
    assert.equal(syntax.code, 0, `sh -n ${script}: ${syntax.stderr}`);
    if (shellcheck) {
      const lint = await run(shellcheck, ['-s', 'sh', file]);
      assert.equal(lint.code, 0, `shellcheck ${script}:\n${lint.stdout}`);
    }
  }

  // First install: the system user, the data dir for it, the unit enabled.
  const install = await runMaintainerScript('postinst', ['configure']);
  assert.ok(install.some((c) => /^adduser --system --group .*--home \/var\/lib\/argon .*argon$/.test(c)), install.join('\n'));
  assert.ok(install.includes('install -d -o argon -g argon -m 0750 /var/lib/argon'), install.join('\n'));
  assert.ok(install.includes('deb-systemd-helper enable argon.service'), install.join('\n'));
  assert.ok(!install.some((c) => c.startsWith('rm ')), install.join('\n'));
  // Upgrade: the user exists already, nothing is removed.
  const upgrade = await runMaintainerScript('postinst', ['configure', '0.3.0'], { GETENT_RC: '0' });
  assert.ok(!upgrade.some((c) => c.startsWith('adduser')), upgrade.join('\n'));
  assert.ok(!upgrade.some((c) => c.startsWith('rm ')), upgrade.join('\n'));

  for (const args of [['remove'], ['upgrade', '0.5.0']]) {
    const calls = [...await runMaintainerScript('prerm', args), ...await runMaintainerScript('postrm', args)];
    assert.ok(!calls.some((c) => c.includes('/var/lib/argon')), `${args[0]} must keep the data: ${calls.join('\n')}`);
  }
  const purge = await runMaintainerScript('postrm', ['purge']);
  assert.ok(purge.includes('rm -rf /var/lib/argon'), purge.join('\n'));
  assert.ok(purge.includes('deb-systemd-helper purge argon.service'), purge.join('\n'));
});

// ---------------------------------------------------------------------------------------------
// sd_notify: what argon serve tells systemd (the unit is Type=notify, WatchdogSec=)

const NOTIFY_PASS = PACKAGE_PASS || (which('python3') ? false : 'python3 is not installed (it plays systemd\'s notify socket)');

test('argon serve sends READY=1 once listening, WATCHDOG=1 at half WATCHDOG_USEC, STOPPING=1 on SIGTERM', { skip: NOTIFY_PASS }, async () => {
  const dir = await makeTempDir();
  const socketPath = path.join(dir, 'notify.sock');
  // A datagram socket standing in for systemd: prints every message as a JSON line.
  const listener = spawn('python3', ['-u', '-c', `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("BOUND"), flush=True)
while True:
    print(json.dumps(s.recv(4096).decode()), flush=True)
`, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages = [];
  const waiters = new Set();
  let partial = '';
  listener.stdout.setEncoding('utf8');
  listener.stdout.on('data', (d) => {
    partial += d;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      messages.push(JSON.parse(partial.slice(0, nl)));
      partial = partial.slice(nl + 1);
    }
    for (const w of [...waiters]) w();
  });
  const waitFor = (pred, what) => withDeadline(new Promise((resolve) => {
    const check = () => { if (pred()) { waiters.delete(check); resolve(); } };
    waiters.add(check);
    check();
  }), 10_000, `${what} (got ${JSON.stringify(messages)})`);
  try {
    await waitFor(() => messages.includes('BOUND'), 'the notify socket');
    const server = await startServer({ dataDir: path.join(dir, 'data'), env: { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '300000' } });
    await waitFor(() => messages.some((m) => m.startsWith('READY=1')), 'READY=1');
    assert.equal(messages.find((m) => m.startsWith('READY=1')), `READY=1\nSTATUS=listening on ${server.url}`);
    // Pings every 150 ms: wait for three after READY.
    const ready = messages.findIndex((m) => m.startsWith('READY=1'));
    await waitFor(() => messages.slice(ready).filter((m) => m === 'WATCHDOG=1').length >= 3, 'three WATCHDOG=1');
    assert.ok(!messages.includes('STOPPING=1'));
    await server.stop();
    await waitFor(() => messages.includes('STOPPING=1'), 'STOPPING=1');
  } finally {
    listener.kill('SIGKILL');
  }
});

test('argon serve without NOTIFY_SOCKET sends nothing and logs nothing about systemd', { skip: PACKAGE_PASS }, async () => {
  const server = await startServer();
  await server.stop();
  assert.doesNotMatch(server.stderr(), /systemd/);
});
