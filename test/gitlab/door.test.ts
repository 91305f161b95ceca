// The door over HTTP against the sandbox: routes counted, Retry-After honoured with an injected
// clock, POST not retried after a 5xx; dry-run is the executor's and sends no write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDoor } from '../../src/gitlab/door.js';
import { GitLabError, retryAfterMs, routeOf, Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { apply, isDryRun } from '../../src/engine/apply.js';
import type { Step } from '../../src/engine/steps.js';
import { desiredHook } from '../../src/hooks/install.js';
import { shippedConfig } from '../support/run-key.js';

const log = createLogger({ level: 'silent' });
const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

describe('routes and Retry-After values', () => {
  it('names routes without ids or paths', () => {
    expect(routeOf('/api/v4/projects/gitlab-com%2Fx/issues/12/notes/5001')).toBe('/projects/:id/issues/:iid/notes/:id');
    expect(routeOf('/api/v4/projects/7/issues')).toBe('/projects/:id/issues');
    expect(routeOf('/api/v4/user')).toBe('/user');
  });
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('2', 0)).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(null, 0)).toBeNull();
    expect(retryAfterMs('soon', 0)).toBeNull();
  });
});

describe('the door', () => {
  it('waits out Retry-After before the next call, then succeeds', async () => {
    let clock = 1_000_000;
    const slept: number[] = [];
    const transport = new Transport({
      log,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      minBackoffMs: 1,
      maxBackoffMs: 2,
    });
    const door = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport });
    const fault = sandbox.faults.add({ path: 'GET /user', kind: 'rateLimit', retryAfterSec: 3, times: 1 });
    const user = await door.currentUser();
    sandbox.faults.remove(fault);
    expect(user.username).toBe('rhythm-bot');
    expect(slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3000);
    expect(door.reads).toBe(2);
    expect(transport.counts.get('GET /user')).toBe(2);
  });

  it('a door for one event counts its own calls, and its parent counts them too', async () => {
    const transport = new Transport({ log });
    const root = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport });
    const job = root.forEvent({ eventUuid: 'e-1' });
    const nested = job.forEvent({});
    await job.currentUser();
    await nested.currentUser();
    expect([nested.reads, job.reads, root.reads]).toEqual([1, 2, 2]);
  });

  it('retries a GET after 502/503 but never resends a POST after a 500', async () => {
    const transport = new Transport({ log, minBackoffMs: 1, maxBackoffMs: 5 });
    const door = createDoor({ url: sandbox.url, token: 'sandbox-alice-token', log, transport });
    const get = sandbox.faults.add({ path: 'GET /projects/:id/issues', kind: 'status', status: 503, times: 2 });
    expect(await door.listIssues(PROJECT, {})).toBeInstanceOf(Array);
    sandbox.faults.remove(get);
    expect(transport.counts.get('GET /projects/:id/issues')).toBe(3);

    const post = sandbox.faults.add({ path: 'POST /projects/:id/issues', kind: 'status', status: 500, times: 1 });
    const error = await door.createIssue(PROJECT, { title: 'once', description: 'x' }).catch((e: unknown) => e);
    sandbox.faults.remove(post);
    expect(error).toBeInstanceOf(GitLabError);
    expect((error as GitLabError).status).toBe(500);
    expect(transport.counts.get('POST /projects/:id/issues')).toBe(1);
  });

  it('sends the event UUID it was given, so GitLab chains the deliveries it causes', async () => {
    const transport = new Transport({ log });
    const admin = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport });
    // A hook to a closed loopback port: the delivery fails, but its request headers are logged.
    const hook = await admin.addHook(PROJECT, {
      url: 'http://127.0.0.1:9/webhooks/gitlab',
      token: 't',
      issuesEvents: true,
      confidentialIssuesEvents: true,
      noteEvents: false,
      confidentialNoteEvents: false,
      pushEvents: false,
      enableSslVerification: false,
    });
    const door = createDoor({ url: sandbox.url, token: 'sandbox-alice-token', log, transport }).forEvent({ eventUuid: 'e-123' });
    await door.createIssue(PROJECT, { title: 'uuid', description: 'x' });
    await sandbox.idle();
    const sent = sandbox.deliveries(hook.id);
    expect(sent.length).toBeGreaterThan(0);
    const header = Object.entries(sent[0]!.requestHeaders).find(([k]) => k.toLowerCase() === 'x-gitlab-event-uuid')?.[1];
    expect(header).toBe('e-123');
    expect(door.writes).toBe(1);
  });

  it('in dry-run the executor logs the write in full and the door sends nothing', async () => {
    const lines: string[] = [];
    const capture = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
    const transport = new Transport({ log: capture });
    const door = createDoor({ url: sandbox.url, token: 'sandbox-alice-token', log: capture, transport });
    const config = { ...shippedConfig(), dryRun: true };
    sandbox.resetCalls();
    const report = await apply([{ kind: 'createNote', project: PROJECT, iid: 1, marker: 'm', body: 'hello from a dry run' }], {
      door,
      config,
      log: capture,
      enqueue: async () => undefined,
    });
    expect(report).toMatchObject({ writes: 0, dryRunWrites: 1 });
    expect(sandbox.calls()).toHaveLength(0);
    expect(door.writes).toBe(0);
    expect(lines.join('')).toContain('hello from a dry run');
    expect(lines.join('')).toContain('"dryRun":true');
  });

  it('a board in dry-run under a live configuration is dry; other projects and hooks are not', () => {
    const live = shippedConfig();
    const skills = live.boards.find((b) => b.kind === 'skills-exchange')!.project;
    const config = { ...live, boards: live.boards.map((b) => (b.kind === 'skills-exchange' ? { ...b, dryRun: true } : b)) };
    const note = (project: string): Step => ({ kind: 'createNote', project, iid: 1, marker: 'm', body: 'x' });
    const hook: Step = { kind: 'addHook', project: skills, spec: desiredHook('http://127.0.0.1:1/webhooks/gitlab', 's') };
    expect(isDryRun(config, note(skills))).toBe(true);
    expect(isDryRun(config, note(skills.toUpperCase()))).toBe(true);
    expect(isDryRun(config, note(live.signups!.project))).toBe(false);
    // The board tried in dry-run still gets its webhook, or it would never hear of a card.
    expect(isDryRun(config, hook)).toBe(false);
    expect(isDryRun({ ...live, dryRun: true }, note(live.signups!.project))).toBe(true);
    expect(isDryRun({ ...live, dryRun: true }, hook)).toBe(true);
  });
});
