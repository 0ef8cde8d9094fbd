// Many nodes, one interaction: an interaction created through node A (a person clicking a button
// or running a command on A) reaches the bot's stream on node B, and can be acked, deferred,
// answered with a modal or replied to through B with exactly the effects it has on one node:
// Ack/Defer repeatable (each once per call), Modal and a modal submission once — a second
// attempt, on either node or on both at the same moment, is 404 interaction_not_found — and a
// Reply's randomId one message whichever nodes it is sent through (DECISIONS §9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startCluster, api, register, joinSpace, createApp, installBot, bot, expectError, expectStatus, expectEmpty200,
  registerCommand, runCommand, UUID_RE,
} from './harness.mjs';
import { openBotStream, openPersonFeed, openReady, isEvent, isMessage } from './sse.mjs';
import { clusterWorld, NO_LIMITS } from './cluster.mjs';

let cluster, A, B;

before(async () => {
  cluster = await startCluster({ nodes: 2, env: { ...NO_LIMITS } });
  [A, B] = cluster.nodes;
});
after(async () => { await cluster?.stop(); });

const MODAL = {
  customId: 'feedback', title: 'Feedback',
  components: [{ type: 'textInput', customId: 'name', label: 'Name', style: 'short', minLength: 2, maxLength: 5 }],
};
const ack = (node, tok, interactionId) => api(node).post('/IInteractions/v1/Ack', { interactionId }, tok);
const defer = (node, tok, interactionId) => api(node).post('/IInteractions/v1/Defer', { interactionId }, tok);
const modal = (node, tok, interactionId) => api(node).post('/IInteractions/v1/Modal', { interactionId, modal: MODAL }, tok);
const submit = (node, person, id, name = 'Bob') =>
  api(node).post(`/api/v1/interactions/${id}/modal`, { values: [{ customId: 'name', value: name }] }, person.token);

/**
 * The bot's world (through A) with a member who clicks and runs commands, a second bot in the
 * space, the bot's stream on B and the member's feed on A. → clusterWorld + {member, other, stream, feed}
 */
async function world() {
  const w = await clusterWorld(A);
  w.member = await register(A);
  await joinSpace(A, w.sid, w.owner, w.member);
  const otherApp = await createApp(A, w.owner);
  await installBot(A, w.owner, w.sid, otherApp.appId);
  w.other = bot(otherApp.token);
  w.stream = await openReady(() => openBotStream(B, w.app.token));
  w.feed = await openReady(() => openPersonFeed(A, w.member.token));
  w.close = () => { w.stream.close(); w.feed.close(); };
  return w;
}

/** A command interaction: the member runs /ping through `node` → its id, once the bot's stream on B has it. */
async function commandInteraction(w, node = A) {
  w.pingId ??= await registerCommand(B, w.tok, { name: 'ping', description: 'Ping' });
  const r = await runCommand(node, w.member, w.general, w.pingId);
  expectStatus(r, 200);
  const id = r.body.interactionId;
  await w.stream.next(isEvent('commandInteraction', (f) => f.data.interactionId === id));
  return id;
}

/** The member's feed events of `name` for interaction `id`, consumed by a wait or not. */
const feedEvents = (w, name, id) => w.feed.frames.filter((f) => f.event === name && f.data.interactionId === id);

test('a click on A → controlInteraction on the bot\'s stream on B; Ack and Defer through B, repeatable, each seen once', async () => {
  const w = await world();
  try {
    const rep = await api(A).post('/IInteractions/v1/Reply', {
      channelId: w.general, text: 'pick', randomId: 1, controls: [{ controls: [{ type: 0, variant: 0, label: 'Go', id: 'go' }] }],
    }, w.tok);
    expectStatus(rep, 200);
    const mid = String(rep.body.messageId);
    const clk = await api(A).post(`/api/v1/messages/${mid}/controls/go`, undefined, w.member.token);
    expectStatus(clk, 200);
    const id = clk.body.interactionId;
    const ci = await w.stream.next(isEvent('controlInteraction'));
    assert.equal(ci.data.interactionId, id);
    assert.equal(String(ci.data.messageId), mid);
    assert.equal(ci.data.user.userId, w.member.userId);

    expectEmpty200(await ack(B, w.tok, id));
    await w.feed.next(isEvent('interactionAcked', (f) => f.data.interactionId === id));
    expectEmpty200(await defer(B, w.tok, id));
    await w.feed.next(isEvent('interactionDeferred', (f) => f.data.interactionId === id));
    // Repeatable, through either node, as on one node; only the owning bot.
    expectEmpty200(await ack(A, w.tok, id));
    expectEmpty200(await ack(B, w.tok, id));
    expectError(await ack(B, w.other, id), 404, 'interaction_not_found');
    expectError(await defer(A, w.other, id), 404, 'interaction_not_found');
    // A marker behind them all: each call gave one event, no more.
    await api(B).post('/IInteractions/v1/Reply', { channelId: w.general, text: 'marker', randomId: 2 }, w.tok);
    await w.feed.next(isMessage('marker'));
    assert.equal(feedEvents(w, 'interactionAcked', id).length, 3);
    assert.equal(feedEvents(w, 'interactionDeferred', id).length, 1);
  } finally { w.close(); }
});

