// Hostile input, generated with a fixed seed: every request here has something wrong with it
// (or is for an event or project Rhythm ignores), so nothing may be stored, nothing may answer
// 5xx, and the process must stay healthy.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT, MAX_NESTING } from '../../src/webhook/receiver.js';
import { PROJECT, SECRET, fixture, hookHeaders, send, startHarness } from './harness.js';
import type { Harness, Send } from './harness.js';

const SEED = 20250304;
const RUNS = 10_000;
const handled = new Set(['Issue Hook', 'Confidential Issue Hook', 'Note Hook', 'Confidential Note Hook']);

interface Case {
  kind: string;
  request: Send;
  expect: number[];
}

const issueText = fixture('issue-hook-update-labels.json').trim();
const noteText = fixture('note-hook-issue.json').trim();
const printable = (max: number) => fc.array(fc.integer({ min: 0x21, max: 0x7e }), { maxLength: max }).map((a) => String.fromCharCode(...a));

const authorised = (event: string, extra: Record<string, string> = {}) => hookHeaders(event, extra);

/** Values of the wrong type for a field of the given JSON type. */
function wrongFor(type: 'int' | 'string' | 'object'): fc.Arbitrary<unknown> {
  const common = [fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })];
  if (type === 'int')
    return fc.oneof(
      ...common,
      fc.string(),
      fc.integer({ max: 0 }),
      fc.double({ min: 0.1, max: 1e6, noNaN: true }).filter((d) => !Number.isInteger(d)),
      fc.constant({}),
    );
  if (type === 'string') return fc.oneof(...common, fc.integer(), fc.constant(''), fc.constant({}));
  return fc.oneof(...common, fc.integer(), fc.string());
}

const issueFields: [string[], 'int' | 'string' | 'object'][] = [
  [['user'], 'object'],
  [['user', 'username'], 'string'],
  [['project'], 'object'],
  [['project', 'id'], 'int'],
  [['project', 'path_with_namespace'], 'string'],
  [['object_attributes'], 'object'],
  [['object_attributes', 'id'], 'int'],
  [['object_attributes', 'iid'], 'int'],
];
const noteFields: [string[], 'int' | 'string' | 'object'][] = [
  [['user', 'username'], 'string'],
  [['project', 'path_with_namespace'], 'string'],
  [['object_attributes'], 'object'],
  [['object_attributes', 'noteable_type'], 'string'],
  [['issue'], 'object'],
  [['issue', 'iid'], 'int'],
];

/** A payload as parsed JSON: the fields are walked and changed by key. */
type JsonObject = Record<string, unknown>;

function setPath(obj: JsonObject, path: string[], value: unknown, remove: boolean): void {
  let at = obj;
  for (const k of path.slice(0, -1)) at = at[k] as JsonObject;
  const last = path.at(-1)!;
  if (remove) delete at[last];
  else at[last] = value;
}

const wrongTypes: fc.Arbitrary<Case> = fc
  .oneof(
    fc.tuple(fc.constant('Issue Hook'), fc.constant(issueText), fc.constantFrom(...issueFields)),
    fc.tuple(fc.constant('Note Hook'), fc.constant(noteText), fc.constantFrom(...noteFields)),
  )
  .chain(([event, text, [path, type]]) => fc.tuple(fc.constant(event), fc.constant(text), fc.constant(path), wrongFor(type), fc.boolean()))
  .map(([event, text, path, value, remove]) => {
    const payload = JSON.parse(text) as JsonObject;
    setPath(payload, path, value, remove);
    return { kind: 'wrong type', request: { headers: authorised(event), body: JSON.stringify(payload) }, expect: [422] };
  });

const wrongKind: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom('Issue Hook', 'Note Hook'), fc.oneof(printable(12), fc.constantFrom('push', 'merge_request', 'note', 'issue')))
  .filter(([event, kind]) => (event === 'Issue Hook' ? kind !== 'issue' && kind !== 'work_item' : kind !== 'note'))
  .map(([event, kind]) => {
    const payload = JSON.parse(event === 'Issue Hook' ? issueText : noteText) as Record<string, unknown>;
    payload.object_kind = kind;
    return { kind: 'wrong object_kind', request: { headers: authorised(event), body: JSON.stringify(payload) }, expect: [422] };
  });

