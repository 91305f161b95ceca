// Every fault kind, through the API and through the /-/sandbox/ HTTP controls.

import { Gitlab } from '@gitbeaker/rest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startReceiver, type Receiver } from './receiver.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const P = encodeURIComponent(SKILLS);
const headers = { 'PRIVATE-TOKEN': 'sandbox-rhythm-bot-token', 'Content-Type': 'application/json' };

let sandbox: Sandbox;
let receiver: Receiver;
let gl: InstanceType<typeof Gitlab>;

beforeAll(async () => {
  sandbox = await startSandbox();
  receiver = await startReceiver();
  gl = new Gitlab({ host: sandbox.url, token: 'sandbox-rhythm-bot-token' });
});

afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

afterEach(async () => {
  sandbox.faults.clear();
  await sandbox.idle();
});

function createIssue(title: string): Promise<Response> {
  return fetch(`${sandbox.url}/api/v4/projects/${P}/issues`, { method: 'POST', headers, body: JSON.stringify({ title }) });
}

describe('status faults', () => {
  it('refuses an issue with 422 like a spam check, changes nothing, then retires after `times`', async () => {
    sandbox.faults.add({
      kind: 'status',
      status: 422,
      message: 'Your issue has been recognized as spam.',
      path: 'POST /projects/:id/issues',
      times: 1,
    });
    const refused = await createIssue('spammy');
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({ message: 'Your issue has been recognized as spam.' });
    expect(sandbox.issues(SKILLS).map((i) => i['title'])).not.toContain('spammy');
    expect((await createIssue('fine')).status).toBe(201);
    expect(
      sandbox
        .calls()
        .filter((c) => c.route === 'POST /projects/:id/issues')
        .map((c) => [c.status, c.fault ?? null]),
    ).toEqual([
      [422, 'status'],
      [201, null],
    ]);
  });

  it('answers 503 with GitLab-style JSON; gitbeaker does not retry it', async () => {
    sandbox.resetCalls();
    sandbox.faults.add({ kind: 'status', status: 503, path: '/user' });
    await expect(gl.Users.showCurrentUser()).rejects.toThrow();
    const calls = sandbox.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ route: 'GET /user', status: 503, fault: 'status', user: 'rhythm-bot' });
  });

  it('is retried by gitbeaker when it is a 502', async () => {
    sandbox.resetCalls();
    sandbox.faults.add({ kind: 'status', status: 502, path: '/user', times: 2 });
    expect((await gl.Users.showCurrentUser()).username).toBe('rhythm-bot');
    expect(sandbox.calls().map((c) => c.status)).toEqual([502, 502, 200]);
  });

  it('matches only the given method', async () => {
    sandbox.faults.add({ kind: 'status', status: 500, method: 'POST', path: '/projects' });
    const get = await fetch(`${sandbox.url}/api/v4/projects/${P}/issues`, { headers });
    expect(get.status).toBe(200);
    expect((await createIssue('blocked')).status).toBe(500);
  });
});

describe('rate-limit faults', () => {
  it('answers 429 with Retry-After and RateLimit headers', async () => {
    sandbox.faults.add({ kind: 'rateLimit', retryAfterSec: 7, path: '/user', times: 1 });
    const res = await fetch(`${sandbox.url}/api/v4/user`, { headers });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(res.headers.get('ratelimit-limit')).toBe('2000');
    expect(res.headers.get('ratelimit-resettime')).not.toBeNull();
    expect(await res.text()).toBe('Retry later\n');
  });
});

