// Black-box test harness for the argon server.
//
// Only Node 20 built-ins. Each test file starts its own server on 127.0.0.1:0 with a fresh
// temporary data directory (hermetic); everything is torn down when the process exits.
//
// Three modes, from the environment (scripts/blackbox runs the suite in each, see the Makefile):
//   SQLite (default)         one node, the data dir's own argon.db;
//   PostgreSQL               ARGON_TEST_PG_URL (scripts/with-postgres): one node, a database of
//                            its own per data dir on that cluster;
//   cluster                  ARGON_TEST_PG_URL and ARGON_TEST_NATS_URL (scripts/with-cluster):
//                            every startServer() is TWO nodes on the data dir's database and that
//                            NATS server; server.url / server.port alternate between them on every
//                            access, server.urls / server.nodes name each one.
// A test that must hold in every mode compares what the server hands out with server.urls (not
// one server.url), and does not count on one process's memory. cluster-*.test.mjs run their own
// PostgreSQL (startPgCluster), NATS (startNats) and nodes (startNode) in every mode.
//
//   import { startServer, api, register, ... } from './harness.mjs';
//   const server = await startServer({ env: { ARGON_ADMIN_TOKEN: 't' } });
//   const c = api(server);
//   const r = await c.post('/api/v1/auth/register', { username: 'alice', password: 'secret-pw' });
//   await server.stop();

