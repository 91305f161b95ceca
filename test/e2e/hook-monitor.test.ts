// A real `rhythm serve` watching its own hooks: GitLab disables the hook after refused deliveries
// (here a wrong token on the hook), /readyz says so and /metrics counts it, and when the hook is
// enabled again the service sweeps, since GitLab dropped the events of the meantime.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { desiredHook } from '../../src/hooks/install.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { logLine, startServeChild, type ServeChild } from '../support/serve-child.js';
import { shippedProjects } from '../support/shipped-projects.js';
import { SECRET, startWorld } from '../support/world.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const CONTENT = 'gitlab-com/customer-success/customer-success-engineering/content';
/** Every project of the shipped rhythm.yml: the service watches the hook of each. */
const PROJECTS = shippedProjects();
let sandbox: Sandbox;
let serve: ServeChild;
let dir: string;

beforeAll(async () => {
  // Temporarily disabled at the 2nd failure in a row, for 3 s: the hook comes back by itself.
  sandbox = await startSandbox({ webhookAutoDisabling: { temporaryAfter: 2, initialBackoffMs: 3000 } });
  dir = mkdtempSync(join(tmpdir(), 'rhythm-hook-monitor-'));
});
afterAll(async () => {
  await serve?.kill('SIGKILL');
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api<T = Record<string, unknown>>(
  method: string,
  project: string,
  path: string,
  body?: unknown,
  token = 'sandbox-rhythm-bot-token',
) {
  const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(project)}${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

const until = async (what: string, ok: () => Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const gauge = (metrics: string, project: string, state: string) =>
  new RegExp(`rhythm_webhook_hook_state\\{project="${project.replace(/[/.]/g, '\\$&')}",state="${state}"\\} 1`).test(metrics);

it('a disabled hook shows on /readyz and /metrics, and its return starts a sweep', async () => {
  serve = startServeChild({
    gitlabUrl: sandbox.url,
    databaseUrl: `sqlite:${join(dir, 'rhythm.db')}`,
    env: { RHYTHM_HOOK_CHECK_MS: '200' },
  });
  const url = await serve.serving;
  const hookUrl = `${url}/webhooks/gitlab`;
  const spec = desiredHook(hookUrl, SECRET);
  const body = (token: string) => ({
    url: spec.url,
    token,
    issues_events: true,
    confidential_issues_events: true,
    note_events: true,
    confidential_note_events: true,
    push_events: false,
  });
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  const seenAll = async (state: string) => {
    const m = await metrics();
    return PROJECTS.every((project) => gauge(m, project, state));
  };
  await until('every hook seen missing', () => seenAll('missing'));
  // A hook on every configured project, so the one that goes wrong is the only one /readyz names.
  for (const project of PROJECTS.filter((p) => p !== SKILLS)) await api('POST', project, '/hooks', body(SECRET));
  const skills = await api<{ id: number }>('POST', SKILLS, '/hooks', body(SECRET));
  await until('every hook seen enabled', () => seenAll('enabled'));
  // Missing to enabled is a return too: the service sweeps, and its writes (the board's dashboard
  // issue, from rhythm-bot) reach the new hooks. Let that sweep finish before the token changes, so
  // the deliveries after are the card's only.
  await logLine(serve, (l) => typeof l.msg === 'string' && l.msg.startsWith('sweep:'), 'a sweep for the new hooks');
  const drained = async () => {
    const m = await metrics();
    return /rhythm_queue_jobs\{state="pending"\} 0\n/.test(m) && /rhythm_queue_jobs\{state="running"\} 0\n/.test(m);
  };
  for (let i = 0; i < 2; i++) {
    await until('the queue drained', drained);
    await sandbox.idle(); // a delivery of the sweep's writes may queue one more job
  }
  const earlier = sandbox.deliveries(skills.id).length;

  // Someone sets another secret on the skills hook: the service refuses its deliveries.
  await api('PUT', SKILLS, `/hooks/${skills.id}`, { token: 'not-the-secret' });
  const card = await api<{ iid: number }>('POST', SKILLS, '/issues', { title: 'Missed card' }, 'sandbox-alice-token');
  await api('PUT', SKILLS, `/issues/${card.iid}`, { title: 'Missed card, edited' }, 'sandbox-alice-token');
  await sandbox.idle();
  expect(
    sandbox
      .deliveries(skills.id)
      .slice(earlier)
      .map((d) => d.responseStatus),
  ).toEqual([401, 401]);
  // The token is put right, but an edit does not re-enable the hook: GitLab keeps it off until its time runs out.
  await api('PUT', SKILLS, `/hooks/${skills.id}`, { token: SECRET });

  await until('the gauge says temporarily disabled', async () => gauge(await metrics(), SKILLS, 'temporarily_disabled'));
  const readyz = await fetch(`${url}/readyz`);
  const report = (await readyz.json()) as { status: string; reasons?: Record<string, string> };
  // Reported, not unready: every replica would be taken out of the balancer, and GitLab's next try would fail too.
  expect(readyz.status).toBe(200);
  expect(report.status).toBe('ready');
  expect(report.reasons?.hooks).toMatch(/cs-skills-exchange: the webhook is temporarily disabled until \S+Z/);
  expect(report.reasons?.hooks).not.toMatch(/content/);
  expect(gauge(await metrics(), CONTENT, 'enabled')).toBe(true);

  // Three seconds later GitLab tries the hook again; the service sees it back and sweeps.
  const back = await logLine(
    serve,
    (l) => l.msg === 'the webhook is enabled again: sweeping for the events GitLab dropped' && l.was === 'temporarily_disabled',
    'enabled again',
  );
  expect(back).toMatchObject({ project: SKILLS, was: 'temporarily_disabled' });
  await logLine(
    serve,
    (l) => typeof l.msg === 'string' && l.msg.startsWith('sweep:') && serve.lines.indexOf(l) > serve.lines.indexOf(back),
    'a sweep after',
  );
  expect(gauge(await metrics(), SKILLS, 'enabled')).toBe(true);
  const after = (await (await fetch(`${url}/readyz`)).json()) as { reasons?: Record<string, string> };
  expect(after.reasons?.hooks).toBeUndefined();
});

it('reads the hooks on its timer, never per /readyz or /metrics request', async () => {
  const world = await startWorld({ service: { hookCheckMs: 60_000 } });
  try {
    const url = world.service!.url;
    const hookReads = () => world.sandbox.calls().filter((c) => c.route === 'GET /projects/:id/hooks' && c.user === 'rhythm-bot').length;
    // The start's read: once per configured project (the harness's own install reads them too).
    await until('the first pass', async () => /rhythm_webhook_hook_state\{/.test(await (await fetch(`${url}/metrics`)).text()));
    const before = hookReads();
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      await (await fetch(`${url}/metrics`)).text();
    }
    expect(hookReads()).toBe(before);
  } finally {
    await world.close();
  }
});
