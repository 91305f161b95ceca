// GitLab asking for a long pause (#12 item 4): the sandbox answers every API call 429 with a long
// Retry-After. A real `rhythm serve` still answers /readyz at once (503, naming the cause), keeps
// acknowledging webhooks (they are stored, not sent to GitLab), and on SIGTERM exits within its
// grace whatever is waiting: a job stuck behind the Retry-After, a webhook request half sent.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { deliver, issueHook } from '../support/serve-process.js';
import { halfSentWebhook, logLine, startServeChild, type ServeChild } from '../support/serve-child.js';

const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';
/** The shutdown grace the child is given; everything must be over within it. */
const GRACE_MS = 3000;
/** What it takes a process to exit once it decided to, and the OS to tell us (not part of the grace). */
const EXIT_SLACK_MS = 1500;

let sandbox: Sandbox;
let dir: string;
let issue: { id: number; iid: number; project_id: number };
const children: ServeChild[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-retry-after-'));
  const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(PROJECT)}/issues`, {
    method: 'POST',
    headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Rate limited card', description: 'please' }),
  });
  issue = (await res.json()) as typeof issue;
});
afterEach(() => {
  sandbox.faults.clear();
  for (const s of sockets.splice(0)) s.destroy();
});
afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  // A generous client timeout: without it a hanging /readyz would hang the test instead of failing it.
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - started };
}

async function serveWithFault(name: string, retryAfterSec: number): Promise<{ serve: ServeChild; url: string }> {
  const serve = startServeChild({
    gitlabUrl: sandbox.url,
    databaseUrl: `sqlite:${join(dir, `${name}.db`)}`,
    env: { RHYTHM_SHUTDOWN_GRACE_MS: String(GRACE_MS) },
  });
  children.push(serve);
  const url = await serve.serving;
  sandbox.faults.add({ path: '/', kind: 'rateLimit', retryAfterSec });
  return { serve, url };
}

/** SIGTERM, and how long the process took to be gone. */
async function terminate(serve: ServeChild) {
  const sent = Date.now();
  const exit = await serve.kill('SIGTERM');
  return { ...exit, ms: exit.at - sent };
}

describe('GitLab answering 429 with Retry-After: 3600 on everything', () => {
  it('/readyz answers at once with 503 and the cause; webhooks are still stored; SIGTERM ends it within the grace', async () => {
    const { serve, url } = await serveWithFault('hour', 3600);

    expect(await deliver(url, issueHook({ id: issue.project_id, path: PROJECT }, issue, 1), 'hour-1')).toBe(202);
    // The job ran into the limit and waits to retry; nothing parked it dead.
    await logLine(serve, (l) => l.key !== undefined && /retry/.test(String(l.msg)), 'about the job retrying');

    const first = await readyz(url);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ status: 'not ready', checks: { database: true, gitlab: false } });
    expect(String((first.body.reasons as Record<string, unknown> | undefined)?.gitlab)).toMatch(/Retry-After/);
    expect(first.ms).toBeLessThan(5000);
    const again = await readyz(url);
    expect(again.status).toBe(503);
    expect(again.ms).toBeLessThan(5000);

    sockets.push(await halfSentWebhook(url));
    const exit = await terminate(serve);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(GRACE_MS + EXIT_SLACK_MS);
    expect(serve.lines.some((l) => l.msg === 'rhythm stopped')).toBe(true);
  }, 60_000);
});

describe('GitLab answering 429 with Retry-After: 240 (a pause the transport waits out)', () => {
  it('/readyz does not wait it out; SIGTERM ends the process within the grace while a job waits behind it', async () => {
    const { serve, url } = await serveWithFault('minutes', 240);

    // The first readiness check is the call that meets the 429.
    const first = await readyz(url);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ status: 'not ready', checks: { gitlab: false } });
    expect(String((first.body.reasons as Record<string, unknown> | undefined)?.gitlab)).toMatch(/Retry-After/);
    expect(first.ms).toBeLessThan(5000);

    // A job now waits behind the Retry-After, inside its GitLab call.
    expect(await deliver(url, issueHook({ id: issue.project_id, path: PROJECT }, issue, 2), 'minutes-1')).toBe(202);
    await logLine(serve, (l) => l.msg === 'job started', 'of the job starting');
    sockets.push(await halfSentWebhook(url));

    const exit = await terminate(serve);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(GRACE_MS + EXIT_SLACK_MS);
    expect(serve.lines.some((l) => l.msg === 'rhythm stopped')).toBe(true);
  }, 60_000);
});
