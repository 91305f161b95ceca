// End-to-end throughput of whole `rhythm serve` processes: deliveries per second from the first
// POST until the queue has drained (every delivery stored, reconciled against the sandbox GitLab
// and marked processed), for one replica on SQLite, one on PostgreSQL and three on PostgreSQL
// behind a round-robin balancer. Same workload for each: 100 fresh requests, 20 edits of each
// (2,000 deliveries, each with its own Idempotency-Key), 32 concurrent senders. Each row gets a
// fresh sandbox and a fresh database, so every row does the same GitLab work (one note per request).
// PostgreSQL rows need RHYTHM_BENCH_DATABASE_URL or RHYTHM_TEST_DATABASE_URL (a server URL; a
// database is created per row and dropped after). Run alone: npx tsx bench/replicas.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { openStore } from '../src/queue/open.js';
import { startSandbox } from '../src/sandbox/index.js';
import { spawnServe, type ServeProcess } from '../test/support/serve-process.js';
import { createDatabase } from '../test/support/postgres.js';
import { botNoteCounts, editBurst, openBareRequests, RoundRobin, sendAll, SKILLS_PROJECT, waitDrained } from '../test/support/replicas.js';

const ISSUES = Number(process.env.BENCH_ISSUES ?? 100);
const EDITS_PER_ISSUE = Number(process.env.BENCH_EDITS_PER_ISSUE ?? 20);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 32);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));

interface Row {
  name: string;
  store: 'sqlite' | 'postgres';
  replicas: number;
}

async function dropDatabase(server: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Finished job runs, summed over outcomes, from the replica's /metrics. */
async function jobRuns(replica: ServeProcess): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^rhythm_jobs_total\{[^}]*\} (\d+)/.exec(line);
    if (m) total += Number(m[1]);
  }
  return total;
}

/**
 * SIGTERM, then wait for the "rhythm stopped" line (or exit) and make sure the process is gone:
 * the timing is over by now, and an idle serve process lingers for its worker's grace period.
 */
async function shutDown(replica: ServeProcess): Promise<void> {
  const { child } = replica;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (!replica.lines.some((l) => l.msg === 'rhythm stopped') && child.exitCode === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await replica.kill('SIGKILL');
  await exited;
}

async function runRow(row: Row, databaseUrl: string): Promise<Record<string, number>> {
  const sandbox = await startSandbox();
  const replicas: ServeProcess[] = [];
  try {
    // The bot met the board before these requests (its baseline): they are judged, not its past.
    const met = await openStore(databaseUrl, repoRoot);
    await met.baselines.ensure(SKILLS_PROJECT, Date.now()).finally(() => met.close());
    const issues = await openBareRequests(sandbox, ISSUES);
    const deliveries = editBurst(issues, EDITS_PER_ISSUE, `bench-${row.name}`);
    replicas.push(
      ...(await Promise.all(
        Array.from({ length: row.replicas }, () =>
          // info, not debug: the per-job debug lines are not needed here and cost the parsing process.
          spawnServe({ gitlabUrl: sandbox.url, databaseUrl, env: { RHYTHM_LOG_LEVEL: 'info' } }),
        ),
      )),
    );
    const store = await openStore(databaseUrl, repoRoot);
    const callsBefore = sandbox.calls().length;
    let ackDone = 0;
    let drained = 0;
    let acknowledged = 0;
    const start = performance.now();
    try {
      const balancer = new RoundRobin(replicas);
      await sendAll(deliveries, balancer, SENDERS, () => (acknowledged += 1));
      ackDone = performance.now();
      await waitDrained(store, 300_000, 20);
      drained = performance.now();
    } finally {
      await store.close();
    }
    const calls = sandbox.calls().slice(callsBefore);
    const runs = (await Promise.all(replicas.map(jobRuns))).reduce((a, b) => a + b, 0);
    const notes = await botNoteCounts(sandbox, issues);
    const seconds = (drained - start) / 1000;
    return {
      deliveries_per_s: Math.round(deliveries.length / seconds),
      acknowledge_per_s: Math.round(deliveries.length / ((ackDone - start) / 1000)),
      seconds: Number(seconds.toFixed(2)),
      acknowledged,
      runs,
      gitlab_calls: calls.length,
      gitlab_429: calls.filter((c) => c.status === 429).length,
      issues_without_exactly_one_note: [...notes.values()].filter((n) => n !== 1).length,
    };
  } finally {
    await Promise.all(replicas.map(shutDown));
    await sandbox.close();
  }
}

export async function benchReplicas(): Promise<Record<string, number | string>> {
  const server = process.env.RHYTHM_BENCH_DATABASE_URL || process.env.RHYTHM_TEST_DATABASE_URL || '';
  const rows: Row[] = [
    { name: 'sqlite_1', store: 'sqlite', replicas: 1 },
    { name: 'postgres_1', store: 'postgres', replicas: 1 },
    { name: 'postgres_3', store: 'postgres', replicas: 3 },
  ];
  const out: Record<string, number | string> = {
    'replicas.workload': `${ISSUES * EDITS_PER_ISSUE} deliveries over ${ISSUES} issues, ${SENDERS} senders`,
  };
  const table: string[] = [];
  const header = ['row', 'deliveries/s', 'ack/s', 'seconds', 'runs', 'gitlab calls', '429s', 'bad issues'];
  table.push(header.map((h, i) => (i === 0 ? h.padEnd(12) : h.padStart(13))).join(''));
  for (const row of rows) {
    if (row.store === 'postgres' && !server) {
      out[`replicas.${row.name}`] = 'skipped: set RHYTHM_BENCH_DATABASE_URL or RHYTHM_TEST_DATABASE_URL';
      table.push(`${row.name.padEnd(12)} skipped (no PostgreSQL: set RHYTHM_BENCH_DATABASE_URL or RHYTHM_TEST_DATABASE_URL)`);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), 'rhythm-bench-replicas-'));
    const databaseUrl = row.store === 'sqlite' ? `sqlite:${join(dir, 'rhythm.db')}` : await createDatabase(server, 'rhythm_bench');
    try {
      const r = await runRow(row, databaseUrl);
      for (const [k, v] of Object.entries(r)) out[`replicas.${row.name}.${k}`] = v;
      table.push(
        [
          row.name.padEnd(12),
          ...[
            r.deliveries_per_s,
            r.acknowledge_per_s,
            r.seconds,
            r.runs,
            r.gitlab_calls,
            r.gitlab_429,
            r.issues_without_exactly_one_note,
          ].map((v) => String(v).padStart(13)),
        ].join(''),
      );
    } finally {
      if (row.store === 'postgres') await dropDatabase(server, databaseUrl).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(table.join('\n'));
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(
    `cpus: ${cpus().length}; load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const results = await benchReplicas();
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(52)} ${v}`);
}
