// End to end: a person uses a bot through the web client. The bot is this test itself, speaking
// the Bot API over fetch (its token from POST /api/v1/apps) and reading its events from
// GET /IEvents/v1/Stream with the black-box suite's SSE reader. It registers /roll (typed options,
// choices), /ping and /help; the person picks /roll from the composer's slash-command picker, fills
// its options (a wrong one first), the bot defers ("Dice is thinking…") and answers with buttons
// (colours, disabled, a link, one needing a role the person lacks) and selects; the person clicks,
// chooses, fills the bot's modal (invalid first, then valid), and sees the acks and the bot's edit
// of its message and controls live. The picker from the keyboard only, and a modal that expired
// (the server's adjustable clock moves past the 60 s interaction lifetime), are tested too.
// Every wait is on a condition with a deadline; no fixed sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, HIGH_RATE_LIMITS, ADJUSTABLE_CLOCK, advanceClock, api, bot, uname, register, createSpace,
  channelByName, joinSpace, createApp, installBot, createArchetype, expectStatus, expectEmpty200,
} from '../blackbox/harness.mjs';
import { openBotStream, openReady, isEvent } from '../blackbox/sse.mjs';
import { launchChromium, person as personIn, shot, signedIn, WAIT_MS } from './browser.mjs';

let server, browser, c;
before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS, ...ADJUSTABLE_CLOCK } });
  c = api(server);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The test bot: an app installed in a space, its stream, and the Bot API calls it makes. */
async function startBot(owner, spaceId) {
  const app = await createApp(server, owner, { name: 'Dice', botUsername: `${uname('dice')}_bot` });
  await installBot(server, owner, spaceId, app.appId);
  const tok = bot(app.token);
  const stream = await openReady(() => openBotStream(server, app.token));
  let randomId = 0;
  const call = async (method, path, body) => {
    const r = await c.request(method, path, body, tok);
    expectStatus(r, 200);
    return r;
  };
  return {
    app, tok, stream,
    register: async (command) => (await call('POST', '/ICommands/v1/Register', command)).body.commandId,
    next: (name, pred = () => true) => stream.next(isEvent(name, pred), WAIT_MS),
    ack: async (interactionId) => expectEmpty200(await c.post('/IInteractions/v1/Ack', { interactionId }, tok)),
    defer: async (interactionId) => expectEmpty200(await c.post('/IInteractions/v1/Defer', { interactionId }, tok)),
    modal: async (interactionId, modal) => (await call('POST', '/IInteractions/v1/Modal', { interactionId, modal })).body.modalInteractionId,
    reply: async (channelId, text, controls) =>
      String((await call('POST', '/IInteractions/v1/Reply', { channelId, text, randomId: ++randomId, controls })).body.messageId),
    edit: async (body) => expectEmpty200(await c.patch('/IInteractions/v1/EditMessage', body, tok)),
    close: () => stream.close(),
  };
}

/** An owner's space with the bot, and Pat, a member, signed in in a browser (session in localStorage). */
async function world(colorScheme = 'light', viewport) {
  const owner = await register(server, uname('olga'), { displayName: 'Olga' });
  const space = await createSpace(server, owner, 'Dice club');
  const general = channelByName(space, 'general').channelId;
  const pat = await register(server, uname('pat'), { displayName: 'Pat' });
  await joinSpace(server, space.spaceId, owner, pat);
  const dice = await startBot(owner, space.spaceId);
  const p = await personIn(browser, colorScheme, viewport);
  await signedIn(p.context, { ...pat, displayName: 'Pat' });
  await p.page.goto(`${server.url}/app/${space.spaceId}/${general}`);
  await p.page.getByRole('heading', { name: '# general' }).waitFor();
  await p.page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  return { owner, space, sid: space.spaceId, general, pat, dice, ...p };
}

const composer = (page) => page.getByRole('textbox', { name: 'Message #general' });
const messages = (page) => page.getByRole('log', { name: 'Messages in #general' });
const botStatus = (page) => page.getByRole('status', { name: 'Bot interactions' });
const noProblems = (problems, expected = []) =>
  assert.deepEqual(problems.filter((p) => !expected.some((re) => re.test(p))), []);

const ROLL = {
  name: 'roll', description: 'Roll a die',
  options: [
    { name: 'sides', description: 'How many sides', type: 'integer', required: true },
    { name: 'colour', description: 'Colour of the die', type: 'string', choices: [{ name: 'Red', value: 'red' }, { name: 'Blue', value: 'blue' }] },
  ],
};
const GREEN = { l: 0.72, c: 0.19, h: 142 };