describe('latency and dropped connections', () => {
  it('delays a matching request while others go through', async () => {
    sandbox.faults.add({ kind: 'latency', ms: 400, path: 'GET /projects/:id', times: 1 });
    const finished: string[] = [];
    const slow = fetch(`${sandbox.url}/api/v4/projects/${P}`, { headers }).then((r) => {
      finished.push('slow');
      return r.status;
    });
    const fast = fetch(`${sandbox.url}/api/v4/user`, { headers }).then((r) => {
      finished.push('fast');
      return r.status;
    });
    expect(await Promise.all([slow, fast])).toEqual([200, 200]);
    expect(finished).toEqual(['fast', 'slow']);
  });

  it('destroys the socket without an answer', async () => {
    sandbox.faults.add({ kind: 'drop', path: '/user', times: 1 });
    await expect(fetch(`${sandbox.url}/api/v4/user`, { headers })).rejects.toThrow();
    expect(sandbox.calls().at(-1)).toMatchObject({ route: 'GET /user', status: 0, fault: 'drop' });
    expect((await fetch(`${sandbox.url}/api/v4/user`, { headers })).status).toBe(200);
  });
});

describe('late answers: the write is done, the answer comes late or never', () => {
  const titles = () => sandbox.issues(SKILLS).map((i) => i['title']);

  it('carries out the request at once and answers only after `ms`', async () => {
    sandbox.faults.add({ kind: 'lateAnswer', ms: 300, path: 'POST /projects/:id/issues', times: 1 });
    const started = Date.now();
    const answer = createIssue('done before the answer');
    await new Promise((r) => setTimeout(r, 100));
    expect(titles()).toContain('done before the answer');
    expect((await answer).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(sandbox.calls().at(-1)).toMatchObject({ route: 'POST /projects/:id/issues', status: 201, fault: 'lateAnswer' });
  });

  it('leaves the write done when the client gives up waiting', async () => {
    sandbox.faults.add({ kind: 'lateAnswer', ms: 5000, path: 'POST /projects/:id/issues', times: 1 });
    const started = Date.now();
    await expect(
      fetch(`${sandbox.url}/api/v4/projects/${P}/issues`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ title: 'given up on' }),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect(titles()).toContain('given up on');
    await new Promise((r) => setTimeout(r, 50));
    // The sandbox stops holding once no one is left to answer.
    expect(sandbox.calls().at(-1)).toMatchObject({ route: 'POST /projects/:id/issues', status: 0, fault: 'lateAnswer' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('destroys the connection after `ms` with drop: true, the write done', async () => {
    sandbox.faults.add({ kind: 'lateAnswer', ms: 100, drop: true, path: 'POST /projects/:id/issues', times: 1 });
    await expect(createIssue('answered by a reset')).rejects.toThrow();
    expect(titles()).toContain('answered by a reset');
    expect(sandbox.calls().at(-1)).toMatchObject({ status: 0, fault: 'lateAnswer' });
  });

  it('sends the webhooks of the write without waiting for the answer', async () => {
    const hook = await gl.ProjectHooks.add(SKILLS, receiver.url, { issuesEvents: true, pushEvents: false });
    sandbox.faults.add({ kind: 'lateAnswer', ms: 600, drop: true, path: 'POST /projects/:id/issues', times: 1 });
    const answer = createIssue('heard before answered').catch(() => 'reset');
    for (let i = 0; i < 50 && !receiver.received.some((r) => JSON.stringify(r.body).includes('heard before answered')); i += 1)
      await new Promise((r) => setTimeout(r, 20));
    expect(receiver.received.some((r) => JSON.stringify(r.body).includes('heard before answered'))).toBe(true);
    await gl.ProjectHooks.remove(SKILLS, hook.id);
    expect(await answer).toBe('reset');
    // What this test heard is not for the tests after it.
    receiver.received.length = 0;
  });

  it('is set over HTTP like the others and checked', async () => {
    const add = await fetch(`${sandbox.url}/-/sandbox/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'lateAnswer', ms: 50, path: 'POST /projects/:id/issues', times: 1 }),
    });
    expect(add.status).toBe(201);
    expect((await createIssue('over http')).status).toBe(201);
    expect(sandbox.calls().at(-1)).toMatchObject({ fault: 'lateAnswer' });
    expect(() => sandbox.faults.add({ kind: 'lateAnswer', ms: -1, path: '/' })).toThrow(/ms >= 0/);
  });
});

describe('dropped webhook deliveries', () => {
  it('never sends the delivery and logs it as dropped', async () => {
    const hook = await gl.ProjectHooks.add(SKILLS, receiver.url, { issuesEvents: true, pushEvents: false });
    sandbox.faults.add({ kind: 'dropWebhook', path: 'POST /projects/:id/issues', times: 1 });
    await createIssue('lost event');
    await createIssue('seen event');
    await sandbox.idle();
    expect(receiver.received.map((r) => (r.body['object_attributes'] as Record<string, unknown>)['title'])).toEqual(['seen event']);
    expect(
      sandbox
        .deliveries(hook.id)
        .map((d) => d.outcome)
        .sort(),
    ).toEqual(['delivered', 'dropped']);
    await gl.ProjectHooks.remove(SKILLS, hook.id);
  });
});

describe('probability', () => {
  it('fires according to the injected random source', async () => {
    const rolls = [0.9, 0.1];
    const dice = await startSandbox({ random: () => rolls.shift() ?? 0.99 });
    try {
      dice.faults.add({ kind: 'status', status: 500, path: '/user', probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${dice.url}/api/v4/user`, { headers })).status);
      expect(statuses).toEqual([200, 500, 200]);
    } finally {
      await dice.close();
    }
  });

  it('rejects a malformed fault', () => {
    expect(() => sandbox.faults.add({ kind: 'status', status: 200, path: '/' })).toThrow(/4xx or 5xx/);
    expect(() => sandbox.faults.add({ kind: 'drop', path: '/', probability: 2 })).toThrow(/probability/);
  });
});

describe('HTTP controls under /-/sandbox/', () => {
  it('adds a regex fault, lists calls, resets them, clears faults and reports idle', async () => {
    const add = await fetch(`${sandbox.url}/-/sandbox/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'status', status: 500, path: '^/projects/[^/]+/issues/\\d+$', regex: true }),
    });
    expect(add.status).toBe(201);
    expect(((await add.json()) as { id: string }).id).toMatch(/^fault-/);
    expect((await fetch(`${sandbox.url}/api/v4/projects/${P}/issues/1`, { headers })).status).toBe(500);
    expect((await fetch(`${sandbox.url}/api/v4/projects/${P}/issues`, { headers })).status).toBe(200);

    const calls = (await (await fetch(`${sandbox.url}/-/sandbox/calls`)).json()) as Array<{ route: string; status: number }>;
    expect(calls.at(-2)).toMatchObject({ route: 'GET /projects/:id/issues/:issue_iid', status: 500 });
    expect((await fetch(`${sandbox.url}/-/sandbox/calls/reset`, { method: 'POST' })).status).toBe(204);
    expect(sandbox.calls()).toEqual([]);

    expect((await fetch(`${sandbox.url}/-/sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${sandbox.url}/api/v4/projects/${P}/issues/1`, { headers })).status).toBe(200);

    const bad = await fetch(`${sandbox.url}/-/sandbox/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"kind":"status"}',
    });
    expect(bad.status).toBe(400);

    const idle = await fetch(`${sandbox.url}/-/sandbox/idle`);
    expect(await idle.json()).toEqual({ idle: true });
  });

  it('serves a hook delivery log and an issue with its relative_position', async () => {
    const hook = await gl.ProjectHooks.add(SKILLS, receiver.url, { issuesEvents: true, pushEvents: false });
    const created = (await (await createIssue('logged')).json()) as { iid: number };
    await sandbox.idle();
    const log = (await (await fetch(`${sandbox.url}/-/sandbox/hooks/${hook.id}/deliveries`)).json()) as Array<{
      outcome: string;
      event: string;
    }>;
    expect(log).toEqual([expect.objectContaining({ outcome: 'delivered', event: 'Issue Hook' })]);
    const issue = (await (await fetch(`${sandbox.url}/-/sandbox/projects/${P}/issues/${created.iid}`)).json()) as Record<string, unknown>;
    expect(typeof issue['relative_position']).toBe('number');
    await gl.ProjectHooks.remove(SKILLS, hook.id);
  });
});
