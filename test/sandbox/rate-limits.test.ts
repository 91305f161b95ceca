// GitLab's two kinds of rate limit as the sandbox plays them: the per-user throttle, whose
// RateLimit-Reset is a Unix timestamp (lib/gitlab/rack_attack/request_throttle_data.rb), and the
// application limits on creating notes and issues, which refuse with a 429 that carries no
// RateLimit-* headers. Cards can also be put straight into a project, without either.

import { afterEach, describe, expect, it } from 'vitest';
import { GITLAB_COM_LIMITS, startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const CONTENT = 'gitlab-com/customer-success/customer-success-engineering/content';
const MESSAGE = 'This endpoint has been requested too many times. Try again later.';

let sandbox: Sandbox | undefined;
let clock = 0;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(opts: SandboxOptions): Promise<Sandbox> {
  sandbox = await startSandbox({ now: () => clock, ...opts });
  return sandbox;
}

function call(method: string, path: string, body?: unknown, token = 'sandbox-alice-token'): Promise<Response> {
  return fetch(`${sandbox!.url}/api/v4${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const issuesOf = (project: string) => `/projects/${encodeURIComponent(project)}/issues`;
const notesOf = (project: string, iid: number) => `${issuesOf(project)}/${iid}/notes`;
const rateHeaders = (res: Response) => [...res.headers.keys()].filter((h) => h.startsWith('ratelimit-'));

describe('the request throttle', () => {
  it('sends RateLimit-Reset as the Unix second its window ends, with Date on the same clock', async () => {
    clock = Date.UTC(2030, 0, 1, 12, 0, 10, 250);
    await start({});
    const res = await call('GET', '/user');
    expect(res.headers.get('ratelimit-reset')).toBe(String(Date.UTC(2030, 0, 1, 12, 1, 0) / 1000));
    expect(res.headers.get('date')).toBe(new Date(clock).toUTCString());
    expect(res.headers.get('ratelimit-limit')).toBe('2000');
  });

  it('keeps a shorter period when asked, and states its limit per 60 s as GitLab does', async () => {
    clock = Date.UTC(2030, 0, 1, 12, 0, 1, 500);
    await start({ rateLimitPerMinute: 3, rateLimitPeriodSec: 2 });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await call('GET', '/user');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // 3 per 2 s is 90 per 60 s (RequestThrottleData#rounded_limit); observed + remaining is the window's own.
    expect(last!.headers.get('ratelimit-limit')).toBe('90');
    expect(last!.headers.get('ratelimit-observed')).toBe('4');
    expect(last!.headers.get('ratelimit-reset')).toBe(String(Date.UTC(2030, 0, 1, 12, 0, 2) / 1000));
    expect(last!.headers.get('retry-after')).toBe('1');
    expect(sandbox!.calls().at(-1)).toMatchObject({ status: 429, limit: 'throttle_authenticated_api' });
    // The next window lets calls through again.
    clock = Date.UTC(2030, 0, 1, 12, 0, 2);
    expect((await call('GET', '/user')).status).toBe(200);
  });
});

describe('application limits', () => {
  it('refuses the note over notes_create_limit with a bare 429 (Retry-After only), creating nothing', async () => {
    clock = Date.UTC(2030, 0, 1, 12, 0, 30);
    await start({ notesCreateLimit: 2 });
    const [iid] = sandbox!.seedIssues(SKILLS, [{ title: 'A card' }]);
    expect((await call('POST', notesOf(SKILLS, iid!), { body: 'one' })).status).toBe(201);
    expect((await call('POST', notesOf(SKILLS, iid!), { body: 'two' })).status).toBe(201);
    const refused = await call('POST', notesOf(SKILLS, iid!), { body: 'three' });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ message: { error: MESSAGE } });
    expect(rateHeaders(refused)).toEqual([]);
    // API::Helpers::RateLimiter sends the whole interval, not the time left in it.
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(sandbox!.calls().at(-1)).toMatchObject({
      route: 'POST /projects/:id/issues/:issue_iid/notes',
      status: 429,
      limit: 'notes_create',
    });
    const notes = (await (await call('GET', notesOf(SKILLS, iid!))).json()) as Array<{ body: string }>;
    expect(notes.map((n) => n.body).sort()).toEqual(['one', 'two']);

    // Per user, in any project; reads and edits are not limited.
    expect((await call('POST', notesOf(SKILLS, iid!), { body: 'bob' }, 'sandbox-bob-token')).status).toBe(201);
    expect((await call('GET', issuesOf(SKILLS))).status).toBe(200);
    // A refused attempt counts too (every attempt increments GitLab's counter), until the minute turns.
    expect((await call('POST', notesOf(SKILLS, iid!), { body: 'again' })).status).toBe(429);
    clock = Date.UTC(2030, 0, 1, 12, 1, 0);
    expect((await call('POST', notesOf(SKILLS, iid!), { body: 'next minute' })).status).toBe(201);
  });

  it('refuses the issue over issues_create_limit per project and user, with no header at all', async () => {
    clock = Date.UTC(2030, 0, 1, 12, 0, 30);
    await start({ issuesCreateLimit: 1, applicationLimitPeriodSec: 2 });
    expect((await call('POST', issuesOf(SKILLS), { title: 'first' })).status).toBe(201);
    const refused = await call('POST', issuesOf(SKILLS), { title: 'second' });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ message: { error: MESSAGE } });
    expect(rateHeaders(refused)).toEqual([]);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(sandbox!.issues(SKILLS).map((i) => i['title'])).toEqual(['first']);
    // Another project, or another person, has its own count.
    expect((await call('POST', issuesOf(CONTENT), { title: 'elsewhere' })).status).toBe(201);
    expect((await call('POST', issuesOf(SKILLS), { title: 'bob' }, 'sandbox-bob-token')).status).toBe(201);
    // A short window turns quickly.
    clock += 2000;
    expect((await call('POST', issuesOf(SKILLS), { title: 'second, later' })).status).toBe(201);
  });

  it('is off unless asked for; `rhythm sandbox` plays GitLab.com’s', async () => {
    clock = Date.UTC(2030, 0, 1, 12, 0, 0);
    await start({});
    const [iid] = sandbox!.seedIssues(SKILLS, [{ title: 'Busy card' }]);
    const statuses = await Promise.all(Array.from({ length: 70 }, (_, i) => call('POST', notesOf(SKILLS, iid!), { body: `n${i}` })));
    expect(statuses.every((r) => r.status === 201)).toBe(true);
    expect(GITLAB_COM_LIMITS).toMatchObject({ rateLimitPerMinute: 2000, notesCreateLimit: 60, issuesCreateLimit: 200 });
  });
});

describe('seeding cards', () => {
  it('puts cards straight into a project, labels and assignees resolved, without webhooks or limits', async () => {
    clock = Date.UTC(2030, 0, 1, 12, 0, 0);
    await start({ issuesCreateLimit: 1 });
    const iids = sandbox!.seedIssues(SKILLS, [
      { title: 'One', labels: ['status:plan'], assignees: ['bob'], dueDate: '2030-02-01' },
      { title: 'Two', description: 'Body', author: 'carol' },
    ]);
    expect(iids).toHaveLength(2);
    const one = sandbox!.issue(SKILLS, iids[0]!)!;
    expect(one).toMatchObject({ title: 'One', labels: ['status:plan'], due_date: '2030-02-01' });
    expect((one['assignees'] as Array<{ username: string }>).map((a) => a.username)).toEqual(['bob']);
    expect(sandbox!.issue(SKILLS, iids[1]!)).toMatchObject({ description: 'Body', author: { username: 'carol' } });
    expect(sandbox!.calls()).toEqual([]);

    // The same over HTTP, for child processes.
    const res = await fetch(`${sandbox!.url}/-/sandbox/projects/${encodeURIComponent(SKILLS)}/issues`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ issues: [{ title: 'Three' }, { title: 'Four', labels: ['status:scheduled'] }] }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { iids: number[] }).iids).toEqual([iids[1]! + 1, iids[1]! + 2]);
    const bad = await fetch(`${sandbox!.url}/-/sandbox/projects/${encodeURIComponent(SKILLS)}/issues`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ issues: [{ title: 'x', assignees: ['nobody'] }] }),
    });
    expect(bad.status).toBe(400);
  });
});