test('a slash command with options, buttons, a select, a modal, acks, thinking and a live edit', async () => {
  const w = await world('light');
  const { page, problems, dice } = w;
  try {
    const dealer = await createArchetype(server, w.owner, w.sid, { name: 'Dealer' });
    const rollId = await dice.register(ROLL);
    await dice.register({ name: 'ping', description: 'Ping the bot' });

    // "/" lists the space's commands with their bot; typing filters them.
    await composer(page).fill('/');
    const list = page.getByRole('listbox', { name: 'Commands' });
    await list.getByRole('option').first().waitFor();
    assert.deepEqual(await list.getByRole('option').allInnerTexts(),
      ['/ping Ping the bot — Dice', '/roll Roll a die — Dice']);
    await shot(page, 'bots-picker');
    await composer(page).fill('/ro');
    await page.waitForFunction(() => document.querySelectorAll('[role=listbox] [role=option]').length === 1);
    await list.getByRole('option', { name: /\/roll/ }).click();

    // The options form: checked in the page first.
    const form = page.getByRole('form', { name: '/roll' });
    const sides = form.getByLabel('sides');
    await sides.waitFor();
    await form.getByRole('button', { name: 'Run /roll' }).click();
    await form.getByText('This option is required.').waitFor();
    assert.equal(await sides.getAttribute('aria-invalid'), 'true');
    await sides.fill('many');
    await form.getByRole('button', { name: 'Run /roll' }).click();
    await form.getByText('A whole number, please.').waitFor();
    // A whole number the server cannot take (past int64): its 400 shows next to the option.
    await sides.fill('99999999999999999999');
    await form.getByRole('button', { name: 'Run /roll' }).click();
    const sidesError = form.locator('.field', { has: page.locator('[name=sides]') }).locator('.field-error');
    await sidesError.filter({ hasText: 'options[0].value: must be an integer' }).waitFor();
    assert.equal(await sides.getAttribute('aria-invalid'), 'true');
    await sides.fill('20');
    await form.getByLabel('colour').selectOption('blue');
    await form.getByRole('button', { name: 'Run /roll' }).click();
    await form.waitFor({ state: 'detached' });

    // The bot gets the typed values and the person, and defers: "Dice is thinking…".
    const ci = (await dice.next('commandInteraction')).data;
    assert.equal(ci.commandId, rollId);
    assert.equal(ci.channelId, w.general);
    assert.equal(ci.user.userId, w.pat.userId);
    assert.deepEqual(ci.options, [{ name: 'sides', type: 1, value: 20 }, { name: 'colour', type: 0, value: 'blue' }]);
    await botStatus(page).getByText('Sent to Dice').first().waitFor();
    await dice.defer(ci.interactionId);
    await botStatus(page).getByText('Dice is thinking…').first().waitFor();
    await shot(page, 'bots-thinking');

    // Its answer ends the thinking: a message with controls.
    const messageId = await dice.reply(w.general, 'You rolled 17', [
      { controls: [
        { type: 0, variant: 0, label: 'Reroll', id: 'reroll', colour: GREEN },
        { type: 0, variant: 0, label: 'Keep', id: 'keep' },
        { type: 0, variant: 0, label: 'Frozen', id: 'frozen', disabled: true },
        { type: 0, variant: 0, label: 'Deal', id: 'deal', requiredArchetypeId: dealer.archetypeId },
        { type: 0, variant: 1, label: 'Rules', url: 'https://example.org/rules' },
      ] },
      { controls: [{ type: 'stringSelect', customId: 'fruit', placeholder: 'Pick fruit', minValues: 1, maxValues: 2,
        options: [{ label: 'Apple', value: 'apple' }, { label: 'Pear', value: 'pear' }, { label: 'Plum', value: 'plum', description: 'ripe' }] }] },
      { controls: [{ type: 'userSelect', customId: 'who', placeholder: 'Pick someone' }] },
    ]);
    const msg = messages(page).getByRole('listitem').filter({ hasText: 'You rolled 17' });
    await msg.waitFor();
    await botStatus(page).getByText('Dice is thinking…').first().waitFor({ state: 'detached' });
    const rows = msg.getByRole('group');
    assert.equal(await rows.count(), 3);
    const buttons = rows.first();
    assert.ok(await buttons.getByRole('button', { name: 'Frozen' }).isDisabled());
    const rules = buttons.getByRole('link', { name: /Rules/ });
    assert.equal(await rules.getAttribute('href'), 'https://example.org/rules');
    assert.equal(await rules.getAttribute('rel'), 'noopener noreferrer nofollow');
    await buttons.getByText('Requires the Dealer role').waitFor();
    const reroll = buttons.getByRole('button', { name: 'Reroll' });
    const background = (b) => b.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(await background(reroll), await background(buttons.getByRole('button', { name: 'Keep' })),
      'the bot\'s colour shows');
    await shot(page, 'bots-controls');

    // A click: "Sending…" while the request is held, then the bot's controlInteraction, its ack.
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/controls/reroll', async (route) => { await held; await route.continue(); });
    await reroll.click();
    await botStatus(page).getByText('Sending…').first().waitFor();
    release();
    const ctl = (await dice.next('controlInteraction')).data;
    assert.equal(ctl.controlId, 'reroll');
    assert.equal(String(ctl.messageId), messageId);
    assert.equal(ctl.user.userId, w.pat.userId);
    await dice.ack(ctl.interactionId);
    await botStatus(page).getByText('✓ Dice got it').first().waitFor();
    await page.unroute('**/controls/reroll');

    // The gated button: Pat lacks the role, the server says so, the page shows it.
    await buttons.getByRole('button', { name: 'Deal' }).click();
    await msg.getByRole('alert').filter({ hasText: 'needs an archetype you do not have' }).waitFor();

    // The select: at most two, then Send choice.
    await rows.nth(1).getByRole('button', { name: 'Pick fruit' }).click();
    const menu = rows.nth(1).getByRole('group', { name: /Pick fruit/ });
    await menu.getByLabel('Apple').check();
    await menu.getByLabel('Pear').check();
    assert.ok(await menu.getByLabel(/Plum/).isDisabled(), 'a third choice is refused (maxValues 2)');
    await menu.getByRole('button', { name: 'Send choice' }).click();
    await menu.waitFor({ state: 'detached' });
    const sel = (await dice.next('selectInteraction')).data;
    assert.equal(sel.customId, 'fruit');
    assert.deepEqual(sel.values, ['apple', 'pear']);
    assert.equal(sel.user.userId, w.pat.userId);

    // The user select offers the space's members.
    await rows.nth(2).getByRole('button', { name: 'Pick someone' }).click();
    const people = rows.nth(2).getByRole('group', { name: /Pick someone/ });
    await people.getByLabel('Olga').check();
    await people.getByRole('button', { name: 'Send choice' }).click();
    const who = (await dice.next('selectInteraction', (f) => f.data.customId === 'who')).data;
    assert.deepEqual(who.values, [w.owner.userId]);
    await dice.ack(who.interactionId);

    // The bot answers the fruit with a modal.
    const modalId = await dice.modal(sel.interactionId, {
      customId: 'order', title: 'Your order',
      components: [
        { type: 'textInput', customId: 'name', label: 'Name on the box', style: 'short', minLength: 2, maxLength: 10 },
        { type: 'textInput', customId: 'notes', label: 'Notes', style: 'paragraph', required: false, placeholder: 'Anything else?' },
        { type: 'checkbox', customId: 'gift', label: 'Gift wrap' },
        { type: 'stringSelect', customId: 'size', label: 'Size', required: true, options: [{ label: 'Small', value: 's' }, { label: 'Large', value: 'l' }] },
      ],
    });
    const dialog = page.getByRole('dialog', { name: 'Your order' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Notes').evaluate((el) => el.tagName), 'TEXTAREA');
    await shot(page, 'bots-modal');
    await dialog.getByLabel(/Name on the box/).fill('P');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await dialog.getByText('At least 2 characters (1 now).').waitFor();
    await dialog.getByText('Choose at least one.').waitFor();
    await dialog.getByLabel(/Name on the box/).fill('Pat');
    await dialog.getByLabel('Notes').fill('leave at the door');
    await dialog.getByLabel('Gift wrap').check();
    await dialog.getByLabel('Large').check();
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await dialog.waitFor({ state: 'detached' });
    const ms = (await dice.next('modalSubmit')).data;
    assert.notEqual(ms.interactionId, modalId);
    assert.equal(ms.customId, 'order');
    assert.equal(ms.user.userId, w.pat.userId);
    assert.deepEqual(ms.values, [
      { customId: 'name', values: ['Pat'] }, { customId: 'notes', values: ['leave at the door'] },
      { customId: 'gift', values: ['true'] }, { customId: 'size', values: ['l'] },
    ]);
    await dice.ack(ms.interactionId);
    await botStatus(page).getByText('✓ Dice got it').first().waitFor();

    // The bot edits its message: new text, new controls, live (messageEdit, then the message read again).
    await dice.edit({ channelId: w.general, messageId, text: 'You rolled 4 (final)',
      controls: [{ controls: [{ type: 0, variant: 0, label: 'Done', id: 'done', disabled: true }] }] });
    const edited = messages(page).getByRole('listitem').filter({ hasText: 'You rolled 4 (final)' });
    await edited.getByText('(edited)').waitFor();
    await edited.getByRole('button', { name: 'Done' }).waitFor();
    assert.ok(await edited.getByRole('button', { name: 'Done' }).isDisabled());
    assert.equal(await edited.getByRole('button', { name: 'Reroll' }).count(), 0);
    assert.equal(await edited.getByRole('group').count(), 1);
    noProblems(problems, [/^403 POST \/api\/v1\/messages\/\d+\/controls\/deal$/,
      /^400 POST \/api\/v1\/channels\/[0-9a-f-]+\/commands\/[0-9a-f-]+$/]);
  } finally {
    dice.close();
    await w.context.close();
  }
});

test('the picker from the keyboard only; a command without options runs at once; dark theme', async () => {
  const w = await world('dark');
  const { page, problems, dice } = w;
  try {
    await dice.register({ name: 'help', description: 'What the bot does' });
    await dice.register({ name: 'ping', description: 'Ping the bot' });
    await dice.register(ROLL);
    const box = composer(page);
    await box.focus();
    await page.keyboard.type('/');
    const list = page.getByRole('listbox', { name: 'Commands' });
    await list.getByRole('option').nth(2).waitFor();
    const active = () => page.evaluate(() => {
      const id = document.activeElement?.getAttribute('aria-activedescendant');
      return id ? document.getElementById(id)?.textContent : null;
    });
    assert.match(await active(), /^\/help/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.match(await active(), /^\/roll/);
    assert.equal(await list.getByRole('option', { selected: true }).count(), 1);
    await page.keyboard.press('ArrowDown');  // wraps around
    assert.match(await active(), /^\/help/);
    await page.keyboard.press('ArrowUp');
    assert.match(await active(), /^\/roll/);
    // Escape closes the list (the text stays); typing on opens it again, filtered.
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    assert.equal(await box.inputValue(), '/');
    await page.keyboard.type('pi');
    await list.getByRole('option').first().waitFor();
    assert.equal(await list.getByRole('option').count(), 1);
    await page.keyboard.press('Enter');  // /ping has no options: it runs
    const ci = (await dice.next('commandInteraction')).data;
    assert.equal(ci.commandName, 'ping');
    assert.equal(ci.user.userId, w.pat.userId);
    assert.equal(await box.inputValue(), '');
    await botStatus(page).getByText('Sent to Dice').first().waitFor();
    await dice.reply(w.general, 'pong');
    await messages(page).getByText('pong').waitFor();
    await botStatus(page).getByText('Sent to Dice').first().waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.id === 'composer-input');
    // /roll from the keyboard: its form takes the focus, Enter runs it.
    await page.keyboard.type('/roll');
    await list.getByRole('option').first().waitFor();
    await page.keyboard.press('Tab');
    const form = page.getByRole('form', { name: '/roll' });
    await form.waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'sides');
    await page.keyboard.type('6');
    await page.keyboard.press('Enter');
    await form.waitFor({ state: 'detached' });
    const roll = (await dice.next('commandInteraction')).data;
    assert.deepEqual(roll.options, [{ name: 'sides', type: 1, value: 6 }]);
    noProblems(problems);
  } finally {
    dice.close();
    await w.context.close();
  }
});

test('at phone width, a modal that expired: the page says so and closes it', async () => {
  const w = await world('light', { width: 390, height: 760 });
  const { page, problems, dice } = w;
  try {
    await dice.register({ name: 'ping', description: 'Ping the bot' });
    await composer(page).fill('/ping');
    await page.getByRole('listbox', { name: 'Commands' }).getByRole('option').first().click();
    const ci = (await dice.next('commandInteraction')).data;
    await dice.modal(ci.interactionId, {
      customId: 'late', title: 'Too late',
      components: [{ type: 'textInput', customId: 'why', label: 'Why', style: 'short' }],
    });
    const dialog = page.getByRole('dialog', { name: 'Too late' });
    await dialog.waitFor();
    const box = await dialog.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the dialog fits the phone: ${JSON.stringify(box)}`);
    await dialog.getByLabel(/Why/).fill('because');
    await advanceClock(server, 61_000);  // past the interaction's 60 s
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await dialog.waitFor({ state: 'detached' });
    await botStatus(page).getByText('This form has expired: Dice no longer waits for it.').first().waitFor();
    noProblems(problems, [/^404 POST \/api\/v1\/interactions\/[0-9a-f-]+\/modal$/]);
  } finally {
    dice.close();
    await w.context.close();
  }
});
