import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/queue/contract.js';
import { createLogger } from '../../src/observability/log.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { BODY_LIMIT, createReceiver } from '../../src/webhook/receiver.js';
import { BOT, PROJECT, SECRET, fixture, gitlabDoc, gitlabDocsSkipNote, hasGitlabDocs, hookHeaders, send, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const labelsMoved = fixture('issue-hook-update-labels.json');
const issueKey57 = `issue:${PROJECT}#57`;

async function keysDue(store: Store): Promise<string[]> {
  const jobs = await store.claim('test-worker', 100, 60_000, Date.now() + 60_000);
  for (const job of jobs) await store.release(job, Date.now());
  return jobs.map((j) => j.key).sort();
}

describe('the webhook receiver', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses to start without a secret', () => {
    expect(() =>
      createReceiver({
        store: h.store,
        secret: '',
        projects: new Set([PROJECT]),
        botUsername: BOT,
        log: createLogger({ level: 'silent' }),
        metrics: createMetrics({ defaultMetrics: false }),
        ready: async () => ({ ok: true, checks: {} }),
      }),
    ).toThrow(/RHYTHM_WEBHOOK_SECRET/);
  });

  it('stores a delivery before acknowledging it, and wakes the issue key', async () => {
    const id = randomUUID();
    const r = await send(h.url, {
      headers: hookHeaders('Issue Hook', { 'idempotency-key': id, 'x-gitlab-event-uuid': 'evt-1' }),
      body: labelsMoved,
    });
    expect(r.status).toBe(202);
    expect(JSON.parse(r.text)).toEqual({ status: 'stored', deliveryId: id });
    // Checked straight after the answer: the store already has it.
    expect(await h.store.hasDelivery(id)).toBe(true);
    expect(h.stored).toContain(issueKey57);
    expect(await keysDue(h.store)).toContain(issueKey57);
  });

  it('accepts a JSON content type with a UTF-8 charset', async () => {
    const id = randomUUID();
    const r = await send(h.url, {
      headers: hookHeaders('Note Hook', { 'idempotency-key': id, 'content-type': 'Application/JSON; charset="UTF-8"' }),
      body: fixture('note-hook-issue.json'),
    });
    expect(r.status).toBe(202);
    expect(await h.store.hasDelivery(id)).toBe(true);
  });

  it('stores a redelivery with the same Idempotency-Key once', async () => {
    const id = randomUUID();
    const before = (await h.store.stats(Date.now())).deliveries;
    const first = await send(h.url, { headers: hookHeaders('Issue Hook', { 'idempotency-key': id }), body: labelsMoved });
    const again = await send(h.url, { headers: hookHeaders('Issue Hook', { 'idempotency-key': id }), body: labelsMoved });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toMatchObject({ status: 'duplicate' });
    expect((await h.store.stats(Date.now())).deliveries).toBe(before + 1);
  });

  it('dedups on a hash of the body when there is no Idempotency-Key', async () => {
    const body = labelsMoved.replace('"iid": 57', '"iid": 58');
    const first = await send(h.url, { headers: hookHeaders('Issue Hook'), body });
    const again = await send(h.url, { headers: hookHeaders('Issue Hook'), body });
    expect(first.status).toBe(202);
    const { deliveryId } = JSON.parse(first.text) as { deliveryId: string };
    expect(deliveryId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.status).toBe(200);
    expect(await h.store.hasDelivery(deliveryId)).toBe(true);
  });

  it("records the bot's own note without waking any work", async () => {
    const id = randomUUID();
    const before = await keysDue(h.store);
    const body = fixture('note-hook-by-bot.json').replace('"iid": 57', '"iid": 62');
    const r = await send(h.url, { headers: hookHeaders('Note Hook', { 'idempotency-key': id }), body });
    expect(r.status).toBe(202);
    expect(await h.store.hasDelivery(id)).toBe(true);
    expect(h.stored.at(-1)).toBeNull();
    expect(await keysDue(h.store)).toEqual(before);
    expect(before).not.toContain(`issue:${PROJECT}#62`);
  });

  it('records a drag within a column without waking any work', async () => {
    const id = randomUUID();
    const body = fixture('issue-hook-reorder.json').replace('"iid": 57', '"iid": 61');
    const r = await send(h.url, { headers: hookHeaders('Issue Hook', { 'idempotency-key': id }), body });
    expect(r.status).toBe(202);
    expect(h.stored.at(-1)).toBeNull();
    expect(await keysDue(h.store)).not.toContain(`issue:${PROJECT}#61`);
  });

  describe('refusals store nothing', () => {
    const cases: { name: string; status: number; headers: Record<string, string>; body: string }[] = [
      { name: 'no token', status: 401, headers: hookHeaders('Issue Hook', { 'x-gitlab-token': '' }), body: labelsMoved },
      {
        name: 'a wrong token of the same length',
        status: 401,
        headers: hookHeaders('Issue Hook', { 'x-gitlab-token': SECRET.replace(/.$/, 'x') }),
        body: labelsMoved,
      },
      {
        name: 'a wrong, longer token',
        status: 401,
        headers: hookHeaders('Issue Hook', { 'x-gitlab-token': `${SECRET}${SECRET}` }),
        body: labelsMoved,
      },
      {
        name: 'a form body',
        status: 415,
        headers: hookHeaders('Issue Hook', { 'content-type': 'application/x-www-form-urlencoded' }),
        body: 'a=1',
      },
      {
        name: 'JSON in another charset',
        status: 415,
        headers: hookHeaders('Issue Hook', { 'content-type': 'application/json; charset=latin1' }),
        body: labelsMoved,
      },
      { name: 'no content type', status: 415, headers: hookHeaders('Issue Hook', { 'content-type': '' }), body: labelsMoved },
      { name: 'broken JSON', status: 400, headers: hookHeaders('Issue Hook'), body: labelsMoved.slice(0, 200) },
      {
        name: 'an iid that is a string',
        status: 422,
        headers: hookHeaders('Issue Hook'),
        body: labelsMoved.replace('"iid": 57', '"iid": "57"'),
      },
      {
        name: 'a note body under an Issue Hook header',
        status: 422,
        headers: hookHeaders('Issue Hook'),
        body: fixture('note-hook-issue.json'),
      },
      {
        name: 'a note on an issue without the issue',
        status: 422,
        headers: hookHeaders('Note Hook'),
        body: JSON.stringify({ ...JSON.parse(fixture('note-hook-issue.json')), issue: undefined }),
      },
      { name: 'an array', status: 422, headers: hookHeaders('Issue Hook'), body: '[1,2,3]' },
      {
        name: 'nesting far deeper than any GitLab payload',
        status: 422,
        headers: hookHeaders('Issue Hook'),
        body: `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      },
      {
        name: 'an Idempotency-Key that is not an id',
        status: 422,
        headers: hookHeaders('Issue Hook', { 'idempotency-key': 'k'.repeat(500) }),
        body: labelsMoved,
      },
    ];
    for (const c of cases) {
      it(`answers ${c.status} to ${c.name}`, async () => {
        const headers = Object.fromEntries(Object.entries(c.headers).filter(([, v]) => v !== ''));
        const before = (await h.store.stats(Date.now())).deliveries;
        const r = await send(h.url, { headers, body: c.body });
        expect(r.status).toBe(c.status);
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect((await h.store.stats(Date.now())).deliveries).toBe(before);
      });
    }

    it('answers 400 to a body that is not UTF-8', async () => {
      const r = await send(h.url, {
        headers: hookHeaders('Issue Hook'),
        body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      });
      expect(r.status).toBe(400);
    });

    it('answers 413 at once to a declared body over 25 MB, without reading it', async () => {
      const r = await send(h.url, {
        headers: hookHeaders('Issue Hook', { 'content-length': String(BODY_LIMIT + 1) }),
        body: '{"object_kind":"issue"',
      });
      expect(r.status).toBe(413);
      expect(r.headers.connection).toBe('close');
    });

    it('answers 413 to a chunked body once it passes 25 MB', async () => {
      const big = Buffer.alloc(BODY_LIMIT + 2 * 1024 * 1024, 0x20);
      const r = await send(h.url, { headers: hookHeaders('Issue Hook'), body: big, chunked: true });
      expect(r.status).toBe(413);
    });

    it('answers 405 to other methods on the webhook path', async () => {
      const r = await send(h.url, { method: 'GET' });
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('POST');
    });
  });

  describe('acknowledged and ignored', () => {
    it('ignores events Rhythm does not handle', async () => {
      const before = (await h.store.stats(Date.now())).deliveries;
      const r = await send(h.url, { headers: hookHeaders('Push Hook'), body: '{"object_kind":"push"}' });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ status: 'ignored' });
      expect((await h.store.stats(Date.now())).deliveries).toBe(before);
      expect(h.logs.some((l) => l.includes('"event":"Push Hook"') && l.includes('"result":"ignored"'))).toBe(true);
    });

    it('ignores projects that are not in the config', async () => {
      const id = randomUUID();
      const body = labelsMoved.replaceAll(PROJECT, 'someone-else/other-board');
      const r = await send(h.url, { headers: hookHeaders('Issue Hook', { 'idempotency-key': id }), body });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ reason: 'project not configured' });
      expect(await h.store.hasDelivery(id)).toBe(false);
    });

    it('ignores comments on merge requests', async () => {
      const id = randomUUID();
      const r = await send(h.url, {
        headers: hookHeaders('Note Hook', { 'idempotency-key': id }),
        body: fixture('note-hook-merge-request.json'),
      });
      expect(r.status).toBe(200);
      expect(await h.store.hasDelivery(id)).toBe(false);
    });
  });

  it('takes prototype-polluting keys as plain data', async () => {
    const body = labelsMoved.replace('{', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},');
    const r = await send(h.url, { headers: hookHeaders('Issue Hook', { 'idempotency-key': randomUUID() }), body });
    expect(r.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('carries the delivery id on every line of a delivery and never logs the secret', async () => {
    const id = randomUUID();
    const from = h.logs.length;
    await send(h.url, {
      headers: hookHeaders('Issue Hook', { 'idempotency-key': id }),
      body: labelsMoved.replace('"iid": 57', '"iid": 70'),
    });
    await send(h.url, { headers: hookHeaders('Issue Hook', { 'idempotency-key': id }), body: '{"broken' });
    const lines = h.logs.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.deliveryId).toBe(id);
    expect(h.logs.join('\n')).not.toContain(SECRET);
  });

  describe('health, readiness and metrics', () => {
    it('says the process is alive', async () => {
      const r = await send(h.url, { method: 'GET', path: '/healthz' });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ status: 'ok' });
    });

    it('says ready when the database and GitLab are', async () => {
      const r = await send(h.url, { method: 'GET', path: '/readyz' });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ status: 'ready', checks: { database: true, gitlab: true } });
    });

    it('counts deliveries by result and reports the queue on /metrics', async () => {
      h.metrics.watchQueue(() => h.store.stats(Date.now()));
      const r = await send(h.url, { method: 'GET', path: '/metrics' });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(r.text).toMatch(/^rhythm_webhook_deliveries_total\{result="stored"\} [1-9]\d*$/m);
      expect(r.text).toMatch(/^rhythm_webhook_deliveries_total\{result="unauthorized"\} [1-9]\d*$/m);
      expect(r.text).toMatch(/^rhythm_queue_jobs\{state="pending"\} [1-9]\d*$/m);
      expect(r.text).toMatch(/^rhythm_queue_oldest_age_seconds\{state="pending"\} [\d.e-]+$/m);
      expect(r.text).toMatch(/^rhythm_process_cpu_user_seconds_total /m);
    });

    it('answers 404 in JSON elsewhere', async () => {
      const r = await send(h.url, { method: 'GET', path: '/nowhere' });
      expect(r.status).toBe(404);
    });
  });

  describe.skipIf(!hasGitlabDocs)(`GitLab's documentation examples (${hasGitlabDocs ? 'present' : gitlabDocsSkipNote})`, () => {
    let docs: Harness;
    beforeAll(async () => {
      docs = await startHarness({ projects: new Set(['gitlabhq/gitlab-test', 'gitlab-org/gitlab-test', 'flightjs/Flight']) });
    });
    afterAll(async () => {
      await docs.close();
    });
    const stored: [string, string, string][] = [
      ['issue-hook.json', 'Issue Hook', 'issue:gitlabhq/gitlab-test#23'],
      ['issue-hook-legacy.json', 'Issue Hook', 'issue:gitlabhq/gitlab-test#23'],
      ['issue-hook.json', 'Confidential Issue Hook', 'issue:gitlabhq/gitlab-test#23'],
      ['note-hook-issue.json', 'Note Hook', 'issue:gitlab-org/gitlab-test#17'],
    ];
    for (const [file, event, key] of stored) {
      it(`stores ${file} sent as ${event}`, async () => {
        const id = randomUUID();
        const r = await send(docs.url, { headers: hookHeaders(event, { 'idempotency-key': id }), body: gitlabDoc(file) });
        expect(r.status).toBe(202);
        expect(await docs.store.hasDelivery(id)).toBe(true);
        expect(docs.stored.at(-1)).toBe(key);
      });
    }
    it('acknowledges and ignores the emoji example', async () => {
      const id = randomUUID();
      const r = await send(docs.url, {
        headers: hookHeaders('Emoji Hook', { 'idempotency-key': id }),
        body: gitlabDoc('emoji-hook-issue-note.json'),
      });
      expect(r.status).toBe(200);
      expect(await docs.store.hasDelivery(id)).toBe(false);
    });
  });
});

