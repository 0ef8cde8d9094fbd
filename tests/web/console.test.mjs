// End to end (Chromium): the developer console at /developers creates a bot application (its token
// shown once), rotates the token, installs the bot into a space (it shows as a bot in the members
// panel), lists the command the bot registers, and the operator verifies it. docs/web-client.md "Tests".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, HIGH_RATE_LIMITS, api, pollUntil, register, createSpace, createApp, expectStatus, uname,
  registerCommand, bot, BOT_TOKEN_RE,
} from '../blackbox/harness.mjs';

import { openBotStream, openReady } from '../blackbox/sse.mjs';
import { launchChromium, person as personIn, shot, signedIn as signedInAs } from './browser.mjs';

const ADMIN = 'operator-token-for-the-console-test';
let server, browser, c;
before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ARGON_ADMIN_TOKEN: ADMIN } });
  browser = await launchChromium();
  c = api(server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(user, displayName, path, colorScheme = 'light', viewport) {
  const p = await personIn(browser, colorScheme, viewport);
  await signedInAs(p.context, { ...user, displayName });
  await p.page.goto(server.url + path);
  return p;
}

const getMe = (token) => c.get('/IBotSelf/v1/GetMe', bot(token));

test('the developer console creates, installs and rotates a bot; the operator verifies it', async () => {
  const dana = await register(server, undefined, { displayName: 'Dana' });
  const space = await createSpace(server, dana, 'Bot Garage');
  const other = await register(server);
  const taken = await createApp(server, other, { botUsername: `${uname('t')}_bot` });
  const dev = await signedIn(dana, 'Dana', '/developers');
  const d = dev.page;
  try {
    await d.getByText('Developer console').waitFor();
    await d.getByText('No applications yet: create one below.').waitFor();
    const form = d.getByRole('form', { name: 'Create an application' });
    const username = form.getByRole('textbox', { name: 'Bot username' });

    // Bad input, shown at the field: a username that breaks the rules, then a taken one.
    await form.getByLabel('Application name').fill('Garage Helper');
    await username.fill('garage helper');
    await form.getByRole('button', { name: 'Create application' }).click();
    await form.locator('#create-app-botUsername-error').waitFor();
    assert.equal(await username.getAttribute('aria-invalid'), 'true');
    assert.match(await username.getAttribute('aria-describedby'), /create-app-botUsername-error/);
    await username.fill(taken.botUsername);
    await form.getByRole('button', { name: 'Create application' }).click();
    await form.locator('#create-app-botUsername-error').filter({ hasText: 'Choose another bot username.' }).waitFor();

    // Created: the token is shown once, in a dialog, and it works.
    const botName = `${uname('g')}_bot`;
    await username.fill(botName);
    await form.getByRole('button', { name: 'Create application' }).click();
    const shown = d.getByRole('dialog', { name: 'Token of Garage Helper' });
    await shown.getByText('Shown once.').waitFor();
    const token1 = await shown.getByRole('textbox', { name: 'Bot token' }).inputValue();
    assert.match(token1, BOT_TOKEN_RE);
    const me = await getMe(token1);
    expectStatus(me, 200);
    assert.equal(me.body.username, botName);
    await shot(d, 'console-token');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal((await d.content()).includes(token1.split(':')[1]), false, 'the token is gone from the page');
    assert.equal(await form.locator('.field-error').count(), 0, 'the error went with the success');

    const card = d.getByRole('listitem').filter({ has: d.getByRole('heading', { name: 'Garage Helper' }) });
    await card.getByText(`@${botName}`).waitFor();
    await card.getByText('Not verified').waitFor();

    // Rotate (confirmed): a new token, shown once; the old one stops working.
    await card.getByRole('button', { name: 'Rotate token' }).click();
    const confirm = d.getByRole('dialog', { name: 'Rotate the token of Garage Helper?' });
    await confirm.getByRole('button', { name: 'Rotate token' }).click();
    const rotated = d.getByRole('dialog', { name: 'New token of Garage Helper' });
    const token2 = await rotated.getByRole('textbox', { name: 'Bot token' }).inputValue();
    assert.match(token2, BOT_TOKEN_RE);
    assert.notEqual(token2, token1);
    expectStatus(await getMe(token1), 401);
    expectStatus(await getMe(token2), 200);
    await rotated.getByRole('button', { name: 'Done' }).click();

    // Install into Dana's space.
    assert.equal(await card.getByRole('combobox', { name: 'Space' }).inputValue(), space.spaceId);
    await card.getByRole('button', { name: 'Install' }).click();
    await card.getByText('Installed', { exact: true }).waitFor();
    const appId = await card.getAttribute('data-app-id');
    const app = (await c.get('/api/v1/apps', dana.token)).body.apps.find((a) => a.appId === appId);
    assert.ok(app);
    const members = (await c.get(`/api/v1/spaces/${space.spaceId}`, dana.token)).body.members;
    assert.ok(members.some((m) => m.userId === app.botUserId), 'the bot is a member');

    // The bot registers a command through the Bot API; the console lists it.
    await card.getByText('The bot has registered no commands here.').waitFor();
    await registerCommand(server, bot(token2), { name: 'ping', description: 'Answers pong', spaceId: space.spaceId });
    await card.getByRole('button', { name: 'Refresh commands' }).click();
    const commands = card.getByRole('list', { name: 'Commands of Garage Helper' });
    await commands.getByText('/ping').waitFor();
    await commands.getByText('Answers pong').waitFor();

    // The operator's section: the token stays in sessionStorage only; verify the app.
    const op = d.getByRole('region', { name: 'Operator' }).or(d.locator('section.operator'));
    await op.getByLabel('Operator token').fill(ADMIN);
    await op.getByRole('button', { name: 'Open the operator view' }).click();
    const all = op.getByRole('list', { name: 'All bot applications' });
    await all.getByText('Garage Helper').waitFor();
    await all.getByText(taken.botUsername, { exact: false }).waitFor();
    assert.equal(await d.evaluate(() => sessionStorage.getItem('argon.operatorToken')), ADMIN);
    assert.equal(await d.evaluate((t) => Object.values(localStorage).some((v) => v.includes(t)), ADMIN), false);
    await all.getByRole('button', { name: `Verify ${botName}` }).click();
    await card.getByText('Verified', { exact: true }).waitFor();
    await all.getByRole('button', { name: `Unverify ${botName}` }).waitFor();
    const verified = (await c.get('/api/v1/apps', dana.token)).body.apps.find((a) => a.appId === appId);
    assert.equal(verified.isVerified, true);
    await shot(d, 'console');

    // In the chat, the bot is in the members panel, marked as a (verified) bot.
    await d.getByRole('link', { name: 'Back to chat' }).click();
    await d.getByRole('button', { name: 'Members' }).click();
    const row = d.locator(`li[data-user-id="${app.botUserId}"]`);
    await row.getByText('Bot', { exact: true }).waitFor();
    await row.getByText('Verified', { exact: true }).waitFor();
    const flags = (await c.get(`/api/v1/spaces/${space.spaceId}/members/${app.botUserId}`, dana.token)).body.flags;
    assert.equal(flags & 5, 5, 'BOT and VERIFIED');
    // A bot is online while its event stream is open: live in the panel.
    await row.getByText('Offline').waitFor();
    const stream = await openReady(() => openBotStream(server, token2));
    try {
      await row.getByText('Online').waitFor();
    } finally {
      stream.close();
    }
    await row.getByText('Offline').waitFor();

    // Uninstall, back at /developers (a reload keeps the operator view for this tab).
    await d.goto(server.url + '/developers');
    await card.getByRole('button', { name: 'Uninstall' }).click();
    await card.getByText('Not installed').waitFor();
    await pollUntil(async () => !(await c.get(`/api/v1/spaces/${space.spaceId}`, dana.token)).body.members
      .some((m) => m.userId === app.botUserId), { what: 'the bot gone' });
    await all.getByText('Garage Helper').waitFor();

    assert.deepEqual(dev.problems, [
      '400 POST /api/v1/apps',
      '409 POST /api/v1/apps',
    ]);
  } finally {
    await dev.context.close();
  }
});

test('the operator view refuses a wrong token and keeps nothing', async () => {
  const erin = await register(server, undefined, { displayName: 'Erin' });
  const p = await signedIn(erin, 'Erin', '/developers', 'dark', { width: 390, height: 760 });
  try {
    const op = p.page.locator('section.operator');
    await op.getByLabel('Operator token').fill('not-the-operator-token');
    await op.getByRole('button', { name: 'Open the operator view' }).click();
    await op.getByRole('alert').filter({ hasText: 'The server did not accept this operator token.' }).waitFor();
    assert.equal(await p.page.evaluate(() => sessionStorage.getItem('argon.operatorToken')), null);
    assert.equal(await op.getByRole('list', { name: 'All bot applications' }).count(), 0);
    await shot(p.page, 'console-phone');
    assert.deepEqual(p.problems, ['401 GET /api/v1/admin/apps']);
  } finally {
    await p.context.close();
  }
});
