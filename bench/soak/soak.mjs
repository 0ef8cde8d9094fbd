// Soak: mixed load against one `argon serve` that is killed with SIGKILL and restarted (same port,
// same data dir / database) every KILL_EVERY seconds; at the end, what the clients were promised is
// compared with what the server stored and what its event streams delivered.
//
//   ARGON_BIN=build/argon node bench/soak/soak.mjs       (bench/soak.sh is the wrapper)
//
// Load (all on 127.0.0.1, one space of one owner, two text channels and the voice channel):
//   - SENDERS bots and PERSON_SENDERS people send at RATE messages/s each (one request in flight
//     per sender); every message has a unique randomId and its own text `soak <sender> #<n>`;
//     a request without an answer (refused, reset, timed out) or answered 5xx/429 is retried with
//     the same randomId until it is answered;
//   - STREAMS bot event streams (explicit resume: a cursor or the last event id, as the
//     Last-Event-ID header or the lastEventId query), IMPLICIT_STREAMS bot streams resuming
//     without an id (one bot each), PERSON_STREAMS people's feeds; each connection is closed by the
//     client after a random STREAM_MIN_S..STREAM_MAX_S seconds and resumed;
//   - interactions: a bot posts a menu message with a button, a person clicks it every
//     INTERACT_EVERY_MS, the bot (on its stream) acknowledges each controlInteraction and replies
//     with a message (randomId derived from the interaction); every 20 clicks a new menu, and the
//     old one loses its button (EditMessage);
//   - voice: a person (client API join + /audio/voice socket) and a bot (/audio/duplex) exchange
//     one Opus packet each every VOICE_INTERVAL_MS; after a restart both reconnect.
// Every KILL_EVERY s the server gets SIGKILL, stays down DOWNTIME_MS, and is started again.
// At the end (no more kills): every sender's last message resolved, streams caught up, then the
// event log and every channel's history are read and compared. See docs/benchmarks.md "Soak".

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import {
  startServer, makeTempDir, parseJson, ARGON_BIN, ENGINE, uname, PASSWORD,
  HIGH_RATE_LIMITS, openAudio, opusPacket, uuidBytes, sleep,
} from '../../tests/blackbox/harness.mjs';
import { openSse } from '../../tests/blackbox/sse.mjs';

// ---------------------------------------------------------------------------------------------
// Knobs

const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: not a non-negative number`);
  return n;
};
const K = {
  DURATION: num('DURATION', 600),             // s of load
  KILL_EVERY: num('KILL_EVERY', 60),          // s between SIGKILLs (0: never)
  DOWNTIME_MS: num('DOWNTIME_MS', 1000),      // between the kill and the restart
  SENDERS: num('SENDERS', 4),                 // bots sending
  PERSON_SENDERS: num('PERSON_SENDERS', 2),   // people sending
  RATE: num('RATE', 5),                       // messages/s per sender
  STREAMS: num('STREAMS', 6),                 // bot streams resuming with an id
  IMPLICIT_STREAMS: num('IMPLICIT_STREAMS', 2), // bot streams resuming without an id
  PERSON_STREAMS: num('PERSON_STREAMS', 2),   // people's feeds (resuming with an id)
  STREAM_MIN_S: num('STREAM_MIN_S', 2),
  STREAM_MAX_S: num('STREAM_MAX_S', 20),
  IMPLICIT_DELAY_MS: num('IMPLICIT_DELAY_MS', 2000), // before an implicit resume after a client close
  INTERACT_EVERY_MS: num('INTERACT_EVERY_MS', 1500), // 0: no interactions
  VOICE: num('VOICE', 1),                     // 0: no voice
  VOICE_INTERVAL_MS: num('VOICE_INTERVAL_MS', 100),
  RSS_EVERY_S: num('RSS_EVERY_S', 5),
  TAIL_WAIT_S: num('TAIL_WAIT_S', 30),        // streams catching up at the end
  REQUEST_TIMEOUT_MS: num('REQUEST_TIMEOUT_MS', 10_000),
  FINAL_DEADLINE_S: num('FINAL_DEADLINE_S', 120), // retries after the load ends
  SEED: num('SEED', Date.now() % 1_000_000),
};
const OUT_DIR = process.env.OUT_DIR || path.join(os.tmpdir(), `argon-soak-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const KEEP_TMP = process.env.KEEP_TMP === '1';

// ---------------------------------------------------------------------------------------------
// Small helpers

function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(K.SEED);
const between = (lo, hi) => lo + (hi - lo) * rand();
const T0 = Date.now();
const rel = (t = Date.now()) => ((t - T0) / 1000).toFixed(1);
const log = (...a) => console.error(`[soak ${rel()}s]`, ...a);
const hex32 = (uuid) => String(uuid).replace(/-/g, '').toLowerCase();
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/).slice(0, 3).join(' ');
const backoff = (attempt) => Math.min(1000, 50 * 2 ** Math.min(attempt, 5)) * between(0.5, 1);

// A run-unique prefix for randomIds (< 2^53 so they are exact as JSON numbers):
// tag (≤ 2^20) · 2^32 + sender (≤ 255) · 2^24 + n (< 2^24).
const RUN_TAG = 1 + Math.floor(rand() * 1_000_000);
const randomIdFor = (senderIndex, n) => RUN_TAG * 2 ** 32 + senderIndex * 2 ** 24 + n;
const randomIdOf = (text) => Number(BigInt('0x' + crypto.createHash('sha256').update(text).digest('hex').slice(0, 13)));

// ---------------------------------------------------------------------------------------------
// The server: start, SIGKILL, restart on the same port and data dir; RSS samples.

let port = 0;
let dataDir;
let node = null;            // the running harness node
let planned = false;        // the current exit is ours (SIGKILL / SIGTERM)
const segments = [];        // one per process lifetime
const unexpectedExits = [];
const rssSamples = [];      // {t, segment, rssKiB}
let logStream;

function procStatus(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) ?? [])[1] ?? NaN);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM'), threads: Number((/^Threads:\s+(\d+)/m.exec(s) ?? [])[1] ?? NaN) };
  } catch { return null; }
}
function procCpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (100 Hz)
  } catch { return NaN; }
}
function sampleRss(seg) {
  if (!seg || seg.ended) return;
  const st = procStatus(seg.pid);
  if (!st || !Number.isFinite(st.rss)) return;
  const s = { t: Date.now(), rss: st.rss, hwm: st.hwm, threads: st.threads };
  seg.samples.push(s);
  rssSamples.push({ t: rel(s.t), segment: seg.index, rssKiB: s.rss });
}

const SERVER_ENV = {
  ...HIGH_RATE_LIMITS,
  ARGON_RATELIMIT_MAX_CONCURRENCY: '1000',
  ARGON_ADMIN_TOKEN: 'soak-admin',
};

async function startSegment() {
  const listen = port ? `127.0.0.1:${port}` : undefined;
  let lastErr;
  for (let attempt = 1; attempt <= 10; attempt++) {
    try {
      node = await startServer({ dataDir, env: SERVER_ENV, listen });
      break;
    } catch (e) {
      lastErr = e;
      log(`start attempt ${attempt} failed: ${String(e.message).split('\n')[0]}`);
      await sleep(500);
    }
  }
  if (!node || (listen && node.port !== port)) throw lastErr ?? new Error('server did not start');
  port = node.port;
  planned = false;
  const seg = {
    index: segments.length + 1, pid: node.proc.pid, startedAt: Date.now(), readyAt: Date.now(), samples: [],
    cpu0: procCpuSeconds(node.proc.pid), warn: 0, error: 0, logLines: [], ended: false,
  };
  segments.push(seg);
  // Server log: every line to OUT_DIR/server.log, warnings and errors counted per segment.
  let partial = '';
  logStream.write(node.stderr()); // what it logged while starting (the harness kept it)
  node.proc.stderr.on('data', (d) => {
    logStream.write(d);
    partial += d;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const m = /^\S+ (warning|warn|error|critical) /.exec(line);
      if (m) {
        if (m[1] === 'error' || m[1] === 'critical') seg.error++; else seg.warn++;
        if (seg.logLines.length < 20) seg.logLines.push(line.slice(0, 300));
      }
    }
  });
  const thisNode = node;
  thisNode.exited.then(({ code, signal }) => {
    seg.ended = true;
    seg.exit = { code, signal };
    if (!planned && thisNode === node) {
      unexpectedExits.push({ segment: seg.index, code, signal, at: rel() });
      log(`!!! server exited unexpectedly (code ${code}, signal ${signal})`);
    }
  });
  sampleRss(seg);
  logStream.write(`\n===== soak: segment ${seg.index} pid ${seg.pid} at +${rel()}s =====\n`);
  return seg;
}