import { spawn, execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const ARGON_BIN = path.resolve(process.env.ARGON_BIN || path.join(REPO_ROOT, 'build', 'argon'));

export const READY_DEADLINE_MS = 15_000;
// SIGTERM → exit: the server may take its whole drain (server.drain_seconds, 10 s) before it
// force-closes what is left and exits 0, which is correct; the harness must not kill it first.
// (A connection left open until the drain ran out is logged: "http …: closing at shutdown: …".)
export const STOP_DEADLINE_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Process / temp-dir bookkeeping (cleaned up on exit, even when a test throws).

const liveProcs = new Set();
const tempDirs = new Set();

process.on('exit', () => {
  for (const p of liveProcs) {
    try { p.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const d of tempDirs) {
    try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

/** A fresh temp directory under os.tmpdir(); removed when the test process exits. */
export async function makeTempDir(prefix = 'argon-bb-') {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** process.env without any ARGON_* key (so the runner's environment cannot leak in), plus extra. */
export function serverEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ARGON_')) env[k] = v;
  }
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------
// The store engine: SQLite in the data dir (default), or PostgreSQL when ARGON_TEST_PG_URL is set
// (scripts/with-postgres sets it): then every data dir gets a fresh database of its own on that
// cluster, created on first use and reused by a restart on the same data dir.

export const PG_URL = process.env.ARGON_TEST_PG_URL || '';
export const ENGINE = PG_URL ? 'postgres' : 'sqlite';
const databases = new Map();  // data dir → database URL
let databaseCounter = 0;

function execFilePromise(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(String(stdout));
    });
  });
}

/** The database URL of a data dir (PostgreSQL mode), creating the database on first use. */
export async function databaseFor(dataDir) {
  if (!PG_URL) return null;
  if (databases.has(dataDir)) return databases.get(dataDir);
  const name = `bb_${process.pid}_${++databaseCounter}_${Date.now() % 100000}`;
  await execFilePromise('psql', [PG_URL, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`]);
  const url = PG_URL.replace(/\/[^/?]*(\?.*)?$/, `/${name}$1`).replace(/undefined$/, '');
  databases.set(dataDir, url);
  return url;
}

/**
 * A PostgreSQL cluster of the caller's own (scripts/pg-cluster), for tests that stop and restart
 * the database server: → {url, halt(), resume(), stop()}. Removed when the process exits.
 */
export async function startPgCluster() {
  const script = path.join(REPO_ROOT, 'scripts', 'pg-cluster');
  // Not a makeTempDir: that one is removed at exit before this cluster could be stopped.
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'argon-pg-'));
  const url = (await execFilePromise(script, ['start', dir])).trim();
  const cluster = {
    url,
    dir,
    halted: false,
    async halt() { await execFilePromise(script, ['halt', dir]); cluster.halted = true; },
    async resume() { await execFilePromise(script, ['resume', dir]); cluster.halted = false; },
    stop: async () => {
      clusters.delete(cluster);
      await execFilePromise(script, ['stop', dir]);
    },
  };
  clusters.add(cluster);
  return cluster;
}
const clusters = new Set();
process.on('exit', () => {
  for (const c of clusters) {
    try { execFileSync(path.join(REPO_ROOT, 'scripts', 'pg-cluster'), ['stop', c.dir]); } catch { /* gone */ }
  }
});

/** In PostgreSQL mode, args plus `--database <the data dir's database>` when they name a data dir. */
async function withDatabase(args) {
  if (!PG_URL || args.includes('--database')) return args;
  const at = args.indexOf('--data-dir');
  if (at < 0 || at + 1 >= args.length) return args;
  return [...args, '--database', await databaseFor(args[at + 1])];
}

// ---------------------------------------------------------------------------------------------
// Cluster mode: when ARGON_TEST_NATS_URL is set too (scripts/with-cluster sets both), every
// startServer() is a pair of nodes on the data dir's database and that NATS server, and the
// object it returns spreads the suite's requests, streams and sockets over both (see startServer).

export const NATS_URL = process.env.ARGON_TEST_NATS_URL || '';
/** How many `argon serve` processes a startServer() runs: 2 in cluster mode, else 1. */
export const NODES = NATS_URL ? 2 : 1;
export const MODE = NATS_URL ? 'cluster' : ENGINE;

export const NATS_BIN = process.env.NATS_SERVER_BIN || ['/usr/bin/nats-server', '/usr/sbin/nats-server',
  '/usr/local/bin/nats-server'].find((p) => fs.existsSync(p)) || 'nats-server';

/** A TCP port of 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A nats-server of the caller's own on a free port of 127.0.0.1 (core NATS, no JetStream), for
 * tests that stop and restart the bus: → {url, port, proc, stderr(), stop(), kill(), restart(),
 * isRunning()}. restart() starts it again on the same port (clients reconnect by themselves).
 * Killed when the process exits.
 */
export async function startNats() {
  const spawnOn = (port) => new Promise((resolve, reject) => {
    const proc = spawn(NATS_BIN, ['-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    liveProcs.add(proc);
    let log = '';
    const exited = new Promise((r) => proc.on('exit', (code, signal) => { liveProcs.delete(proc); r({ code, signal }); }));
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      try { proc.kill('SIGKILL'); } catch { /* gone */ }
      reject(new Error(`nats-server did not get ready within ${READY_DEADLINE_MS} ms:\n${log.slice(-2000)}`));
    }, READY_DEADLINE_MS);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      log += d;
      if (log.length > 64 * 1024) log = log.slice(-64 * 1024);
      if (!done && log.includes('Server is ready')) {
        done = true;
        clearTimeout(timer);
        resolve({ proc, exited, log: () => log });
      }
    });
    proc.on('error', (e) => { if (!done) { done = true; clearTimeout(timer); reject(new Error(`cannot spawn ${NATS_BIN}: ${e.message}`)); } });
    proc.on('exit', (code, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const err = new Error(`nats-server exited before it was ready (code ${code}, signal ${signal}):\n${log.slice(-2000)}`);
      err.addressInUse = /address already in use/i.test(log);
      reject(err);
    });
  });

  let port, current;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      current = await spawnOn(port);
      break;
    } catch (e) {
      if (!e.addressInUse || attempt >= 5) throw e;
    }
  }
  const nats = {
    url: `nats://127.0.0.1:${port}`,
    port,
    get proc() { return current.proc; },
    stderr: () => current.log(),
    isRunning: () => current.proc.exitCode === null && current.proc.signalCode === null,
    /** SIGTERM (SIGKILL after STOP_DEADLINE_MS) and await the exit. */
    async stop() {
      if (nats.isRunning()) current.proc.kill('SIGTERM');
      const timer = setTimeout(() => { try { current.proc.kill('SIGKILL'); } catch { /* gone */ } }, STOP_DEADLINE_MS);
      await current.exited.finally(() => clearTimeout(timer));
    },
    /** SIGKILL and await the exit. */
    async kill() {
      if (nats.isRunning()) current.proc.kill('SIGKILL');
      await current.exited;
    },
    /** Start again on the same port (stops it first if it runs). */
    async restart() {
      await nats.stop();
      const deadline = Date.now() + READY_DEADLINE_MS;
      for (;;) {
        try {
          current = await spawnOn(port);
          return;
        } catch (e) {  // the port may linger for a moment after the exit
          if (!e.addressInUse || Date.now() > deadline) throw e;
          await sleep(50);
        }
      }
    },
  };
  return nats;
}

// ---------------------------------------------------------------------------------------------
// Sanitizer reports (scripts/sanitize runs the suite against an ASan/UBSan build): a report in an
// argon process's stderr fails the test that stops that process (stop(), runCli), and in any case
// the test file: at exit it is printed and the exit code set to 1, whatever the process's exit
// status was (a server that is only killed, or left running, is checked too).

const SANITIZER_RE = /(?:ERROR|WARNING): (?:Address|Leak|Thread|UndefinedBehavior|Memory)Sanitizer|: runtime error: /;
const sanitizerReports = [];  // watchers that saw a report

/** Watches one process's stderr (feed every chunk) → .report: the text from the first report on. */
function sanitizerWatch(what) {
  let tail = '';
  const w = {
    what, report: null, thrown: false,
    feed(d) {
      if (w.report !== null) {
        if (w.report.length < 16 * 1024) w.report += d;
        return;
      }
      const text = tail + d;
      const m = SANITIZER_RE.exec(text);
      if (!m) { tail = text.slice(-256); return; }
      w.report = text.slice(text.lastIndexOf('\n', m.index) + 1);
      sanitizerReports.push(w);
    },
    /** Throws (once) when a report was seen. */
    check() {
      if (w.report === null || w.thrown) return;
      w.thrown = true;
      assert.fail(`sanitizer report in the stderr of ${w.what}:\n${w.report.slice(0, 16 * 1024)}`);
    },
  };
  return w;
}

process.on('exit', () => {
  const unreported = sanitizerReports.filter((w) => !w.thrown);
  for (const w of unreported) {
    process.stderr.write(`\nharness: sanitizer report in the stderr of ${w.what}:\n${w.report.slice(0, 16 * 1024)}\n`);
  }
  if (sanitizerReports.length) process.exitCode = 1;
});

// ---------------------------------------------------------------------------------------------
// Server lifecycle

/**
 * One `argon serve` process: `serve --listen <listen> --data-dir <dataDir> ...args` exactly (no
 * database or bus is added). Waits (no fixed sleeps) for the single stdout line
 * `listening on http://127.0.0.1:<port>`. The node object has a fixed url/port, and
 * urls/ports/nodes/dataDirs of one element, so that it is also a "server" for the helpers.
 */
async function spawnNode({ dataDir, args = [], env, listen, wrapper = [] }) {
  // `wrapper`: a command argon runs under, e.g. ['prlimit', '--nofile=300', '--'].
  const argv = [ARGON_BIN, 'serve', '--listen', listen ?? '127.0.0.1:0', '--data-dir', dataDir, ...args];
  const command = [...wrapper, ...argv];
  const proc = spawn(command[0], command.slice(1), {
    env: serverEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveProcs.add(proc);

  let stderrBuf = '';
  const stdoutLines = [];
  let stdoutPartial = '';
  const sanitizer = sanitizerWatch(`argon serve (pid ${proc.pid}, ${dataDir})`);
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    sanitizer.feed(d);
    stderrBuf += d;
    if (stderrBuf.length > 64 * 1024) stderrBuf = stderrBuf.slice(-64 * 1024);
  });
  // Once stderr is read to its end (a report written just before the exit included).
  const stdioClosed = new Promise((resolve) => proc.on('close', resolve));

  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      liveProcs.delete(proc);
      resolve({ code, signal });
    });
  });

  const ready = new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn, v) => { if (!done) { done = true; clearTimeout(timer); fn(v); } };
    const timer = setTimeout(() => {
      finish(reject, new Error(`argon did not print its listening line within ${READY_DEADLINE_MS} ms\n` +
        `stdout: ${JSON.stringify(stdoutLines)}\nstderr (tail):\n${stderrBuf.slice(-4000)}`));
    }, READY_DEADLINE_MS);
    proc.on('error', (err) => finish(reject, new Error(`cannot spawn ${ARGON_BIN}: ${err.message}`)));
    proc.on('exit', (code, signal) => finish(reject, new Error(
      `argon exited before it was ready (code ${code}, signal ${signal})\n` +
      `stdout: ${JSON.stringify(stdoutLines)}\nstderr (tail):\n${stderrBuf.slice(-4000)}`)));
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => {
      stdoutPartial += d;
      let nl;
      while ((nl = stdoutPartial.indexOf('\n')) >= 0) {
        const line = stdoutPartial.slice(0, nl).replace(/\r$/, '');
        stdoutPartial = stdoutPartial.slice(nl + 1);
        stdoutLines.push(line);
        const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
        if (m) finish(resolve, { url: m[1], port: Number(m[2]) });
      }
    });
  });

  let url, port;
  try {
    ({ url, port } = await ready);
  } catch (e) {
    try { proc.kill('SIGKILL'); } catch { /* gone */ }
    throw e;
  }

  const node = {
    url,
    port,
    urls: [url],
    ports: [port],
    dataDir,
    dataDirs: [dataDir],
    proc,
    procs: [proc],
    stdoutLines,
    stderr: () => stderrBuf,
    exited,
    isRunning: () => proc.exitCode === null && proc.signalCode === null,
    /** SIGTERM, await exit, assert a clean exit 0. */
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => {
          try { proc.kill('SIGKILL'); } catch { /* gone */ }
          reject(new Error(`argon (${url}) did not exit within ${STOP_DEADLINE_MS} ms of SIGTERM\nstderr (tail):\n${stderrBuf.slice(-4000)}`));
        }, STOP_DEADLINE_MS);
      });
      const { code, signal } = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
      await withDeadline(stdioClosed, 2_000, 'argon\'s stderr to close').catch(() => {});
      sanitizer.check();
      assert.equal(signal, null, `argon (${url}) was killed by ${signal} instead of exiting\nstderr (tail):\n${stderrBuf.slice(-4000)}`);
      assert.equal(code, 0, `argon (${url}) exited with code ${code} after SIGTERM\nstderr (tail):\n${stderrBuf.slice(-4000)}`);
    },
    /** SIGKILL and await exit (no assertion on the status). */
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  node.nodes = [node];
  return node;
}

