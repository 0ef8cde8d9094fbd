// testing.clock = adjustable: the operator API moves the clock forward (tests skip over windows
// instead of sleeping); without it the route does not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, expectError, ADJUSTABLE_CLOCK, CLOCK_ADMIN_TOKEN, advanceClock,
  register, createSpace, channelByName, sendMessage, history,
} from './harness.mjs';

let plain, adjustable;
before(async () => {
  [plain, adjustable] = await Promise.all([
    startServer({ env: { ARGON_ADMIN_TOKEN: CLOCK_ADMIN_TOKEN } }),
    startServer({ env: ADJUSTABLE_CLOCK }),
  ]);
});
after(async () => { await Promise.all([plain?.stop(), adjustable?.stop()]); });

test('without testing.clock = adjustable the clock route is 404, even with the operator token', async () => {
  expectError(await api(plain).post('/api/v1/admin/clock', { advanceMs: 1000 }, CLOCK_ADMIN_TOKEN), 404, 'not_found');
});

test('the operator token is required; advanceMs must be a non-negative integer', async () => {
  const c = api(adjustable);
  expectError(await c.post('/api/v1/admin/clock', { advanceMs: 1000 }), 401, 'unauthorized');
  expectError(await c.post('/api/v1/admin/clock', { advanceMs: 1000 }, 'wrong'), 401, 'unauthorized');
  expectError(await c.post('/api/v1/admin/clock', { advanceMs: -1 }, CLOCK_ADMIN_TOKEN), 400, 'validation_error', 'advanceMs');
  expectError(await c.post('/api/v1/admin/clock', {}, CLOCK_ADMIN_TOKEN), 400, 'validation_error', 'advanceMs');
});

test('advancing moves the server\'s time (message timestamps too), and only forward', async () => {
  const before = await advanceClock(adjustable, 0);
  assert.ok(Math.abs(before - Date.now()) < 5000, 'starts at the system time');
  const after = await advanceClock(adjustable, 3_600_000);
  assert.ok(after - before >= 3_600_000 && after - before < 3_610_000, `${before} → ${after}`);
  // Something the server stamps goes by the same clock: a message's createdAt.
  const owner = await register(adjustable);
  const space = await createSpace(adjustable, owner, 'Clock');
  const general = channelByName(space, 'general').channelId;
  await sendMessage(adjustable, owner, general, 'stamped');
  const [m] = await history(adjustable, owner, general);
  const sent = Date.parse(m.createdAt);
  assert.ok(sent >= after && sent - after < 60_000, `createdAt ${m.createdAt} follows the adjusted clock`);
  const again = await advanceClock(adjustable, 0);
  assert.ok(again >= after, 'never backwards');
});
