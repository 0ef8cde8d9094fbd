// A raw Server-Sent-Events reader for the black-box suite (Node 20 built-ins only).
//
//   import { openSse, openBotStream } from './sse.mjs';
//   const s = await openBotStream(server, app.token, { intents: 1 });
//   const ready = await s.next((f) => f.event === 'ready');
//   const m = await s.next((f) => f.event === 'messageCreate', 5000);
//   s.close();
//
// Frames are {id, event, data, dataText, retry, raw, lines}: `data` is the `data:` text parsed
// with the harness's big-int-safe JSON parser (undefined when it is not JSON, see `parseError`),
// `raw` the frame's text as received (without the terminating blank line), `lines` its lines.
// Nothing here sleeps for a fixed time: every wait has a deadline and resolves as soon as the
// awaited frame arrives.

import assert from 'node:assert/strict';
import { parseJson } from './harness.mjs';

export const DEFAULT_WAIT_MS = 5_000;

/** Uuid → 32 lowercase hex (the space part of event ids and cursors). */
export const hex32 = (uuid) => String(uuid).replace(/-/g, '').toLowerCase();

/** Milliseconds since the Argon epoch (2025-01-01T00:00:00Z). */
export const ARGON_EPOCH_MS = Date.UTC(2025, 0, 1);
export const argonNow = () => Date.now() - ARGON_EPOCH_MS;

/** Parse a space event id `{hex32}_{seq}` → {space, seq} | null. */
export function parseSpaceEventId(id) {
  const m = /^([0-9a-f]{32})_([1-9]\d*)$/.exec(String(id));
  return m ? { space: m[1], seq: Number(m[2]) } : null;
}

/** Parse a direct event id `direct_{seq}` → seq | null. */
export function parseDirectEventId(id) {
  const m = /^direct_([1-9]\d*)$/.exec(String(id));
  return m ? Number(m[1]) : null;
}

/**
 * Parse a heartbeat cursor `{hex}:{seq},…,direct:{seq}` or `0` → Map(key → seq) | null when
 * malformed. Keys are 32-hex space ids or a word naming the caller's direct stream (`direct` for a
 * bot; a person's feed may use another word, e.g. `user`).
 */
