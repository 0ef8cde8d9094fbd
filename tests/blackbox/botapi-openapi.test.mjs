// The OpenAPI 3.1 document of the Bot API: GET /api/bot/openapi.json (public, like GET /api/bot/)
// and `argon contracts openapi` print the same document, which an independent OpenAPI 3.1
// validator accepts, and which names every route of the project's copy of the latest manifest
// (tests/fixtures/spec/api-manifest-latest.json) and every event of the SSE stream; and what a
// live server answers and streams matches the schemas the document gives for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  startServer, api, bot, register, createApp, botWorld, runCli, expectStatus, REPO_ROOT, HIGH_RATE_LIMITS,
} from './harness.mjs';
import { openBotStream, openReady, isMessage } from './sse.mjs';

const MANIFEST = JSON.parse(fs.readFileSync(
  path.join(REPO_ROOT, 'tests', 'fixtures', 'spec', 'api-manifest-latest.json'), 'utf8'));

let server, c, app, doc, docText;

before(async () => {
  server = await startServer({ env: { ...HIGH_RATE_LIMITS } });
  c = api(server);
  app = await createApp(server, await register(server));
  const r = await c.get('/api/bot/openapi.json');
  expectStatus(r, 200);
  doc = r.body;
  docText = r.text;
});
after(async () => { await server?.stop(); });

test('GET /api/bot/openapi.json: JSON, no token needed, the same with any token', async () => {
  const anon = await c.get('/api/bot/openapi.json');
  expectStatus(anon, 200);
  assert.match(String(anon.headers.get('content-type')), /application\/json/i);
  const withBot = await c.get('/api/bot/openapi.json', bot(app.token));
  const withGarbage = await c.get('/api/bot/openapi.json', bot('garbage'));
  expectStatus(withBot, 200);
  expectStatus(withGarbage, 200);
  assert.deepEqual(withBot.body, anon.body);
  assert.deepEqual(withGarbage.body, anon.body);
});

test('an OpenAPI 3.1 validator accepts the document and resolves every $ref', async () => {
  assert.ok(Validator.supportedVersions.has('3.1'));
  const validator = new Validator();
  const res = await validator.validate(JSON.parse(docText));
  assert.equal(res.valid, true, JSON.stringify(res.errors, null, 2)?.slice(0, 4000));
  assert.equal(validator.version, '3.1');
  // The validator does look: a response without its description is refused.
  const broken = JSON.parse(docText);
  delete broken.paths['/api/bot/IMessages/v1/Send'].post.responses['200'].description;
  assert.equal((await new Validator().validate(broken)).valid, false);
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, '1.9.0');
  // Every $ref points into the document (resolveRefs throws on a dangling one).
  const refs = [];
  (function walk(v) {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k === '$ref') refs.push(child);
        else walk(child);
      }
    }
  })(doc);
  assert.ok(refs.length > 100, `${refs.length} refs`);
  for (const ref of new Set(refs)) {
    assert.match(ref, /^#\//, ref);
    let at = doc;
    for (const token of ref.slice(2).split('/')) at = at?.[token];
    assert.ok(at !== undefined, `unresolved ${ref}`);
  }
  assert.doesNotThrow(() => validator.resolveRefs());
});

