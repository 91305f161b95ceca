// Three `rhythm serve` replicas on one PostgreSQL database behind a round-robin balancer: 2,000
// deliveries for 100 requests, one replica killed with SIGKILL midway. Every acknowledged delivery
// is processed, every request ends with exactly one bot note, and no request is ever reconciled by
// two runs at once across the replicas (the runs are read back from all three processes' logs).
// Also: replicas started together on an empty database both migrate and come up.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresMigrations } from '../../src/queue/postgres-schema.js';
import { openStore } from '../../src/queue/open.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { dropTestDatabases, testDatabase } from '../support/postgres.js';
import { REPO } from '../support/world.js';
import { overlaps, runIntervals, spawnServe, type ServeProcess } from '../support/serve-process.js';
import {
  botNoteCounts,
  editBurst,
  openBareRequests,
  RoundRobin,
  sendAll,
  SKILLS_PROJECT,
  stopReplica,
  waitDrained,
} from '../support/replicas.js';

const ISSUES = 100;
const EDITS_PER_ISSUE = 20;
const TOTAL = ISSUES * EDITS_PER_ISSUE;

// null (with one printed reason) when no PostgreSQL test server is configured; throws in CI.
const firstDatabase = await testDatabase();
if (firstDatabase === null) {
  console.warn('test/e2e/replicas.test.ts skipped: it needs PostgreSQL (export RHYTHM_TEST_DATABASE_URL)');
}

const sandboxes: Sandbox[] = [];
const processes: ServeProcess[] = [];
afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  for (const s of sandboxes) await s.close();
  await dropTestDatabases();
});

describe.skipIf(firstDatabase === null)('three replicas on one PostgreSQL', () => {
  it('lose nothing when one is killed midway, and never run one request twice at once', async () => {
    const databaseUrl = firstDatabase!;
    const sandbox = await startSandbox();
    sandboxes.push(sandbox);
    // The bot met the board before these requests (its baseline): they are judged, not its past.
    const met = await openStore(databaseUrl, REPO);
    await met.baselines.ensure(SKILLS_PROJECT, Date.now()).finally(() => met.close());
    const issues = await openBareRequests(sandbox, ISSUES);
    const deliveries = editBurst(issues, EDITS_PER_ISSUE, 'replicas');

    // Started together on one database (the second test starts a pair on an empty one).
    const replicas = await Promise.all([0, 1, 2].map(() => spawnServe({ gitlabUrl: sandbox.url, databaseUrl })));
    processes.push(...replicas);
    const victim = replicas[1]!;

    const balancer = new RoundRobin(replicas);
    const acknowledged = new Set<string>();
    const burst = sendAll(deliveries, balancer, 32, (d) => acknowledged.add(d.key));
    // Midway, with requests in flight to all three, the victim dies without a chance to clean up.
    while (acknowledged.size < TOTAL * 0.45) await new Promise((r) => setTimeout(r, 5));
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    const acknowledgedByVictim = balancer.acknowledgedBy[1]!;
    await burst;

    // The balancer learnt of the death from a failed delivery and sent it (and the rest) elsewhere.
    expect(balancer.out).toEqual(new Set([1]));
    expect(balancer.resent).toBeGreaterThanOrEqual(1);
    expect(acknowledgedByVictim).toBeGreaterThan(0);
    expect(acknowledged.size).toBe(TOTAL);

    // Every acknowledged delivery — the victim's included — is processed by the survivors.
    const store = await openStore(databaseUrl, REPO);
    try {
      // A job the victim held when it was killed is taken over only once its lease (60 s) runs
      // out, a few seconds before a one-minute drain would give up: on a slow machine the survivor
      // then has too little time to claim and run it. Room for that, and for the note pacing.
      await waitDrained(store, 150_000, 100);
      const stats = await store.stats(Date.now());
      expect(stats).toMatchObject({ pending: 0, running: 0, deliveries: 0, dead: 0 });
      for (const key of acknowledged) expect(await store.hasDelivery(key), key).toBe(true);
    } finally {
      await store.close();
    }

    // Every request reconciled into exactly one bot note: no replica wrote a second one.
    const counts = await botNoteCounts(sandbox, issues);
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);

    // The survivors' logs are complete only once they have exited.
    await Promise.all([replicas[0]!, replicas[2]!].map((p) => stopReplica(p)));
    const runsOf = replicas.map((p) => runIntervals(p.lines, p === victim ? killedAt : Infinity));
    const runs = runsOf.flat();
    // The work was shared: each survivor ran some of it.
    expect(runsOf[0]!.length).toBeGreaterThan(0);
    expect(runsOf[2]!.length).toBeGreaterThan(0);
    // Every request ran at least once; coalescing made the runs far fewer than the deliveries.
    const keys = new Set(runs.map((r) => r.key));
    for (const issue of issues) expect(keys.has(`issue:${SKILLS_PROJECT}#${issue.iid}`), `#${issue.iid}`).toBe(true);
    expect(runs.length).toBeLessThan(TOTAL / 2);
    // Never two runs of one key at once, across all three processes.
    expect(overlaps(runs)).toEqual([]);
    console.log(
      `replicas e2e: ${runs.length} runs for ${TOTAL} deliveries ` +
        `(per replica ${runsOf.map((r) => r.length).join('/')}), victim acknowledged ${acknowledgedByVictim} ` +
        `and had ${runsOf[1]!.filter((r) => r.end === killedAt).length} runs cut by the kill, re-sent ${balancer.resent}`,
    );
  }, 240_000);

  it('two replicas started at once on an empty database both come up', async () => {
    const databaseUrl = (await testDatabase())!;
    const sandbox = await startSandbox();
    sandboxes.push(sandbox);
    const pair = await Promise.all([0, 1].map(() => spawnServe({ gitlabUrl: sandbox.url, databaseUrl })));
    processes.push(...pair);
    for (const p of pair) {
      const res = await fetch(`${p.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
    // One schema, at the latest version.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; value: string }>('SELECT name, value FROM rhythm_meta');
      expect(rows).toEqual([{ name: 'schema_version', value: String(postgresMigrations.length) }]);
    } finally {
      await client.end();
    }
    await Promise.all(pair.map((p) => stopReplica(p)));
    for (const p of pair) expect(p.child.exitCode).toBe(0);
  }, 60_000);
});
