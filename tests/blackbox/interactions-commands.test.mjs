// Slash commands over HTTP: ICommands/v1 (Register, Update, Delete, List, ListForSpace), people
// listing and running them (GET /api/v1/spaces/{id}/commands, POST …/commands/{commandId}) and
// the commandInteraction event on the owning bot's stream only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, register, createSpace, createApp, installBot, channelByName, joinSpace, getSpace,
  expectError, expectStatus, expectEmpty200, setArchetypePermissions, createArchetype, grant,
  interactionWorld, registerCommand, runCommand, HIGH_RATE_LIMITS, UUID_RE, UNKNOWN_UUID,
  DEFAULT_PERMISSIONS, P,
} from './harness.mjs';
import { openBotStream, openReady, isEvent, parseDirectEventId } from './sse.mjs';

let server, c;

before(async () => { server = await startServer({ env: { ...HIGH_RATE_LIMITS } }); c = api(server); });
after(async () => { await server?.stop(); });

const OPTION_KEYS = ['choices', 'description', 'name', 'required', 'subOptions', 'type'];
const COMMAND_KEYS = ['commandId', 'defaultPermission', 'description', 'name', 'options', 'spaceId'];
const reg = (w, body, tok = w.tok) => c.post('/ICommands/v1/Register', body, tok);
const opt = (name, type, extra = {}) => ({ name, description: `The ${name}`, type, ...extra });

test('Register → {commandId, name, spaceId}; List returns the BotCommand shape with typed options', async () => {
  const w = await interactionWorld(server);
  const r = await reg(w, {
    name: 'Roll', description: 'Roll a die',
    options: [
      opt('Sides', 'INTEGER', { required: true, choices: [{ name: 'd6', value: 6 }, { name: 'd20', value: 20 }] }),
      opt('scale', 'number', { choices: [{ name: 'half', value: 0.5 }] }),
      opt('group', 0, { subOptions: [opt('inner', 'user', { subOptions: [opt('deepest', 2)] })] }),
    ],
  });
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.body).sort(), ['commandId', 'name', 'spaceId']);
  assert.match(r.body.commandId, UUID_RE);
  assert.equal(r.body.name, 'roll');
  assert.equal(r.body.spaceId, null);
  const scoped = await reg(w, { name: 'local', description: 'Here only', spaceId: w.sid, defaultPermission: false });
  expectStatus(scoped, 200);
  assert.equal(scoped.body.spaceId, w.sid);

  const list = await c.get('/ICommands/v1/List', w.tok);
  expectStatus(list, 200);
  assert.deepEqual(list.body.commands.map((x) => x.name), ['local', 'roll']);
  const [local, roll] = list.body.commands;
  assert.deepEqual(Object.keys(roll).sort(), COMMAND_KEYS);
  assert.equal(roll.commandId, r.body.commandId);
  assert.equal(roll.description, 'Roll a die');
  assert.equal(roll.defaultPermission, true);
  assert.equal(local.defaultPermission, false);
  assert.equal(local.spaceId, w.sid);
  assert.deepEqual(local.options, []);
  for (const o of roll.options) assert.deepEqual(Object.keys(o).sort(), OPTION_KEYS);
  assert.deepEqual(roll.options[0], {
    name: 'sides', description: 'The Sides', type: 1, required: true,
    choices: [{ name: 'd6', value: 6 }, { name: 'd20', value: 20 }], subOptions: null,
  });
  assert.deepEqual(roll.options[1].choices, [{ name: 'half', value: 0.5 }]);
  assert.equal(roll.options[1].type, 6);
  assert.equal(roll.options[1].required, false);
  const inner = roll.options[2].subOptions[0];
  assert.equal(inner.type, 3);
  assert.equal(inner.choices, null);
  assert.deepEqual(inner.subOptions.map((o) => [o.name, o.type, o.subOptions]), [['deepest', 2, null]]);
  // Another bot sees none of them.
  assert.deepEqual((await c.get('/ICommands/v1/List', w.other.tok)).body.commands, []);
});