test('every route of the latest manifest is an operation with its method, errors and schemas', () => {
  const failures = [];
  let count = 0;
  for (const itf of MANIFEST.interfaces) {
    for (const r of itf.routes) {
      count++;
      const p = `/api/bot/${itf.name}/v${itf.version}${r.path}`;
      const op = doc.paths[p]?.[r.method.toLowerCase()];
      if (!op) { failures.push(`missing ${r.method} ${p}`); continue; }
      if (!op.operationId) failures.push(`${p}: no operationId`);
      if (!op.responses?.['200'] || !op.responses['401'] || !op.responses['429']) failures.push(`${p}: responses ${Object.keys(op.responses ?? {})}`);
      if (Boolean(op.requestBody) !== Boolean(r.requestTypeName)) failures.push(`${p}: requestBody`);
      for (const e of r.errors ?? []) {
        const resp = op.responses[String(e.status)];
        if (!resp || !JSON.stringify(resp).includes(e.code)) failures.push(`${p}: ${e.status} ${e.code}`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  assert.equal(count, 37);
  const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item));
  assert.equal(operations.length, 37);
  // Still answered, but no longer part of the ICalls contract (UPSTREAM §2.8).
  assert.equal(doc.paths['/api/bot/ICalls/v20260401/SubscribeCallTrack'], undefined);
  assert.equal(doc.components.securitySchemes.Bot.scheme, 'Bot');
  const reactions = doc.tags.find((t) => t.name === 'IReactions');
  assert.equal(reactions['x-argon-contract'].hash, 'a192cbc985de63a76e4a7cd0413a774327a667ba5d44cf9eb81c579f448e7807');
});

test('the SSE stream lists the 28 events of the manifest with their intents and payload schemas', () => {
  const stream = doc.paths['/api/bot/IEvents/v1/Stream'].get;
  const sse = stream.responses['200'].content['text/event-stream'];
  assert.ok(sse, JSON.stringify(stream.responses['200']));
  const events = sse['x-argon-events'];
  assert.equal(events.length, 28);
  const byName = new Map(events.map((e) => [e.name, e]));
  for (const e of MANIFEST.events) {
    const ours = byName.get(e.name);
    assert.ok(ours, e.name);
    assert.equal(ours.intent, e.intent, e.name);
    assert.equal(ours.payload.$ref, `#/components/schemas/${e.payloadTypeName}`);
    assert.ok(doc.components.schemas[e.payloadTypeName], e.payloadTypeName);
  }
  assert.equal(byName.get('ReactionAdd').type, 'reactionAdd');
  assert.equal(byName.get('ReactionAdd').intentValue, 8);
  assert.deepEqual(Object.keys(doc.components.schemas.ReadyEventPayload.properties).sort(), ['intents', 'spaces']);
  assert.equal(doc.components.schemas.BotEventPayload.anyOf.length, 28);
});

test('argon contracts openapi prints the document the server serves', async () => {
  const res = await runCli(['contracts', 'openapi']);
  assert.equal(res.code, 0, res.stderr);
  // Byte for byte (the harness reads integers past 2^53, the entitlement bits, as strings).
  assert.equal(res.stdout.trim(), docText);
});

// The schema of a route's 200 body, or of an event payload, as a JSON Schema validator reads the
// document (OpenAPI 3.1 schemas are JSON Schema 2020-12).
function schemaChecker(document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'float', 'double']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: 'openapi', components: document.components });
  return (schemaName, text, what) => {
    const validate = ajv.getSchema(`openapi#/components/schemas/${schemaName}`);
    assert.ok(validate, schemaName);
    const value = JSON.parse(text);  // numbers past 2^53 stay numbers: only the type matters here
    assert.ok(validate(value), `${what} does not match ${schemaName}: ${JSON.stringify(validate.errors)}\n${text.slice(0, 600)}`);
  };
}

const okSchema = (p, method) => {
  const ref = doc.paths[`/api/bot${p}`][method].responses['200'].content['application/json'].schema.$ref;
  return ref.replace('#/components/schemas/', '');
};

test('live answers and events match the schemas of the document', async () => {
  const check = schemaChecker(JSON.parse(docText));
  const w = await botWorld(server);
  const call = async (method, p, body) => {
    const r = await c.request(method.toUpperCase(), p, body, w.tok);
    expectStatus(r, 200);
    check(okSchema(p.split('?')[0], method), r.text, `${method} ${p}`);
    return r;
  };
  const s = await openReady(() => openBotStream(server, w.app.token, { intents: 16383 }));
  try {
    check('ReadyEventPayload', s.ready.dataText, 'ready');
    await call('get', '/IBotSelf/v1/GetMe');
    await call('get', '/IBotSelf/v1/GetSpaces');
    await call('get', `/ISpaces/v1/Get?spaceId=${w.sid}`);
    await call('get', `/IChannels/v1/List?spaceId=${w.sid}`);
    await call('get', `/IArchetypes/v1/List?spaceId=${w.sid}`);
    await call('post', '/ICommands/v1/Register', {
      name: 'ping', description: 'Ping', options: [{ name: 'x', description: 'x', type: 'string', required: false }],
    });
    await call('get', '/ICommands/v1/List');
    await call('get', `/ICommands/v1/ListForSpace?spaceId=${w.sid}`);
    const text = 'openapi **bold** check';
    await call('post', '/IMessages/v1/Send', {
      channelId: w.general, text, randomId: 7,
      entities: [{ type: 'bold', offset: 8, length: 8 }],
      controls: [{ controls: [{ type: 'button', id: 'ok', label: 'OK' }] }],
    });
    const created = await s.next(isMessage(text));
    check('MessageCreateEvent', created.dataText, 'messageCreate');
    check('BotMessageV1', JSON.stringify(JSON.parse(created.dataText).message), 'messageCreate.message');
    await call('get', `/IMessages/v1/History?channelId=${w.general}`);
  } finally {
    s.close();
  }
});
