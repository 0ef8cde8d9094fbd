// A channel filled with many messages through the client API, for tests/web/list.test.mjs and
// bench/web_render.mjs: mixed lengths (one line to several paragraphs), some with entities (bold,
// a url), some replies to earlier ones, some with reactions. Deterministic (a seeded generator),
// sent by several people at once in bounded batches, loopback only. The server needs rate limits
// that allow it (HIGH_RATE_LIMITS plus ARGON_RATELIMIT_PERSON_REQUESTS).
import { api, expectStatus } from '../blackbox/harness.mjs';

// Rate limits for seeding thousands of messages from a few people within a minute.
export const SEED_ENV = { ARGON_RATELIMIT_PERSON_REQUESTS: '1000000' };

const WORDS = ('the quick brown fox jumps over a lazy dog while argon keeps every message in order ' +
  'and the list stays fast because only what is near the viewport is in the page').split(' ');

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(rand, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return out.join(' ');
}

/**
 * Send `count` messages to `channelId`, round-robin from `people` (each {token}), `concurrency`
 * requests in flight. Message i (1-based) reads "#i …" so a test can find it. → the ids in order.
 */
export async function seedChannel(server, people, channelId, count, { concurrency = 8, seed = 13 } = {}) {
  const rand = rng(seed);
  const c = api(server);
  const ids = new Array(count);
  const bodies = [];
  for (let i = 1; i <= count; i++) {
    const r = rand();
    // 60 % one line, 30 % a few lines, 10 % several paragraphs.
    let text = r < 0.6 ? words(rand, 3 + Math.floor(rand() * 10))
      : r < 0.9 ? `${words(rand, 20)}\n${words(rand, 15)}`
        : `${words(rand, 60)}\n\n${words(rand, 50)}\n\n${words(rand, 40)}`;
    text = `#${i} ${text}`;
    const body = { text };
    if (i % 7 === 0) {
      text += ' see example.org/docs';
      body.text = text;
      const at = text.indexOf('example.org');
      body.entities = [
        { type: 'bold', offset: 0, length: String(i).length + 1 },
        { type: 'url', offset: at, length: 'example.org/docs'.length, domain: 'example.org', path: '/docs' },
      ];
    }
    bodies.push(body);
  }
  // Replies point at a message at least one batch earlier, so its id is known.
  for (let start = 0; start < count; start += concurrency) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + concurrency); i++) {
      const body = bodies[i];
      if ((i + 1) % 10 === 0 && start >= concurrency) {
        body.replyTo = ids[Math.floor(rand() * start)];
      }
      const who = people[i % people.length];
      batch.push(c.post(`/api/v1/channels/${channelId}/messages`, body, who.token).then((res) => {
        expectStatus(res, 201);
        ids[i] = String(res.body.messageId);
      }));
    }
    await Promise.all(batch);
  }
  // Every 20th message gets a reaction or two.
  const reactions = [];
  for (let i = 19; i < count; i += 20) reactions.push([ids[i], i % 40 === 19 ? ['👍'] : ['🎉', '❤️']]);
  for (let start = 0; start < reactions.length; start += concurrency) {
    await Promise.all(reactions.slice(start, start + concurrency).map(async ([id, emojis]) => {
      for (const emoji of emojis) {
        const res = await c.post(`/api/v1/channels/${channelId}/messages/${id}/reactions`, { emoji }, people[0].token);
        expectStatus(res, 204);
      }
    }));
  }
  return ids;
}

// signedIn lives in browser.mjs; re-exported for bench/web_render.mjs and the list test.
export { signedIn } from './browser.mjs';