test('a command run on A, a modal through B: once; a second Modal/Ack/Defer on either node → 404', async () => {
  const w = await world();
  try {
    const id = await commandInteraction(w, A);
    expectEmpty200(await defer(B, w.tok, id));
    const shown = await modal(B, w.tok, id);
    expectStatus(shown, 200);
    const modalId = shown.body.modalInteractionId;
    assert.match(modalId, UUID_RE);
    const sm = await w.feed.next(isEvent('showModal', (f) => f.data.interactionId === modalId));
    assert.equal(sm.data.modal.customId, 'feedback');
    for (const node of [A, B]) {
      expectError(await modal(node, w.tok, id), 404, 'interaction_not_found');
      expectError(await ack(node, w.tok, id), 404, 'interaction_not_found');
      expectError(await defer(node, w.tok, id), 404, 'interaction_not_found');
    }
    // The member submits through B; the bot's stream (on B) gets modalSubmit once; a second
    // submission, on A, is refused.
    const sub = await submit(B, w.member, modalId);
    expectStatus(sub, 200);
    const ms = await w.stream.next(isEvent('modalSubmit'));
    assert.equal(ms.data.interactionId, sub.body.interactionId);
    assert.deepEqual(ms.data.values, [{ customId: 'name', values: ['Bob'] }]);
    expectError(await submit(A, w.member, modalId), 404, 'interaction_not_found');
    // The submission is itself a live interaction, on either node.
    expectEmpty200(await ack(A, w.tok, sub.body.interactionId));
    await w.feed.next(isEvent('interactionAcked', (f) => f.data.interactionId === sub.body.interactionId));
  } finally { w.close(); }
});

test('Modal through A and through B at the same moment: exactly one wins; the same for two submissions', async () => {
  const w = await world();
  try {
    const ROUNDS = 6;
    const modalIds = [];
    for (let i = 0; i < ROUNDS; i++) {
      const id = await commandInteraction(w, i % 2 ? B : A);
      const [ra, rb] = await Promise.all([modal(A, w.tok, id), modal(B, w.tok, id)]);
      const ok = [ra, rb].filter((r) => r.status === 200);
      assert.equal(ok.length, 1, `round ${i}: exactly one Modal succeeds: A ${ra.status} ${ra.text}, B ${rb.status} ${rb.text}`);
      expectError(ra.status === 200 ? rb : ra, 404, 'interaction_not_found');
      modalIds.push(ok[0].body.modalInteractionId);
    }
    const submissions = [];
    for (const [i, modalId] of modalIds.entries()) {
      const [sa, sb] = await Promise.all([submit(A, w.member, modalId, 'Al'), submit(B, w.member, modalId, 'Bo')]);
      const ok = [sa, sb].filter((r) => r.status === 200);
      assert.equal(ok.length, 1, `round ${i}: exactly one submission succeeds: A ${sa.status} ${sa.text}, B ${sb.status} ${sb.text}`);
      expectError(sa.status === 200 ? sb : sa, 404, 'interaction_not_found');
      submissions.push(ok[0].body.interactionId);
    }
    // One showModal per winning Modal, one modalSubmit per winning submission.
    await api(A).post('/IInteractions/v1/Reply', { channelId: w.general, text: 'race marker', randomId: 3 }, w.tok);
    await w.feed.next(isMessage('race marker'));
    await w.stream.next(isMessage('race marker'));
    for (const id of modalIds) assert.equal(feedEvents(w, 'showModal', id).length, 1, `showModal for ${id}`);
    const submits = w.stream.frames.filter((f) => f.event === 'modalSubmit').map((f) => f.data.interactionId);
    assert.deepEqual(submits.sort(), [...submissions].sort(), 'one modalSubmit per submission that succeeded');
  } finally { w.close(); }
});

test('Reply through B to an interaction from A; the same randomId through A and B at once → one message', async () => {
  const w = await world();
  try {
    const id = await commandInteraction(w, A);
    expectEmpty200(await defer(B, w.tok, id));
    const body = { channelId: w.general, text: 'the answer', randomId: 4242 };
    const first = await api(B).post('/IInteractions/v1/Reply', body, w.tok);
    expectStatus(first, 200);
    const again = await api(A).post('/IInteractions/v1/Reply', body, w.tok);
    expectStatus(again, 200);
    assert.equal(String(again.body.messageId), String(first.body.messageId), 'the same randomId is the same message on A');

    // Both nodes at the same moment, several times over.
    const ids = [];
    for (let i = 0; i < 8; i++) {
      const b = { channelId: w.general, text: `at once ${i}`, randomId: 5000 + i };
      const [ra, rb] = await Promise.all([api(A).post('/IInteractions/v1/Reply', b, w.tok), api(B).post('/IInteractions/v1/Reply', b, w.tok)]);
      expectStatus(ra, 200);
      expectStatus(rb, 200);
      assert.equal(String(ra.body.messageId), String(rb.body.messageId), `round ${i}: one message`);
      ids.push(String(ra.body.messageId));
    }
    await api(A).post('/IInteractions/v1/Reply', { channelId: w.general, text: 'reply marker', randomId: 6000 }, w.tok);
    await w.feed.next(isMessage('reply marker'));
    const created = w.feed.frames.filter((f) => f.event === 'messageCreate').map((f) => String(f.data.message.messageId));
    for (const mid of [String(first.body.messageId), ...ids]) {
      assert.equal(created.filter((x) => x === mid).length, 1, `one messageCreate for ${mid}: ${created}`);
    }
    const hist = await api(A).get(`/api/v1/channels/${w.general}/messages?limit=100`, w.member.token);
    expectStatus(hist, 200);
    const texts = hist.body.messages.map((m) => m.text);
    assert.equal(texts.filter((t) => t === 'the answer').length, 1, texts.join(', '));
    for (let i = 0; i < 8; i++) assert.equal(texts.filter((t) => t === `at once ${i}`).length, 1, texts.join(', '));
  } finally { w.close(); }
});
