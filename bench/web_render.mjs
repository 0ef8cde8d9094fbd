#!/usr/bin/env node
// The web client's message list at 10,000 messages, and its first-load size (docs/benchmarks.md
// "Web client"). Starts a real argon (the black-box harness, temp data dir, loopback), fills a
// channel with MESSAGES messages through the client API (tests/web/seed.mjs: mixed lengths,
// entities, replies, reactions), then RUNS times opens the channel in headless Chromium
// (tests/web/browser.mjs) in a fresh browser context and measures:
//   - channel shown: navigation start → first frame with a message in the list;
//   - all loaded: paging to the top (the list is scrolled to its top until nothing older is left)
//     → every message loaded and rendered;
//   - scrolling through all of them, one screen a frame from top to bottom: the intervals
//     between frames (requestAnimationFrame), p50 / p95 / max, and frames over 50 ms;
//   - after that: elements in the document, <li> in the list, JS heap (after a forced GC, CDP);
//   - a live message: with everything loaded and the list at the bottom, another person sends one
//     (fetch from the page, so one clock) → the first frame with it in the list, in view; PROBES
//     of them.
// Medians over the runs; every run is printed too. The first-load size is what the server sends
// for index.html and the assets it names, as is, with gzip and with brotli.
//
//   node bench/web_render.mjs [path/to/argon]        # default build/argon
//   RUNS=5 MESSAGES=10000 PROBES=5 node bench/web_render.mjs build/argon
//
// Needs tests/web/node_modules and tests/blackbox/node_modules (scripts/web-test installs them)
// and Debian's chromium (CHROMIUM_BIN). Never an assertion on time: it reports.
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
if (process.argv[2]) process.env.ARGON_BIN = path.resolve(process.argv[2]);
const { startServer, HIGH_RATE_LIMITS, register, createSpace, joinSpace, channelByName } =
  await import(path.join(here, '..', 'tests', 'blackbox', 'harness.mjs'));
const { launchChromium } = await import(path.join(here, '..', 'tests', 'web', 'browser.mjs'));
const { seedChannel, signedIn, SEED_ENV } = await import(path.join(here, '..', 'tests', 'web', 'seed.mjs'));