test('Register: names, descriptions and options at and past their bounds', async () => {
  const w = await interactionWorld(server);
  expectStatus(await reg(w, { name: 'a'.repeat(32), description: 'd'.repeat(100) }), 200);
  expectStatus(await reg(w, { name: 'x_-9', description: 'é'.repeat(100) }), 200);
  for (const name of ['', 'a'.repeat(33), 'two words', 'roll!', 'café', '/roll']) {
    expectError(await reg(w, { name, description: 'd' }), 400, 'invalid_name');
  }
  for (const description of ['', '   ', 'd'.repeat(101), 'é'.repeat(101)]) {
    expectError(await reg(w, { name: 'ok', description }), 400, 'invalid_description');
  }
  expectError(await reg(w, { description: 'd' }), 400, 'validation_error', 'name');
  const bad = async (options, field) => expectError(await reg(w, { name: 'ok', description: 'd', options }), 400, 'validation_error', field);
  const n = (k) => Array.from({ length: k }, (_, i) => opt(`o${i}`, 0));
  expectStatus(await reg(w, { name: 'many', description: 'd', options: n(25) }), 200);
  await bad(n(26), 'options');
  await bad([opt('a', 0), opt('A', 0)], 'options[1].name');
  await bad([opt('ok', 0), opt('bad name', 0)], 'options[1].name');
  await bad([opt('a'.repeat(33), 0)], 'options[0].name');
  await bad([{ name: 'x', description: 'd'.repeat(101), type: 0 }], 'options[0].description');
  await bad([{ name: 'x', description: ' ', type: 0 }], 'options[0].description');
  await bad([opt('x', 7)], 'options[0].type');
  await bad([opt('x', 'float')], 'options[0].type');
  await bad([{ name: 'x', description: 'd' }], 'options[0].type');
  const choices = (k, value = (i) => `v${i}`) => Array.from({ length: k }, (_, i) => ({ name: `c${i}`, value: value(i) }));
  expectStatus(await reg(w, { name: 'ch25', description: 'd', options: [opt('x', 'string', { choices: choices(25) })] }), 200);
  await bad([opt('x', 'string', { choices: choices(26) })], 'options[0].choices');
  await bad([opt('x', 'string', { choices: [{ name: 'one', value: 1 }] })], 'options[0].choices[0].value');
  await bad([opt('x', 'integer', { choices: [{ name: 'half', value: 0.5 }] })], 'options[0].choices[0].value');
  await bad([opt('x', 'integer', { choices: [{ name: 'str', value: '1' }] })], 'options[0].choices[0].value');
  await bad([opt('x', 'boolean', { choices: [{ name: 'yes', value: 'true' }] })], 'options[0].choices[0].value');
  await bad([opt('x', 'user', { choices: [{ name: 'me', value: UNKNOWN_UUID }] })], 'options[0].choices[0].value');
  await bad([opt('x', 0, { choices: [{ name: 'c'.repeat(101), value: 'v' }] })], 'options[0].choices[0].name');
  expectStatus(await reg(w, { name: 'num', description: 'd', options: [opt('x', 'number', { choices: [{ name: 'two', value: 2 }] })] }), 200);
  const nest = (depth) => (depth === 1 ? opt('leaf', 0) : opt(`l${depth}`, 0, { subOptions: [nest(depth - 1)] }));
  expectStatus(await reg(w, { name: 'deep3', description: 'd', options: [nest(3)] }), 200);
  await bad([nest(4)], 'options[0].subOptions[0].subOptions[0].subOptions');
  await bad([opt('p', 0, { subOptions: [opt('s', 0), opt('S', 0)] })], 'options[0].subOptions[1].name');
  const names = (await c.get('/ICommands/v1/List', w.tok)).body.commands.map((x) => x.name);
  assert.deepEqual(names, ['a'.repeat(32), 'ch25', 'deep3', 'many', 'num', 'x_-9']);
});

test('Register: 403 not_a_member for a space the bot is not in; 50 per scope, counted separately', async () => {
  const w = await interactionWorld(server);
  expectError(await reg(w, { name: 'x', description: 'd', spaceId: w.elsewhere.spaceId }), 403, 'not_a_member');
  expectError(await reg(w, { name: 'x', description: 'd', spaceId: UNKNOWN_UUID }), 403, 'not_a_member');
  for (let i = 0; i < 50; i++) await registerCommand(server, w.tok, { name: `g${i}`, description: 'd' });
  expectError(await reg(w, { name: 'g50', description: 'd' }), 400, 'command_limit');
  for (let i = 0; i < 50; i++) await registerCommand(server, w.tok, { name: `s${i}`, description: 'd', spaceId: w.sid });
  expectError(await reg(w, { name: 's50', description: 'd', spaceId: w.sid }), 400, 'command_limit');
  expectStatus(await reg(w, { name: 'g50', description: 'd' }, w.other.tok), 200);
  assert.equal((await c.get('/ICommands/v1/List', w.tok)).body.commands.length, 100);
});

