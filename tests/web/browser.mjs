// What every end-to-end test of the web client needs: Debian's chromium launched headless (sandboxed
// when it can be), a person in a browser context of their own with every page error, console error and
// failed request collected, signing up through the page, and the screenshots of docs/web-client.md.
import path from 'node:path';
import { chromium } from 'playwright-core';
import { PASSWORD } from '../blackbox/harness.mjs';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const WAIT_MS = 15_000;
// Set ARGON_WEB_SCREENSHOTS=DIR to save the screenshots of docs/web-client.md there.
export const SHOTS = process.env.ARGON_WEB_SCREENSHOTS;

// Headless, sandboxed when possible. Chromium will not run its sandbox as root (this machine and
// CI containers run the tests as root), and in a container without unprivileged user namespaces it
// cannot set it up at all: only then is it turned off (--no-sandbox). The only pages it opens are
// the app of a loopback test server.
// --disable-dev-shm-usage: containers often give /dev/shm 64 MB, which Chromium outgrows.
export async function launchChromium(extraArgs = [], ) {
  const base = ['--disable-dev-shm-usage', ...extraArgs];
  const options = { executablePath: CHROMIUM, headless: true };
  if (process.getuid?.() === 0) return chromium.launch({ ...options, args: [...base, '--no-sandbox'] });
  try {
    return await chromium.launch({ ...options, args: base });
  } catch (e) {
    if (!/sandbox|namespace/i.test(String(e?.message))) throw e;
    console.log('# chromium cannot set up its sandbox here; running it with --no-sandbox');
    return chromium.launch({ ...options, args: [...base, '--no-sandbox'] });
  }
}

export async function person(browser, colorScheme = 'light', viewport = { width: 1100, height: 760 }) {
  const context = await browser.newContext({ colorScheme, viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A failed request is reported below with its method and path instead.
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return { context, page, problems };
}

export async function signUp(page, username, displayName) {
  await page.getByRole('button', { name: 'Create an account' }).click();
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Display name').fill(displayName);
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Create an account' }).click();
}

export async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Pages of `context` open signed in as `user` ({token, userId, username, displayName}): the
 *  session the app keeps in localStorage is put there before any of its scripts run. */
export async function signedIn(context, user) {
  const session = JSON.stringify({
    token: user.token, userId: user.userId, username: user.username, displayName: user.displayName ?? user.username,
  });
  await context.addInitScript((s) => { localStorage.setItem('argon.session', s); }, session);
}
