// Webhook delivery the way GitLab does it: headers, one Idempotency-Key per event, recursion
// detection, confidential variants, no hooks for system notes, auto-disable and re-enable.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startReceiver, type Receiver } from './receiver.js';

let sandbox: Sandbox;
let receiver: Receiver;
let clock = Date.UTC(2030, 0, 1, 9, 0, 0);
let project: string;
let seq = 0;

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
  token = 'sandbox-alice-token',
) {
  const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(project)}${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': token, 'Content-Type': 'application/json', ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as T };
}

async function addHook(flags: Record<string, unknown> = {}): Promise<number> {
  const res = await api('POST', '/hooks', {
    url: receiver.url,
    token: 'hook-secret',
    issues_events: true,
    note_events: true,
    push_events: false,
    ...flags,
  });
  expect(res.status).toBe(201);
  return res.json['id'] as number;
}

/** An issue as the tests address it. */
interface IssueRef {
  id: number;
  iid: number;
}

async function newIssue(extra: Record<string, unknown> = {}): Promise<IssueRef> {
  return (await api<IssueRef>('POST', '/issues', { title: `Hooked ${seq}`, ...extra })).json;
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => clock });
  receiver = await startReceiver();
});

afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

beforeEach(() => {
  project = `gitlab-com/hooks-${++seq}`;
  sandbox.addProject(project);
  receiver.received.length = 0;
  receiver.respondWith(200);
});

afterEach(async () => {
  await sandbox.idle();
});

describe('delivery', () => {
  it('POSTs JSON with GitLab headers after the API response', async () => {
    const hookId = await addHook();
    await newIssue();
    // Nothing has arrived yet when the API call returns; it arrives once the sandbox is idle.
    expect(receiver.received).toHaveLength(0);
    await sandbox.idle();
    expect(receiver.received).toHaveLength(1);
    const h = receiver.received[0]!.headers;
    expect(h['content-type']).toBe('application/json');
    expect(h['user-agent']).toMatch(/^GitLab\/\d+\.\d+/);
    expect(h['x-gitlab-event']).toBe('Issue Hook');
    expect(h['x-gitlab-token']).toBe('hook-secret');
    expect(h['x-gitlab-instance']).toBe(sandbox.url);
    for (const k of ['idempotency-key', 'x-gitlab-event-uuid', 'x-gitlab-webhook-uuid']) expect(h[k]).toMatch(/^[0-9a-f-]{36}$/);
    expect(receiver.received[0]!.body).toMatchObject({ object_kind: 'issue', object_attributes: { action: 'open' } });
    const log = sandbox.deliveries(hookId);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ outcome: 'delivered', responseStatus: 200, event: 'Issue Hook', responseBody: 'ok' });
    expect(log[0]!.requestHeaders['X-Gitlab-Token']).toBe('[REDACTED]');
  });

  it('gives each event its own Idempotency-Key and each delivery a fresh webhook UUID', async () => {
    await addHook();
    const issue = await newIssue();
    await api('PUT', `/issues/${issue.iid}`, { add_labels: 'x' });
    await sandbox.idle();
    const [a, b] = receiver.received;
    expect(a!.headers['idempotency-key']).not.toBe(b!.headers['idempotency-key']);
    expect(a!.headers['x-gitlab-webhook-uuid']).not.toBe(b!.headers['x-gitlab-webhook-uuid']);
  });

  it('resends a logged delivery with the same Idempotency-Key', async () => {
    const hookId = await addHook();
    await newIssue();
    await sandbox.idle();
    const first = sandbox.deliveries(hookId)[0]!;
    const res = await api('POST', `/hooks/${hookId}/events/${first.id}/resend`);
    expect(res.status).toBe(201);
    await sandbox.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['idempotency-key']).toBe(receiver.received[0]!.headers['idempotency-key']);
  });

  it('sends close then update for a PUT that closes and edits', async () => {
    await addHook();
    const issue = await newIssue();
    await sandbox.idle();
    receiver.received.length = 0;
    await api('PUT', `/issues/${issue.iid}`, { state_event: 'close', title: 'Renamed' });
    await sandbox.idle();
    const actions = receiver.received.map((r) => (r.body['object_attributes'] as Record<string, unknown>)['action']);
    expect(actions).toEqual(['close', 'update']);
    expect(Object.keys(receiver.received[1]!.body['changes'] as object)).toContain('title');
  });

  it('sends a reorder as an update whose changes hold only relative_position', async () => {
    await addHook();
    const a = await newIssue();
    const b = await newIssue();
    await sandbox.idle();
    receiver.received.length = 0;
    await api('PUT', `/issues/${b.iid}/reorder`, { move_after_id: a.id });
    await sandbox.idle();
    expect(receiver.received).toHaveLength(1);
    const body = receiver.received[0]!.body;
    expect((body['object_attributes'] as Record<string, unknown>)['action']).toBe('update');
    expect(Object.keys(body['changes'] as object)).toEqual(['relative_position']);
  });

  it('does not deliver to a hook that does not want the event', async () => {
    await addHook({ note_events: false });
    const issue = await newIssue();
    await api('POST', `/issues/${issue.iid}/notes`, { body: 'hello' });
    await sandbox.idle();
    expect(receiver.received.map((r) => r.headers['x-gitlab-event'])).toEqual(['Issue Hook']);
  });
});

