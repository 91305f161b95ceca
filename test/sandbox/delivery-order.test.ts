// GitLab runs each webhook delivery as its own background job (WebHookService#async_execute
// queues a WebHookWorker per hook and event): deliveries of quick changes arrive in any order, and
// a job that runs again delivers the same event again with the same Idempotency-Key. The sandbox
// plays both when a fault says so.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startReceiver, type Receiver } from './receiver.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
let sandbox: Sandbox;
let receiver: Receiver;
let iid: number;

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(SKILLS)}${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Alice relabels the card: one Issue Hook each. */
async function relabel(label: string): Promise<void> {
  expect((await api('PUT', `/issues/${iid}`, { labels: label })).status).toBe(200);
}

const labelsOf = (r: Receiver['received'][number]) =>
  ((r.body['labels'] as Array<{ title: string }> | undefined) ?? []).map((l) => l.title).join(',');

beforeAll(async () => {
  sandbox = await startSandbox();
  receiver = await startReceiver();
  const hook = await api('POST', '/hooks', { url: receiver.url, token: 's', issues_events: true, push_events: false });
  expect(hook.status).toBe(201);
  [iid] = sandbox.seedIssues(SKILLS, [{ title: 'Moved about' }]) as [number];
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
afterEach(async () => {
  sandbox.faults.clear();
  sandbox.releaseWebhooks();
  await sandbox.idle();
  receiver.received.length = 0;
});

describe('held deliveries', () => {
  it('are kept back, then arrive newest first when released so', async () => {
    sandbox.faults.add({ kind: 'holdWebhook', path: 'PUT /projects/:id/issues/:issue_iid' });
    for (const label of ['a', 'b', 'c']) await relabel(label);
    // Held deliveries are not waited for: the sandbox is idle with them held.
    await sandbox.idle();
    expect(receiver.received).toHaveLength(0);
    expect(sandbox.heldWebhooks()).toBe(3);

    expect(sandbox.releaseWebhooks('newest-first')).toBe(3);
    await sandbox.idle();
    expect(receiver.received.map(labelsOf)).toEqual(['c', 'b', 'a']);
    // Each still says when it happened: the order of GitLab's timestamps is the truth.
    const stamps = receiver.received.map((r) => (r.body['object_attributes'] as { updated_at: string }).updated_at);
    expect([...stamps].sort()).toEqual([...stamps].reverse());
    expect(
      sandbox
        .deliveries()
        .slice(-3)
        .every((d) => d.faults?.includes('holdWebhook')),
    ).toBe(true);
  });

  it('hold only what the fault matches, `times` counting deliveries', async () => {
    sandbox.faults.add({ kind: 'holdWebhook', path: 'PUT /projects/:id/issues/:issue_iid', times: 1 });
    await relabel('held');
    await relabel('sent');
    await sandbox.idle();
    expect(receiver.received.map(labelsOf)).toEqual(['sent']);
    sandbox.releaseWebhooks();
    await sandbox.idle();
    expect(receiver.received.map(labelsOf)).toEqual(['sent', 'held']);
  });

  it('can be shuffled with a seed (the same seed, the same order), and released over HTTP', async () => {
    const run = async (seed: number) => {
      receiver.received.length = 0;
      sandbox.faults.add({ kind: 'holdWebhook', path: 'PUT /projects/:id/issues/:issue_iid', times: 5 });
      for (const label of ['1', '2', '3', '4', '5']) await relabel(label);
      const res = await fetch(`${sandbox.url}/-/sandbox/deliveries/release`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ order: 'random', seed }),
      });
      expect(await res.json()).toEqual({ released: 5 });
      await sandbox.idle();
      return receiver.received.map(labelsOf);
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect([...first].sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(first).not.toEqual(['1', '2', '3', '4', '5']);
    const bad = await fetch(`${sandbox.url}/-/sandbox/deliveries/release`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"order":"sideways"}',
    });
    expect(bad.status).toBe(400);
  });
});

describe('duplicated deliveries', () => {
  it('send the event twice with the same Idempotency-Key and event UUID, each its own webhook UUID', async () => {
    sandbox.faults.add({ kind: 'duplicateWebhook', path: 'PUT /projects/:id/issues/:issue_iid', times: 1 });
    await relabel('twice');
    await relabel('once');
    await sandbox.idle();
    expect(receiver.received.map(labelsOf)).toEqual(['twice', 'twice', 'once']);
    const [a, b] = receiver.received;
    expect(a!.headers['idempotency-key']).toBe(b!.headers['idempotency-key']);
    expect(a!.headers['x-gitlab-event-uuid']).toBe(b!.headers['x-gitlab-event-uuid']);
    expect(a!.headers['x-gitlab-webhook-uuid']).not.toBe(b!.headers['x-gitlab-webhook-uuid']);
    expect(a!.body).toEqual(b!.body);
    expect(receiver.received[2]!.headers['idempotency-key']).not.toBe(a!.headers['idempotency-key']);
  });

  it('can be held too: both copies arrive when released', async () => {
    sandbox.faults.add({ kind: 'holdWebhook', path: 'PUT /projects/:id/issues/:issue_iid', times: 2 });
    sandbox.faults.add({ kind: 'duplicateWebhook', path: 'PUT /projects/:id/issues/:issue_iid', times: 2 });
    await relabel('x');
    await relabel('y');
    expect(sandbox.heldWebhooks()).toBe(4);
    sandbox.releaseWebhooks('newest-first');
    await sandbox.idle();
    expect(receiver.received.map(labelsOf)).toEqual(['y', 'y', 'x', 'x']);
    expect(sandbox.deliveries().at(-1)?.faults).toEqual(['holdWebhook', 'duplicateWebhook']);
  });
});
