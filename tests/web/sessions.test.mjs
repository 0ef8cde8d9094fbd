// End to end (Chromium): "Your sessions" — a person sees every session (this browser marked),
// signs one out, then every other one, then this browser. Each ended token is refused by the
// server. docs/web-client.md "Tests".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, HIGH_RATE_LIMITS, api, register, expectStatus, PASSWORD,
} from '../blackbox/harness.mjs';
import { launchChromium, person, shot, signedIn } from './browser.mjs';

let server, browser, c;
before(async () => {
  server = await startServer({ env: HIGH_RATE_LIMITS });
  browser = await launchChromium();
  c = api(server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(user) {
  const res = await c.post('/api/v1/auth/login', { username: user.username, password: PASSWORD });
  expectStatus(res, 200);
  return res.body.token;
}
const refused = async (token) => (await c.get('/api/v1/me', token)).status === 401;

test('your sessions: list, sign one out, sign out everywhere else, then this browser', async () => {
  const nina = await register(server, undefined, { displayName: 'Nina' });
  const phone = await login(nina);
  const laptop = await login(nina);
  const p = await person(browser, 'light');
  const page = p.page;
  try {
    await signedIn(p.context, { ...nina, displayName: 'Nina' });
    await page.goto(server.url + '/');
    await page.getByRole('heading', { name: 'Welcome, Nina' }).waitFor();

    await page.getByRole('button', { name: 'Your sessions' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your sessions' });
    const rows = dialog.getByRole('list', { name: 'Sessions' }).getByRole('listitem');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    assert.equal(await dialog.getByText('This browser').count(), 1);
    assert.equal(await dialog.getByText('Another session').count(), 2);
    await shot(page, 'sessions');

    // The phone's session is the second oldest: sign it out.
    await rows.nth(1).getByRole('button', { name: /^Sign out the session from / }).click();
    await dialog.getByText(/^Signed out the session from /).waitFor();
    await rows.nth(1).waitFor();
    await rows.nth(2).waitFor({ state: 'detached' });
    assert.equal(await refused(phone), true);
    assert.equal(await refused(laptop), false);

    // Everywhere else: the laptop goes, this browser stays.
    await dialog.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await dialog.getByText('Signed out 1 other session.').waitFor();
    await rows.nth(1).waitFor({ state: 'detached' });
    assert.equal(await refused(laptop), true);
    assert.equal(await refused(nina.token), false);
    assert.equal(await dialog.getByRole('button', { name: 'Sign out everywhere else' }).isDisabled(), true);

    // This browser: signs out.
    await dialog.getByRole('button', { name: 'Sign out this browser' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await refused(nina.token), true);
    assert.deepEqual(p.problems, []);
  } finally {
    await p.context.close();
  }
});