describe('notes and confidentiality', () => {
  it('sends a Note Hook for a comment but none for system notes', async () => {
    await addHook();
    const issue = await newIssue();
    await api('PUT', `/issues/${issue.iid}`, { assignee_ids: [3], due_date: '2031-01-01' });
    await api('POST', `/issues/${issue.iid}/notes`, { body: 'A real comment' });
    await sandbox.idle();
    const notes = (await api<Array<{ system: boolean; body: string }>>('GET', `/issues/${issue.iid}/notes`)).json;
    expect(
      notes
        .filter((x) => x.system)
        .map((x) => x.body)
        .sort(),
    ).toEqual(['assigned to @bob', 'changed due date to January 1, 2031']);
    const noteHooks = receiver.received.filter((r) => r.headers['x-gitlab-event'] === 'Note Hook');
    expect(noteHooks.map((r) => (r.body['object_attributes'] as Record<string, unknown>)['note'])).toEqual(['A real comment']);
  });

  it('sends Confidential Issue Hook only to hooks that ask for it', async () => {
    await addHook();
    const wantsConfidential = await addHook({
      issues_events: false,
      note_events: false,
      confidential_issues_events: true,
      confidential_note_events: true,
    });
    const issue = await newIssue({ confidential: true });
    await api('POST', `/issues/${issue.iid}/notes`, { body: 'secret talk' });
    await sandbox.idle();
    expect(receiver.received.map((r) => r.headers['x-gitlab-event'])).toEqual(['Confidential Issue Hook', 'Confidential Note Hook']);
    expect(receiver.received[0]!.body['event_type']).toBe('confidential_issue');
    expect(receiver.received[1]!.body['event_type']).toBe('confidential_note');
    expect(sandbox.deliveries(wantsConfidential)).toHaveLength(2);
  });

  it('treats an internal note as confidential', async () => {
    await addHook({ confidential_note_events: true });
    const issue = await newIssue();
    await sandbox.idle();
    receiver.received.length = 0;
    await api('POST', `/issues/${issue.iid}/notes`, { body: 'internal only', internal: true });
    await sandbox.idle();
    expect(receiver.received.map((r) => r.headers['x-gitlab-event'])).toEqual(['Confidential Note Hook']);
  });
});