const noToken: fc.Arbitrary<Case> = fc.constantFrom(issueText, noteText, '{').map((body) => {
  const headers = authorised('Issue Hook');
  delete headers['x-gitlab-token'];
  return { kind: 'no token', request: { headers, body }, expect: [401] };
});

const wrongToken: fc.Arbitrary<Case> = fc
  .oneof(printable(80), fc.constant(SECRET.toUpperCase()), fc.constant(SECRET.slice(0, -1)), fc.constant(`${SECRET}x`))
  .filter((t) => t.trim() !== SECRET)
  .map((token) => ({
    kind: 'wrong token',
    request: { headers: authorised('Issue Hook', { 'x-gitlab-token': token }), body: issueText },
    expect: [401],
  }));

const wrongMedia: fc.Arbitrary<Case> = fc
  .oneof(
    fc.constantFrom(
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/jsonp',
      'json',
      'application/json+x',
    ),
    printable(30).map((s) => `x-${s}`),
  )
  .map((type) => ({
    kind: 'wrong content type',
    request: { headers: authorised('Issue Hook', { 'content-type': type }), body: issueText },
    expect: [415],
  }));

const truncated: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(['Issue Hook', issueText], ['Note Hook', noteText]), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([[event, text], at]) => ({
    kind: 'truncated body',
    request: { headers: authorised(event), body: text.slice(0, 1 + Math.floor(at * (text.length - 2))) },
    expect: [400],
  }));

const randomBytes: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...handled), fc.uint8Array({ minLength: 1, maxLength: 2048 }))
  .map(([event, bytes]) => ({
    kind: 'random bytes',
    // Random bytes are rarely JSON, but "7" or "[]" is, and fails the schema instead.
    request: { headers: authorised(event), body: Buffer.from(bytes) },
    expect: [400, 422],
  }));

const unknownEvent: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(printable(40), fc.constantFrom('Push Hook', 'Emoji Hook', 'System Hook', 'Merge Request Hook', 'Issue hook', 'issue hook')),
    fc.constantFrom(issueText, noteText, '{}', 'not json'),
  )
  .filter(([event]) => !handled.has(event.trim()))
  .map(([event, body]) => ({ kind: 'unknown event', request: { headers: authorised(event), body }, expect: [200] }));

const unknownProject: fc.Arbitrary<Case> = fc
  .tuple(
    fc.constantFrom(['Issue Hook', issueText], ['Note Hook', noteText]),
    printable(60).filter((p) => p.length > 0 && p.toLowerCase() !== PROJECT),
  )
  .map(([[event, text], path]) => {
    const payload = JSON.parse(text) as { project: { path_with_namespace: string } };
    payload.project.path_with_namespace = path;
    return {
      kind: 'unknown project',
      request: { headers: authorised(event, { 'idempotency-key': `fuzz-${path.length}` }), body: JSON.stringify(payload) },
      expect: [200],
    };
  });

