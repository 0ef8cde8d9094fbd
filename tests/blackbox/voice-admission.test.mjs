// Who may still open an audio socket (DECISIONS.md §10): a token is checked again at every
// connect — a bot uninstalled from the space cannot come back with its old token — and the
// publishing options of SPEC.md §11.2 must be valid values, refused before the upgrade.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, botWorld, expectStatus, HIGH_RATE_LIMITS, openAudioReady, refusedUpgrade,
  streamToken,
} from './harness.mjs';

let server, c;
before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
});
after(async () => { await server?.stop(); });

const url = (grant, path, extra = '') =>
  `${grant.ingressUrl}${path}?token=${encodeURIComponent(grant.token)}${extra}`;

test('a bot removed from the space cannot reuse its stream token', async () => {
  const w = await botWorld(server);
  const grant = await streamToken(server, w.tok, w.sid, w.voice);
  const first = await openAudioReady(url(grant, '/audio/connect'));
  await first.terminate();
  const res = await c.del(`/api/v1/spaces/${w.sid}/bots/${w.app.appId}`, undefined, w.owner.token);
  expectStatus(res, 204);
  const refused = await refusedUpgrade(url(grant, '/audio/connect'));
  assert.equal(refused.status, 403);
  assert.equal(refused.body?.error, 'not_a_member');
});

test('invalid publishing options are refused with 400 naming the parameter; valid ones connect', async () => {
  const w = await botWorld(server);
  const grant = await streamToken(server, w.tok, w.sid, w.voice);
  const cases = [
    ['&frame_duration_ms=30', 'frame_duration_ms'],
    ['&channels=3', 'channels'],
    ['&stereo=yes', 'stereo'],
    ['&track_source=camera', 'track_source'],
    ['&track_name=', 'track_name'],
  ];
  for (const [extra, field] of cases) {
    const refused = await refusedUpgrade(url(grant, '/audio/connect', extra));
    assert.equal(refused.status, 400, extra);
    assert.equal(refused.body?.error, 'validation_error', extra);
    assert.match(refused.body?.message ?? '', new RegExp(`^${field}:`), extra);
  }
  const ok = await openAudioReady(url(grant, '/audio/connect',
    '&frame_duration_ms=2.5&channels=2&stereo=true&track_name=music&track_source=screen_share_audio'));
  await ok.terminate();
});