/**
 * One node of a cluster test's own: `argon serve --listen 127.0.0.1:0 --data-dir <fresh temp dir>
 * --database <database> --bus <bus> [--node-id N] ...args` (database/bus omitted when not
 * given; nothing is taken from ARGON_TEST_*). → the node object of startServer's single mode.
 * @param {{database?: string, bus?: string, nodeId?: number, env?: Record<string,string>,
 *   dataDir?: string, args?: string[], listen?: string}} opts
 */
export async function startNode(opts = {}) {
  const dataDir = opts.dataDir ?? (await makeTempDir());
  const args = [...(opts.args ?? [])];
  if (opts.database) args.push('--database', opts.database);
  if (opts.bus) args.push('--bus', opts.bus);
  if (opts.nodeId !== undefined) args.push('--node-id', String(opts.nodeId));
  const node = await spawnNode({ dataDir, args, env: opts.env, listen: opts.listen });
  node.database = opts.database ?? null;
  return node;
}

/**
 * Several nodes as one server object (what startServer returns in cluster mode): `url` and
 * `port` are getters that move to the next node on every access (one turn for both), so the
 * requests, streams and sockets of a test built from `server.url`/`server.port` (api(server),
 * openBotStream(server), rawRequest(server), `ws://…:${server.port}`) are spread over all nodes.
 * `urls`, `ports`, `nodes` name the nodes; `stop()`/`kill()` act on all of them; `stderr()` is
 * every node's log, one after the other; `stdoutLines` every node's stdout lines; `exited`
 * resolves once every node has exited (with the first unclean status, else the first node's);
 * `proc` is the first node's process (`procs` all of them).
 */