describe('the Express app on its own', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('serves the webhook path too, by the same rules', async () => {
    const { app } = createReceiver({
      store: h.store,
      secret: SECRET,
      projects: new Set([PROJECT]),
      botUsername: BOT,
      log: createLogger({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      ready: async () => ({ ok: true, checks: {} }),
    });
    const id = randomUUID();
    const stored = await request(app)
      .post('/webhooks/gitlab')
      .set(hookHeaders('Issue Hook', { 'idempotency-key': id }))
      .send(labelsMoved);
    expect(stored.status).toBe(202);
    expect(await h.store.hasDelivery(id)).toBe(true);
    const refused = await request(app)
      .post('/webhooks/gitlab')
      .set(hookHeaders('Issue Hook', { 'x-gitlab-token': 'nope' }))
      .send(labelsMoved);
    expect(refused.status).toBe(401);
  });
});

describe('when the store is slow', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      wrapStore: (s) => {
        const slow = Object.create(s) as Store;
        // Holds the commit back long enough that an answer sent before it would be seen first.
        slow.accept = async (d) => {
          await new Promise((r) => setTimeout(r, 150));
          return s.accept(d);
        };
        return slow;
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('still answers only once the delivery is stored', async () => {
    const id = randomUUID();
    const r = await send(h.url, { headers: hookHeaders('Issue Hook', { 'idempotency-key': id }), body: labelsMoved });
    expect(r.status).toBe(202);
    expect(await h.store.hasDelivery(id)).toBe(true);
  });
});

describe('when the store fails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      wrapStore: (s) => {
        const failing = Object.create(s) as Store;
        failing.accept = () => Promise.reject(new Error('disk I/O error'));
        return failing;
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers 503, stores nothing, and says so in the log', async () => {
    const id = randomUUID();
    const r = await send(h.url, { headers: hookHeaders('Issue Hook', { 'idempotency-key': id }), body: labelsMoved });
    expect(r.status).toBe(503);
    expect(await h.store.hasDelivery(id)).toBe(false);
    const line = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.result === 'error');
    expect(line).toMatchObject({ level: 'error', deliveryId: id });
  });
});

describe('readiness when a dependency is down', () => {
  it('answers 503 with the failing check', async () => {
    const h = await startHarness({ ready: async () => ({ ok: false, checks: { database: true, gitlab: false } }) });
    try {
      const r = await send(h.url, { method: 'GET', path: '/readyz' });
      expect(r.status).toBe(503);
      expect(JSON.parse(r.text)).toEqual({ status: 'not ready', checks: { database: true, gitlab: false } });
    } finally {
      await h.close();
    }
  });

  it('answers 503 when the check itself throws', async () => {
    const h = await startHarness({ ready: () => Promise.reject(new Error('boom')) });
    try {
      const r = await send(h.url, { method: 'GET', path: '/readyz' });
      expect(r.status).toBe(503);
    } finally {
      await h.close();
    }
  });
});
