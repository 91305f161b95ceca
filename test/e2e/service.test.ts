// The running service as an operator sees it: /healthz, /readyz, /metrics, its logs, and SIGTERM.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/queue/open.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { deliver, issueHook, spawnServe, type ServeProcess } from '../support/serve-process.js';
import { REPO, SECRET, startWorld, type World } from '../support/world.js';

describe('health, readiness and metrics', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    world?.sandbox.faults.clear();
    await world?.close();
  });

  it('/healthz is fine; /readyz follows GitLab and the database', async () => {
    const url = world.service!.url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: true, gitlab: true } });

    // GitLab unreachable for the bot: not ready (a fresh service, so no cached success).
    await world.stop();
    world.sandbox.faults.add({ path: 'GET /user', kind: 'status', status: 401 });
    const service = await world.start();
    const down = await fetch(`${service.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ checks: { database: true, gitlab: false } });
    world.sandbox.faults.clear();
  });

  it('/metrics counts deliveries, jobs, GitLab calls and reconcile time', async () => {
    const issue = await world.create('alice', 'Metrics card', 'bare');
    await world.settle();
    expect(await world.botNotes(issue.iid)).toHaveLength(1);
    const text = await (await fetch(`${world.service!.url}/metrics`)).text();
    expect(text).toMatch(/rhythm_webhook_deliveries_total\{result="stored"\} [1-9]/);
    expect(text).toMatch(/rhythm_jobs_total\{outcome="done"\} [1-9]/);
    expect(text).toMatch(/rhythm_gitlab_calls_total\{method="POST",route="\/projects\/:id\/issues\/:iid\/notes",status="201"\} [1-9]/);
    expect(text).toMatch(/rhythm_reconcile_seconds_count [1-9]/);
    expect(text).toMatch(/rhythm_queue_jobs\{state="pending"\} 0/);
  });
});

describe('a service process', () => {
  let sandbox: Sandbox;
  let dir: string;
  let serve: ServeProcess | null = null;
  beforeAll(async () => {
    sandbox = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'rhythm-svc-'));
  });
  afterAll(async () => {
    await serve?.kill('SIGKILL');
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start without RHYTHM_WEBHOOK_SECRET', async () => {
    await expect(
      spawnServe({ gitlabUrl: sandbox.url, databaseUrl: `sqlite:${join(dir, 'x.db')}`, env: { RHYTHM_WEBHOOK_SECRET: '' } }),
    ).rejects.toThrow(/RHYTHM_WEBHOOK_SECRET/);
  });

  it('on SIGTERM stops accepting, leaves no job running, exits 0; logs carry the delivery id and no secret', async () => {
    const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';
    const databaseUrl = `sqlite:${join(dir, 'svc.db')}`;
    serve = await spawnServe({ gitlabUrl: sandbox.url, databaseUrl });
    const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(PROJECT)}/issues`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Term', description: 'bare' }),
    });
    const issue = (await res.json()) as { id: number; iid: number; project_id: number };
    // Slow GitLab down so work is in flight when the signal comes.
    sandbox.faults.add({ path: '/', kind: 'latency', ms: 300 });
    for (let n = 1; n <= 20; n += 1) {
      expect(await deliver(serve.url, issueHook({ id: issue.project_id, path: PROJECT }, issue, n), `term-${n}`)).toBe(202);
    }
    const code = await serve.kill('SIGTERM');
    sandbox.faults.clear();
    expect(code).toBe(0);
    expect(await deliver(serve.url, issueHook({ id: issue.project_id, path: PROJECT }, issue, 99), 'term-late')).toBe(0);

    const store = await openStore(databaseUrl, dir);
    try {
      const stats = await store.stats(Date.now());
      expect(stats.running).toBe(0);
      for (let n = 1; n <= 20; n += 1) expect(await store.hasDelivery(`term-${n}`)).toBe(true);
    } finally {
      await store.close();
    }

    const lines = serve.lines;
    const reconciled = lines.filter((l) => l.msg === 'job done');
    expect(reconciled.length).toBeGreaterThan(0);
    for (const line of reconciled) expect(line.deliveryId).toMatch(/^term-/);
    const all = JSON.stringify(lines);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('sandbox-rhythm-bot-token');
    expect(lines.some((l) => l.msg === 'rhythm stopped')).toBe(true);
    // The start line says which Rhythm, which GitLab, as whom, with which configuration (#14 item 6).
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const start = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith(`rhythm ${version} is serving`));
    expect(start).toMatchObject({ version, gitlab: sandbox.url, botUser: 'rhythm-bot' });
    expect(String(start?.config)).toMatch(/rhythm\.yml$/);
    expect(start?.boards).toEqual(
      expect.arrayContaining([expect.stringMatching(/^skills-exchange:gitlab-com\/sales-team\/cs-skills-exchange/)]),
    );
  });
});