export function nodeGroup(nodes, { dataDir = nodes[0].dataDir, database = nodes[0].database ?? null } = {}) {
  let turn = 0;
  const next = () => nodes[turn++ % nodes.length];
  const group = {
    get url() { return next().url; },
    get port() { return next().port; },
    urls: nodes.map((n) => n.url),
    ports: nodes.map((n) => n.port),
    nodes,
    dataDir,
    dataDirs: nodes.map((n) => n.dataDir),
    database,
    proc: nodes[0].proc,
    procs: nodes.map((n) => n.proc),
    get stdoutLines() { return nodes.flatMap((n) => n.stdoutLines); },
    stderr: () => nodes.map((n, i) => `--- node ${i + 1} (${n.url}) ---\n${n.stderr()}`).join('\n'),
    exited: Promise.all(nodes.map((n) => n.exited))
      .then((all) => all.find((s) => s.code !== 0 || s.signal !== null) ?? all[0]),
    isRunning: () => nodes.some((n) => n.isRunning()),
    async stop() {
      const results = await Promise.allSettled(nodes.map((n) => n.stop()));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async kill() { await Promise.all(nodes.map((n) => n.kill())); },
  };
  return group;
}

/**
 * A cluster of a cluster test's own, whatever the suite's mode: a PostgreSQL cluster
 * (startPgCluster), a nats-server (startNats) and `nodes` nodes on both (startNode, same env and
 * args). → {pg, nats, database, nodes, server (a nodeGroup of the nodes), addNode(opts), stop()}.
 * addNode starts one more node on the same database and bus (opts.env is merged over the
 * cluster's). stop() stops the nodes still running (asserting a clean exit), then NATS, then
 * PostgreSQL, even when a step fails.
 * @param {{nodes?: number, env?: Record<string,string>, args?: string[]}} opts
 */
export async function startCluster({ nodes = 2, env = {}, args = [] } = {}) {
  const [pg, nats] = await Promise.all([startPgCluster(), startNats()]);
  const list = [];
  const cluster = {
    pg,
    nats,
    database: pg.url,
    nodes: list,
    get server() { return nodeGroup(list); },
    async addNode(opts = {}) {
      const node = await startNode({
        ...opts, database: pg.url, bus: nats.url, env: { ...env, ...(opts.env ?? {}) }, args: [...args, ...(opts.args ?? [])],
      });
      list.push(node);
      return node;
    },
    async stop() {
      const errors = [];
      const results = await Promise.allSettled(list.filter((n) => n.isRunning()).map((n) => n.stop()));
      for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
      try { await nats.stop(); } catch (e) { errors.push(e); }
      try { await pg.stop(); } catch (e) { errors.push(e); }
      if (errors.length) throw errors[0];
    },
  };
  try {
    // Together, as a deployment starts: the migrations' advisory lock and the node-id claims
    // sort them out.
    await Promise.all(Array.from({ length: nodes }, () => cluster.addNode()));
  } catch (e) {
    await Promise.all(list.map((n) => n.kill()));
    await nats.kill();
    await pg.stop().catch(() => {});
    throw e;
  }
  return cluster;
}

/**
 * Start `argon serve --listen 127.0.0.1:0 --data-dir <dir>`.
 * Waits (no fixed sleeps) for the single stdout line `listening on http://127.0.0.1:<port>`.
 * `listen` (default 127.0.0.1:0) e.g. `127.0.0.1:${port}` to restart a server on the port it had.
 *
 * In PostgreSQL mode (ARGON_TEST_PG_URL) the data dir's own database is added (`--database`).
 * In cluster mode (ARGON_TEST_NATS_URL too) it starts `nodes` (default NODES = 2) processes,
 * each with `--database <the data dir's database> --bus <ARGON_TEST_NATS_URL>` (an explicit
 * `--database`/`--bus` in args wins) and the same env and args, and a data dir of its own: the
 * first is `dataDir`, the others `<dataDir>-node<i>`, so a restart on the same dataDir reuses all
 * of them. `listen` then names the first node's address (or is an array, one per node). The
 * result is a nodeGroup (url/port alternate between the nodes).
 * @param {{env?: Record<string,string>, dataDir?: string, args?: string[], listen?: string|string[],
 *   nodes?: number}} opts
 * @returns {Promise<{url:string, port:number, urls:string[], ports:number[], nodes:object[], dataDir:string,
 *   proc:import('node:child_process').ChildProcess, stdoutLines:string[], stderr:()=>string,
 *   exited:Promise<{code:number|null, signal:string|null}>, stop:()=>Promise<void>, kill:()=>Promise<void>}>}
 */
export async function startServer(opts = {}) {
  const dataDir = opts.dataDir ?? (await makeTempDir());
  const count = opts.nodes ?? NODES;
  if (!NATS_URL) {
    assert.equal(count, 1, 'several nodes need ARGON_TEST_NATS_URL (scripts/with-cluster)');
    const args = await withDatabase(['--data-dir', dataDir, ...(opts.args ?? [])]);
    const listen = Array.isArray(opts.listen) ? opts.listen[0] : opts.listen;
    const node = await spawnNode({ dataDir, args: args.slice(2), env: opts.env, listen, wrapper: opts.wrapper });
    node.database = PG_URL ? databases.get(dataDir) ?? null : null;
    return node;
  }

  const extra = [...(opts.args ?? [])];
  let database = null;
  if (extra.includes('--database')) {
    database = extra[extra.indexOf('--database') + 1];
  } else {
    assert.ok(PG_URL, 'cluster mode (ARGON_TEST_NATS_URL) needs ARGON_TEST_PG_URL too (scripts/with-cluster)');
    database = await databaseFor(dataDir);
    extra.push('--database', database);
  }
  if (!extra.includes('--bus')) extra.push('--bus', NATS_URL);
  const listens = Array.isArray(opts.listen) ? opts.listen : [opts.listen];
  const dirs = [dataDir];
  for (let i = 2; i <= count; i++) {
    const dir = `${dataDir}-node${i}`;
    await fsp.mkdir(dir, { recursive: true });
    tempDirs.add(dir);
    dirs.push(dir);
  }
  const started = await Promise.allSettled(dirs.map((dir, i) =>
    spawnNode({ dataDir: dir, args: extra, env: opts.env, listen: listens[i], wrapper: opts.wrapper })));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.filter((r) => r.status === 'fulfilled').map((r) => r.value.kill()));
    throw failed.reason;
  }
  const nodes = started.map((r) => r.value);
  for (const n of nodes) n.database = database;
  if (count === 1) return nodes[0];
  return nodeGroup(nodes, { dataDir, database });
}

// ---------------------------------------------------------------------------------------------
// Big-int-safe JSON

/**
 * Quote every bare JSON integer of 16 or more digits (outside strings) so that JSON.parse keeps it
 * exactly, as a string. A small tokenizer: strings (with escapes) are copied verbatim.
 */
export function quoteBigInts(text) {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE.+\-]/.test(text[j])) j++;
      const tok = text.slice(i, j);
      out += /^-?\d{16,}$/.test(tok) ? `"${tok}"` : tok;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** JSON.parse with integers of 16+ digits returned as strings. Throws on invalid JSON. */
export function parseJson(text) {
  return JSON.parse(quoteBigInts(text));
}

/** Normalise an int64 that came back as number or string to a BigInt. */
export function big(x) {
  assert.ok(typeof x === 'number' || typeof x === 'string' || typeof x === 'bigint', `not an integer: ${JSON.stringify(x)}`);
  return BigInt(x);
}

// ---------------------------------------------------------------------------------------------
// HTTP

/**
 * Authorization helpers for the `token` argument of the api methods:
 *   'abc'            → Authorization: Bearer abc   (a person, or the operator token)
 *   bot('abc')       → Authorization: Bot abc
 *   {raw: 'X y'}     → Authorization: X y
 *   null/undefined   → no Authorization header
 */
export const bot = (token) => ({ raw: `Bot ${token}` });

function authHeader(token) {
  if (token === undefined || token === null) return undefined;
  if (typeof token === 'string') return `Bearer ${token}`;
  if (typeof token === 'object' && 'raw' in token) return token.raw;
  throw new Error(`bad token argument ${JSON.stringify(token)}`);
}

/**
 * One HTTP request. `body`: undefined → no body; otherwise JSON.stringify'd with
 * Content-Type application/json. opts: {headers, rawBody (string|Buffer, sent as is),
 * contentType (overrides), token}.
 * Returns {status, headers (Headers), body (parsed JSON or null), text}.
 */
export async function request(baseUrl, method, urlPath, body, token, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  const auth = authHeader(token);
  if (auth !== undefined) headers['Authorization'] = auth;
  let payload;
  if (opts.rawBody !== undefined) {
    payload = opts.rawBody;
    headers['Content-Type'] = opts.contentType ?? 'application/json';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = opts.contentType ?? 'application/json';
  } else if (opts.contentType) {
    headers['Content-Type'] = opts.contentType;
  }
  const res = await fetch(baseUrl + urlPath, { method, headers, body: payload, redirect: 'manual' });
  const text = await res.text();
  let parsed = null;
  if (text.length > 0) {
    try { parsed = parseJson(text); } catch { parsed = null; }
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/**
 * Raw request through node:http (for oversized bodies where the server may answer before it has
 * read everything). Resolves with the response if one arrives.
 */
export function rawRequest(server, method, urlPath, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = http.request({
      host: '127.0.0.1', port: server.port, method, path: urlPath,
      headers: body !== undefined ? { 'Content-Length': Buffer.byteLength(body), ...headers } : headers,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', () => {});
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = null;
        try { parsed = text ? parseJson(text) : null; } catch { parsed = null; }
        settled = true;
        resolve({ status: res.statusCode, headers: res.headers, body: parsed, text });
      });
    });
    req.on('error', (err) => { if (!settled) { settled = true; reject(err); } });
    if (body !== undefined) req.end(body); else req.end();
  });
}