const deepNesting: fc.Arbitrary<Case> = fc
  .tuple(fc.integer({ min: MAX_NESTING, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
  .map(([depth, open, insideKnownField]) => {
    const close = open === '[' ? ']' : '}';
    const deep = open.repeat(depth) + (open === '[' ? '' : '1') + close.repeat(depth);
    // Either an unknown field of an otherwise valid payload, or where the schema wants an object.
    const body = insideKnownField
      ? issueText.replace(/"object_attributes": \{/, `"object_attributes": ${deep}, "was": {`)
      : issueText.replace(/^\{/, `{"extra": ${deep},`);
    return { kind: 'deep nesting', request: { headers: authorised('Issue Hook'), body }, expect: [422] };
  });

const pollution: fc.Arbitrary<Case> = fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => {
  const body = issueText
    .replace(/^\{/, `{"${key}": {"polluted": true, "prototype": {"polluted": true}},`)
    .replaceAll(PROJECT, 'elsewhere/board');
  return { kind: 'prototype keys, unknown project', request: { headers: authorised('Issue Hook'), body }, expect: [200] };
});

const wrongMethod: fc.Arbitrary<Case> = fc
  .constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS')
  .map((method) => ({ kind: 'wrong method', request: { method, headers: authorised('Issue Hook') }, expect: [405] }));

const badIdempotencyKey: fc.Arbitrary<Case> = fc.integer({ min: 201, max: 4000 }).map((n) => ({
  kind: 'bad idempotency key',
  request: { headers: authorised('Issue Hook', { 'idempotency-key': 'k'.repeat(n) }), body: issueText },
  expect: [422],
}));

const hostile = fc.oneof(
  noToken,
  wrongToken,
  wrongMedia,
  wrongTypes,
  wrongKind,
  truncated,
  randomBytes,
  unknownEvent,
  unknownProject,
  deepNesting,
  pollution,
  wrongMethod,
  badIdempotencyKey,
);

async function pool<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

/** A request that stops half-way through its body and hangs up. */
function abortMidBody(url: string, declared: number, sent: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /webhooks/gitlab HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nX-Gitlab-Event: Issue Hook\r\n` +
          `X-Gitlab-Token: ${SECRET}\r\nContent-Length: ${declared}\r\n\r\n${sent}`,
        () => socket.destroy(),
      );
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

/** Bytes that are not HTTP at all. */
function garbage(url: string, bytes: Buffer): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

describe('hostile input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it(`survives ${RUNS} generated hostile requests (seed ${SEED}) with the right 4xx and nothing stored`, async () => {
    const cases = fc.sample(hostile, { seed: SEED, numRuns: RUNS });
    const wrong: string[] = [];
    const byKind = new Map<string, number>();
    await pool(cases, 16, async (c) => {
      const r = await send(h.url, c.request);
      byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
      if (!c.expect.includes(r.status)) wrong.push(`${c.kind}: got ${r.status}, want ${c.expect.join('/')}: ${r.text.slice(0, 120)}`);
    });
    expect(wrong.slice(0, 10)).toEqual([]);
    // Every family of defect was really sent.
    expect(byKind.size).toBe(13);
    expect((await h.store.stats(Date.now())).deliveries).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses bodies over 25 MB, declared or streamed, and stores nothing', async () => {
    const big = Buffer.alloc(BODY_LIMIT + 1024 * 1024, 0x20);
    big.write(issueText);
    const statuses: number[] = [];
    for (const chunked of [false, true, false, true]) {
      statuses.push((await send(h.url, { headers: authorised('Issue Hook'), body: big, chunked })).status);
    }
    expect(statuses).toEqual([413, 413, 413, 413]);
    expect((await h.store.stats(Date.now())).deliveries).toBe(0);
  });

  it('shrugs off clients that hang up mid-body and bytes that are not HTTP', async () => {
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) sends.push(abortMidBody(h.url, issueText.length, issueText.slice(0, i * 50)));
    for (let i = 0; i < 10; i++) sends.push(garbage(h.url, Buffer.from(`GARBAGE ${'\u0000'.repeat(i)}\r\n\r\n`)));
    await Promise.all(sends);
    expect((await h.store.stats(Date.now())).deliveries).toBe(0);
  });

  it('is still healthy afterwards, and never logged the secret', async () => {
    const r = await send(h.url, { method: 'GET', path: '/healthz' });
    expect(r.status).toBe(200);
    expect(h.logs.join('\n')).not.toContain(SECRET);
    // And still stores a good delivery.
    const ok = await send(h.url, { headers: authorised('Issue Hook', { 'idempotency-key': 'after-the-storm' }), body: issueText });
    expect(ok.status).toBe(202);
  });
});
