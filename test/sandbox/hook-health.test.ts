// GitLab's auto-disabling of failing hooks, as the sandbox models it (auto_disabling.rb): the
// count, the growing backoff, the permanent state, what re-enables a hook and what does not, the
// hook log (GET …/events), and a token that never comes back.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startReceiver, type Receiver } from './receiver.js';

let sandbox: Sandbox;
let quick: Sandbox;
let receiver: Receiver;
let clock = Date.UTC(2030, 0, 1, 9, 0, 0);
const PROJECT = encodeURIComponent('gitlab-com/sales-team/cs-skills-exchange');

async function api<T = Record<string, unknown>>(box: Sandbox, method: string, path: string, body?: unknown) {
  const res = await fetch(`${box.url}/api/v4/projects/${PROJECT}${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as T };
}

async function addHook(box: Sandbox): Promise<number> {
  const res = await api(box, 'POST', '/hooks', { url: receiver.url, token: 'hook-secret', issues_events: true, push_events: false });
  expect(res.status).toBe(201);
  return res.json['id'] as number;
}

/** An issue, its creation delivered (at the receiver's status then). */
async function newIssue(box: Sandbox, title: string): Promise<number> {
  const { iid } = (await api<{ iid: number }>(box, 'POST', '/issues', { title })).json;
  await box.idle();
  return iid;
}

/** One issue edit = one Issue Hook delivery to every hook of the project. */
let edits = 0;
async function fail(box: Sandbox, times: number, iid: number): Promise<void> {
  for (let i = 0; i < times; i++) await api(box, 'PUT', `/issues/${iid}`, { title: `edit ${edits++}` });
  await box.idle();
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => clock });
  quick = await startSandbox({ now: () => clock, webhookAutoDisabling: { temporaryAfter: 2, permanentAfter: 3 } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await sandbox.close();
  await quick.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.respondWith(200);
});

describe('auto-disabling, as GitLab does it', () => {
  it('backs off 1, 2, 4 … minutes up to a day, each time the hook fails again once its time has run out', async () => {
    const hookId = await addHook(sandbox);
    const iid = await newIssue(sandbox, 'backoff');
    receiver.respondWith(500);
    await fail(sandbox, 3, iid);
    expect((await api(sandbox, 'GET', `/hooks/${hookId}`)).json).toMatchObject({ alert_status: 'executable', disabled_until: null });
    const waits: number[] = [];
    for (let n = 4; n <= 15; n++) {
      await fail(sandbox, 1, iid);
      const hook = (await api(sandbox, 'GET', `/hooks/${hookId}`)).json;
      expect(hook['alert_status']).toBe('temporarily_disabled');
      const until = Date.parse(hook['disabled_until'] as string);
      waits.push((until - clock) / 60_000);
      // While disabled, events are dropped, not queued: nothing reaches the receiver.
      const before = receiver.received.length;
      await fail(sandbox, 1, iid);
      expect(receiver.received.length).toBe(before);
      clock = until + 1;
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1440]);
    // Past its disabled_until the hook is executable again, and GitLab still shows the old time.
    const after = (await api(sandbox, 'GET', `/hooks/${hookId}`)).json;
    expect(after['alert_status']).toBe('executable');
    expect(Date.parse(after['disabled_until'] as string)).toBeLessThan(clock);
  });

  it('is disabled for good at the threshold; an edit does not re-enable it, a failed test does not count, a passing test does', async () => {
    const hookId = await addHook(quick);
    const iid = await newIssue(quick, 'permanent');
    receiver.respondWith(401);
    await fail(quick, 2, iid);
    expect((await api(quick, 'GET', `/hooks/${hookId}`)).json['alert_status']).toBe('temporarily_disabled');
    clock += 61_000;
    await fail(quick, 1, iid);
    let hook = (await api(quick, 'GET', `/hooks/${hookId}`)).json;
    expect(hook['alert_status']).toBe('disabled');
    clock += 48 * 3600_000;
    expect((await api(quick, 'GET', `/hooks/${hookId}`)).json['alert_status']).toBe('disabled');

    // A new secret (what `rhythm hooks install` sends) leaves the hook disabled.
    const edited = await api(quick, 'PUT', `/hooks/${hookId}`, { token: 'new-secret' });
    expect(edited.status).toBe(200);
    expect(edited.json['alert_status']).toBe('disabled');
    expect(edited.json).not.toHaveProperty('token');

    const failedTest = await api(quick, 'POST', `/hooks/${hookId}/test/issues_events`);
    expect(failedTest.status).toBe(422);
    expect((await api(quick, 'GET', `/hooks/${hookId}`)).json['alert_status']).toBe('disabled');

    receiver.respondWith(200);
    const passed = await api(quick, 'POST', `/hooks/${hookId}/test/issues_events`);
    expect(passed.status).toBe(201);
    hook = (await api(quick, 'GET', `/hooks/${hookId}`)).json;
    expect(hook).toMatchObject({ alert_status: 'executable', disabled_until: null });
    expect(receiver.received.at(-1)!.headers['x-gitlab-token']).toBe('new-secret');
  });

  it('never disables a hook when auto-disabling is off (self-managed GitLab without the flag)', async () => {
    const off = await startSandbox({ webhookAutoDisabling: false });
    try {
      const hookId = await addHook(off);
      const iid = await newIssue(off, 'off');
      receiver.respondWith(500);
      await fail(off, 6, iid);
      expect((await api(off, 'GET', `/hooks/${hookId}`)).json['alert_status']).toBe('executable');
      expect(off.deliveries(hookId).filter((d) => d.outcome === 'failed')).toHaveLength(6);
    } finally {
      await off.close();
    }
  });
});

describe('the hook entity and the hook log', () => {
  it('never returns the token, on create, read, list or update; PUT needs no url and refuses an empty one', async () => {
    const created = await api(sandbox, 'POST', '/hooks', { url: receiver.url, token: 'hidden', note_events: true });
    const hookId = created.json['id'] as number;
    const read = await api(sandbox, 'GET', `/hooks/${hookId}`);
    const listed = await api<Record<string, unknown>[]>(sandbox, 'GET', '/hooks');
    const updated = await api(sandbox, 'PUT', `/hooks/${hookId}`, { note_events: false });
    for (const entity of [created.json, read.json, updated.json, ...listed.json]) {
      expect(entity).not.toHaveProperty('token');
      expect(JSON.stringify(entity)).not.toContain('hidden');
    }
    expect(updated.json).toMatchObject({ url: receiver.url, note_events: false });
    expect((await api(sandbox, 'PUT', `/hooks/${hookId}`, {})).status).toBe(400);
  });

  it('lists attempted deliveries of the past week, newest first, 20 at most a page, filtered by status', async () => {
    const hookId = await addHook(quick);
    const iid = await newIssue(quick, 'log');
    receiver.respondWith(200);
    await fail(quick, 1, iid);
    receiver.respondWith(502);
    await fail(quick, 1, iid);
    const events = await api<Record<string, unknown>[]>(quick, 'GET', `/hooks/${hookId}/events`);
    expect(events.status).toBe(200);
    expect(events.json.map((e) => e['response_status'])).toEqual(['502', '200', '200']);
    expect(Object.keys(events.json[0]!).sort()).toEqual(
      [
        'id',
        'url',
        'trigger',
        'request_headers',
        'request_data',
        'response_headers',
        'response_body',
        'execution_duration',
        'response_status',
        'created_at',
      ].sort(),
    );
    expect((events.json[0]!['request_headers'] as Record<string, string>)['X-Gitlab-Token']).toBe('[REDACTED]');
    const failures = await api<Record<string, unknown>[]>(quick, 'GET', `/hooks/${hookId}/events?status=client_failure,server_failure`);
    expect(failures.json.map((e) => e['response_status'])).toEqual(['502']);
    expect((await api(quick, 'GET', `/hooks/${hookId}/events?per_page=21`)).status).toBe(400);
    clock += 8 * 24 * 3600_000;
    expect((await api<unknown[]>(quick, 'GET', `/hooks/${hookId}/events`)).json).toEqual([]);
  });
});