function closeSegment(seg) {
  sampleRss(seg);
  seg.endedAt = Date.now();
  seg.cpu1 = procCpuSeconds(seg.pid);
}

async function killAndRestart() {
  const seg = segments[segments.length - 1];
  closeSegment(seg);
  planned = true;
  const killedAt = Date.now();
  await node.kill();
  seg.ended = true;
  await sleep(K.DOWNTIME_MS);
  const next = await startSegment();
  next.downtimeMs = next.readyAt - killedAt;
  log(`kill -9 #${seg.index} → segment ${next.index} ready after ${next.downtimeMs} ms`);
}

// ---------------------------------------------------------------------------------------------
// HTTP with bookkeeping: every answer counted by status; no answer = a connection error.

const httpStats = {
  requests: 0, byStatus: new Map(), netErrors: new Map(), fiveXX: [], s503: [], unexpected4xx: [],
};
const inc = (m, k, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
const base = () => `http://127.0.0.1:${port}`;
const sinceRestart = () => Date.now() - (segments.at(-1)?.readyAt ?? T0);

function classifyNetError(e) {
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const code = e?.cause?.code ?? e?.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code)) return 'reset';
  if (/other side closed|socket hang up|terminated/i.test(`${e?.message} ${e?.cause?.message}`)) return 'reset';
  return `other:${code || e?.cause?.message || e?.message}`.slice(0, 80);
}

function noteStatus(label, status, text) {
  inc(httpStats.byStatus, status);
  if (status === 503) httpStats.s503.push({ at: rel(), sinceRestartMs: sinceRestart(), label, text: String(text).slice(0, 200) });
  else if (status >= 500) {
    httpStats.fiveXX.push({ at: rel(), sinceRestartMs: sinceRestart(), label, status, text: String(text).slice(0, 300) });
    log(`!!! ${status} on ${label}: ${String(text).slice(0, 200)}`);
  }
}