test('Update, Delete: own commands only; ListForSpace = global ∪ that space', async () => {
  const w = await interactionWorld(server);
  const id = await registerCommand(server, w.tok, { name: 'roll', description: 'Roll', options: [opt('sides', 1)] });
  const up = await c.patch('/ICommands/v1/Update', { commandId: id, description: 'Roll dice', defaultPermission: false }, w.tok);
  expectStatus(up, 200);
  assert.deepEqual(Object.keys(up.body).sort(), COMMAND_KEYS);
  assert.equal(up.body.description, 'Roll dice');
  assert.equal(up.body.defaultPermission, false);
  assert.equal(up.body.options[0].name, 'sides', 'absent options are kept');
  const up2 = await c.patch('/ICommands/v1/Update', { commandId: id, options: [opt('Faces', 'number')] }, w.tok);
  expectStatus(up2, 200);
  assert.deepEqual(up2.body.options.map((o) => [o.name, o.type]), [['faces', 6]]);
  assert.equal(up2.body.description, 'Roll dice');
  const up3 = await c.patch('/ICommands/v1/Update', { commandId: id, options: null, description: null, defaultPermission: null }, w.tok);
  expectStatus(up3, 200);
  assert.deepEqual([up3.body.options.map((o) => o.name), up3.body.description, up3.body.defaultPermission], [['faces'], 'Roll dice', false],
    'null fields are kept');
  expectError(await c.patch('/ICommands/v1/Update', { commandId: id, description: '' }, w.tok), 400, 'invalid_description');
  expectError(await c.patch('/ICommands/v1/Update', { commandId: id, options: [opt('x', 9)] }, w.tok), 400, 'validation_error');
  expectError(await c.patch('/ICommands/v1/Update', { commandId: id, description: 'x' }, w.other.tok), 404, 'not_found');
  expectError(await c.patch('/ICommands/v1/Update', { commandId: UNKNOWN_UUID, description: 'x' }, w.tok), 404, 'not_found');

  const local = await registerCommand(server, w.tok, { name: 'alpha', description: 'Local', spaceId: w.sid });
  await installBot(server, w.owner, w.elsewhere.spaceId, w.app.appId);
  await registerCommand(server, w.tok, { name: 'mid', description: 'There', spaceId: w.elsewhere.spaceId });
  const lfs = async (sid, tok = w.tok) => c.get(`/ICommands/v1/ListForSpace?spaceId=${sid}`, tok);
  assert.deepEqual((await lfs(w.sid)).body.commands.map((x) => x.name), ['alpha', 'roll']);
  assert.deepEqual((await lfs(w.elsewhere.spaceId)).body.commands.map((x) => x.name), ['mid', 'roll']);
  expectError(await lfs(w.elsewhere.spaceId, w.other.tok), 403, 'not_a_member');

  expectError(await c.del(`/ICommands/v1/Delete?commandId=${id}`, undefined, w.other.tok), 404, 'not_found');
  const del = await c.del(`/ICommands/v1/Delete?commandId=${id}`, undefined, w.tok);
  expectStatus(del, 200);
  assert.deepEqual(del.body, { deleted: true });
  expectError(await c.del(`/ICommands/v1/Delete?commandId=${id}`, undefined, w.tok), 404, 'not_found');
  assert.deepEqual((await lfs(w.sid)).body.commands.map((x) => x.commandId), [local]);
});

test('people list the commands of the bots installed in the space, with appId and botUserId', async () => {
  const w = await interactionWorld(server);
  await registerCommand(server, w.tok, { name: 'roll', description: 'Roll' });
  await registerCommand(server, w.other.tok, { name: 'beta', description: 'Other bot', spaceId: w.sid });
  const stranger = await createApp(server, w.owner);
  await registerCommand(server, { raw: `Bot ${stranger.token}` }, { name: 'hidden', description: 'Not installed' });
  const r = await c.get(`/api/v1/spaces/${w.sid}/commands`, w.member.token);
  expectStatus(r, 200);
  assert.deepEqual(r.body.commands.map((x) => [x.name, x.appId, x.botUserId]),
    [['beta', w.other.app.appId, w.other.app.botUserId], ['roll', w.app.appId, w.app.botUserId]]);
  assert.deepEqual(Object.keys(r.body.commands[0]).sort(), [...COMMAND_KEYS, 'appId', 'botUserId'].sort());
  const outsider = await register(server);
  const denied = await c.get(`/api/v1/spaces/${w.sid}/commands`, outsider.token);
  assert.ok([403, 404].includes(denied.status), denied.text);
});