export function parseCursor(id) {
  const s = String(id);
  const out = new Map();
  if (s === '0') return out;
  for (const part of s.split(',')) {
    const m = /^([0-9a-f]{32}|[a-z]+):(\d+)$/.exec(part);
    if (!m || out.has(m[1])) return null;
    out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Split a buffer of SSE text into complete frames; returns {frames: string[][], rest}. */
function splitFrames(buf) {
  const frames = [];
  let lines = [];
  let lineStart = 0;
  let frameStart = 0; // where the unfinished frame begins (kept in `rest`)
  for (let i = 0; i < buf.length; i++) {
    const ch = buf[i];
    if (ch !== '\n' && ch !== '\r') continue;
    if (ch === '\r' && i + 1 >= buf.length) break; // a trailing \r may be half of \r\n: wait for more
    const line = buf.slice(lineStart, i);
    if (ch === '\r' && buf[i + 1] === '\n') i++;
    lineStart = i + 1;
    if (line === '') {
      if (lines.length > 0) frames.push(lines);
      lines = [];
      frameStart = lineStart;
    } else {
      lines.push(line);
    }
  }
  return { frames, rest: buf.slice(frameStart) };
}

function toFrame(lines) {
  const f = { id: undefined, event: undefined, data: undefined, dataText: undefined, retry: undefined,
    comments: [], lines, raw: lines.join('\n') };
  const data = [];
  for (const line of lines) {
    if (line.startsWith(':')) { f.comments.push(line.slice(1)); continue; }
    const c = line.indexOf(':');
    const field = c < 0 ? line : line.slice(0, c);
    let value = c < 0 ? '' : line.slice(c + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') f.id = value;
    else if (field === 'event') f.event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry') f.retry = value;
  }
  if (data.length > 0) {
    f.dataText = data.join('\n');
    try { f.data = parseJson(f.dataText); } catch (e) { f.parseError = e; }
  }
  return f;
}

const describe = (f) => `${f.event ?? '(message)'} id=${f.id} ${String(f.dataText ?? '').slice(0, 300)}`;

/**
 * Open an SSE request. Resolves once the response headers are in.
 * Non-200 responses: {status, headers, text, body (parsed JSON or null), ok:false} (connection closed).
 * 200: a stream object with:
 *   status, headers, frames (every frame received so far, in order, never consumed),
 *   next(pred?, timeoutMs?)  → the next not-yet-consumed frame matching pred (frames before it that
 *                              do not match are consumed too); rejects after timeoutMs with the
 *                              frames seen, or when the stream ends first.
 *   collect(n, pred?, timeoutMs?) → the next n matching frames.
 *   until(pred, timeoutMs?)  → every consumed frame up to and including the first match.
 *   pending()                → not-yet-consumed frames (no waiting).
 *   ended                    → promise resolving when the server ends the response (or close()).
 *   isEnded()                → whether it has ended.
 *   close()                  → abort the request (the client disconnects).
 * `onFrame(frame)`, when given, is called for every frame as it arrives (before any waiter).
 */
export async function openSse(url, { headers = {}, timeoutMs = DEFAULT_WAIT_MS, onFrame } = {}) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no response headers from ${url} within ${timeoutMs} ms`)), timeoutMs);
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: ac.signal });
  } finally {
    clearTimeout(timer);
  }
  if (res.status !== 200) {
    const text = await res.text();
    let body = null;
    try { body = text ? parseJson(text) : null; } catch { body = null; }
    return { ok: false, status: res.status, headers: res.headers, text, body };
  }

  const frames = [];
  let cursor = 0; // index of the first unconsumed frame
  let ended = false;
  let endError = null;
  const waiters = new Set();
  let resolveEnded;
  const endedP = new Promise((r) => { resolveEnded = r; });

  const wake = () => { for (const w of [...waiters]) w(); };

  (async () => {
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        const { frames: fs, rest } = splitFrames(buf);
        buf = rest;
        for (const lines of fs) {
          const f = toFrame(lines);
          frames.push(f);
          if (onFrame) onFrame(f);
        }
        if (fs.length) wake();
      }
    } catch (e) {
      if (!ac.signal.aborted) endError = e;
    } finally {
      ended = true;
      resolveEnded();
      wake();
    }
  })();

  const stream = {
    ok: true,
    url,
    status: res.status,
    headers: res.headers,
    frames,
    get ended() { return endedP; },
    isEnded: () => ended,
    pending: () => frames.slice(cursor),
    close() { if (!ac.signal.aborted) ac.abort(); return endedP; },

    /** Next unconsumed frame matching pred (default: any). */
    next(pred = () => true, waitMs = DEFAULT_WAIT_MS) {
      return new Promise((resolve, reject) => {
        const seenFrom = cursor;
        let timer;
        const check = () => {
          while (cursor < frames.length) {
            const f = frames[cursor++];
            if (pred(f)) { done(); resolve(f); return; }
          }
          if (ended) {
            done();
            reject(new Error(`stream ended before the awaited frame${endError ? ` (${endError.message})` : ''}; ` +
              `frames since the wait began:\n${frames.slice(seenFrom).map(describe).join('\n')}`));
          }
        };
        const done = () => { clearTimeout(timer); waiters.delete(check); };
        timer = setTimeout(() => {
          done();
          reject(new Error(`no matching frame within ${waitMs} ms; frames since the wait began:\n` +
            (frames.slice(seenFrom).map(describe).join('\n') || '(none)')));
        }, waitMs);
        waiters.add(check);
        check();
      });
    },

    async collect(n, pred = () => true, waitMs = DEFAULT_WAIT_MS) {
      const out = [];
      const deadline = Date.now() + waitMs;
      while (out.length < n) {
        const left = Math.max(1, deadline - Date.now());
        try {
          out.push(await stream.next(pred, left));
        } catch (e) {
          e.message = `collect(${n}): got ${out.length}: ${e.message}`;
          throw e;
        }
      }
      return out;
    },

    async until(pred, waitMs = DEFAULT_WAIT_MS) {
      const from = cursor;
      await stream.next(pred, waitMs);
      return frames.slice(from, cursor);
    },
  };
  return stream;
}

/** Query string from an object (undefined values dropped). */
function qs(query) {
  const parts = Object.entries(query).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * A bot's event stream. opts: {intents, lastEventId (query), lastEventIdHeader, path (default
 * /IEvents/v1/Stream), headers, auth (false → no Authorization header), onFrame}.
 */
export function openBotStream(server, token, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  if (opts.auth !== false) headers.Authorization = `Bot ${token}`;
  if (opts.lastEventIdHeader !== undefined) headers['Last-Event-ID'] = opts.lastEventIdHeader;
  const path = opts.path ?? '/IEvents/v1/Stream';
  return openSse(server.url + path + qs({ intents: opts.intents, lastEventId: opts.lastEventId }),
    { headers, onFrame: opts.onFrame });
}

/** A person's live feed (GET /api/v1/events). opts: {lastEventId, lastEventIdHeader, headers}. */
export function openPersonFeed(server, token, opts = {}) {
  const headers = { Authorization: `Bearer ${token}`, ...(opts.headers ?? {}) };
  if (opts.lastEventIdHeader !== undefined) headers['Last-Event-ID'] = opts.lastEventIdHeader;
  return openSse(server.url + '/api/v1/events' + qs({ lastEventId: opts.lastEventId }), { headers });
}

/** Open a stream, assert 200 + text/event-stream, and return it with its `ready` frame (first frame). */
export async function openReady(opener) {
  const s = await opener();
  assert.equal(s.status, 200, `stream: expected 200, got ${s.status} ${s.text ?? ''}`);
  assert.match(String(s.headers.get('content-type')), /^text\/event-stream/i);
  const ready = await s.next();
  assert.equal(ready.event, 'ready', `first frame must be ready, got ${describe(ready)}`);
  assert.equal(ready.id, 'ready');
  s.ready = ready;
  return s;
}

/** Predicates. */
export const isEvent = (name, extra = () => true) => (f) => f.event === name && extra(f);
export const isMessage = (text) => (f) => f.event === 'messageCreate' && f.data?.message?.text === text;
export const notHeartbeat = (f) => f.event !== 'heartbeat';

/** Generous limits for event tests: many reconnects allowed. */
export const EVENTS_ENV = {
  ARGON_RATELIMIT_IEVENTS: '100000',
  ARGON_RATELIMIT_IMESSAGES: '100000',
  ARGON_RATELIMIT_ITYPING: '100000',
  ARGON_RATELIMIT_ICHANNELS: '100000',
  ARGON_RATELIMIT_IBOTSELF: '100000',
};