/** One request → {status, body, text}; throws {net: kind} when no answer arrived. */
async function call(method, urlPath, body, auth, label = `${method} ${urlPath.replace(/[0-9a-f-]{36}|\d{6,}/g, ':id')}`) {
  httpStats.requests++;
  const headers = {};
  if (auth) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res, text;
  try {
    res = await fetch(base() + urlPath, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(K.REQUEST_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (e) {
    const kind = classifyNetError(e);
    inc(httpStats.netErrors, kind);
    const err = new Error(`${label}: no answer (${kind})`);
    err.net = kind;
    throw err;
  }
  noteStatus(label, res.status, text);
  let parsed = null;
  try { parsed = text ? parseJson(text) : null; } catch { parsed = null; }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/**
 * Retry until an answer that is not 5xx/429 arrives (or `deadline`): → the answer, or null when the
 * deadline passed. The same body each time (idempotent sends carry their randomId).
 */
async function callRetry(method, urlPath, body, auth, deadline, onAttempt) {
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    onAttempt?.(attempt);
    let r;
    try {
      r = await call(method, urlPath, body, auth);
    } catch (e) {
      if (!e.net) throw e;
      await sleep(backoff(attempt));
      continue;
    }
    if (r.status === 429) {
      await sleep(Math.min(5000, 1000 * Number(r.headers.get('retry-after') ?? 1)));
      continue;
    }
    if (r.status >= 500) { await sleep(backoff(attempt)); continue; }
    return r;
  }
  return null;
}

function expectOk(r, what, statuses = [200, 201]) {
  if (!r) throw new Error(`${what}: no answer before the deadline`);
  if (!statuses.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

// ---------------------------------------------------------------------------------------------
// Setup: owner, people, space (+ a second text channel), bots (verified: every intent), installs.

const W = {};
async function setup() {
  const dl = Date.now() + 60_000;
  const person = async (prefix) => {
    const username = uname(prefix);
    const b = expectOk(await callRetry('POST', '/api/v1/auth/register', { username, password: PASSWORD }, null, dl), 'register', [201]);
    return { userId: b.userId, username, token: b.token, auth: `Bearer ${b.token}` };
  };
  W.owner = await person('own');
  const sp = expectOk(await callRetry('POST', '/api/v1/spaces', { name: 'Soak' }, W.owner.auth, dl), 'create space', [201]);
  W.spaceId = sp.spaceId;
  W.hex = hex32(sp.spaceId);
  W.general = sp.channels.find((c) => c.name === 'general').channelId;
  W.voice = sp.channels.find((c) => c.name === 'voice').channelId;
  const ch = expectOk(await callRetry('POST', `/api/v1/spaces/${W.spaceId}/channels`, { name: 'second', channelType: 0 }, W.owner.auth, dl), 'create channel', [201]);
  W.second = ch.channelId;
  W.textChannels = [W.general, W.second];
  W.people = [];
  const nPeople = Math.max(K.PERSON_SENDERS, 1) + 2; // senders, the clicker, the voice person
  for (let i = 0; i < nPeople; i++) {
    const p = await person('p');
    const inv = expectOk(await callRetry('POST', `/api/v1/spaces/${W.spaceId}/invites`, undefined, W.owner.auth, dl), 'invite', [201]);
    expectOk(await callRetry('POST', `/api/v1/invites/${encodeURIComponent(inv.code)}/accept`, undefined, p.auth, dl), 'accept');
    W.people.push(p);
  }
  W.clicker = W.people[W.people.length - 2];
  W.voicePerson = W.people[W.people.length - 1];
  const botCount = K.SENDERS + K.IMPLICIT_STREAMS + 2; // senders, implicit-stream bots, interaction bot, voice bot
  W.bots = [];
  for (let i = 0; i < botCount; i++) {
    const app = expectOk(await callRetry('POST', '/api/v1/apps', { name: `Soak ${i}`, botUsername: `${uname('s')}_bot` }, W.owner.auth, dl), 'create app', [201]);
    expectOk(await callRetry('POST', `/api/v1/admin/bots/${app.appId}/verify`, undefined, 'Bearer soak-admin', dl), 'verify');
    expectOk(await callRetry('POST', `/api/v1/spaces/${W.spaceId}/bots`, { appId: app.appId }, W.owner.auth, dl), 'install', [201]);
    W.bots.push({ name: `bot${i}`, appId: app.appId, userId: app.botUserId, token: app.token, auth: `Bot ${app.token}` });
  }
  W.senderBots = W.bots.slice(0, K.SENDERS);
  W.implicitBots = W.bots.slice(K.SENDERS, K.SENDERS + K.IMPLICIT_STREAMS);
  W.ibot = W.bots[K.SENDERS + K.IMPLICIT_STREAMS];
  W.vbot = W.bots[K.SENDERS + K.IMPLICIT_STREAMS + 1];
  W.ibot.name = 'ibot';
  W.vbot.name = 'vbot';
}

// ---------------------------------------------------------------------------------------------
// Sends: every logical message is a record; acknowledged = HTTP 200/201 with a messageId.

const sends = [];          // {sender, kind, text, randomId, channelId, attempts, status, ackId, error}
let loadEnd = Infinity;    // no new work after this
let finalDeadline = Infinity;
let stopping = false;

async function sendOnce(rec, urlPath, body, auth) {
  sends.push(rec);
  const r = await callRetry('POST', urlPath, body, auth, finalDeadline, (a) => { rec.attempts = a + 1; });
  if (!r) { rec.status = 'unresolved'; return rec; }
  if ((r.status === 200 || r.status === 201) && r.body?.messageId !== undefined && r.body?.messageId !== null) {
    rec.status = 'acked';
    rec.ackId = String(r.body.messageId);
  } else {
    rec.status = 'rejected';
    rec.error = `HTTP ${r.status} ${r.text.slice(0, 200)}`;
    httpStats.unexpected4xx.push({ at: rel(), label: `send ${rec.sender}`, status: r.status, text: r.text.slice(0, 200) });
  }
  return rec;
}

function botSend(bot, kind, channelId, text, randomId, extra = {}) {
  return sendOnce({ sender: bot.name, kind, text, randomId, channelId, attempts: 0, status: 'pending' },
    '/IMessages/v1/Send', { channelId, text, randomId, ...extra }, bot.auth);
}
function personSend(p, channelId, text, randomId) {
  return sendOnce({ sender: p.username, kind: 'person', text, randomId, channelId, attempts: 0, status: 'pending' },
    `/api/v1/channels/${channelId}/messages`, { text, randomId }, p.auth);
}

async function senderLoop(index, fn) {
  const interval = 1000 / Math.max(K.RATE, 0.001);
  let next = Date.now() + between(0, interval);
  for (let n = 1; Date.now() < loadEnd && n < 2 ** 24; n++) {
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
    if (Date.now() >= loadEnd) break;
    await fn(n, W.textChannels[n % W.textChannels.length], randomIdFor(index, n));
    next += interval;
    if (next < Date.now() - 5000) next = Date.now(); // after a long outage: do not burst
  }
}

// ---------------------------------------------------------------------------------------------
// Event streams: logical streams made of successive connections. Per stream key (the space's hex,
// `direct`, `user`) every delivered seq is remembered: a seq delivered twice is a duplicate, a seq
// never delivered between the first and the last one seen (or up to the log's end) is a gap.

const streams = [];
const eventSig = new Map(); // event id → "type:messageId" (first seen): the same id must always be the same event

function makeStream(def) {
  const st = {
    ...def, conns: 0, clientCloses: 0, serverDrops: 0, openFailures: 0, openStatus: new Map(),
    events: 0, messageCreates: 0, heartbeats: 0, resumedFrames: 0, notReadyFirst: 0, badIds: 0,
    keys: new Map(), lastId: null, prevEnd: null, conflicts: 0,
    dup: { within: 0, explicitSeam: 0, implicitClient: 0, implicitRestart: 0, first: 0 },
    jump: { within: 0, explicitSeam: 0, implicitClient: 0, implicitRestart: 0, first: 0 },
    outOfOrder: 0, samples: [], connected: false, tail: null, settle: false,
  };
  streams.push(st);
  return st;
}

function keyState(st, key) {
  let ks = st.keys.get(key);
  if (!ks) { ks = { seen: new Set(), min: Infinity, max: 0 }; st.keys.set(key, ks); }
  return ks;
}

function resumeText(st) {
  if (st.mode === 'implicit') return null;
  if (st.mode === 'lastid') return st.lastId;
  const parts = [];
  for (const [key, ks] of st.keys) if (ks.max > 0) parts.push(`${key}:${ks.max}`);
  // The own stream from its start until one of its events arrived (a cursor that does not name a
  // stream starts that stream live: what was committed meanwhile would be skipped unseen).
  if (st.ownFrom && !st.keys.has(st.ownKey)) parts.push(`${st.ownKey}:0`);
  return parts.length ? parts.join(',') : null;
}

function seamClass(st, conn) {
  if (conn.first) return 'first';
  if (st.mode !== 'implicit' && conn.resumeId) return 'explicitSeam';
  return conn.prevEnd === 'server' ? 'implicitRestart' : 'implicitClient';
}

function onFrame(st, conn, f) {
  conn.frames++;
  if (conn.frames === 1 && f.event !== 'ready') st.notReadyFirst++;
  if (f.event === 'ready') return;
  if (f.event === 'resumed') { st.resumedFrames++; return; }
  if (f.event === 'heartbeat') { st.heartbeats++; if (f.id) st.lastId = f.id; return; }
  let key, seq, m;
  if ((m = /^([0-9a-f]{32})_([1-9]\d*)$/.exec(f.id ?? ''))) { key = m[1]; seq = Number(m[2]); }
  else if ((m = /^(direct|user)_([1-9]\d*)$/.exec(f.id ?? ''))) { key = m[1]; seq = Number(m[2]); }
  else { st.badIds++; return; }
  st.events++;
  st.lastId = f.id;
  const ks = keyState(st, key);
  // Until a connection delivers its first new seq of a key, what it delivers for that key is the
  // seam (the replay after a resume); after that, an anomaly is inside the connection.
  const where = conn.keysSeen.has(key) ? 'within' : seamClass(st, conn);
  if (ks.seen.has(seq)) {
    st.dup[where]++;
    if (st.samples.length < 12 && where !== 'implicitClient' && where !== 'implicitRestart') st.samples.push(`dup ${f.id} (${where}, conn ${conn.n}, resumed from ${conn.resumeId})`);
  } else {
    if (ks.max > 0 && seq > ks.max + 1) {
      st.jump[where] += seq - ks.max - 1;
      if (st.samples.length < 12 && where !== 'implicitClient' && where !== 'implicitRestart') {
        st.samples.push(`jump ${key}: ${ks.max} → ${seq} (${where}, conn ${conn.n}, resumed from ${conn.resumeId})`);
      }
    } else if (seq < ks.max) st.outOfOrder++;
    conn.keysSeen.add(key);
    ks.seen.add(seq);
    ks.min = Math.min(ks.min, seq);
    ks.max = Math.max(ks.max, seq);
  }
  const mid = f.data?.message?.messageId ?? f.data?.messageId ?? f.data?.interactionId ?? '';
  const sig = `${f.event}:${mid}`;
  const sigKey = /^[0-9a-f]{32}$/.test(key) ? f.id : `${st.owner.userId}|${f.id}`; // direct_/user_ ids are per owner
  const had = eventSig.get(sigKey);
  if (had === undefined) eventSig.set(sigKey, sig);
  else if (had !== sig) {
    st.conflicts++;
    if (st.samples.length < 12) st.samples.push(`id ${f.id} was ${had}, now ${sig}`);
  }
  if (f.event === 'messageCreate') st.messageCreates++;
  st.handler?.(f);
}

async function streamLoop(st) {
  let attempt = 0;
  while (!st.done) {
    const conn = { n: st.conns + 1, frames: 0, keysSeen: new Set(), first: st.keys.size === 0 && !st.lastId, prevEnd: st.prevEnd, resumeId: null };
    let resume = resumeText(st);
    if (conn.first && st.mode !== 'implicit') resume = st.firstResume ?? null;
    conn.resumeId = resume;
    const headers = { Authorization: st.auth };
    let url = `${base()}${st.path}`;
    const q = [];
    if (st.intents !== undefined) q.push(`intents=${st.intents}`);
    if (resume && st.via === 'query') q.push(`lastEventId=${encodeURIComponent(resume)}`);
    if (resume && st.via === 'header') headers['Last-Event-ID'] = resume;
    if (q.length) url += `?${q.join('&')}`;
    let s;
    try {
      httpStats.requests++;
      s = await openSse(url, { headers, timeoutMs: 5000, onFrame: (f) => onFrame(st, conn, f) });
    } catch (e) {
      const kind = classifyNetError(e);
      inc(httpStats.netErrors, kind);
      st.openFailures++;
      await sleep(backoff(attempt++));
      continue;
    }
    noteStatus(`SSE ${st.name}`, s.status, s.ok ? '' : s.text);
    if (!s.ok) {
      inc(st.openStatus, s.status);
      if (s.status < 500 && s.status !== 429) {
        httpStats.unexpected4xx.push({ at: rel(), label: `SSE ${st.name}`, status: s.status, text: s.text.slice(0, 200) });
      }
      st.openFailures++;
      await sleep(backoff(attempt++));
      continue;
    }
    attempt = 0;
    st.conns++;
    st.connected = true;
    st.current = s;
    const life = between(K.STREAM_MIN_S, K.STREAM_MAX_S) * 1000;
    let timer;
    const lifeOver = new Promise((r) => { timer = setTimeout(() => r('client'), life); });
    const outcome = await Promise.race([s.ended.then(() => 'server'), lifeOver, st.wake.promise]);
    clearTimeout(timer);
    if (outcome !== 'server') {
      if (st.settle && !st.done) {
        // Settling at the end: stay connected (only a server drop or done ends this connection).
        const o2 = await Promise.race([s.ended.then(() => 'server'), st.doneP]);
        if (o2 === 'server') { st.serverDrops++; st.prevEnd = 'server'; }
        else { await s.close(); st.prevEnd = 'client'; }
      } else {
        await s.close();
        st.clientCloses++;
        st.prevEnd = 'client';
      }
    } else {
      st.serverDrops++;
      st.prevEnd = 'server';
    }
    st.connected = false;
    st.current = null;
    if (st.done) break;
    if (st.prevEnd === 'client') await sleep(st.mode === 'implicit' ? K.IMPLICIT_DELAY_MS : between(0, 500));
    else await sleep(between(50, 300));
  }
}

function deferred() { let resolve; const promise = new Promise((r) => { resolve = r; }); return { promise, resolve }; }

function defineStreams() {
  // B0 (the interaction bot, a cursor) answers the interactions; B1 is the same bot resuming with
  // its last event id (its direct events interleave with the space's); then the other bots.
  const modes = [['cursor', 'header'], ['lastid', 'header'], ['cursor', 'query'], ['lastid', 'query']];
  const owners = [W.ibot, W.ibot, ...W.senderBots, W.vbot];
  for (let i = 0; i < K.STREAMS; i++) {
    const bot = owners[i < 2 ? i : 2 + ((i - 2) % (owners.length - 2))];
    const [mode, via] = modes[i % modes.length];
    makeStream({
      name: `B${i} ${bot.name} ${mode}/${via}`, owner: bot, auth: bot.auth, path: '/IEvents/v1/Stream', intents: 16383,
      mode, via, firstResume: 'direct:0', ownKey: 'direct', ownFrom: 1,
    });
  }
  for (let i = 0; i < K.IMPLICIT_STREAMS; i++) {
    const bot = W.implicitBots[i];
    makeStream({ name: `I${i} ${bot.name} implicit`, owner: bot, auth: bot.auth, path: '/IEvents/v1/Stream', intents: 16383, mode: 'implicit', via: 'none', ownKey: 'direct' });
  }
  // People's feeds: the clicker's (it has events of its own: interactionAcked), then the others.
  const feeders = [W.clicker, W.clicker, ...W.people.filter((p) => p !== W.clicker)];
  for (let i = 0; i < K.PERSON_STREAMS; i++) {
    const p = feeders[i % feeders.length];
    const [mode, via] = i % 2 === 0 ? ['cursor', 'header'] : ['lastid', 'query'];
    makeStream({ name: `P${i} ${p.username} ${mode}/${via}`, owner: p, auth: p.auth, path: '/api/v1/events', mode, via, firstResume: 'user:0', ownKey: 'user', ownFrom: 1 });
  }
  for (const st of streams) {
    st.wake = deferred();
    const d = deferred();
    st.doneP = d.promise.then(() => 'done');
    st.finish = () => { st.done = true; st.wake.resolve('done'); d.resolve(); };
  }
}

// ---------------------------------------------------------------------------------------------
// Interactions: menu messages with a button; a person clicks; the bot acknowledges and replies.

const IA = {
  clicks: 0, clickIds: new Set(), clickErrors: 0, events: 0, eventIds: new Set(), unknownEvents: 0,
  ack200: 0, ack404: 0, ackOther: 0, ackUnanswered: 0, acked: new Set(), ackSeenByPerson: new Set(),
  replies: 0, menus: 0, edits: 0, editErrors: 0, pending: new Set(), ackedAt: new Map(), lateHandlers: 0,
};

function onInteractionFrame(f) {
  if (f.event !== 'controlInteraction') return;
  const id = f.data?.interactionId;
  if (!id || IA.eventIds.has(id)) return;
  IA.eventIds.add(id);
  IA.events++;
  if (IA.settled) IA.lateHandlers++; // after the end-of-run wait for interactions
  const p = handleInteraction(id, f.data.channelId).finally(() => IA.pending.delete(p));
  IA.pending.add(p);
}

async function handleInteraction(interactionId, channelId) {
  const created = Date.now();
  const ack = await callRetry('POST', '/IInteractions/v1/Ack', { interactionId }, W.ibot.auth, Math.min(finalDeadline, created + 55_000));
  if (!ack) IA.ackUnanswered++;
  else if (ack.status === 200) { IA.ack200++; IA.acked.add(interactionId); IA.ackedAt.set(interactionId, Date.now()); }
  else if (ack.status === 404) IA.ack404++;
  else {
    IA.ackOther++;
    httpStats.unexpected4xx.push({ at: rel(), label: 'Ack', status: ack.status, text: ack.text.slice(0, 200) });
  }
  const text = `soak reply ${interactionId}`;
  const rec = await sendOnce({ sender: 'ibot-reply', kind: 'reply', text, randomId: randomIdOf(text), channelId, attempts: 0, status: 'pending' },
    '/IInteractions/v1/Reply', { channelId, text, randomId: randomIdOf(text) }, W.ibot.auth);
  if (rec.status === 'acked') IA.replies++;
}

async function clickerLoop() {
  let menu = null;
  let clicksOnMenu = 0;
  let menuN = 0;
  while (Date.now() < loadEnd) {
    if (!menu || clicksOnMenu >= 20) {
      const old = menu;
      menuN++;
      const rec = await botSend(W.ibot, 'menu', W.general, `soak menu #${menuN}`, randomIdFor(250, menuN),
        { controls: [{ controls: [{ type: 0, variant: 0, label: 'Go', id: 'go' }] }] });
      if (rec.status !== 'acked') { await sleep(500); continue; }
      IA.menus++;
      menu = rec.ackId;
      clicksOnMenu = 0;
      if (old) {
        const r = await callRetry('PATCH', '/IInteractions/v1/EditMessage', { channelId: W.general, messageId: old, controls: [] }, W.ibot.auth, finalDeadline);
        if (r?.status === 200) IA.edits++;
        else {
          IA.editErrors++;
          if (r) httpStats.unexpected4xx.push({ at: rel(), label: 'EditMessage', status: r.status, text: r.text.slice(0, 200) });
        }
      }
    }
    const r = await callRetry('POST', `/api/v1/messages/${menu}/controls/go`, undefined, W.clicker.auth, finalDeadline);
    clicksOnMenu++;
    if (r?.status === 200 && r.body?.interactionId) { IA.clicks++; IA.clickIds.add(r.body.interactionId); }
    else {
      IA.clickErrors++;
      if (r) httpStats.unexpected4xx.push({ at: rel(), label: 'click', status: r.status, text: r.text.slice(0, 200) });
    }
    await sleep(K.INTERACT_EVERY_MS * between(0.7, 1.3));
  }
}

// ---------------------------------------------------------------------------------------------
// Voice: a person and a bot in the voice channel exchanging packets; reconnect after each restart.

const VO = {
  sessions: 0, failures: 0, lastError: '', botSent: 0, personSent: 0, personHeard: 0, botHeard: 0, corrupt: 0,
  reconnectMs: [], lastEnd: null,
};

async function voiceSession() {
  const dl = Date.now() + 30_000;
  const g = expectOk(await callRetry('POST', `/api/v1/channels/${W.voice}/voice`, undefined, W.voicePerson.auth, dl), 'voice join');
  const ps = await openAudio(`${g.url}?token=${encodeURIComponent(g.token)}`);
  let bs;
  try {
    await ps.nextStatus('ready', 5000);
    const t = expectOk(await callRetry('POST', '/IVoice/v1/StreamToken', { spaceId: W.spaceId, channelId: W.voice }, W.vbot.auth, dl), 'StreamToken');
    bs = await openAudio(`${t.ingressUrl}/audio/duplex?token=${encodeURIComponent(t.token)}&target_identity=${W.voicePerson.userId}`);
    await bs.nextStatus('ready', 5000);
    await bs.nextStatus('subscribed', 5000);
    VO.sessions++;
    if (VO.lastEnd) VO.reconnectMs.push(Date.now() - VO.lastEnd);
    const botPrefix = uuidBytes(W.vbot.userId);
    let k = 0;
    while (Date.now() < loadEnd && ps.isOpen() && bs.isOpen()) {
      k++;
      try {
        await bs.send(opusPacket(k % 200 + 1, 40)); VO.botSent++;
        await ps.send(opusPacket(k % 200 + 7, 30)); VO.personSent++;
      } catch { break; }
      await sleep(K.VOICE_INTERVAL_MS);
    }
    await sleep(200); // the last packets in flight
    for (const b of ps.binaries) {
      if (b.length === 16 + 41 && b.subarray(0, 16).equals(botPrefix) && b[16] === 0x78) VO.personHeard++; else VO.corrupt++;
    }
    for (const b of bs.binaries) {
      if (b.length === 31 && b[0] === 0x78) VO.botHeard++; else VO.corrupt++;
    }
  } finally {
    VO.lastEnd = Date.now();
    await Promise.allSettled([bs?.close(), ps.close()].filter(Boolean));
  }
}

async function voiceLoop() {
  while (Date.now() < loadEnd) {
    try {
      await voiceSession();
    } catch (e) {
      VO.failures++;
      VO.lastError = String(e.message).split('\n')[0].slice(0, 200);
      await sleep(between(200, 500));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The end: the event log (replayed from 0 through a feed), every channel's history.

async function readReplay(url, auth, what) {
  const frames = [];
  const s = await openSse(url, { headers: { Authorization: auth }, timeoutMs: 10_000 });
  if (!s.ok) throw new Error(`${what}: HTTP ${s.status} ${s.text}`);
  try {
    for (;;) {
      const f = await s.next(() => true, 60_000);
      if (f.event === 'resumed') return { frames, replayedCount: f.data?.replayedCount };
      if (f.event !== 'ready' && f.event !== 'heartbeat') frames.push({ id: f.id, event: f.event, data: f.data });
    }
  } finally { s.close(); }
}

async function auditLog() {
  // The space's whole log, as a person's feed replays it from seq 0 (a person's feed is not filtered).
  const space = await readReplay(`${base()}/api/v1/events?lastEventId=${W.hex}:0`, W.owner.auth, 'space log');
  const spaceSeqs = space.frames.map((f) => Number(f.id.split('_')[1]));
  const out = { spaceMax: Math.max(0, ...spaceSeqs), spaceCount: spaceSeqs.length, space: space.frames, own: new Map() };
  out.spaceHoles = out.spaceMax - new Set(spaceSeqs).size;
  // The own streams of the streams' owners (bots: direct, people: user).
  const owners = new Map();
  for (const st of streams) owners.set(st.owner, st);
  for (const [owner, st] of owners) {
    const isBot = st.path.startsWith('/IEvents');
    const cursor = `${W.hex}:${out.spaceMax},${isBot ? 'direct' : 'user'}:0`;
    const url = `${base()}${st.path}?${isBot ? 'intents=16383&' : ''}lastEventId=${encodeURIComponent(cursor)}`;
    const r = await readReplay(url, owner.auth, `${owner.name ?? owner.username} own log`);
    const seqs = r.frames.filter((f) => /^(direct|user)_/.test(f.id)).map((f) => Number(f.id.split('_')[1]));
    out.own.set(owner, { max: Math.max(0, ...seqs), count: seqs.length, frames: r.frames });
  }
  return out;
}

async function readHistory(channelId) {
  const all = [];
  let from = null;
  const dl = Date.now() + 300_000;
  for (let page = 0; page < 100_000; page++) {
    const q = `limit=100${from ? `&from=${from}` : ''}`;
    const r = expectOk(await callRetry('GET', `/api/v1/channels/${channelId}/messages?${q}`, undefined, W.owner.auth, dl), 'history', [200]);
    const msgs = r.messages ?? [];
    if (msgs.length === 0) break;
    for (const m of msgs) all.push({ messageId: String(m.messageId), text: m.text, creatorId: m.creatorId, channelId });
    from = String(msgs[msgs.length - 1].messageId);
  }
  return all;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  await fsp.mkdir(OUT_DIR, { recursive: true });
  logStream = fs.createWriteStream(path.join(OUT_DIR, 'server.log'));
  dataDir = KEEP_TMP ? await fsp.mkdtemp(path.join(os.tmpdir(), 'argon-soak-data-')) : await makeTempDir('argon-soak-data-');
  const loadBefore = loadavg();
  log(`binary ${ARGON_BIN}, engine ${ENGINE}, data dir ${dataDir}, out ${OUT_DIR}, seed ${K.SEED}, load ${loadBefore}`);
  log(`knobs ${JSON.stringify(K)}`);
  const binSha = crypto.createHash('sha256').update(fs.readFileSync(ARGON_BIN)).digest('hex').slice(0, 16);
  const cpuClient0 = process.cpuUsage();

  await startSegment();
  await setup();
  log(`space ${W.spaceId}: ${W.bots.length} bots, ${W.people.length + 1} people, port ${port}`);
  defineStreams();
  for (const st of streams) if (st.owner === W.ibot && st.mode === 'cursor' && st.via === 'header') { st.handler = onInteractionFrame; break; }
  const clickerFeed = streams.find((s) => s.owner === W.clicker);
  if (clickerFeed) clickerFeed.handler = (f) => { if (f.event === 'interactionAcked') IA.ackSeenByPerson.add(f.data?.interactionId); };

  const loadStart = Date.now();
  loadEnd = loadStart + K.DURATION * 1000;
  finalDeadline = loadEnd + K.FINAL_DEADLINE_S * 1000;

  // RSS sampler.
  const rssTimer = setInterval(() => sampleRss(segments.at(-1)), K.RSS_EVERY_S * 1000);

  const streamTasks = streams.map((st) => streamLoop(st));
  await sleep(1000); // streams connect before the load starts
  const work = [];
  W.senderBots.forEach((b, i) => work.push(senderLoop(i + 1, (n, ch, rid) => botSend(b, 'bot', ch, `soak ${b.name} #${n}`, rid))));
  W.people.slice(0, K.PERSON_SENDERS).forEach((p, i) => work.push(senderLoop(100 + i, (n, ch, rid) => personSend(p, ch, `soak ${p.username} #${n}`, rid))));
  if (K.INTERACT_EVERY_MS > 0) work.push(clickerLoop());
  if (K.VOICE) work.push(voiceLoop());

  // Progress and kills.
  let nextKill = K.KILL_EVERY > 0 ? loadStart + K.KILL_EVERY * 1000 : Infinity;
  let nextReport = loadStart + 30_000;
  while (Date.now() < loadEnd) {
    const seg = segments.at(-1);
    if (seg.ended && !planned) {
      closeSegment(seg);
      log('restarting after an unexpected exit');
      await startSegment();
    }
    if (Date.now() >= nextKill && loadEnd - Date.now() > 5000) {
      await killAndRestart();
      nextKill += K.KILL_EVERY * 1000;
    }
    if (Date.now() >= nextReport) {
      const acked = sends.filter((s) => s.status === 'acked').length;
      log(`progress: ${acked} acked sends, ${streams.reduce((a, s) => a + s.events, 0)} stream events, ` +
        `${IA.clicks} clicks, voice ${VO.sessions} sessions, RSS ${(seg.samples.at(-1)?.rss / 1024).toFixed(1)} MiB, load ${loadavg()}`);
      nextReport += 30_000;
    }
    await sleep(Math.max(50, Math.min(250, loadEnd - Date.now())));
  }

  // ---- the end: finish work, settle streams, audit.
  log('load over: finishing in-flight sends and interactions');
  sampleRss(segments.at(-1));
  segments.at(-1).loadEndSamples = segments.at(-1).samples.length; // the rest is the end-of-run checks
  if (segments.at(-1).ended && !planned) { closeSegment(segments.at(-1)); await startSegment(); }
  await Promise.all(work);
  // Interactions: every acknowledged click's event should arrive and be handled.
  const iaDeadline = Date.now() + K.TAIL_WAIT_S * 1000;
  while (Date.now() < iaDeadline && ([...IA.clickIds].some((id) => !IA.eventIds.has(id)) || IA.pending.size > 0)) await sleep(200);
  await Promise.allSettled([...IA.pending]);
  IA.settled = true;
  if (Date.now() >= iaDeadline) log(`interactions still open after ${K.TAIL_WAIT_S} s: ${[...IA.clickIds].filter((id) => !IA.eventIds.has(id)).length} without event, ${IA.pending.size} pending`);
  // Streams: stop disconnecting; make every stream connected; wait until quiet and caught up.
  for (const st of streams) { st.settle = true; st.wake.resolve('settle'); }
  const connDeadline = Date.now() + 20_000;
  while (Date.now() < connDeadline && streams.some((s) => !s.connected)) await sleep(100);
  await sleep(3000); // presence updates of the last reconnections
  let audit = await auditLog();
  const tailDeadline = Date.now() + K.TAIL_WAIT_S * 1000;
  // Behind: a key the stream follows (it has delivered one of its events) ends before the log's end.
  // (An implicit stream's first connection starts live: its own stream's install event is older.)
  const ownBehind = (st, a) => (st.keys.has(st.ownKey) || st.ownFrom
    ? Math.max(0, (a.own.get(st.owner)?.max ?? 0) - (st.keys.get(st.ownKey)?.max ?? 0)) : 0);
  const spaceBehind = (st, a) => Math.max(0, a.spaceMax - (st.keys.get(W.hex)?.max ?? 0));
  const behind = () => streams.filter((st) => spaceBehind(st, audit) + ownBehind(st, audit) > 0);
  while (Date.now() < tailDeadline && behind().length > 0) await sleep(250);
  audit = await auditLog(); // again: the final word on what the log holds
  const auditAt = Date.now();
  for (const st of streams) {
    st.tail = {
      space: spaceBehind(st, audit),
      own: ownBehind(st, audit),
      stillConnected: st.connected,
    };
  }
  for (const st of streams) st.finish();
  await Promise.allSettled(streamTasks);

  // History of every channel.
  const stored = [];
  for (const ch of W.textChannels) stored.push(...await readHistory(ch));
  clearInterval(rssTimer);
  const lastSeg = segments.at(-1);
  closeSegment(lastSeg);
  planned = true;
  let stopResult = 'exit 0 after SIGTERM';
  try { await node.stop(); } catch (e) { stopResult = String(e.message).split('\n')[0]; }
  lastSeg.ended = true;
  const loadAfter = loadavg();
  const cpuClient = process.cpuUsage(cpuClient0);

  // ---- compare
  const byText = new Map();
  for (const m of stored) {
    if (!m.text?.startsWith('soak ')) continue;
    const l = byText.get(m.text) ?? [];
    l.push(m);
    byText.set(m.text, l);
  }
  const logicalSends = new Map(); // text → records (a reply may be sent twice for one duplicated event)
  for (const s of sends) { const l = logicalSends.get(s.text) ?? []; l.push(s); logicalSends.set(s.text, l); }
  const M = { kinds: new Map(), lost: [], dupTexts: [], idMismatch: [], storedNotAcked: 0, unresolved: 0, rejected: 0, strangers: 0 };
  const kindRow = (k) => { if (!M.kinds.has(k)) M.kinds.set(k, { sends: 0, acked: 0, retried: 0, lost: 0, dup: 0, mismatch: 0, unresolved: 0, rejected: 0 }); return M.kinds.get(k); };
  for (const [text, recs] of logicalSends) {
    const row = kindRow(recs[0].kind);
    row.sends++;
    const acked = recs.filter((r) => r.status === 'acked');
    if (recs.some((r) => r.attempts > 1)) row.retried++;
    const have = byText.get(text) ?? [];
    if (have.length > 1) { row.dup++; M.dupTexts.push({ text, ids: have.map((h) => h.messageId) }); }
    if (acked.length) {
      row.acked++;
      if (have.length === 0) { row.lost++; M.lost.push({ text, ackId: acked[0].ackId, channelId: recs[0].channelId }); }
      else if (acked.some((a) => !have.some((h) => h.messageId === a.ackId))) {
        row.mismatch++; M.idMismatch.push({ text, acked: acked.map((a) => a.ackId), stored: have.map((h) => h.messageId) });
      }
    } else if (recs.some((r) => r.status === 'unresolved')) { row.unresolved++; if (have.length) M.storedNotAcked++; }
    else if (recs.some((r) => r.status === 'rejected')) { row.rejected++; if (have.length) M.storedNotAcked++; }
  }
  for (const text of byText.keys()) if (!logicalSends.has(text)) M.strangers++;
  // The log against the store: one messageCreate per stored soak message.
  const createsByMsg = new Map();
  for (const f of audit.space) if (f.event === 'messageCreate') inc(createsByMsg, String(f.data?.message?.messageId));
  let logDupCreates = 0; let logMissingCreates = 0;
  for (const m of stored) {
    const n = createsByMsg.get(m.messageId) ?? 0;
    if (n === 0) logMissingCreates++;
    if (n > 1) logDupCreates++;
  }
  // Delivered events against the log: the same id must be the same event.
  const logSig = new Map();
  for (const f of audit.space) logSig.set(f.id, `${f.event}:${f.data?.message?.messageId ?? f.data?.messageId ?? f.data?.interactionId ?? ''}`);
  let deliveredNotInLog = 0; let deliveredDiffers = 0;
  for (const [id, sig] of eventSig) {
    if (!/^[0-9a-f]{32}_/.test(id)) continue;
    const l = logSig.get(id);
    if (l === undefined) deliveredNotInLog++;
    else if (l !== sig) deliveredDiffers++;
  }

  // Streams: exact gaps per key = ids in [first seen, end of log] never delivered.
  const S = streams.map((st) => {
    let gaps = 0; let dups = 0;
    const keyEnd = (key) => (key === W.hex ? audit.spaceMax : audit.own.get(st.owner)?.max ?? 0);
    for (const [key, ks] of st.keys) {
      const end = Math.max(ks.max, keyEnd(key));
      const from = key === st.ownKey && st.ownFrom ? Math.min(st.ownFrom, ks.min) : ks.min;
      gaps += end - from + 1 - ks.seen.size;
    }
    // Followed from seq 1 but not one of its events delivered: all of them are missing.
    if (st.ownFrom && !st.keys.has(st.ownKey)) gaps += keyEnd(st.ownKey);
    dups = Object.values(st.dup).reduce((a, b) => a + b, 0);
    // The allowance of an implicit resume, on the streams that resume without an id only.
    const implicit = st.mode === 'implicit';
    const implicitGaps = implicit ? st.jump.implicitClient + st.jump.implicitRestart : 0;
    const implicitDups = implicit ? st.dup.implicitClient + st.dup.implicitRestart : 0;
    return {
      name: st.name, mode: st.mode, conns: st.conns, clientCloses: st.clientCloses, serverDrops: st.serverDrops,
      openFailures: st.openFailures, events: st.events, messageCreates: st.messageCreates,
      gaps, dups, implicitGaps, implicitDups, outOfOrder: st.outOfOrder, conflicts: st.conflicts, tail: st.tail,
      jump: st.jump, dup: st.dup, notReadyFirst: st.notReadyFirst, badIds: st.badIds, samples: st.samples,
      // Failures: anything but what an implicit resume is allowed to skip or repeat (see the docs).
      failGaps: gaps - implicitGaps, failDups: dups - implicitDups,
    };
  });

  const iaNoEvent = [...IA.clickIds].filter((id) => !IA.eventIds.has(id)).length;
  const ackNotSeenIds = clickerFeed ? [...IA.acked].filter((id) => !IA.ackSeenByPerson.has(id)) : [];
  const iaAckNotSeen = ackNotSeenIds.length;
  // For each: when its Ack was answered (vs the final audit), and whether the log holds its event.
  const clickerLog = clickerFeed ? audit.own.get(W.clicker)?.frames ?? [] : [];
  const ackNotSeen = ackNotSeenIds.slice(0, 20).map((id) => ({
    interactionId: id, ackAnsweredAt: rel(IA.ackedAt.get(id)), ackBeforeAudit: IA.ackedAt.get(id) < auditAt,
    inLog: clickerLog.filter((f) => f.data?.interactionId === id).map((f) => `${f.id} ${f.event}`),
  }));
  const other5xx = httpStats.fiveXX.length;
  const lost = M.lost.length;
  const duplicated = M.dupTexts.length;
  const streamFailGaps = S.reduce((a, s) => a + s.failGaps, 0);
  const streamFailDups = S.reduce((a, s) => a + s.failDups, 0);
  const streamOther = S.reduce((a, s) => a + s.outOfOrder + s.conflicts + s.notReadyFirst + s.badIds, 0);
  const failures = [];
  if (lost) failures.push(`${lost} acknowledged message(s) lost`);
  if (duplicated) failures.push(`${duplicated} message(s) stored more than once`);
  if (M.idMismatch.length) failures.push(`${M.idMismatch.length} message(s) stored under another id than acknowledged`);
  if (other5xx) failures.push(`${other5xx} 5xx answer(s) other than 503`);
  if (streamFailGaps) failures.push(`${streamFailGaps} event(s) missing from streams resumed with an id`);
  if (streamFailDups) failures.push(`${streamFailDups} event(s) delivered twice on streams resumed with an id`);
  if (streamOther) failures.push(`${streamOther} stream anomalies (out of order, id conflicts, no ready first, bad ids)`);
  if (deliveredNotInLog || deliveredDiffers) failures.push(`${deliveredNotInLog + deliveredDiffers} delivered event id(s) not in the log as delivered`);
  if (logDupCreates || logMissingCreates) failures.push(`log vs store: ${logMissingCreates} message(s) without messageCreate, ${logDupCreates} with several`);
  if (audit.spaceHoles) failures.push(`${audit.spaceHoles} hole(s) in the space's event log`);
  if (iaNoEvent) failures.push(`${iaNoEvent} acknowledged click(s) whose controlInteraction never reached the bot`);
  if (iaAckNotSeen) failures.push(`${iaAckNotSeen} Ack(s) answered 200 whose interactionAcked never reached the person`);
  if (unexpectedExits.length) failures.push(`${unexpectedExits.length} unexpected server exit(s)`);
  if (httpStats.unexpected4xx.length) failures.push(`${httpStats.unexpected4xx.length} unexpected 4xx answer(s)`);
  if (stopResult !== 'exit 0 after SIGTERM') failures.push(`final stop: ${stopResult}`);

  // ---- report
  const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
  const mib = (kib) => (Number.isFinite(kib) ? (kib / 1024).toFixed(1) : '–');
  const L = [];
  L.push(`## Soak run ${new Date(T0).toISOString().slice(0, 16).replace('T', ' ')} UTC — ${failures.length ? '**FAILED**' : 'passed'}`);
  L.push('');
  const kills = K.KILL_EVERY > 0 ? `SIGKILL every ${K.KILL_EVERY} s (${segments.length - 1} kills, down ${K.DOWNTIME_MS} ms + start)` : 'no kills';
  L.push(`engine **${ENGINE}**, ${K.DURATION} s of load, ${kills}, ` +
    `binary ${ARGON_BIN} (sha256 ${binSha}…), seed ${K.SEED}; load average before ${loadBefore}, after ${loadAfter}; ` +
    `soak client CPU ${((cpuClient.user + cpuClient.system) / 1e6 / ((Date.now() - T0) / 1000)).toFixed(2)} cores.`);
  L.push('');
  L.push('| check | result |');
  L.push('|---|---:|');
  const ackedTotal = [...M.kinds.values()].reduce((a, r) => a + r.acked, 0);
  L.push(`| messages acknowledged (200/201 with messageId) | ${ackedTotal} |`);
  L.push(`| messages stored (soak texts, every channel's history) | ${[...byText.values()].reduce((a, l) => a + l.length, 0)} |`);
  L.push(`| **lost** (acknowledged, not stored) | **${lost}** |`);
  L.push(`| **duplicated** (one send stored twice) | **${duplicated}** |`);
  L.push(`| stored under another id than acknowledged | ${M.idMismatch.length} |`);
  L.push(`| sends retried (no answer / 503 / 5xx, same randomId) | ${[...M.kinds.values()].reduce((a, r) => a + r.retried, 0)} |`);
  L.push(`| sends never answered / rejected (stored anyway) | ${[...M.kinds.values()].reduce((a, r) => a + r.unresolved, 0)} / ${[...M.kinds.values()].reduce((a, r) => a + r.rejected, 0)} (${M.storedNotAcked}) |`);
  L.push(`| stream events delivered (all streams) | ${S.reduce((a, s) => a + s.events, 0)} |`);
  L.push(`| **stream gaps**, resumed with an id (incl. tail) | **${streamFailGaps}** |`);
  L.push(`| **stream duplicates**, resumed with an id | **${streamFailDups}** |`);
  L.push(`| implicit resume: skipped / repeated (allowed, see docs) | ${S.reduce((a, s) => a + s.implicitGaps, 0)} / ${S.reduce((a, s) => a + s.implicitDups, 0)} |`);
  L.push(`| out of order / id conflicts / delivered ≠ log | ${S.reduce((a, s) => a + s.outOfOrder, 0)} / ${S.reduce((a, s) => a + s.conflicts, 0)} / ${deliveredNotInLog + deliveredDiffers} |`);
  L.push(`| event log: space events / holes / stored messages without or with several messageCreate | ${audit.spaceCount} / ${audit.spaceHoles} / ${logMissingCreates}, ${logDupCreates} |`);
  L.push(`| HTTP requests / **5xx other than 503** / 503 | ${httpStats.requests} / **${other5xx}** / ${httpStats.s503.length} |`);
  L.push(`| unexpected 4xx | ${httpStats.unexpected4xx.length} |`);
  L.push(`| no answer (connection refused / reset / timeout / other) | ${['refused', 'reset', 'timeout'].map((k) => httpStats.netErrors.get(k) ?? 0).join(' / ')} / ${[...httpStats.netErrors].filter(([k]) => !['refused', 'reset', 'timeout'].includes(k)).reduce((a, [, v]) => a + v, 0)} |`);
  L.push(`| interactions: clicks / events / Ack 200 (404) / replies / acks seen by the person | ${IA.clicks} / ${IA.events} / ${IA.ack200} (${IA.ack404}) / ${IA.replies} / ${IA.ackSeenByPerson.size} |`);
  L.push(`| clicks without event / Acks not seen by the person | ${iaNoEvent} / ${iaAckNotSeen} |`);
  const vp = VO.botSent ? (100 * VO.personHeard / VO.botSent) : NaN;
  const vb = VO.personSent ? (100 * VO.botHeard / VO.personSent) : NaN;
  L.push(`| voice: sessions / failed attempts / packets bot→person (heard) / person→bot (heard) / malformed | ${VO.sessions} / ${VO.failures} / ${VO.botSent} (${f1(vp)} %) / ${VO.personSent} (${f1(vb)} %) / ${VO.corrupt} |`);
  L.push(`| voice: time from a session's end to the next one (max) | ${VO.reconnectMs.length ? Math.max(...VO.reconnectMs) : '–'} ms |`);
  L.push(`| unexpected server exits / final SIGTERM | ${unexpectedExits.length} / ${stopResult} |`);
  L.push('');
  L.push('Per sender kind:');
  L.push('');
  L.push('| kind | sends | acked | retried | lost | duplicated | id mismatch | unanswered | rejected |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [k, r] of M.kinds) L.push(`| ${k} | ${r.sends} | ${r.acked} | ${r.retried} | ${r.lost} | ${r.dup} | ${r.mismatch} | ${r.unresolved} | ${r.rejected} |`);
  L.push('');
  L.push('Streams (gaps: seqs never delivered between the first one seen and the end of the log; duplicates: a seq delivered again; ' +
    '"implicit" = at a resume without an id, after a client close / after a restart):');
  L.push('');
  L.push('| stream | connections | client closes | server drops | events | gaps | duplicates | implicit skipped (client/restart) | implicit repeated (client/restart) | tail behind |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of S) {
    L.push(`| ${s.name} | ${s.conns} | ${s.clientCloses} | ${s.serverDrops} | ${s.events} | ${s.failGaps} | ${s.failDups} | ` +
      `${s.mode === 'implicit' ? `${s.jump.implicitClient} / ${s.jump.implicitRestart}` : '–'} | ${s.mode === 'implicit' ? `${s.dup.implicitClient} / ${s.dup.implicitRestart}` : '–'} | ${s.tail ? s.tail.space + s.tail.own : '–'} |`);
  }
  L.push('');
  L.push('Server memory and CPU per process (one row per restart segment; RSS from /proc/<pid>/status every ' +
    `${K.RSS_EVERY_S} s):`);
  L.push('');
  L.push('| segment | lived s | restart ms | RSS start MiB | RSS peak MiB | RSS end MiB | VmHWM MiB | argon cores | warn / error log lines |');
  L.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const seg of segments) {
    // The last process: up to the end of the load (its end-of-run checks are shown below).
    const samples = seg.samples.slice(0, seg.loadEndSamples ?? seg.samples.length);
    const rs = samples.map((s) => s.rss);
    const lived = ((seg.endedAt ?? Date.now()) - seg.startedAt) / 1000;
    const cores = (seg.cpu1 - seg.cpu0) / lived;
    L.push(`| ${seg.index} | ${lived.toFixed(0)} | ${seg.downtimeMs ?? '–'} | ${mib(rs[0])} | ${mib(Math.max(...rs))} | ${mib(rs.at(-1))} | ${mib(samples.at(-1)?.hwm)} | ${Number.isFinite(cores) ? cores.toFixed(2) : '–'} | ${seg.warn} / ${seg.error} |`);
  }
  L.push('');
  L.push(`The last process after the end-of-run checks (the space's whole log replayed from 0, every channel's history read): ` +
    `RSS ${mib(lastSeg.samples.at(-1)?.rss)} MiB, VmHWM ${mib(lastSeg.samples.at(-1)?.hwm)} MiB. ` +
    'The first process also served the set-up (registrations hash passwords with Argon2id: its VmHWM).');
  L.push('');
  if (failures.length) {
    L.push('Failures:');
    for (const f of failures) L.push(`- ${f}`);
  } else {
    L.push('Verdict: 0 lost, 0 duplicated, 0 5xx other than 503, streams resumed with an id without gap or duplicate.');
  }
  const details = [];
  if (M.lost.length) details.push(`lost: ${JSON.stringify(M.lost.slice(0, 20))}`);
  if (M.dupTexts.length) details.push(`duplicated: ${JSON.stringify(M.dupTexts.slice(0, 20))}`);
  if (M.idMismatch.length) details.push(`id mismatch: ${JSON.stringify(M.idMismatch.slice(0, 20))}`);
  if (httpStats.fiveXX.length) details.push(`5xx: ${JSON.stringify(httpStats.fiveXX.slice(0, 20))}`);
  if (httpStats.s503.length) details.push(`503: ${JSON.stringify(httpStats.s503.slice(0, 10))}`);
  if (httpStats.unexpected4xx.length) details.push(`unexpected 4xx: ${JSON.stringify(httpStats.unexpected4xx.slice(0, 20))}`);
  for (const s of S) if (s.samples.length) details.push(`${s.name}: ${s.samples.join('; ')}`);
  if (unexpectedExits.length) details.push(`unexpected exits: ${JSON.stringify(unexpectedExits)}`);
  const logLines = segments.flatMap((s) => s.logLines.map((l) => `seg ${s.index}: ${l}`));
  if (logLines.length) details.push(`server warnings/errors (first per segment):\n${logLines.slice(0, 40).join('\n')}`);
  if (VO.lastError) details.push(`last voice error: ${VO.lastError}`);
  if (IA.lateHandlers) details.push(`${IA.lateHandlers} interaction(s) handled after the end-of-run wait`);
  if (ackNotSeen.length) details.push(`Acks not seen by the person (final audit at +${rel(auditAt)}s): ${JSON.stringify(ackNotSeen)}`);
  details.push(`HTTP statuses: ${JSON.stringify(Object.fromEntries(httpStats.byStatus))}; no answer: ${JSON.stringify(Object.fromEntries(httpStats.netErrors))}`);
  const report = `${L.join('\n')}\n\nDetails:\n${details.map((d) => `- ${d}`).join('\n')}\n`;
  await fsp.writeFile(path.join(OUT_DIR, 'report.md'), report);
  await fsp.writeFile(path.join(OUT_DIR, 'rss.csv'), `t_s,segment,rss_kib\n${rssSamples.map((r) => `${r.t},${r.segment},${r.rssKiB}`).join('\n')}\n`);
  await fsp.writeFile(path.join(OUT_DIR, 'report.json'), JSON.stringify({
    knobs: K, engine: ENGINE, binary: ARGON_BIN, binSha, loadBefore, loadAfter, failures,
    messages: { kinds: Object.fromEntries(M.kinds), lost: M.lost, dup: M.dupTexts, idMismatch: M.idMismatch, strangers: M.strangers },
    streams: S, http: { requests: httpStats.requests, byStatus: Object.fromEntries(httpStats.byStatus), netErrors: Object.fromEntries(httpStats.netErrors), fiveXX: httpStats.fiveXX, s503: httpStats.s503, unexpected4xx: httpStats.unexpected4xx },
    interactions: { ...IA, clickIds: undefined, eventIds: undefined, acked: undefined, ackSeenByPerson: IA.ackSeenByPerson.size, pending: undefined, iaNoEvent, iaAckNotSeen },
    voice: VO, segments: segments.map((s) => ({ ...s, samples: undefined })), unexpectedExits,
    audit: { spaceMax: audit.spaceMax, spaceCount: audit.spaceCount, spaceHoles: audit.spaceHoles, logDupCreates, logMissingCreates, deliveredNotInLog, deliveredDiffers },
  }, (k, v) => (v instanceof Map ? Object.fromEntries(v) : v instanceof Set ? [...v] : v), 2));
  logStream.end();
  process.stdout.write(report);
  log(`report, rss.csv, report.json and server.log in ${OUT_DIR}${KEEP_TMP ? `; data dir kept: ${dataDir}` : ''}`);
  return failures.length ? 1 : 0;
}

// Interrupted: exit through process.exit so that the harness kills the server and removes temp dirs.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

const hardStop = setTimeout(() => {
  console.error(`[soak] hard deadline passed (DURATION + ${K.FINAL_DEADLINE_S + 600} s): aborting`);
  process.exit(3);
}, (K.DURATION + K.FINAL_DEADLINE_S + 600) * 1000);
hardStop.unref();

main().then((code) => { process.exitCode = code; setTimeout(() => process.exit(code), 500).unref(); },
  (e) => { console.error('[soak] error:', e); process.exit(2); });
