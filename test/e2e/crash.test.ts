// Kill -9 in the middle of a burst: 1,000 deliveries across 100 issues to a real `rhythm serve`
// process, killed with SIGKILL midway and started again on the same SQLite file. Every delivery it
// acknowledged is processed, every issue is reconciled once into one note, and no issue is ever
// reconciled by two runs at the same time (the runs are read back from both processes' logs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { CREATES_PER_MINUTE } from '../../src/config/schema-source.js';
import { openStore } from '../../src/queue/open.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { deliver, issueHook, overlaps, runIntervals, spawnServe, type ServeProcess } from '../support/serve-process.js';
import { REPO } from '../support/world.js';

const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';

/**
 * How long the queue may take to drain after the burst, by the shipped config: a create window
 * (one minute, GitLab's) for each further minute's share of `notes`, and the dashboard's debounce.
 */
function drainAllowanceMs(notes: number): number {
  const loaded = loadConfig(join(REPO, 'rhythm.yml'), { ...process.env, GITLAB_TOKEN: 'unused' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const { config } = loaded;
  const perMinute = config.gitlab.createsPerMinute?.notes ?? CREATES_PER_MINUTE.notes;
  const windows = perMinute > 0 ? Math.ceil(notes / perMinute) - 1 : 0;
  const board = config.boards.find((b) => b.project === PROJECT);
  const debounce = board?.dashboard?.enabled ? board.dashboard.debounceMs : 0;
  return windows * 60_000 + debounce + 40_000;
}
let sandbox: Sandbox;
let dir: string;
const processes: ServeProcess[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-crash-'));
});
afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a crash in the middle of a burst', () => {
  it('loses nothing and never runs one issue twice at once', async () => {
    const log = createLogger({ level: 'silent' });
    const alice = createDoor({ url: sandbox.url, token: 'sandbox-alice-token', log, transport: new Transport({ log }) });
    const databaseUrl = `sqlite:${join(dir, 'rhythm.db')}`;
    // The bot met the board before these requests (its baseline): they are judged, not its past.
    const met = await openStore(databaseUrl, dir);
    await met.baselines.ensure(PROJECT, Date.now()).finally(() => met.close());
    // 100 requests missing the template's sections: each one earns exactly one bot note.
    const issues = [];
    for (let i = 0; i < 100; i += 1) issues.push(await alice.createIssue(PROJECT, { title: `Request ${i}`, description: 'please' }));
    const projectId = issues[0]!.project_id;

    const deliveries = issues.flatMap((issue) =>
      Array.from({ length: 10 }, (_, n) => ({
        key: `crash-${issue.iid}-${n}`,
        body: issueHook({ id: projectId, path: PROJECT }, issue, n + 1),
      })),
    );
    // Interleave issues so the burst touches all of them from the start.
    deliveries.sort((a, b) => Number(a.key.split('-')[2]) - Number(b.key.split('-')[2]));

    const first = await spawnServe({ gitlabUrl: sandbox.url, databaseUrl });
    processes.push(first);
    const acknowledged = new Set<string>();
    let next = 0;
    const sender = async (target: () => ServeProcess, stopAt: number) => {
      while (next < stopAt) {
        const d = deliveries[next++]!;
        const status = await deliver(target().url, d.body, d.key);
        if (status >= 200 && status < 300) acknowledged.add(d.key);
      }
    };
    // 16 connections at once; the kill lands while requests are in flight.
    const burst = Promise.all(Array.from({ length: 16 }, () => sender(() => first, 1000)));
    while (acknowledged.size < 450) await new Promise((r) => setTimeout(r, 5));
    const killedAt = Date.now();
    await first.kill('SIGKILL');
    await burst;
    const acknowledgedBeforeKill = new Set(acknowledged);
    expect(acknowledgedBeforeKill.size).toBeGreaterThanOrEqual(450);
    expect(acknowledgedBeforeKill.size).toBeLessThan(1000);

    // Started again on the same file: the rest of the burst (what the dead one never acknowledged).
    const second = await spawnServe({ gitlabUrl: sandbox.url, databaseUrl });
    processes.push(second);
    const rest = deliveries.filter((d) => !acknowledgedBeforeKill.has(d.key));
    next = 0;
    const restSender = async () => {
      while (next < rest.length) {
        const d = rest[next++]!;
        const status = await deliver(second.url, d.body, d.key);
        if (status >= 200 && status < 300) acknowledged.add(d.key);
      }
    };
    await Promise.all(Array.from({ length: 16 }, restSender));
    expect(acknowledged.size).toBe(1000);

    // Wait for the queue to drain, reading the same database from this process. The bot paces its
    // notes (gitlab.createsPerMinute): the hundred notes need more than one minute's share, so the
    // last cards wait for GitLab's window to turn, and then wake the board's dashboard, which
    // runs after its debounce. The wait covers both, plus room for the work itself.
    const store = await openStore(databaseUrl, dir);
    try {
      const deadline = Date.now() + drainAllowanceMs(issues.length);
      for (;;) {
        const stats = await store.stats(Date.now());
        if (stats.pending === 0 && stats.running === 0 && stats.deliveries === 0) break;
        if (Date.now() > deadline) throw new Error(`queue did not drain: ${JSON.stringify(stats)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const key of acknowledged) expect(await store.hasDelivery(key)).toBe(true);
      expect((await store.stats(Date.now())).dead).toBe(0);
    } finally {
      await store.close();
    }

    // Every issue reconciled into exactly one bot note.
    const bot = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport: new Transport({ log }) });
    for (const issue of issues) {
      const notes = (await bot.listNotes(PROJECT, issue.iid)).filter((n) => n.author.username === 'rhythm-bot' && !n.system);
      expect(notes, `issue #${issue.iid}`).toHaveLength(1);
    }

    // Coalescing: far fewer runs than deliveries.
    await second.kill('SIGTERM');
    const runs = [...runIntervals(first.lines, killedAt), ...runIntervals(second.lines)];
    expect(runs.length).toBeGreaterThanOrEqual(100);
    expect(runs.length).toBeLessThan(1000);
    expect(overlaps(runs)).toEqual([]);
  }, 180_000);
});