const RUNS = Number(process.env.RUNS || 3);
const MESSAGES = Number(process.env.MESSAGES || 10_000);
const PROBES = Number(process.env.PROBES || 5);
const LOAD_DEADLINE_MS = Number(process.env.LOAD_DEADLINE_MS || 600_000);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 100 ? 1 : 0)} ms` : '—');
const mb = (x) => `${(x / 1048576).toFixed(1)} MB`;

function get(url, encoding) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: encoding ? { 'Accept-Encoding': encoding } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), coding: res.headers['content-encoding'] }));
    }).on('error', reject);
  });
}

async function firstLoad(base) {
  const index = await get(`${base}/`);
  const names = [...index.body.toString().matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const rows = [];
  for (const p of ['/', ...names]) {
    const row = { path: p === '/' ? 'index.html' : p.replace(/-[A-Z0-9]{8}\./, '-<hash>.') };
    for (const [key, enc] of [['raw', ''], ['gzip', 'gzip'], ['br', 'br']]) {
      const r = await get(base + p, enc);
      if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
      row[key] = r.body.length;
    }
    rows.push(row);
  }
  return rows;
}

// In the page, from before the app runs: the time of the first frame with a message in the list.
function firstFrameProbe() {
  const look = () => {
    if (document.querySelector('.message-list > li')) {
      window.__shown = performance.now();
      return;
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

async function oneRun(browser, server, world, run) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  await signedIn(context, world.alice);
  await context.addInitScript(firstFrameProbe);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  // Where a phase's time went: the renderer's script, style and layout seconds (CDP metrics).
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
  const spent = (a, b) => ({
    script: (b.ScriptDuration - a.ScriptDuration) * 1000,
    style: (b.RecalcStyleDuration - a.RecalcStyleDuration) * 1000,
    layout: (b.LayoutDuration - a.LayoutDuration) * 1000,
  });
  const out = { run };
  try {
    await page.goto(`${server.url}/app/${world.spaceId}/${world.channelId}`);
    await page.waitForFunction(() => window.__shown !== undefined);
    out.shown = await page.evaluate(() => window.__shown);

    // Page to the top: scroll the list to its top until all are loaded and nothing older is offered.
    let m0 = await metrics();
    out.loadAll = await page.evaluate(async ({ total, deadline }) => {
      const box = document.querySelector('[role=log]');
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const loaded = () => {
        const lis = box.querySelectorAll('.message-list > li');
        const size = Number(lis[0]?.getAttribute('aria-setsize') || 0);
        return Math.max(size, lis.length);
      };
      const t0 = performance.now();
      while (loaded() < total || box.querySelector('.older button')) {
        if (performance.now() - t0 > deadline) throw new Error(`only ${loaded()} of ${total} loaded`);
        box.scrollTop = 0;
        box.dispatchEvent(new Event('scroll'));
        await frame();
      }
      await frame();
      return performance.now() - t0;
    }, { total: MESSAGES, deadline: LOAD_DEADLINE_MS });

    let m1 = await metrics();
    out.loadSpent = spent(m0, m1);

    // Through all of them, a screen a frame, top to bottom.
    const scroll = await page.evaluate(async () => {
      const box = document.querySelector('[role=log]');
      box.scrollTop = 0;
      const frames = [];
      const busy = [];
      let last = await new Promise((r) => requestAnimationFrame(r));
      const started = performance.now();
      for (;;) {
        const before = box.scrollTop;
        box.scrollTop = before + box.clientHeight;
        const t = await new Promise((r) => requestAnimationFrame(r));
        frames.push(t - last);
        busy.push(performance.now() - t);
        last = t;
        if (box.scrollTop + box.clientHeight >= box.scrollHeight - 2 && box.scrollTop === before) break;
        if (performance.now() - started > 600_000) break;
      }
      return { frames, busy, count: frames.length };
    });
    m0 = m1;
    m1 = await metrics();
    out.scrollSpent = spent(m0, m1);
    out.frames = scroll.count;
    out.p50 = pct(scroll.frames, 50);
    out.p95 = pct(scroll.frames, 95);
    out.max = Math.max(...scroll.frames);
    out.janky = scroll.frames.filter((f) => f > 50).length;

    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    out.heap = heap.usedSize;
    const dom = await page.evaluate(() => ({
      elements: document.getElementsByTagName('*').length,
      items: document.querySelectorAll('.message-list > li').length,
    }));
    out.elements = dom.elements;
    out.items = dom.items;

    // Live messages at the bottom with everything loaded.
    const live = [];
    for (let i = 0; i < PROBES; i++) {
      const text = `live probe ${run}.${i} ${Date.now()}`;
      const took = await page.evaluate(async ({ text, token, channelId }) => {
        const box = document.querySelector('[role=log]');
        box.scrollTop = box.scrollHeight;
        await new Promise((r) => requestAnimationFrame(r));
        const t0 = performance.now();
        const res = await fetch(`/api/v1/channels/${channelId}/messages`, {
          method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ text }),
        });
        if (res.status !== 201) throw new Error(`send: ${res.status}`);
        for (;;) {
          const t = await new Promise((r) => requestAnimationFrame(r));
          const li = [...box.querySelectorAll('.message-list > li')].find((x) => x.textContent.includes(text));
          if (li) {
            const a = li.getBoundingClientRect(), b = box.getBoundingClientRect();
            if (a.bottom <= b.bottom + 1 && a.top >= b.top - 1) return t - t0;
          }
          if (performance.now() - t0 > 30_000) throw new Error('the live message did not show');
        }
      }, { text, token: world.bob.token, channelId: world.channelId });
      live.push(took);
    }
    out.live = median(live);
    if (errors.length) out.errors = errors;
  } finally {
    await context.close();
  }
  return out;
}

const server = await startServer({ env: { ...HIGH_RATE_LIMITS, ...SEED_ENV } });
let browser;
try {
  const alice = await register(server, undefined, { displayName: 'Alice' });
  const bob = await register(server, undefined, { displayName: 'Bob' });
  alice.displayName = 'Alice';
  const space = await createSpace(server, alice, 'Bench');
  await joinSpace(server, space.spaceId, alice, bob);
  const channelId = channelByName(space, 'general').channelId;
  const seeded = Date.now();
  await seedChannel(server, [alice, bob], channelId, MESSAGES);
  console.log(`# seeded ${MESSAGES} messages in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  const world = { alice, bob, spaceId: space.spaceId, channelId };

  const sizes = await firstLoad(server.url);
  browser = await launchChromium();
  const runs = [];
  for (let r = 1; r <= RUNS; r++) {
    const res = await oneRun(browser, server, world, r);
    runs.push(res);
    console.log(`# run ${r}: ${JSON.stringify(res)}`);
  }
  const m = (k) => median(runs.map((x) => x[k]));
  const split = (k) => ['script', 'style', 'layout'].map((f) => ms(median(runs.map((x) => x[k][f])))).join(' / ');
  console.log(`\nargon: ${process.env.ARGON_BIN || 'build/argon'}; ${MESSAGES} messages; ${RUNS} runs (medians); chromium headless 1100×760`);
  console.log('\n| figure | value |\n|---|---:|');
  console.log(`| channel shown (navigation → first frame with messages) | ${ms(m('shown'))} |`);
  console.log(`| all ${MESSAGES.toLocaleString('en')} loaded and rendered (paging to the top) | ${ms(m('loadAll'))} |`);
  console.log(`| … of which script / style / layout (renderer, CDP) | ${split('loadSpent')} |`);
  console.log(`| scrolling through all, a screen a frame: frames | ${m('frames')} |`);
  console.log(`| frame interval p50 / p95 / max | ${ms(m('p50'))} / ${ms(m('p95'))} / ${ms(m('max'))} |`);
  console.log(`| frames over 50 ms | ${m('janky')} |`);
  console.log(`| scrolling: script / style / layout (renderer, CDP) | ${split('scrollSpent')} |`);
  console.log(`| elements in the document / <li> in the list, after | ${m('elements')} / ${m('items')} |`);
  console.log(`| JS heap after GC | ${mb(m('heap'))} |`);
  console.log(`| live message → shown at the bottom (${PROBES} a run) | ${ms(m('live'))} |`);
  console.log('\n| first load | bytes | gzip | brotli |\n|---|---:|---:|---:|');
  let tot = { raw: 0, gzip: 0, br: 0 };
  for (const row of sizes) {
    console.log(`| ${row.path} | ${row.raw} | ${row.gzip} | ${row.br} |`);
    for (const k of Object.keys(tot)) tot[k] += row[k];
  }
  console.log(`| **total** | ${tot.raw} | ${tot.gzip} | ${tot.br} |`);
  if (runs.some((x) => x.errors)) console.log('\nPAGE ERRORS:', runs.flatMap((x) => x.errors ?? []));
} finally {
  await browser?.close();
  await server.stop();
}
