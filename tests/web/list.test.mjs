// End to end: the windowed message list (web/src/list.tsx) with 2,000+ messages seeded through the
// client API. Asserts behaviour, never time: the DOM holds far fewer items than are loaded;
// scrolling to the top pages older ones in without moving what is on screen; a live message
// sticks to the bottom when the reader is there and offers "New messages ↓" when they scrolled up;
// PageUp/PageDown/Home/End scroll the focused list; a reply jumps to the message it answers; a
// reply to a message not loaded says so and offers no jump; narrowing the window to a phone's
// keeps what is at the top of the view. Every wait is on a condition.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, HIGH_RATE_LIMITS, register, createSpace, joinSpace, channelByName, sendMessage,
} from '../blackbox/harness.mjs';
import { launchChromium, person, shot, WAIT_MS } from './browser.mjs';
import { seedChannel, signedIn, SEED_ENV } from './seed.mjs';

const COUNT = 2000;
let server, browser;
before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ...SEED_ENV } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// Messages are found by id: seeded several at a time, their "#i" numbers are not in id order.
// Where a message is, relative to the top of the list's viewport; null when not rendered.
async function topOf(page, id) {
  return page.evaluate((i) => {
    const box = document.querySelector('[role=log]');
    const li = box.querySelector(`.message-list > li[data-id="${i}"]`);
    return li ? li.getBoundingClientRect().top - box.getBoundingClientRect().top : null;
  }, id);
}

// Whether the message is rendered and entirely in the viewport.
async function inView(page, id) {
  return page.evaluate((i) => {
    const box = document.querySelector('[role=log]');
    const li = box.querySelector(`.message-list > li[data-id="${i}"]`);
    if (!li) return false;
    const a = li.getBoundingClientRect(), b = box.getBoundingClientRect();
    return a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  }, id);
}

const cmpId = (x, y) => (x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0);

const state = (page) => page.evaluate(() => {
  const box = document.querySelector('[role=log]');
  const lis = box.querySelectorAll('.message-list > li');
  return {
    rendered: lis.length,
    loaded: Number(lis[0]?.getAttribute('aria-setsize') || lis.length),
    scrollTop: box.scrollTop,
    atBottom: box.scrollHeight - box.scrollTop - box.clientHeight < 2,
    older: !!box.querySelector('.older button'),
  };
});