/** Client bound to a server: get/post/put/patch/del(path, body, token, opts). */
export function api(server) {
  // server.url is read for every request: on a cluster (a nodeGroup) requests alternate nodes.
  const base = () => (typeof server === 'string' ? server : server.url);
  return {
    request: (method, p, body, token, opts) => request(base(), method, p, body, token, opts),
    get: (p, token, opts) => request(base(), 'GET', p, undefined, token, opts),
    post: (p, body, token, opts) => request(base(), 'POST', p, body, token, opts),
    put: (p, body, token, opts) => request(base(), 'PUT', p, body, token, opts),
    patch: (p, body, token, opts) => request(base(), 'PATCH', p, body, token, opts),
    del: (p, body, token, opts) => request(base(), 'DELETE', p, body, token, opts),
  };
}

// ---------------------------------------------------------------------------------------------
// Assertions

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_MS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const BOT_TOKEN_RE = /^[0-9a-f]{32}:[A-Za-z0-9_-]{43}$/;
export const TWO_POW_53 = 2n ** 53n;

/**
 * Assert that a URL the server handed out is `${scheme}://127.0.0.1:${port}${path}` for one of
 * the server's nodes: the one node's, or (cluster mode) any node's, since the answer may come from
 * either (or name the node that holds the resource).
 */
export function expectNodeUrl(server, actual, path = '', scheme = 'ws') {
  const allowed = server.ports.map((p) => `${scheme}://127.0.0.1:${p}${path}`);
  if (allowed.length === 1) assert.equal(actual, allowed[0]);
  else assert.ok(allowed.includes(actual), `${actual} must be one of ${allowed.join(', ')}`);
}

/** Show the response in assertion messages. */
export function show(res) {
  return `HTTP ${res.status} ${res.text.slice(0, 600)}`;
}

/** Assert status (number or list of accepted statuses). */
export function expectStatus(res, status) {
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  assert.ok(ok, `expected HTTP ${status}, got ${show(res)}`);
}

/**
 * Assert an error response: status, JSON body {error: code, message: string|null}; when `field`
 * is given, message must be a string that names the field (case-insensitive).
 * code may be a string or a list of accepted codes.
 */
