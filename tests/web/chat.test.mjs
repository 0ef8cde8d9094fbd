// End to end: two people in two browser contexts (separate storage, like two browsers) use the web
// client of a real `argon serve` (started like the black-box suite's, on a free port with a temp
// data dir). Alice signs up, creates a space and an invite link; Bob opens the link, signs up and
// joins; they chat live both ways and Bob's typing shows on Alice's screen. Message text is shown
// as text, never as HTML. Alice signs out and in again. Every wait is on a condition (Playwright's
// auto-waiting locators), bounded by the default timeout; no fixed sleeps.
//
// playwright-core drives Debian's chromium (/usr/bin/chromium, scripts/install-deps --test); it
// downloads no browser. Set ARGON_WEB_SCREENSHOTS=DIR to save the screenshots of
// docs/web-client.md there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, HIGH_RATE_LIMITS, uname, PASSWORD, api, pollUntil, register, createSpace, channelByName,
  sendMessage, joinSpace, makeTempDir, freePort,
} from '../blackbox/harness.mjs';

import { launchChromium, person as personIn, signUp, shot, WAIT_MS } from './browser.mjs';

let server, browser;
before(async () => {
  server = await startServer({ env: HIGH_RATE_LIMITS });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const live = (page) => page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
const composer = (page) => page.getByRole('textbox', { name: 'Message #general' });
const messages = (page) => page.getByRole('log', { name: 'Messages in #general' });
const person = (...args) => personIn(browser, ...args);

test('two people: sign up, space, invite link, join, live chat both ways, typing indicator', async () => {
  const alice = await person('light');
  const bob = await person('dark');
  const a = alice.page, b = bob.page;
  try {
    // Alice: sign up, create a space (a dialog), land in its #general.
    await a.goto(server.url + '/');
    await a.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(a, 'sign-in');
    await signUp(a, uname('alice'), 'Alice');
    await a.getByRole('heading', { name: 'Welcome, Alice' }).waitFor();
    await a.getByRole('button', { name: 'Create a space' }).click();
    const create = a.getByRole('dialog', { name: 'Create a space' });
    await create.getByLabel('Name').fill('Team Argon');
    await create.getByRole('button', { name: 'Create' }).click();
    await a.getByRole('heading', { name: '# general' }).waitFor();
    assert.match(new URL(a.url()).pathname, /^\/app\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);

    // An invite link, from the invite dialog.
    await a.getByRole('button', { name: 'Invite people' }).click();
    const invite = a.getByRole('dialog', { name: 'Invite people to Team Argon' });
    const linkBox = invite.getByRole('textbox', { name: 'Invite link' });
    await a.waitForFunction(() => document.querySelector('input[name=inviteLink]')?.value.includes('/invite/'));
    const link = await linkBox.inputValue();
    assert.match(link, new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/invite/[^/]+$`));
    await shot(a, 'invite');
    await a.keyboard.press('Escape');  // the dialog closes from the keyboard
    await invite.waitFor({ state: 'hidden' });

    // Bob opens the link: asked to sign in first, then joins.
    await b.goto(link);
    await b.getByText('Sign in or create an account to accept the invite.').waitFor();
    await signUp(b, uname('bob'), 'Bob');
    await b.getByRole('button', { name: 'Join space' }).click();
    await b.getByRole('heading', { name: '# general' }).waitFor();
    await b.getByRole('link', { name: 'Team Argon' }).waitFor();
    await Promise.all([live(a), live(b)]);

    // Alice → Bob, live.
    await composer(a).fill('Hello Bob!');
    await composer(a).press('Enter');
    await messages(b).getByText('Hello Bob!').waitFor();
    await messages(b).getByText('Alice', { exact: true }).waitFor();
    assert.equal(await composer(a).inputValue(), '');

    // Bob types: Alice sees the indicator; Bob sends: the indicator goes, the message comes.
    await composer(b).pressSequentially('Hi Alice', { delay: 20 });
    await a.getByText('Bob is typing…').waitFor();
    await shot(a, 'chat-typing');
    await composer(b).press('Enter');
    await messages(a).getByText('Hi Alice').waitFor();
    await a.getByText('Bob is typing…').waitFor({ state: 'hidden' });

    // Text that looks like HTML stays text.
    const html = '<img src=x onerror="window.pwned=1"><b>not bold</b>';
    await composer(b).fill(html);
    await composer(b).press('Enter');
    await messages(a).getByText(html, { exact: true }).waitFor();
    assert.equal(await messages(a).locator('img, b').count(), 0);
    assert.equal(await a.evaluate(() => window.pwned), undefined);
    await shot(b, 'chat-dark');

    // A reload keeps the session (localStorage) and the channel (the address).
    await b.reload();
    await messages(b).getByText('Hi Alice').waitFor();

    // Sign out, sign in again.
    const stored = await a.evaluate(() => JSON.parse(localStorage.getItem('argon.session')));
    const aliceName = stored.username;
    await a.getByRole('button', { name: 'Sign out' }).click();
    await a.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await a.evaluate(() => localStorage.getItem('argon.session')), null);
    // The session ended on the server too: the old token is refused.
    await pollUntil(async () => (await api(server).get('/api/v1/me', stored.token)).status === 401,
      { timeoutMs: WAIT_MS, what: 'the signed-out token to be refused' });
    const form = a.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Username').fill(aliceName);
    await form.getByLabel('Password').fill('wrong password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await a.getByRole('alert').waitFor();
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await messages(a).getByText('Hi Alice').waitFor();

    // The one failed request: the wrong password.
    assert.deepEqual([...alice.problems, ...bob.problems], ['401 POST /api/v1/auth/login']);
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('phone width: the channel list folds behind a Menu button that the keyboard can open', async () => {
  const p = await person('light', { width: 390, height: 800 });
  const page = p.page;
  try {
    await page.goto(server.url + '/');
    await signUp(page, uname('phone'), 'Pat');
    await page.getByRole('button', { name: 'Create a space' }).click();
    await page.getByRole('dialog', { name: 'Create a space' }).getByLabel('Name').fill('Pocket');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '# general' }).waitFor();
    const menu = page.getByRole('button', { name: 'Menu' });
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.getByRole('link', { name: '# general' }).isVisible(), false);
    await menu.focus();
    await page.keyboard.press('Enter');
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await page.getByRole('link', { name: '# general' }).waitFor();
    await shot(page, 'phone-menu');
    await page.getByRole('link', { name: '# general' }).click();
    await page.getByRole('link', { name: '# general' }).waitFor({ state: 'hidden' });
    await composer(page).fill('from a phone');
    await page.keyboard.press('Enter');
    await messages(page).getByText('from a phone').waitFor();
  } finally {
    await p.context.close();
  }
});

test('history: older pages load when scrolling up; entities render as elements, never as markup', async () => {
  const carol = await register(server, uname('carol'), { displayName: 'Carol' });
  const dave = await register(server, uname('dave'), { displayName: 'Dave' });
  const space = await createSpace(server, carol, 'Archive');
  await joinSpace(server, space.spaceId, carol, dave);
  const general = channelByName(space, 'general').channelId;
  for (let i = 1; i <= 70; i++) await sendMessage(server, carol, general, `old message ${i}`);
  const text = 'Bold, italic and code: see example.org/docs or javascript:alert(1), @Dave';
  const at = (word) => text.indexOf(word);
  await sendMessage(server, dave, general, {
    text,
    entities: [
      { type: 'bold', offset: at('Bold'), length: 4 },
      { type: 'italic', offset: at('italic'), length: 6 },
      { type: 'monospace', offset: at('code'), length: 4 },
      { type: 'url', offset: at('example.org'), length: 'example.org/docs'.length, domain: 'example.org', path: '/docs' },
      { type: 'url', offset: at('javascript:'), length: 'javascript:alert(1)'.length, domain: 'x' },
      { type: 'mention', offset: at('@Dave'), length: 5, userId: dave.userId },
    ],
  });

  const p = await person('light');
  const page = p.page;
  try {
    await page.goto(server.url + '/');
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Username').fill(carol.username);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    const log = messages(page);
    const rich = log.getByRole('listitem').filter({ hasText: 'Bold, italic' });
    await rich.waitFor();
    assert.equal(await rich.locator('strong').textContent(), 'Bold');
    assert.equal(await rich.locator('em').textContent(), 'italic');
    assert.equal(await rich.locator('code').textContent(), 'code');
    assert.equal(await rich.locator('.mention').textContent(), '@Dave');
    const links = rich.getByRole('link');
    assert.equal(await links.count(), 1, 'javascript: is not a link');
    assert.equal(await links.getAttribute('href'), 'https://example.org/docs');
    assert.equal(await links.getAttribute('rel'), 'noopener noreferrer nofollow');

    // 71 messages, 50 a page (old 22..70 and the rich one): the first 21 come when the reader
    // scrolls to the top.
    await log.getByText('old message 22', { exact: true }).waitFor();
    assert.equal(await log.getByText('old message 21', { exact: true }).count(), 0);
    await log.evaluate((el) => { el.scrollTop = 0; });
    await log.getByText('old message 1', { exact: true }).waitFor();
    assert.equal(await log.getByRole('listitem').count(), 71);
    assert.deepEqual(p.problems, []);
  } finally {
    await p.context.close();
  }
});

test('channels: the owner creates and deletes one, live for a member; members see no such button; leaving a space', async () => {
  const erin = await register(server, uname('erin'), { displayName: 'Erin' });
  const finn = await register(server, uname('finn'), { displayName: 'Finn' });
  const space = await createSpace(server, erin, 'Workshop');
  await joinSpace(server, space.spaceId, erin, finn);
  const owner = await person('light');
  const member = await person('dark');
  const o = owner.page, m = member.page;
  const signIn = async (page, who) => {
    await page.goto(server.url + '/');
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Username').fill(who.username);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: '# general' }).waitFor();
    await live(page);
  };
  try {
    await signIn(o, erin);
    await signIn(m, finn);
    // Finn has the default archetype: no ManageChannels, no button; and he may leave.
    assert.equal(await m.getByRole('button', { name: 'New channel' }).count(), 0);
    assert.equal(await m.getByRole('button', { name: 'Delete channel' }).count(), 0);
    assert.equal(await o.getByRole('button', { name: 'Leave space' }).count(), 0, 'the owner cannot leave');

    await o.getByRole('button', { name: 'New channel' }).click();
    const dialog = o.getByRole('dialog', { name: 'New channel in Workshop' });
    await dialog.getByLabel('Name').fill('random');
    await dialog.getByRole('radio', { name: 'Text' }).check();
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    await o.getByRole('heading', { name: '# random' }).waitFor();
    await m.getByRole('link', { name: '# random' }).waitFor();  // live: channelCreate
    await m.getByRole('link', { name: '# random' }).click();
    await m.getByRole('heading', { name: '# random' }).waitFor();

    await o.getByRole('button', { name: 'Delete channel' }).click();
    await o.getByRole('dialog', { name: 'Delete #random?' }).getByRole('button', { name: 'Delete channel' }).click();
    await o.getByRole('heading', { name: '# general' }).waitFor();
    // Finn was reading it: the channel goes from his list and he is taken to #general.
    await m.getByRole('link', { name: '# random' }).waitFor({ state: 'hidden' });
    await m.getByRole('heading', { name: '# general' }).waitFor();

    // Removed while looking at a space (kicked through the API): the page leaves it too.
    const second = await createSpace(server, erin, 'Second');
    await joinSpace(server, second.spaceId, erin, finn);
    await m.getByRole('link', { name: 'Second' }).click();  // there live: memberJoin
    await m.waitForURL(new RegExp(`/app/${second.spaceId}/`));
    // Its #general has loaded (a kick landing while that first page is still being read would
    // answer it 403, a failed request this test counts).
    await m.getByText('No messages yet. Say hello!').waitFor();
    const kicked = await api(server).del(`/api/v1/spaces/${second.spaceId}/members/${finn.userId}`, undefined, erin.token);
    assert.equal(kicked.status, 204);
    await m.getByRole('link', { name: 'Second' }).waitFor({ state: 'hidden' });
    await m.waitForURL(new RegExp(`/app/${space.spaceId}/`));

    await m.getByRole('button', { name: 'Leave space' }).click();
    await m.getByRole('dialog', { name: 'Leave Workshop?' }).getByRole('button', { name: 'Leave space' }).click();
    await m.getByRole('heading', { name: `Welcome, Finn` }).waitFor();
    assert.equal(await m.getByRole('link', { name: 'Workshop' }).count(), 0);
    assert.deepEqual([...owner.problems, ...member.problems], []);
  } finally {
    await owner.context.close();
    await member.context.close();
  }
});

test('editing one\'s own message, replying and reacting, live on both sides', async () => {
  const gail = await register(server, uname('gail'), { displayName: 'Gail' });
  const hugo = await register(server, uname('hugo'), { displayName: 'Hugo' });
  const space = await createSpace(server, gail, 'Drafts');
  await joinSpace(server, space.spaceId, gail, hugo);
  const one = await person('light');
  const two = await person('light');
  const g = one.page, h = two.page;
  for (const [page, who] of [[g, gail], [h, hugo]]) {
    await page.goto(server.url + '/');
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Username').fill(who.username);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: '# general' }).waitFor();
    await live(page);
  }
  try {
    await composer(g).fill('first draft');
    await composer(g).press('Enter');
    const hugoSees = messages(h).getByRole('listitem').filter({ hasText: 'first draft' });
    await hugoSees.waitFor();
    assert.equal(await hugoSees.getByRole('button', { name: 'Edit your message' }).count(), 0, 'not his to edit');

    // Gail edits it from the keyboard: Edit, new text, Enter.
    const mine = messages(g).getByRole('listitem').filter({ hasText: 'first draft' });
    await mine.getByRole('button', { name: 'Edit your message' }).click();
    const box = messages(g).getByRole('textbox', { name: 'Edit message' });
    await box.fill('final text');
    await box.press('Enter');
    for (const page of [g, h]) {
      const edited = messages(page).getByRole('listitem').filter({ hasText: 'final text' });
      await edited.getByText('(edited)').waitFor();
    }
    assert.equal(await messages(h).getByText('first draft').count(), 0);

    // Hugo replies to it.
    await messages(h).getByRole('listitem').filter({ hasText: 'final text' })
      .getByRole('button', { name: 'Reply to Gail' }).click();
    await h.getByRole('status').filter({ hasText: 'Replying to Gail: final text' }).waitFor();
    await composer(h).fill('agreed');
    await composer(h).press('Enter');
    for (const page of [g, h]) {
      const reply = messages(page).getByRole('listitem').filter({ hasText: 'agreed' });
      await reply.getByText('Reply to Gail: final text').waitFor();
    }
    assert.equal(await h.getByText('Replying to Gail').count(), 0, 'the reply bar is gone');

    // Reactions: Gail picks 👍 for Hugo's reply, Hugo adds his to it, then takes it back.
    const agreed = (page) => messages(page).getByRole('listitem').filter({ hasText: 'agreed' });
    await agreed(g).getByRole('button', { name: "Add a reaction to Hugo's message" }).click();
    await agreed(g).getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'React with 👍' }).click();
    for (const page of [g, h]) await agreed(page).getByRole('button', { name: '👍 1' }).waitFor();
    assert.equal(await agreed(g).getByRole('button', { name: '👍 1' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await agreed(h).getByRole('button', { name: '👍 1' }).getAttribute('aria-pressed'), 'false');
    await agreed(h).getByRole('button', { name: '👍 1' }).click();
    for (const page of [g, h]) await agreed(page).getByRole('button', { name: '👍 2' }).waitFor();
    await agreed(h).getByRole('button', { name: '👍 2' }).click();
    for (const page of [g, h]) await agreed(page).getByRole('button', { name: '👍 1' }).waitFor();
    assert.deepEqual([...one.problems, ...two.problems], []);
  } finally {
    await one.context.close();
    await two.context.close();
  }
});

test('the live feed comes back when the server restarts: a new ticket, and what was missed shows', async () => {
  // A server of this test's own, restarted on the same address and data dir.
  const dataDir = await makeTempDir();
  const listen = `127.0.0.1:${await freePort()}`;
  let own = await startServer({ dataDir, listen, env: HIGH_RATE_LIMITS });
  const p = await person('light');
  const page = p.page;
  const tickets = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/auth/tickets') tickets.push(r.method()); });
  try {
    const ivy = await register(own, uname('ivy'), { displayName: 'Ivy' });
    const jon = await register(own, uname('jon'), { displayName: 'Jon' });
    const space = await createSpace(own, ivy, 'Flaky');
    await joinSpace(own, space.spaceId, ivy, jon);
    const general = channelByName(space, 'general').channelId;
    await page.goto(own.url + '/');
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Username').fill(ivy.username);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: '# general' }).waitFor();
    await live(page);
    const before = tickets.length;

    await own.stop();
    await page.getByRole('status').filter({ hasText: 'Offline, reconnecting…' }).waitFor();
    own = await startServer({ dataDir, listen, env: HIGH_RATE_LIMITS });
    await sendMessage(own, jon, general, 'sent while Ivy was away');
    await live(page);
    await messages(page).getByText('sent while Ivy was away').waitFor();
    assert.ok(tickets.length > before, 'a new ticket for the new connection');
    await sendMessage(own, jon, general, 'and live again');
    await messages(page).getByText('and live again').waitFor();
  } finally {
    await p.context.close();
    await own.stop();
  }
});
