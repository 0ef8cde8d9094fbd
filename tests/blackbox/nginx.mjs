// Debian's nginx (/usr/sbin/nginx, or NGINX_BIN) in front of argon, for the tests that run the
// site files of deploy/nginx/ as they are: cluster-nginx.test.mjs (argon.conf, two nodes) and
// proxy-nginx.test.mjs (argon-single.conf, one argon).
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT, READY_DEADLINE_MS, STOP_DEADLINE_MS } from './harness.mjs';
import { openBotStream, openReady, isEvent } from './sse.mjs';

export const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx';

/** `text` with every `from` replaced by `to`; `from` must occur exactly `times` times (in `file`). */
export function replaceExactly(text, from, to, times = 1, file = 'the site file') {
  const parts = text.split(from);
  assert.equal(parts.length - 1, times, `${path.relative(REPO_ROOT, file)}: expected "${from}" ${times} time(s)`);
  return parts.join(to);
}

/** A self-signed certificate for 127.0.0.1 in `dir` → {cert, key} (paths). */
export function selfSignedCertificate(dir) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects when `alive()` turns false or at the deadline. */
export async function waitListening(port, alive, what) {
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`${what} exited`);
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${READY_DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Debian's nginx with the main context of /etc/nginx/nginx.conf reduced to what a test needs
 * (its own prefix, pid, logs and temp paths; one process without workers, so round robin is
 * strict and a kill leaves nothing behind), the site file included as it is. The access log
 * names the node that served each request ($upstream_addr).
 */
export async function startNginx(dir, site) {
  await fsp.mkdir(path.join(dir, 'tmp'), { recursive: true });
  await fsp.writeFile(path.join(dir, 'argon.conf'), site);
  const main = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 1024; }
http {
  log_format upstream '$request_method $uri $status $upstream_addr';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${dir}/argon.conf;
}
`;
  await fsp.writeFile(path.join(dir, 'nginx.conf'), main);
  // `nginx -t` first: a configuration nginx rejects fails here, with nginx's own message.
  execFileSync(NGINX, ['-t', '-q', '-p', dir, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = spawn(NGINX, ['-p', dir, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  process.on('exit', () => { try { proc.kill('SIGKILL'); } catch { /* gone */ } });
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const errorLog = () => { try { return fs.readFileSync(`${dir}/error.log`, 'utf8'); } catch { return ''; } };
  return {
    proc,
    alive,
    errorLog,
    stderr: () => stderr,
    accessLog: () => { try { return fs.readFileSync(`${dir}/access.log`, 'utf8'); } catch { return ''; } },
    async stop() {
      if (alive()) proc.kill('SIGTERM');
      const timer = setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* gone */ } }, STOP_DEADLINE_MS);
      await exited.finally(() => clearTimeout(timer));
    },
  };
}

/**
 * A bot stream opened through the proxy at `base` receives three heartbeats spread over time
 * (the server sends one a second): the proxy does not buffer the stream.
 */
export async function expectHeartbeatsUnbuffered(base, botToken) {
  const s = await openReady(() => openBotStream({ url: base }, botToken, { intents: 1 }));
  try {
    const at = [];
    for (let i = 0; i < 3; i++) {
      await s.next(isEvent('heartbeat'), 4_000);
      at.push(Date.now());
    }
    // A heartbeat is a few dozen bytes: behind a buffer they would arrive in one lump, much later.
    assert.ok(at[2] - at[0] >= 1_000, `3 heartbeats spread over time, not in one lump: ${at.map((t) => t - at[0])}`);
  } finally {
    s.close();
  }
}