export function expectError(res, status, code, field) {
  expectStatus(res, status);
  assert.ok(res.body && typeof res.body === 'object' && !Array.isArray(res.body),
    `error body must be a JSON object, got ${show(res)}`);
  const ct = res.headers.get ? res.headers.get('content-type') : res.headers['content-type'];
  assert.match(String(ct), /application\/json/i, `error content-type must be JSON: ${ct}`);
  if (Array.isArray(code)) assert.ok(code.includes(res.body.error), `expected error in ${code}, got ${show(res)}`);
  else assert.equal(res.body.error, code, `expected error ${code}, got ${show(res)}`);
  assert.ok('message' in res.body, `error body must have "message": ${show(res)}`);
  assert.ok(res.body.message === null || typeof res.body.message === 'string', `message must be string|null: ${show(res)}`);
  if (field !== undefined) {
    assert.equal(typeof res.body.message, 'string', `message must be a string naming ${field}: ${show(res)}`);
    const fields = Array.isArray(field) ? field : [field];
    assert.ok(fields.some((f) => res.body.message.toLowerCase().includes(f.toLowerCase())),
      `message must name ${fields.join(' or ')}: ${show(res)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures

let uniq = 0;
/** A unique lowercase username (2..32 of [a-z0-9_.]). */
export function uname(prefix = 'u') {
  uniq += 1;
  return `${prefix}${process.pid.toString(36)}${uniq}`.toLowerCase().slice(0, 32);
}

export const PASSWORD = 'correct horse battery';

/** Register a person → {userId, username, token, password}. */
export async function register(server, username = uname(), opts = {}) {
  const c = api(server);
  const body = { username, password: opts.password ?? PASSWORD };
  if (opts.displayName !== undefined) body.displayName = opts.displayName;
  const res = await c.post('/api/v1/auth/register', body);
  expectStatus(res, 201);
  return { userId: res.body.userId, username: res.body.username, token: res.body.token, password: body.password };
}

/** Create a space owned by `user` → full 201 body (spaceId, channels, defaultArchetypeId, ...). */
export async function createSpace(server, user, name = 'Test space', description) {
  const body = { name };
  if (description !== undefined) body.description = description;
  const res = await api(server).post('/api/v1/spaces', body, user.token);
  expectStatus(res, 201);
  return res.body;
}

export function channelByName(space, name) {
  const ch = space.channels.find((c) => c.name === name);
  assert.ok(ch, `space has no channel ${name}: ${JSON.stringify(space.channels)}`);
  return ch;
}

/** Create an invite in the space as `inviter` and accept it as `invitee`. */
export async function joinSpace(server, spaceId, inviter, invitee) {
  const c = api(server);
  const inv = await c.post(`/api/v1/spaces/${spaceId}/invites`, undefined, inviter.token);
  expectStatus(inv, 201);
  const acc = await c.post(`/api/v1/invites/${encodeURIComponent(inv.body.code)}/accept`, undefined, invitee.token);
  expectStatus(acc, 200);
  return inv.body.code;
}

/** Create a bot application → {appId, botUserId, botUsername, token}. */
export async function createApp(server, owner, opts = {}) {
  const body = { name: opts.name ?? 'Test app', botUsername: opts.botUsername ?? `${uname('b')}_bot` };
  if (opts.displayName !== undefined) body.displayName = opts.displayName;
  const res = await api(server).post('/api/v1/apps', body, owner.token);
  expectStatus(res, 201);
  return res.body;
}

/** Install an app into a space as `user` → 201 body. */
export async function installBot(server, user, spaceId, appId) {
  const res = await api(server).post(`/api/v1/spaces/${spaceId}/bots`, { appId }, user.token);
  expectStatus(res, 201);
  return res.body;
}

/** Create an archetype as `user` → archetype body. permissions may be number|string|bigint. */
export async function createArchetype(server, user, spaceId, body) {
  const b = { ...body };
  if (typeof b.permissions === 'bigint') b.permissions = b.permissions.toString();
  const res = await api(server).post(`/api/v1/spaces/${spaceId}/archetypes`, b, user.token);
  expectStatus(res, 201);
  return res.body;
}

export async function assignArchetype(server, user, spaceId, userId, archetypeId) {
  const res = await api(server).put(`/api/v1/spaces/${spaceId}/members/${userId}/archetypes/${archetypeId}`, undefined, user.token);
  expectStatus(res, 204);
}

/** GET /api/v1/spaces/{id} as user → body (asserts 200). */
export async function getSpace(server, user, spaceId) {
  const res = await api(server).get(`/api/v1/spaces/${spaceId}`, user.token);
  expectStatus(res, 200);
  return res.body;
}

/** Send a message → messageId (string, big-int safe). */
export async function sendMessage(server, user, channelId, body) {
  const res = await api(server).post(`/api/v1/channels/${channelId}/messages`, typeof body === 'string' ? { text: body } : body, user.token);
  expectStatus(res, 201);
  return String(res.body.messageId);
}

export async function history(server, user, channelId, query = '') {
  const res = await api(server).get(`/api/v1/channels/${channelId}/messages${query ? `?${query}` : ''}`, user.token);
  expectStatus(res, 200);
  return res.body.messages;
}

// Entitlement bits (SPEC §12.2) as BigInt.
export const P = {
  ViewChannel: 1n << 0n, ReadHistory: 1n << 1n, JoinToVoice: 1n << 2n, SendMessages: 1n << 5n,
  SendVoice: 1n << 6n, AttachFiles: 1n << 7n, AddReactions: 1n << 8n, AnyMentions: 1n << 9n,
  MentionEveryone: 1n << 10n, UseCommands: 1n << 13n, PostEmbeddedLinks: 1n << 14n,
  Connect: 1n << 20n, Speak: 1n << 21n, Video: 1n << 22n, Stream: 1n << 23n,
  KickMember: 1n << 44n, ManageChannels: 1n << 50n, ManageArchetype: 1n << 51n,
  ManageBots: 1n << 52n, ManageServer: 1n << 55n,
};
export const DEFAULT_PERMISSIONS = 15754215n;

// ---------------------------------------------------------------------------------------------
// CLI

/**
 * Run the argon binary with args → {code, stdout, stderr}. Never throws on non-zero exit; throws
 * when its stderr has a sanitizer report.
 */
export async function runCli(args, { env = {}, timeoutMs = 15_000 } = {}) {
  args = await withDatabase(args);
  return new Promise((resolve, reject) => {
    execFile(ARGON_BIN, args, { env: serverEnv(env), timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        const sanitizer = sanitizerWatch(`argon ${args.join(' ')}`);
        sanitizer.feed(String(stderr));
        try { sanitizer.check(); } catch (e) { reject(e); return; }
        resolve({ code, stdout: String(stdout), stderr: String(stderr), error: err });
      });
  });
}

// ---------------------------------------------------------------------------------------------
// Bot API fixtures (botapi-*.test.mjs)

export const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

/** Generous per-interface rate limits for files that are not about rate limiting. */
export const HIGH_RATE_LIMITS = Object.fromEntries(
  ['IBOTSELF', 'ISPACES', 'ICHANNELS', 'IARCHETYPES', 'IMESSAGES', 'ITYPING', 'ICOMMANDS',
    'IINTERACTIONS', 'IMEMBERS', 'IVOICE', 'IVOICEEGRESS', 'ICALLS', 'IEVENTS', 'IREACTIONS']
    .map((i) => [`ARGON_RATELIMIT_${i}`, '100000']));

/**
 * A person who owns a space with an installed bot, plus a second space of the same owner that
 * the bot is NOT in. → {owner, space, sid, general, voice, app, botUserId, tok (bot auth), other}
 */
export async function botWorld(server, opts = {}) {
  const owner = opts.owner ?? (await register(server));
  const space = await createSpace(server, owner, opts.spaceName ?? 'Bot space', opts.description);
  const app = opts.app ?? (await createApp(server, owner, opts.appOpts ?? {}));
  await installBot(server, owner, space.spaceId, app.appId);
  const other = await createSpace(server, owner, 'Not the bot\'s space');
  return {
    owner, space, sid: space.spaceId,
    general: channelByName(space, 'general').channelId,
    voice: channelByName(space, 'voice').channelId,
    app, botUserId: app.botUserId, tok: bot(app.token), other,
  };
}

/** Create an archetype with `permissions` (bigint) and assign it to `userId` → archetype body. */
export async function grant(server, owner, spaceId, userId, permissions, name = 'granted') {
  const a = await createArchetype(server, owner, spaceId, { name, permissions });
  await assignArchetype(server, owner, spaceId, userId, a.archetypeId);
  return a;
}

/** PATCH an archetype's permissions (bigint) as `owner`. */
export async function setArchetypePermissions(server, owner, spaceId, archetypeId, permissions) {
  const res = await api(server).patch(`/api/v1/spaces/${spaceId}/archetypes/${archetypeId}`,
    { permissions: BigInt(permissions).toString() }, owner.token);
  expectStatus(res, 200);
  return res.body;
}

/** Operator: verify a bot application (server needs ARGON_ADMIN_TOKEN = adminToken). */
export async function verifyApp(server, adminToken, appId) {
  const res = await api(server).post(`/api/v1/admin/bots/${appId}/verify`, undefined, adminToken);
  expectStatus(res, 200);
  return res.body;
}

/** Assert 200 with an empty body (Bot API routes without a response type). */
export function expectEmpty200(res) {
  expectStatus(res, 200);
  assert.equal(res.text, '', `body must be empty: ${show(res)}`);
}

/** Assert the X-RateLimit-* headers of an authenticated Bot API response → {limit, remaining, resetAfter}. */
export function expectRateHeaders(res, limit) {
  const h = (k) => res.headers.get(k);
  for (const k of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset-after']) {
    assert.ok(h(k) !== null, `missing ${k}: ${show(res)}`);
  }
  const out = {
    limit: Number(h('x-ratelimit-limit')),
    remaining: Number(h('x-ratelimit-remaining')),
    resetAfter: Number(h('x-ratelimit-reset-after')),
  };
  assert.ok(Number.isInteger(out.limit) && out.limit > 0, `X-RateLimit-Limit ${h('x-ratelimit-limit')}`);
  assert.ok(Number.isInteger(out.remaining) && out.remaining >= 0 && out.remaining <= out.limit,
    `X-RateLimit-Remaining ${h('x-ratelimit-remaining')}`);
  assert.ok(Number.isFinite(out.resetAfter) && out.resetAfter >= 0, `X-RateLimit-Reset-After ${h('x-ratelimit-reset-after')}`);
  if (limit !== undefined) assert.equal(out.limit, limit, `X-RateLimit-Limit: ${show(res)}`);
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `fn` (async; returns a truthy value when done) every `intervalMs` until it is truthy or
 * `timeoutMs` passes → that value; throws with `what` on timeout.
 */
export async function pollUntil(fn, { timeoutMs = 5_000, intervalMs = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands and interactions fixtures (interactions-*.test.mjs)

/**
 * botWorld plus a plain member `member` of the bot's space and a second bot `other` installed in
 * the same space. → botWorld fields + {member, other: {app, tok}}; `elsewhere` is botWorld's `other`.
 */
export async function interactionWorld(server, opts = {}) {
  const w = await botWorld(server, opts);
  const member = await register(server);
  await joinSpace(server, w.sid, w.owner, member);
  const otherApp = await createApp(server, w.owner);
  await installBot(server, w.owner, w.sid, otherApp.appId);
  return { ...w, elsewhere: w.other, member, other: { app: otherApp, tok: bot(otherApp.token) } };
}

/** ICommands/v1/Register as a bot (auth value from bot()) → the command's id (asserts 200). */
export async function registerCommand(server, tok, body) {
  const res = await api(server).post('/ICommands/v1/Register', body, tok);
  expectStatus(res, 200);
  return res.body.commandId;
}

/** A person runs a command → the raw response. options: [{name, value}]. */
export function runCommand(server, person, channelId, commandId, options) {
  return api(server).post(`/api/v1/channels/${channelId}/commands/${commandId}`,
    options === undefined ? {} : { options }, person.token);
}

// ---------------------------------------------------------------------------------------------
// Voice (voice-*.test.mjs): audio WebSockets (the npm `ws` client, loaded lazily so that the
// rest of the suite needs Node built-ins only), voice JWTs and Opus packets.

import crypto from 'node:crypto'; // (module imports are hoisted; kept here with the helpers using it)

let wsClass;
async function loadWs() {
  wsClass ??= (await import('ws')).default;
  return wsClass;
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function withDeadline(promise, ms, what = 'operation') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const liveSockets = new Set();
process.on('exit', () => { for (const s of liveSockets) { try { s.terminate(); } catch { /* gone */ } } });

/**
 * Open an audio WebSocket (`url` already carries ?token=…). Resolves once open; rejects when the
 * server answers the upgrade with something else (the error has .status, .body, .text).
 * The socket object:
 *   ws, statuses (parsed text frames, every one so far), binaries (Buffers, every one so far),
 *   nextStatus(pred|statusName?, ms)  → next unconsumed text frame (parsed JSON) matching;
 *   nextBinary(ms)                    → next unconsumed binary frame (Buffer);
 *   pendingBinaries()                 → binary frames not consumed yet (no waiting);
 *   closed                            → promise {code, reason} once the socket has closed;
 *   waitClose(ms)                     → that promise with a deadline;
 *   isOpen(), send(buf) (→ promise), close(code?, reason?) (→ awaits the close), terminate().
 */
export async function openAudio(url, { timeoutMs = 5_000 } = {}) {
  const WebSocket = await loadWs();
  const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: 1 << 20 });
  liveSockets.add(ws);
  const statuses = [];
  const binaries = [];
  const texts = [];
  let textCursor = 0;
  let binCursor = 0;
  const waiters = new Set();
  const wake = () => { for (const w of [...waiters]) w(); };
  let closeInfo = null;
  let resolveClosed;
  const closed = new Promise((r) => { resolveClosed = r; });
  ws.on('error', () => { /* reported through close / the open promise */ });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      binaries.push(Buffer.from(data));
    } else {
      const text = data.toString('utf8');
      texts.push(text);
      let parsed;
      try { parsed = parseJson(text); } catch { parsed = { unparsable: text }; }
      statuses.push(parsed);
    }
    wake();
  });
  ws.on('close', (code, reason) => {
    liveSockets.delete(ws);
    closeInfo = { code, reason: Buffer.from(reason ?? '').toString('utf8') };
    resolveClosed(closeInfo);
    wake();
  });

  await withDeadline(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (req, res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body = null;
        try { body = text ? parseJson(text) : null; } catch { body = null; }
        const err = new Error(`WebSocket upgrade refused: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
        Object.assign(err, { status: res.statusCode, body, text, headers: res.headers });
        try { req.destroy(); } catch { /* gone */ }
        liveSockets.delete(ws);
        reject(err);
      });
    });
    ws.once('close', (code) => reject(new Error(`WebSocket closed (${code}) before it opened: ${url}`)));
    ws.once('error', (e) => reject(e));
  }), timeoutMs, `WebSocket open ${url.replace(/token=[^&]*/, 'token=…')}`);

  const describeAll = () => `statuses=${JSON.stringify(statuses)} binaries=${binaries.length} close=${JSON.stringify(closeInfo)}`;
  const wait = (take, what, ms) => new Promise((resolve, reject) => {
    let timer;
    const check = () => {
      const got = take();
      if (got !== undefined) { done(); resolve(got); return; }
      if (closeInfo) { done(); reject(new Error(`socket closed while waiting for ${what}: ${describeAll()}`)); }
    };
    const done = () => { clearTimeout(timer); waiters.delete(check); };
    timer = setTimeout(() => { done(); reject(new Error(`no ${what} within ${ms} ms: ${describeAll()}`)); }, ms);
    waiters.add(check);
    check();
  });

  return {
    ws,
    statuses,
    texts,
    binaries,
    closed,
    isOpen: () => ws.readyState === 1,
    nextStatus(pred = () => true, ms = 5_000) {
      const p = typeof pred === 'string' ? ((s) => s.status === pred) : pred;
      return wait(() => {
        while (textCursor < statuses.length) {
          const s = statuses[textCursor++];
          if (p(s)) return s;
        }
        return undefined;
      }, `status ${typeof pred === 'string' ? pred : 'frame'}`, ms);
    },
    nextBinary(ms = 5_000) {
      return wait(() => (binCursor < binaries.length ? binaries[binCursor++] : undefined), 'binary frame', ms);
    },
    pendingBinaries: () => binaries.slice(binCursor),
    waitClose(ms = 5_000) { return withDeadline(closed, ms, `socket close (${describeAll()})`); },
    send(buf) {
      return new Promise((resolve, reject) => ws.send(buf, { binary: true }, (err) => (err ? reject(err) : resolve())));
    },
    sendText(text) {
      return new Promise((resolve, reject) => ws.send(text, { binary: false }, (err) => (err ? reject(err) : resolve())));
    },
    async close(code = 1000, reason = '') {
      if (ws.readyState === 0 || ws.readyState === 1) ws.close(code, reason);
      return withDeadline(closed, 5_000, 'socket close');
    },
    terminate() { ws.terminate(); return withDeadline(closed, 5_000, 'socket terminate'); },
  };
}

