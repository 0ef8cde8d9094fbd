// End to end (Chromium): a space's roles (archetypes with named permission checkboxes, assigned from
// the members panel), the members panel with live presence, and kicking. docs/web-client.md "Tests".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, HIGH_RATE_LIMITS, api, pollUntil, register, createSpace, joinSpace, expectStatus, P,
} from '../blackbox/harness.mjs';

import { launchChromium, person as personIn, shot, signedIn as signedInAs } from './browser.mjs';

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

/** A person registered through the API, signed in in a browser context of their own (the page keeps
 *  its session in localStorage), looking at `path`. */
async function signedIn(user, displayName, path, colorScheme = 'light', viewport) {
  const p = await personIn(browser, colorScheme, viewport);
  await signedInAs(p.context, { ...user, displayName });
  await p.page.goto(server.url + path);
  await p.page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  return p;
}

async function world(spaceName) {
  const [olga, max] = await Promise.all([
    register(server, undefined, { displayName: 'Olga' }), register(server, undefined, { displayName: 'Max' })]);
  const space = await createSpace(server, olga, spaceName);
  await joinSpace(server, space.spaceId, olga, max);
  return { olga, max, space, sid: space.spaceId };
}

const permissionsOf = async (w, name) => {
  const r = await c.get(`/api/v1/spaces/${w.sid}`, w.olga.token);
  expectStatus(r, 200);
  const a = r.body.archetypes.find((x) => x.name === name);
  return a && { id: a.archetypeId, mask: BigInt(String(a.permissions)) };
};

test('roles: created with two permissions ticked, edited, assigned from the members panel; the member gains what it allows', async () => {
  const w = await world('Role Play');
  const owner = await signedIn(w.olga, 'Olga', `/app/${w.sid}`);
  const member = await signedIn(w.max, 'Max', `/app/${w.sid}`, 'dark');
  const o = owner.page, m = member.page;
  try {
    await m.getByRole('heading', { name: '# general' }).waitFor();
    assert.equal(await m.getByRole('button', { name: 'New channel' }).count(), 0);
    assert.equal(await m.getByRole('button', { name: 'Roles', exact: true }).count(), 0, 'only managers see Roles');

    // Olga creates a role with exactly two permissions ticked.
    await o.getByRole('button', { name: 'Roles', exact: true }).click();
    const roles = o.getByRole('dialog', { name: 'Roles in Role Play' });
    const form = roles.getByRole('form', { name: 'New role' });
    await form.getByLabel('Name').fill('Channel keepers');
    await form.getByRole('checkbox', { name: 'Manage channels' }).check();
    await form.getByRole('checkbox', { name: 'Kick member' }).check();
    await form.getByRole('button', { name: 'Create role' }).click();
    await roles.getByRole('status').filter({ hasText: 'Created Channel keepers.' }).waitFor();
    const created = await pollUntil(() => permissionsOf(w, 'Channel keepers'), { what: 'the role on the server' });
    assert.equal(created.mask, P.ManageChannels | P.KickMember);
    // It is in the list (from archetypeCreate), selected, and its boxes are the saved ones.
    await roles.getByRole('button', { name: 'Channel keepers' }).waitFor();
    const edit = roles.getByRole('form', { name: 'Edit role Channel keepers' });
    assert.equal(await edit.getByRole('checkbox', { name: 'Manage channels' }).isChecked(), true);
    assert.equal(await edit.getByRole('checkbox', { name: 'Send messages' }).isChecked(), false);
    await shot(o, 'roles-editor');

    // Edit: untick Kick member, tick Manage archetype, rename; PATCH keeps exactly what is ticked.
    await edit.getByRole('checkbox', { name: 'Kick member' }).uncheck();
    await edit.getByRole('checkbox', { name: 'Manage archetype' }).check();
    await edit.getByLabel('Name').fill('Keepers');
    await edit.getByRole('button', { name: 'Save role' }).click();
    await roles.getByRole('status').filter({ hasText: 'Saved Keepers.' }).waitFor();
    const edited = await pollUntil(async () => {
      const p = await permissionsOf(w, 'Keepers');
      return p && p.mask === (P.ManageChannels | P.ManageArchetype) ? p : null;
    }, { what: 'the edited role' });
    assert.equal(edited.id, created.id);
    await o.keyboard.press('Escape');
    await roles.waitFor({ state: 'detached' });

    // Assign it to Max from the members panel.
    await o.getByRole('button', { name: 'Members' }).click();
    const panel = o.getByRole('complementary', { name: /Members/ });
    await panel.getByRole('button', { name: 'Roles of Max' }).click();
    const assign = o.getByRole('dialog', { name: 'Roles of Max' });
    await assign.getByRole('checkbox', { name: 'Keepers' }).check();
    await pollUntil(async () => {
      const r = await c.get(`/api/v1/spaces/${w.sid}/members/${w.max.userId}`, w.olga.token);
      return r.body.archetypeIds.includes(created.id);
    }, { what: 'the role assigned' });
    await assign.getByRole('button', { name: 'Done' }).click();
    await panel.getByRole('list', { name: 'Roles of Max' }).getByText('Keepers').waitFor();

    // Max now sees what the role allows, live: New channel, and the Roles button.
    await m.getByRole('button', { name: 'New channel' }).waitFor();
    await m.getByRole('button', { name: 'Roles', exact: true }).waitFor();

    // Unassigning takes it back.
    await panel.getByRole('button', { name: 'Roles of Max' }).click();
    await assign.getByRole('checkbox', { name: 'Keepers' }).uncheck();
    await m.getByRole('button', { name: 'New channel' }).waitFor({ state: 'detached' });
    await assign.getByRole('button', { name: 'Done' }).click();

    assert.deepEqual([...owner.problems, ...member.problems], []);
  } finally {
    await owner.context.close();
    await member.context.close();
  }
});