test('running a command: typed values, commandInteraction on the owning bot\'s stream only (direct_N)', async () => {
  const w = await interactionWorld(server);
  const role = await createArchetype(server, w.owner, w.sid, { name: 'dice-role' });
  const id = await registerCommand(server, w.tok, {
    name: 'roll', description: 'Roll',
    options: [opt('sides', 'integer', { required: true }), opt('scale', 'number'), opt('loud', 'boolean'),
      opt('who', 'user'), opt('where', 'channel'), opt('as', 'role'), opt('note', 'string')],
  });
  const s = await openReady(() => openBotStream(server, w.app.token));
  const o = await openReady(() => openBotStream(server, w.other.app.token));
  try {
    const r = await runCommand(server, w.member, w.general, id, [
      { name: 'sides', value: '20' }, { name: 'scale', value: '1.5' }, { name: 'loud', value: 'true' },
      { name: 'who', value: w.owner.userId }, { name: 'where', value: w.voice }, { name: 'as', value: role.archetypeId },
      { name: 'note', value: 'hi' },
    ]);
    expectStatus(r, 200);
    assert.deepEqual(Object.keys(r.body), ['interactionId']);
    assert.match(r.body.interactionId, UUID_RE);
    const f = await s.next(isEvent('commandInteraction'));
    assert.ok(parseDirectEventId(f.id), `direct event id: ${f.id}`);
    assert.deepEqual(Object.keys(f.data).sort(),
      ['channelId', 'commandId', 'commandName', 'interactionId', 'options', 'spaceId', 'user', 'voiceState']);
    assert.equal(f.data.interactionId, r.body.interactionId);
    assert.equal(f.data.spaceId, w.sid);
    assert.equal(f.data.channelId, w.general);
    assert.equal(f.data.commandId, id);
    assert.equal(f.data.commandName, 'roll');
    assert.equal(f.data.user.userId, w.member.userId);
    assert.deepEqual(f.data.options, [
      { name: 'sides', type: 1, value: 20 }, { name: 'scale', type: 6, value: 1.5 }, { name: 'loud', type: 2, value: true },
      { name: 'who', type: 3, value: w.owner.userId }, { name: 'where', type: 4, value: w.voice },
      { name: 'as', type: 5, value: role.archetypeId }, { name: 'note', type: 0, value: 'hi' },
    ]);
    // JSON numbers and booleans are taken as they are.
    expectStatus(await runCommand(server, w.member, w.general, id, [{ name: 'SIDES', value: 6 }, { name: 'loud', value: false }]), 200);
    const g = await s.next(isEvent('commandInteraction'));
    assert.deepEqual(g.data.options, [{ name: 'sides', type: 1, value: 6 }, { name: 'loud', type: 2, value: false }]);
    assert.ok(parseDirectEventId(g.id) > parseDirectEventId(f.id));
    // The other bot in the space sees none of it.
    await registerCommand(server, w.other.tok, { name: 'ping', description: 'Ping' });
    const mark = (await c.get('/ICommands/v1/List', w.other.tok)).body.commands[0].commandId;
    expectStatus(await runCommand(server, w.member, w.general, mark), 200);
    const mine = await o.next(isEvent('commandInteraction'));
    assert.equal(mine.data.commandName, 'ping');
    assert.ok(!o.frames.some((x) => x.event === 'commandInteraction' && x.data.commandName === 'roll'));
  } finally { s.close(); o.close(); }
});