describe('recursion detection', () => {
  it('reuses an incoming X-Gitlab-Event-UUID and blocks the same hook a second time in that chain', async () => {
    const hookId = await addHook();
    const issue = await newIssue();
    await sandbox.idle();
    const uuid = receiver.received[0]!.headers['x-gitlab-event-uuid'] as string;
    // The bot echoes the UUID it received on its own write: the hook already fired in this chain.
    await api('PUT', `/issues/${issue.iid}`, { add_labels: 'bot-touched' }, { 'X-Gitlab-Event-UUID': uuid }, 'sandbox-rhythm-bot-token');
    await sandbox.idle();
    expect(receiver.received).toHaveLength(1);
    expect(sandbox.deliveries(hookId).map((d) => d.outcome)).toEqual(['delivered', 'blocked']);

    // A fresh UUID starts a new chain: the hook fires once with that UUID, then is blocked.
    const fresh = '11111111-2222-4333-8444-555555555555';
    await api('PUT', `/issues/${issue.iid}`, { state_event: 'close', title: 'two events' }, { 'X-Gitlab-Event-UUID': fresh });
    await sandbox.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['x-gitlab-event-uuid']).toBe(fresh);
    // Blocked deliveries are logged when the event happens, sent ones when the answer comes back.
    expect(
      sandbox
        .deliveries(hookId)
        .map((d) => d.outcome)
        .sort(),
    ).toEqual(['blocked', 'blocked', 'delivered', 'delivered']);
  });

  it('starts a new chain for requests without the header', async () => {
    await addHook();
    const issue = await newIssue();
    await api('PUT', `/issues/${issue.iid}`, { title: 'again' });
    await sandbox.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]!.headers['x-gitlab-event-uuid']).not.toBe(receiver.received[1]!.headers['x-gitlab-event-uuid']);
  });
});

describe('auto-disable', () => {
  it('disables a hook after 4 consecutive failures, drops events meanwhile, and a passing test re-enables it', async () => {
    const hookId = await addHook();
    receiver.respondWith(500);
    const issue = await newIssue();
    for (let i = 0; i < 3; i++) await api('PUT', `/issues/${issue.iid}`, { title: `fail ${i}` });
    await sandbox.idle();
    expect(sandbox.deliveries(hookId).map((d) => d.outcome)).toEqual(['failed', 'failed', 'failed', 'failed']);
    let hook = (await api('GET', `/hooks/${hookId}`)).json;
    expect(hook['alert_status']).toBe('temporarily_disabled');
    expect(hook['disabled_until']).toBe(new Date(clock + 60_000).toISOString());

    receiver.respondWith(200);
    await api('PUT', `/issues/${issue.iid}`, { title: 'while disabled' });
    await sandbox.idle();
    expect(sandbox.deliveries(hookId).at(-1)!.outcome).toBe('disabled');
    expect(receiver.received).toHaveLength(4);

    const test = await api('POST', `/hooks/${hookId}/test/issues_events`);
    expect(test.status).toBe(201);
    hook = (await api('GET', `/hooks/${hookId}`)).json;
    expect(hook).toMatchObject({ alert_status: 'executable', disabled_until: null });
    expect(sandbox.deliveries(hookId).at(-1)).toMatchObject({ test: true, outcome: 'delivered' });
  });

  it('comes back by itself after the backoff, which doubles on the next failure', async () => {
    const hookId = await addHook();
    receiver.respondWith(503);
    const issue = await newIssue();
    for (let i = 0; i < 3; i++) await api('PUT', `/issues/${issue.iid}`, { title: `fail ${i}` });
    await sandbox.idle();
    clock += 61_000;
    expect((await api('GET', `/hooks/${hookId}`)).json['alert_status']).toBe('executable');
    await api('PUT', `/issues/${issue.iid}`, { title: 'fifth failure' });
    await sandbox.idle();
    const hook = (await api('GET', `/hooks/${hookId}`)).json;
    expect(hook['alert_status']).toBe('temporarily_disabled');
    expect(hook['disabled_until']).toBe(new Date(clock + 120_000).toISOString());
  });

  it('answers 422 for a test delivery that fails', async () => {
    const hookId = await addHook();
    await newIssue();
    receiver.respondWith(404);
    const res = await api('POST', `/hooks/${hookId}/test/issues_events`);
    expect(res.status).toBe(422);
  });
});