test('members panel: presence changes live (the menu and the API), bots and owner marked; kick is confirmed', async () => {
  const w = await world('Presence Club');
  const owner = await signedIn(w.olga, 'Olga', `/app/${w.sid}`);
  const member = await signedIn(w.max, 'Max', `/app/${w.sid}`);
  const o = owner.page, m = member.page;
  try {
    await o.getByRole('button', { name: 'Members' }).click();
    const panel = o.getByRole('complementary', { name: /Members/ });
    const list = panel.getByRole('list', { name: 'Members of Presence Club' });
    const row = (id) => list.locator(`li[data-user-id="${id}"]`);
    await row(w.max.userId).getByText('Offline').waitFor();
    await row(w.olga.userId).getByText('Owner').waitFor();

    // Max sets "Do not disturb" from the menu in his top bar (keyboard), Olga sees it live.
    const menuButton = m.getByRole('button', { name: 'Status: Offline' });
    const menu = m.getByRole('menu', { name: 'Set your status' });
    await menuButton.click();  // a press elsewhere closes it
    await menu.waitFor();
    await m.getByRole('heading', { name: '# general' }).click();
    await menu.waitFor({ state: 'detached' });
    await menuButton.focus();
    await m.keyboard.press('Enter');
    // Focus starts on the current status (offline, last), then the arrows move it round.
    await menu.getByRole('menuitemradio', { name: 'Invisible (offline)', checked: true }).and(m.locator(':focus')).waitFor();
    await m.keyboard.press('ArrowDown');
    await m.keyboard.press('ArrowDown');
    await m.keyboard.press('ArrowDown');
    assert.equal(await m.evaluate(() => document.activeElement?.textContent?.trim()), 'Do not disturb');
    await m.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    await m.getByRole('button', { name: 'Status: Do not disturb' }).waitFor();
    await row(w.max.userId).getByText('Do not disturb').waitFor();
    assert.equal(await row(w.max.userId).getAttribute('data-presence-status'), '6');

    // Through the API, with an activity.
    expectStatus(await c.put('/api/v1/me/presence', { status: 'online', activity: { kind: 0, titleName: 'Tetris' } }, w.max.token), 204);
    await row(w.max.userId).getByText('Online').waitFor();
    await row(w.max.userId).getByText(/Playing Tetris/).waitFor();
    await shot(o, 'members-panel');

    // A member who opens the page later sees the presence at once (it is in the member list).
    await o.reload();
    await o.getByRole('button', { name: 'Members' }).click();
    await row(w.max.userId).getByText('Online').waitFor();

    // Max cannot kick; Olga cannot be kicked; Olga kicks Max, confirmed in a dialog.
    await m.getByRole('button', { name: 'Members' }).click();
    await m.getByRole('complementary', { name: /Members/ }).getByText('Olga').waitFor();
    assert.equal(await m.getByRole('button', { name: /^Kick / }).count(), 0);
    assert.equal(await panel.getByRole('button', { name: 'Kick Olga' }).count(), 0);
    await panel.getByRole('button', { name: 'Kick Max' }).click();
    const confirm = o.getByRole('dialog', { name: 'Kick Max from Presence Club?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await row(w.max.userId).count(), 1, 'cancel keeps him');
    await panel.getByRole('button', { name: 'Kick Max' }).click();
    await confirm.getByRole('button', { name: 'Kick Max' }).click();
    await row(w.max.userId).waitFor({ state: 'detached' });
    // Max's page leaves the space.
    await m.getByRole('heading', { name: 'Welcome, Max' }).waitFor();
    expectStatus(await c.get(`/api/v1/spaces/${w.sid}`, w.max.token), 403);

    assert.deepEqual([...owner.problems, ...member.problems], []);
  } finally {
    await owner.context.close();
    await member.context.close();
  }
});

test('phone width: the members panel folds over the page and closes', async () => {
  const w = await world('Small Screen');
  const p = await signedIn(w.max, 'Max', `/app/${w.sid}`, 'dark', { width: 390, height: 760 });
  try {
    await p.page.getByRole('button', { name: 'Menu' }).click();
    await p.page.getByRole('button', { name: 'Members' }).click();
    const panel = p.page.getByRole('complementary', { name: /Members/ });
    await panel.getByText('Olga').waitFor();
    const box = await panel.boundingBox();
    assert.ok(box && box.width <= 390 && box.x >= 0, JSON.stringify(box));
    await shot(p.page, 'members-phone');
    await panel.getByRole('button', { name: 'Close' }).click();
    await panel.waitFor({ state: 'detached' });
    assert.deepEqual(p.problems, []);
  } finally {
    await p.context.close();
  }
});