/** Try an audio WebSocket that must be refused before the upgrade → {status, body, text, headers}. */
export async function refusedUpgrade(url, { timeoutMs = 5_000 } = {}) {
  try {
    const s = await openAudio(url, { timeoutMs });
    await s.terminate();
  } catch (e) {
    if (e.status !== undefined) return { status: e.status, body: e.body, text: e.text, headers: e.headers };
    throw e;
  }
  throw new Error(`the server accepted the WebSocket upgrade: ${url.replace(/token=[^&]*/, 'token=…')}`);
}

/** Open an audio socket and await its first status frame `ready` → [socket, readyStatus]. */
export async function openAudioReady(url, opts) {
  const s = await openAudio(url, opts);
  const ready = await s.nextStatus(() => true);
  assert.equal(ready.status, 'ready', `first status must be ready: ${JSON.stringify(ready)}`);
  assert.equal(typeof ready.session_id, 'string', `ready.session_id: ${JSON.stringify(ready)}`);
  assert.ok(ready.session_id.length > 0);
  s.ready = ready;
  return s;
}

/** Base64url (no padding) of a Buffer|string. */
export const b64url = (x) => Buffer.from(x).toString('base64url');

/** Split a JWT → {header, payload (objects), headerText, payloadText, signature (base64url), signingInput}. */
export function decodeJwt(token) {
  const parts = String(token).split('.');
  assert.equal(parts.length, 3, `a JWT has 3 parts: ${token}`);
  const headerText = Buffer.from(parts[0], 'base64url').toString('utf8');
  const payloadText = Buffer.from(parts[1], 'base64url').toString('utf8');
  return {
    header: JSON.parse(headerText), payload: JSON.parse(payloadText), headerText, payloadText,
    signature: parts[2], signingInput: `${parts[0]}.${parts[1]}`, parts,
  };
}