test('2,000 messages: windowed DOM, paging keeps the anchor, sticky bottom, New messages, keyboard, reply jump', async () => {
  const alice = await register(server, undefined, { displayName: 'Alice' });
  const bob = await register(server, undefined, { displayName: 'Bob' });
  const space = await createSpace(server, alice, 'Long history');
  await joinSpace(server, space.spaceId, alice, bob);
  const general = channelByName(space, 'general').channelId;
  const ids = await seedChannel(server, [alice, bob], general, COUNT);
  // The newest message replies to the very first: not loaded at first, so no jump yet.
  const answer = await sendMessage(server, bob, general, { text: `#${COUNT + 1} answering the first`, replyTo: ids[0] });
  const order = [...ids, answer].sort(cmpId);
  const first = order[0], newest = order[COUNT];
  assert.equal(newest, answer);

  const p = await person(browser, 'dark');
  const page = p.page;
  await signedIn(p.context, { ...alice, displayName: 'Alice' });
  const poll = (fn, arg) => page.waitForFunction(fn, arg, { timeout: WAIT_MS });
  try {
    await page.goto(`${server.url}/app/${space.spaceId}/${general}`);
    const log = page.getByRole('log', { name: 'Messages in #general' });
    await log.waitFor();
    assert.equal(await log.getAttribute('aria-live'), 'off', 'the window\'s churn is not announced');
    await poll((id) => document.querySelector('.message-list > li:last-child')?.dataset.id === id, answer);
    assert.ok(await inView(page, answer), 'opens at the bottom');
    const last = log.locator('li', { has: page.locator('.text', { hasText: `#${COUNT + 1} answering` }) });
    await last.getByText('Reply to an earlier message').waitFor();
    assert.equal(await last.locator('.reply-ref button').count(), 0, 'no jump to a message that is not loaded');
    let s = await state(page);
    assert.equal(s.loaded, 50);

    // To the top: the next page comes in above, and what was on screen stays where it was.
    const anchorId = order[COUNT - 49];  // the oldest of the first page
    // Scrolled and measured in one go, before the page can arrive.
    const anchorTop = await page.evaluate((i) => {
      const box = document.querySelector('[role=log]');
      box.scrollTop = 0;
      const li = box.querySelector(`.message-list > li[data-id="${i}"]`);
      return li ? li.getBoundingClientRect().top - box.getBoundingClientRect().top : null;
    }, anchorId);
    assert.notEqual(anchorTop, null);
    await poll(() => Number(document.querySelector('.message-list > li')?.getAttribute('aria-setsize')) > 50);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const after = await topOf(page, anchorId);
    assert.ok(after !== null && Math.abs(after - anchorTop) <= 2, `anchor moved from ${anchorTop} to ${after}`);

    // Everything, page by page, by scrolling to the top.
    await page.evaluate(async (deadline) => {
      const box = document.querySelector('[role=log]');
      const t0 = performance.now();
      while (box.querySelector('.older button')) {
        if (performance.now() - t0 > deadline) throw new Error('paging did not reach the first message');
        box.scrollTop = 0;
        await new Promise((r) => requestAnimationFrame(r));
      }
    }, 60_000);
    // The last page came in above what was on screen, which stayed: to the top once more.
    await page.evaluate(() => { document.querySelector('[role=log]').scrollTop = 0; });
    await poll((id) => document.querySelector('.message-list > li')?.dataset.id === id, first);
    s = await state(page);
    assert.equal(s.loaded, COUNT + 1);
    assert.ok(s.rendered < 100, `${s.rendered} items in the DOM for ${s.loaded} loaded`);
    assert.equal(await log.locator('li').first().getAttribute('aria-posinset'), '1');

    // Keyboard: End, PageUp, PageDown, Home on the focused list.
    await log.focus();
    await page.keyboard.press('End');
    await poll((id) => {
      const box = document.querySelector('[role=log]');
      return box.scrollHeight - box.scrollTop - box.clientHeight < 2 && !!box.querySelector(`li[data-id="${id}"]`);
    }, newest);
    const bottom = (await state(page)).scrollTop;
    await page.keyboard.press('PageUp');
    await poll((b) => document.querySelector('[role=log]').scrollTop < b - 200, bottom);
    await page.keyboard.press('PageUp');
    const up2 = (await state(page)).scrollTop;
    await page.keyboard.press('PageDown');
    await poll((u) => document.querySelector('[role=log]').scrollTop > u + 200, up2);
    await page.keyboard.press('Home');
    await poll((id) => document.querySelector('[role=log]').scrollTop === 0 &&
      document.querySelector('.message-list > li')?.dataset.id === id, first);
    assert.ok(await inView(page, first));
    await page.keyboard.press('End');
    await poll(() => {
      const box = document.querySelector('[role=log]');
      return box.scrollHeight - box.scrollTop - box.clientHeight < 2;
    });

    // At the bottom, a live message stays in view, and is announced.
    await sendMessage(server, bob, general, 'live while at the bottom');
    await poll(() => {
      const box = document.querySelector('[role=log]');
      const li = [...box.querySelectorAll('.message-list > li')].find((x) => x.textContent.includes('live while at the bottom'));
      if (!li) return false;
      const a = li.getBoundingClientRect(), b = box.getBoundingClientRect();
      return a.bottom <= b.bottom + 1 && a.top >= b.top - 1;
    });
    assert.equal(await page.getByRole('button', { name: 'New messages ↓' }).count(), 0);
    await poll(() => [...document.querySelectorAll('[aria-live=polite]')].some((x) => x.textContent === 'Bob: live while at the bottom'));

    // Scrolled up: the view stays, "New messages ↓" is offered and takes the reader down.
    await log.focus();
    await page.keyboard.press('PageUp');
    await page.keyboard.press('PageUp');
    await poll(() => {
      const box = document.querySelector('[role=log]');
      return box.scrollHeight - box.scrollTop - box.clientHeight > box.clientHeight;
    });
    const seen = await page.evaluate(() => {
      const box = document.querySelector('[role=log]');
      const b = box.getBoundingClientRect();
      const li = [...box.querySelectorAll('.message-list > li')].find((x) => x.getBoundingClientRect().top >= b.top);
      return { id: li.dataset.id, top: li.getBoundingClientRect().top - b.top };
    });
    await sendMessage(server, bob, general, 'live while scrolled up');
    const newer = page.getByRole('button', { name: 'New messages ↓' });
    await newer.waitFor();
    assert.ok(Math.abs((await topOf(page, seen.id)) - seen.top) <= 2, 'the view did not move');
    assert.equal(await page.evaluate(() => {
      const box = document.querySelector('[role=log]');
      const li = [...box.querySelectorAll('.message-list > li')].find((x) => x.textContent.includes('live while scrolled up'));
      return !!li && li.getBoundingClientRect().top < box.getBoundingClientRect().bottom;
    }), false, 'the new message is below the view');
    await shot(page, 'list-new-messages');
    await newer.click();
    await poll(() => {
      const box = document.querySelector('[role=log]');
      const li = [...box.querySelectorAll('.message-list > li')].find((x) => x.textContent.includes('live while scrolled up'));
      if (!li) return false;
      const a = li.getBoundingClientRect(), b = box.getBoundingClientRect();
      return a.bottom <= b.bottom + 1;
    });
    await newer.waitFor({ state: 'hidden' });

    // The reply to the first message, now loaded: a button that jumps to it and focuses it.
    const jump = last.locator('.reply-ref button');
    await jump.waitFor();
    assert.match(await jump.textContent(), /^Reply to Alice: #1 /);
    await jump.click();
    await poll((id) => document.activeElement?.closest?.('li[data-id]')?.dataset.id === id, ids[0]);
    assert.ok(await inView(page, ids[0]), 'the replied-to message is in view');

    // Phone width: every message gets taller, and what was at the top of the view stays there.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const topItem = await page.evaluate(() => {
      const box = document.querySelector('[role=log]');
      const b = box.getBoundingClientRect();
      const li = [...box.querySelectorAll('.message-list > li')].find((x) => x.getBoundingClientRect().bottom > b.top + 1);
      return { id: li.dataset.id, top: li.getBoundingClientRect().top - b.top };
    });
    await page.setViewportSize({ width: 390, height: 700 });
    await poll(({ id, top }) => {
      const box = document.querySelector('[role=log]');
      const li = box.querySelector(`.message-list > li[data-id="${id}"]`);
      return box.clientWidth < 400 && !!li && Math.abs(li.getBoundingClientRect().top - box.getBoundingClientRect().top - top) <= 2;
    }, topItem);
    await shot(page, 'list-phone');
    assert.deepEqual(p.problems, []);
  } finally {
    await p.context.close();
  }
});
