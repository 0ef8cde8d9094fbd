// Reproducer of a soak finding (docs/benchmarks.md, "Soak"): on PostgreSQL, resuming a bot's event
// stream with a single event id (Last-Event-ID = the last id received, what an EventSource client
// sends) repeats or skips events of the bot's OTHER stream (space vs direct). The other stream's
// position is computed from gseq (MAX(seq) WHERE gseq <= gseq(that id)), and on PostgreSQL gseq
// follows the order in which transactions appended, not the order they committed, which is the
// order the events are delivered in. Fixed (gseq in commit order, and in a cluster the hub hands
// events on in gseq order): it now runs clean on every engine and is kept as a regression check.
//
//   scripts/with-postgres node bench/soak/lastid_resume_repro.mjs     # exits 1 on the first gap
//   scripts/with-cluster node bench/soak/lastid_resume_repro.mjs      # two nodes, one PostgreSQL
//   node bench/soak/lastid_resume_repro.mjs                            # SQLite
//   (ARGON_BIN=path/to/argon, REPRO_SECONDS=60 by default)
//
// Load: 4 people send messages (space events) and click the bot's button (controlInteraction on the
// bot's direct stream) as fast as they can; the bot is verified and asks for every intent, so none
// of its events is filtered out. The client reads its stream for 50..300 ms, closes it, and resumes
// with the last event id it received; a seq delivered twice, or a seq skipped at a resume, is
// reported with the gseq of the events involved (read from the database).
import { execFileSync } from 'node:child_process';
import {
  startServer, api, register, createSpace, createApp, installBot, joinSpace, channelByName, bot,
  HIGH_RATE_LIMITS, sleep, ENGINE,
} from '../../tests/blackbox/harness.mjs';
import { openSse } from '../../tests/blackbox/sse.mjs';

const server = await startServer({ env: { ...HIGH_RATE_LIMITS, ARGON_RATELIMIT_MAX_CONCURRENCY: '1000', ARGON_ADMIN_TOKEN: 'adm' } });
const c = api(server);
const owner = await register(server);
const space = await createSpace(server, owner, 'Repro');
const general = channelByName(space, 'general').channelId;
const app = await createApp(server, owner);
await installBot(server, owner, space.spaceId, app.appId);
if ((await c.post(`/api/v1/admin/bots/${app.appId}/verify`, undefined, 'adm')).status !== 200) throw new Error('verify failed');
const people = [];
for (let i = 0; i < 4; i++) {
  const p = await register(server);
  await joinSpace(server, space.spaceId, owner, p);
  people.push(p);
}
const menu = await c.post('/IMessages/v1/Send', {
  channelId: general, text: 'menu', controls: [{ controls: [{ type: 0, variant: 0, label: 'Go', id: 'go' }] }],
}, bot(app.token));
const mid = String(menu.body.messageId);

let stop = false;
const end = Date.now() + Number(process.env.REPRO_SECONDS ?? 60) * 1000;
const load = [];
for (const p of people) {
  load.push((async () => { for (let n = 0; !stop; n++) await c.post(`/api/v1/channels/${general}/messages`, { text: `m ${n}` }, p.token); })());
  load.push((async () => { while (!stop) await c.post(`/api/v1/messages/${mid}/controls/go`, undefined, p.token); })());
}

const seen = new Map(); // 'space' | 'direct' → Set(seq)
const maxOf = new Map();
let lastId = null;
let conns = 0;
const anomalies = [];
while (Date.now() < end && anomalies.length === 0) {
  const resumedFrom = lastId;
  const firstNew = new Set();
  const s = await openSse(`${server.url}/IEvents/v1/Stream?intents=16383`, {
    headers: { Authorization: `Bot ${app.token}`, ...(resumedFrom ? { 'Last-Event-ID': resumedFrom } : {}) },
    onFrame: (f) => {
      const m = /^([0-9a-f]{32}|direct)_(\d+)$/.exec(f.id ?? '');
      if (!m) return;
      const key = m[1] === 'direct' ? 'direct' : 'space';
      const seq = Number(m[2]);
      const set = seen.get(key) ?? new Set();
      seen.set(key, set);
      const max = maxOf.get(key) ?? 0;
      if (set.has(seq)) anomalies.push({ kind: 'duplicate', event: f.id, resumedFrom, ids: [f.id] });
      else if (max && seq > max + 1 && !firstNew.has(key)) {
        anomalies.push({ kind: 'skipped', events: `${key} ${max + 1}..${seq - 1}`, resumedFrom,
          ids: Array.from({ length: Math.min(5, seq - max - 1) }, (_, i) => `${m[1]}_${max + 1 + i}`) });
      }
      firstNew.add(key);
      set.add(seq);
      maxOf.set(key, Math.max(max, seq));
      lastId = f.id;
    },
  });
  if (!s.ok) throw new Error(`stream: HTTP ${s.status} ${s.text}`);
  conns++;
  await sleep(50 + Math.random() * 250);
  await s.close();
}
stop = true;
await Promise.allSettled(load);
console.log(`${ENGINE}: ${conns} resumes by last event id, ${seen.get('space')?.size ?? 0} space and ${seen.get('direct')?.size ?? 0} direct events delivered`);
if (anomalies.length === 0) {
  console.log('no event repeated or skipped');
  await server.stop();
  process.exit(0);
}
const a = anomalies[0];
console.log(JSON.stringify({ kind: a.kind, event: a.event ?? a.events, resumedFrom: a.resumedFrom }));
if (server.database) {
  const ref = (id) => {
    const [k, seq] = id.split('_');
    return `(stream = '${k === 'direct' ? `bot:${app.botUserId}` : `space:${space.spaceId}`}' AND seq = ${Number(seq)})`;
  };
  const where = [...new Set([a.resumedFrom, ...a.ids])].map(ref).join(' OR ');
  console.log(execFileSync('psql', [server.database, '-c', `SELECT stream, seq, gseq, type FROM events WHERE ${where} ORDER BY gseq`]).toString());
  console.log('The events are delivered in commit order; a resume from one event id positions the other stream at MAX(seq) WHERE gseq <= gseq(that id).');
}
await server.stop();
process.exit(1);