/** HMAC JWT: header/payload objects (or raw JSON strings) signed with `secret` (HS256 by default). */
export function signJwt(header, payload, secret, hash = 'sha256') {
  const h = typeof header === 'string' ? header : JSON.stringify(header);
  const p = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const input = `${b64url(h)}.${b64url(p)}`;
  const sig = crypto.createHmac(hash, secret).update(input).digest('base64url');
  return `${input}.${sig}`;
}

/** A user id as its 16 raw bytes (the prefix of packets delivered to a person's socket). */
export function uuidBytes(uuid) {
  const hex = String(uuid).replace(/-/g, '');
  assert.match(hex, /^[0-9a-f]{32}$/i, `not a uuid: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

/** A valid Opus packet: TOC 0x78 (SILK WB 20 ms, code 0) then `len` (≥ 1) data bytes from `seed`. */
export function opusPacket(seed = 1, len = 40) {
  const b = Buffer.alloc(1 + len);
  b[0] = 0x78;
  for (let i = 1; i <= len; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

/** A person joins a voice channel (client API) → the 200 body {token, url, roomName}. */
export async function joinVoice(server, person, channelId) {
  const res = await api(server).post(`/api/v1/channels/${channelId}/voice`, undefined, person.token);
  expectStatus(res, 200);
  return res.body;
}

/** A person joins a voice channel and opens their socket (awaits `ready`) → socket (+ .grant). */
export async function personInVoice(server, person, channelId) {
  const grant = await joinVoice(server, person, channelId);
  const s = await openAudioReady(`${grant.url}?token=${encodeURIComponent(grant.token)}`);
  s.grant = grant;
  return s;
}

/** IVoice/StreamToken for a bot (`tok` = bot(...) auth) → the 200 body {token, ingressUrl, roomName}. */
export async function streamToken(server, tok, spaceId, channelId) {
  const res = await api(server).post('/IVoice/v1/StreamToken', { spaceId, channelId }, tok);
  expectStatus(res, 200);
  return res.body;
}

// ---------------------------------------------------------------------------------------------
// An adjustable clock (testing.clock = adjustable): tests skip over time windows instead of
// sleeping through them, so a loaded machine cannot make them miss a deadline.

export const CLOCK_ADMIN_TOKEN = 'clock-admin-token';
/**
 * Server env for an adjustable clock (with the operator token that moves it). The nodes of a
 * cluster are advanced one after the other, and the timer thread follows its node's clock: for a
 * moment one node is ahead of the other and would find its heartbeat stale. A node lease longer
 * than any advance keeps the nodes from taking each other for dead (these tests are not about
 * node death).
 */
export const ADJUSTABLE_CLOCK = {
  ARGON_TESTING_CLOCK: 'adjustable', ARGON_ADMIN_TOKEN: CLOCK_ADMIN_TOKEN,
  ARGON_SERVER_NODE_LEASE_SECONDS: String(365 * 24 * 3600),
};

/**
 * Moves the clock of every node of `server` forward by `ms` (0: just reads it) → the server's
 * time in Unix ms (the largest of the nodes').
 */
export async function advanceClock(server, ms) {
  const urls = server.urls ?? [server.url];
  let now = 0;
  for (const url of urls) {
    const res = await request(url, 'POST', '/api/v1/admin/clock', { advanceMs: ms }, { raw: `Bearer ${CLOCK_ADMIN_TOKEN}` });
    assert.equal(res.status, 200, `advancing the clock of ${url}: ${show(res)}`);
    now = Math.max(now, Number(res.body.nowMs));
  }
  return now;
}

/** Advances the clock to just past the next multiple of `periodMs` (+ `afterMs`) → the new now. */
export async function advanceClockToBoundary(server, periodMs, afterMs = 1) {
  const now = await advanceClock(server, 0);
  return advanceClock(server, periodMs - (now % periodMs) + afterMs);
}