test('running a command: refusals', async () => {
  const w = await interactionWorld(server);
  const id = await registerCommand(server, w.tok, {
    name: 'roll', description: 'Roll',
    options: [opt('sides', 'integer', { required: true, choices: [{ name: 'd6', value: 6 }, { name: 'd20', value: 20 }] }),
      opt('who', 'user'), opt('where', 'channel'), opt('as', 'role'), opt('loud', 'boolean'), opt('scale', 'number')],
  });
  const run = (opts, person = w.member, channel = w.general, cmd = id) => runCommand(server, person, channel, cmd, opts);
  const elsewhereGeneral = channelByName(w.elsewhere, 'general').channelId;
  for (const [opts, field] of [
    [[], 'sides'], [[{ name: 'sides', value: 7 }], 'options[0].value'], [[{ name: 'sides', value: 'six' }], 'options[0].value'],
    [[{ name: 'sides', value: 6.5 }], 'options[0].value'], [[{ name: 'sides', value: 6 }, { name: 'nope', value: 1 }], 'options[1].name'],
    [[{ name: 'sides', value: 6 }, { name: 'sides', value: 20 }], 'options[1].name'],
    [[{ name: 'sides', value: 6 }, { name: 'loud', value: 'yes' }], 'options[1].value'],
    [[{ name: 'sides', value: 6 }, { name: 'scale', value: 'abc' }], 'options[1].value'],
    [[{ name: 'sides', value: 6 }, { name: 'who', value: 'not-a-uuid' }], 'options[1].value'],
    [[{ name: 'sides', value: 6 }, { name: 'who', value: UNKNOWN_UUID }], 'options[1].value'],
    [[{ name: 'sides', value: 6 }, { name: 'where', value: elsewhereGeneral }], 'options[1].value'],
    [[{ name: 'sides', value: 6 }, { name: 'as', value: w.elsewhere.defaultArchetypeId ?? UNKNOWN_UUID }], 'options[1].value'],
    [[{ name: 'sides' }], 'options[0].value'], [[{ name: 'sides', value: null }], 'options[0].value'],
    [[{ name: 'sides', value: [6] }], 'options[0].value'], [[6], 'options[0]'],
  ]) {
    expectError(await run(opts), 400, 'validation_error', field);
  }
  const ok = [{ name: 'sides', value: 6 }];
  expectError(await run(ok, w.member, w.voice), 400, 'not_text_channel');
  expectError(await run(ok, w.member, w.general, UNKNOWN_UUID), 404, 'not_found');
  // A command of a bot not installed here, and one scoped to another space, are not found.
  const stranger = await createApp(server, w.owner);
  const hidden = await registerCommand(server, { raw: `Bot ${stranger.token}` }, { name: 'hidden', description: 'd' });
  expectError(await run([], w.member, w.general, hidden), 404, 'not_found');
  await installBot(server, w.owner, w.elsewhere.spaceId, w.app.appId);
  const there = await registerCommand(server, w.tok, { name: 'there', description: 'd', spaceId: w.elsewhere.spaceId });
  expectError(await run([], w.member, w.general, there), 404, 'not_found');
  const outsider = await register(server);
  expectError(await run(ok, outsider), 403, 'not_a_member');
  // defaultPermission false needs ManageServer.
  const admin = await registerCommand(server, w.tok, { name: 'admin', description: 'd', defaultPermission: false });
  expectError(await run([], w.member, w.general, admin), 403, 'missing_permission');
  expectStatus(await run([], w.owner, w.general, admin), 200);
  await grant(server, w.owner, w.sid, w.member.userId, P.ManageServer, 'admins');
  expectStatus(await run([], w.member, w.general, admin), 200);
});

test('running a command needs UseCommands (removed from the default archetype → 403 missing_permission)', async () => {
  const w = await interactionWorld(server);
  const id = await registerCommand(server, w.tok, { name: 'ping', description: 'Ping' });
  const space = await getSpace(server, w.owner, w.sid);
  const everyone = space.defaultArchetypeId ?? space.archetypes?.find((a) => a.isDefault)?.archetypeId;
  assert.ok(everyone, JSON.stringify(space));
  expectStatus(await runCommand(server, w.member, w.general, id), 200);
  await setArchetypePermissions(server, w.owner, w.sid, everyone, DEFAULT_PERMISSIONS & ~P.UseCommands);
  expectError(await runCommand(server, w.member, w.general, id), 403, 'missing_permission');
  expectStatus(await runCommand(server, w.owner, w.general, id), 200);
  await grant(server, w.owner, w.sid, w.member.userId, P.UseCommands, 'commanders');
  expectStatus(await runCommand(server, w.member, w.general, id), 200);
});
