// How fast does Rhythm acknowledge a webhook, durable storage included, against two baselines:
//   (a) bare node:http: check the token, parse the JSON, answer 202 — the ceiling;
//   (b) Express with express.json(), same work, nothing stored — the usual way to write it;
//   (p) Probot 14 with a no-op handler: its webhook path checks the HMAC X-Hub-Signature-256
//       (GitLab's token header does not apply to it; each request carries a correct signature),
//       parses the JSON and runs the handler; nothing stored — what a GitHub bot framework costs;
//   (c) Rhythm's receiver, storing every delivery in SQLite (WAL, synchronous=FULL, temp file);
//   and, to tell the receiver's own cost from the disk's, (c0) the same receiver with a store
//   that keeps deliveries in memory (not durable; a diagnostic, not a way to run Rhythm);
//   (d) all of `rhythm serve` — receiver, worker and timers in one process — while its worker
//   reconciles the cards the deliveries name against the sandbox (its own process), which
//   answers with 50 ms of added latency as a remote GitLab would: ingest while working.
// Each server runs in its own child process and autocannon drives it from this one, so load
// generation and serving don't share an event loop. Same load for every row: 50 connections,
// each request a fresh delivery (its own Idempotency-Key / X-GitHub-Delivery) naming one of the
// working service's configured cards, round robin. Rhythm's rows also report their event loop's
// delay (p99, from perf_hooks.monitorEventLoopDelay) and utilisation during the load, to show what
// starves the receiver, and per acknowledged delivery the event loop's busy time and the CPU of the
// whole process (every thread: the SQLite writer's too); Probot's row has them too, to compare with.
// Run alone: npx tsx bench/receiver.ts
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import express from 'express';
import { pino } from 'pino';
import type { IncomingDelivery, Store } from '../src/queue/contract.js';

const SECRET = 'bench-hook-secret';
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
// The project's own fixture: a label change on a card of the shipped config's board.
const ownFixture = join(repoRoot, 'test/fixtures/issue-hook-update-labels.json');

type Kind = 'bare' | 'express' | 'probot' | 'rhythm' | 'rhythm_in_memory' | 'rhythm_working' | 'rhythm_working_normal';
const allKinds: Kind[] = ['bare', 'express', 'probot', 'rhythm', 'rhythm_in_memory', 'rhythm_working', 'rhythm_working_normal'];
// Diagnostics: BENCH_ONLY=rhythm_working measures some rows only; BENCH_CPU_PROF=<dir> writes a
// CPU profile of each server child there (node --cpu-prof).
const kinds: Kind[] = process.env.BENCH_ONLY ? allKinds.filter((k) => process.env.BENCH_ONLY!.split(',').includes(k)) : allKinds;
/** Cards the working service's deliveries name, round robin (each delivery wakes one). */
const WORKING_CARDS = 20;

// --- the servers (run in a child process) -------------------------------------------------

/** Only what the receiver calls: accept with dedup, and the count for the report. */
function inMemoryInbox(): Store {
  const ids = new Set<string>();
  const inbox = {
    kind: 'sqlite',
    migrate: async () => undefined,
    accept: async (d: IncomingDelivery) => (ids.has(d.deliveryId) ? 'duplicate' : (ids.add(d.deliveryId), 'stored')),
    stats: async () => ({ pending: 0, running: 0, dead: 0, oldestPendingAgeMs: 0, deliveries: ids.size }),
    close: async () => undefined,
  };
  return inbox as unknown as Store;
}

const sha256 = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();
const secretDigest = sha256(SECRET);
const tokenOk = (t: string | string[] | undefined): boolean => typeof t === 'string' && timingSafeEqual(sha256(t), secretDigest);

async function serve(kind: Kind): Promise<Served> {
  if (kind === 'bare') {
    const server = createServer((req, res) => {
      if (!tokenOk(req.headers['x-gitlab-token'])) {
        res.writeHead(401).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          res.writeHead(400).end();
          return;
        }
        const text = '{"status":"accepted"}';
        res.writeHead(202, { 'content-type': 'application/json', 'content-length': text.length }).end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, stats: async () => ({}), close: async () => void server.close() };
  }

  if (kind === 'express') {
    const app = express();
    app.disable('x-powered-by');
    app.post('/webhooks/gitlab', express.json({ limit: '25mb' }), (req, res) => {
      if (!tokenOk(req.headers['x-gitlab-token'])) {
        res.status(401).end();
        return;
      }
      res.status(202).json({ status: 'accepted' });
    });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, stats: async () => ({}), close: async () => void server.close() };
  }

  if (kind === 'probot') return withLoopStats(await serveProbot());

  // The same serve, at SQLite's synchronous=NORMAL (RHYTHM_SQLITE_SYNCHRONOUS, set by startChild).
  if (kind === 'rhythm_working' || kind === 'rhythm_working_normal') return withLoopStats(await serveWorking());

  const { openSqliteStore } = await import('../src/queue/sqlite.js');
  const { createReceiver, listen } = await import('../src/webhook/receiver.js');
  const { createLogger } = await import('../src/observability/log.js');
  const { createMetrics } = await import('../src/observability/metrics.js');
  const dir = mkdtempSync(join(tmpdir(), 'rhythm-bench-'));
  const store = kind === 'rhythm_in_memory' ? inMemoryInbox() : await openSqliteStore(join(dir, 'rhythm.db'));
  await store.migrate();
  const payload = JSON.parse(readFileSync(ownFixture, 'utf8')) as { project: { path_with_namespace: string } };
  const { handler } = createReceiver({
    store,
    secret: SECRET,
    projects: new Set([payload.project.path_with_namespace]),
    botUsername: 'rhythm-bot',
    // The service logs one line per delivery; so does the benchmark, to a sink, asynchronously as in production.
    log: createLogger({ destination: pino.destination({ dest: '/dev/null', sync: false }) }),
    metrics: createMetrics(),
    ready: async () => ({ ok: true, checks: {} }),
  });
  const server = await listen(handler, 0, '127.0.0.1');
  return withLoopStats({
    port: (server.address() as AddressInfo).port,
    stats: async () => ({ stored: (await store.stats(Date.now())).deliveries }),
    close: async () => {
      server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

type Served = { port: number; stats: () => Promise<Record<string, number>>; close: () => Promise<void> };

/**
 * Adds this process's event-loop delay (p99, ms) and utilisation since the previous stats call:
 * the parent asks right before and right after each load, so the second answer covers the load.
 */
function withLoopStats(s: Served): Served {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  return {
    ...s,
    stats: async () => {
      const now = performance.eventLoopUtilization();
      const since = performance.eventLoopUtilization(now, elu);
      const cpuNow = process.cpuUsage();
      const out = {
        ...(await s.stats()),
        loopDelayP99Ms: delay.percentile(99) / 1e6,
        loopUtilisation: since.utilization,
        // The event loop's busy time, and the CPU of the whole process (every thread), in ms.
        loopActiveMs: since.active,
        cpuMs: (cpuNow.user - cpu.user + cpuNow.system - cpu.system) / 1000,
      };
      delay.reset();
      elu = now;
      cpu = cpuNow;
      return out;
    },
  };
}

/** Probot 14, no-op handler: HMAC check, JSON parse, the handler, 200; nothing stored, nothing logged. */
async function serveProbot(): Promise<Served> {
  const { Probot } = await import('probot');
  const probot = new Probot({
    githubToken: 'bench-unused-token',
    secret: SECRET,
    log: pino({ level: 'warn' }, pino.destination({ dest: '/dev/null', sync: false })),
  });
  probot.on('issues', () => undefined);
  const middleware = await probot.getNodeMiddleware({ path: '/webhooks/gitlab' });
  const server = createServer((req, res) => {
    void middleware(req, res, () => void res.writeHead(404).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, stats: async () => ({}), close: async () => void server.close() };
}

/** `rhythm serve` as it runs, against the sandbox whose URL the parent passed (RHYTHM_BENCH_SANDBOX). */
async function serveWorking(): Promise<Served> {
  const { loadConfig } = await import('../src/config/load.js');
  const { startService } = await import('../src/service.js');
  const { createLogger } = await import('../src/observability/log.js');
  const url = process.env.RHYTHM_BENCH_SANDBOX!;
  const loaded = loadConfig(join(repoRoot, 'rhythm.yml'), { GITLAB_URL: url, GITLAB_TOKEN: 'sandbox-rhythm-bot-token' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'rhythm-bench-'));
  let jobs = 0;
  const service = await startService({
    config: loaded.config,
    configDir: repoRoot,
    log: createLogger({ destination: pino.destination({ dest: '/dev/null', sync: false }) }),
    secret: SECRET,
    databaseUrl: `sqlite:${join(dir, 'rhythm.db')}`,
    port: 0,
    host: '127.0.0.1',
    sweepOnStart: false,
    onJob: () => void (jobs += 1),
  });
  const counter = new Database(join(dir, 'rhythm.db'), { readonly: true });
  return {
    port: service.port,
    // Deliveries still waiting for the worker (it marks the rest processed), jobs run so far, and
    // every delivery in the file, processed or not (read on a connection of its own).
    stats: async () => ({
      backlog: (await service.store.stats(Date.now())).deliveries,
      jobs,
      stored: (counter.prepare('SELECT count(*) AS n FROM rhythm_deliveries').get() as { n: number }).n,
    }),
    close: async () => {
      counter.close();
      await service.stop(5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The sandbox for the working service, in its own process: 50 ms on every call, the cards made. */
async function sandboxMain(): Promise<void> {
  const { startSandbox } = await import('../src/sandbox/index.js');
  const sandbox = await startSandbox({ rateLimitPerMinute: 1_000_000 });
  sandbox.faults.add({ kind: 'latency', ms: 50, path: '/' });
  const project = encodeURIComponent('gitlab-com/sales-team/cs-skills-exchange');
  const iids: number[] = [];
  for (let i = 0; i < WORKING_CARDS; i += 1) {
    const body = new URLSearchParams({
      title: `Bench card ${i}`,
      description: `## Topic\nCard ${i}\n\nModerator: @carol`,
      labels: 'status:plan',
    });
    const res = await fetch(`${sandbox.url}/api/v4/projects/${project}/issues`, {
      method: 'POST',
      headers: { 'private-token': 'sandbox-alice-token' },
      body,
    });
    iids.push(((await res.json()) as { iid: number }).iid);
  }
  process.on('disconnect', () => void sandbox.close().then(() => process.exit(0)));
  process.send?.({ url: sandbox.url, iids });
}

async function childMain(kind: Kind): Promise<void> {
  const s = await serve(kind);
  const shutdown = async (): Promise<void> => {
    await s.close();
    process.exit(0);
  };
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'stats') void s.stats().then((stats) => process.send?.({ stats }));
    if (m.cmd === 'stop') void shutdown();
  });
  process.on('disconnect', () => void shutdown());
  process.send?.({ port: s.port });
}

// --- the load (this process) --------------------------------------------------------------

interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface CannonResult {
  requests: Histogram;
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface CannonRequest {
  headers?: Record<string, string>;
  body?: string;
}
type Cannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  method: string;
  headers: Record<string, string>;
  body: string;
  requests: { setupRequest: (req: CannonRequest) => CannonRequest }[];
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

function startChild(kind: Kind, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROF, kind)}`] : [];
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind], {
    execArgv: ['--import', 'tsx', ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env, ...(kind === 'rhythm_working_normal' ? { RHYTHM_SQLITE_SYNCHRONOUS: 'normal' } : {}) },
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} server exited early (${code})`)));
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
  });
}

function ask(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    child.once('message', (m: { stats: Record<string, number> }) => resolve(m.stats));
    child.send({ cmd: 'stats' });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.send({ cmd: 'stop' });
  });
}

function startSandboxChild(): Promise<{ child: ChildProcess; url: string; iids: number[] }> {
  const child = fork(fileURLToPath(import.meta.url), ['--sandbox'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox exited early (${code})`)));
    child.once('message', (m: { url: string; iids: number[] }) => resolve({ child, ...m }));
  });
}

/** One delivery per card of the working service, each a label change on that card. */
function workingBodies(iids: number[]): string[] {
  const payload = JSON.parse(readFileSync(ownFixture, 'utf8')) as { object_attributes: { iid: number; id: number } };
  return iids.map((iid) => JSON.stringify({ ...payload, object_attributes: { ...payload.object_attributes, iid, id: 100_000 + iid } }));
}

async function load(kind: Kind, port: number, seconds: number, bodies: string[]): Promise<CannonResult> {
  // Probot checks GitHub's headers: the event, a delivery id and the body's HMAC (sha256=...),
  // computed once per body (the signature of a body does not change with the delivery id).
  const probot = kind === 'probot';
  const signatures = bodies.map((b) => `sha256=${createHmac('sha256', SECRET).update(b).digest('hex')}`);
  const headers: Record<string, string> = probot
    ? { 'content-type': 'application/json', 'x-github-event': 'issues' }
    : { 'content-type': 'application/json', 'x-gitlab-event': 'Issue Hook', 'x-gitlab-token': SECRET };
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}/webhooks/gitlab`,
    connections: 50,
    duration: seconds,
    method: 'POST',
    headers,
    body: bodies[0]!,
    requests: [
      {
        // A fresh delivery per request, as GitLab sends one per event: its own id, and the next
        // card's body (so the working service's worker has cards to reconcile).
        setupRequest: (req) => {
          const at = next++ % bodies.length;
          const fresh: Record<string, string> = probot
            ? { 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signatures[at]! }
            : { 'idempotency-key': randomUUID() };
          return { ...req, headers: { ...req.headers, ...fresh }, body: bodies[at]! };
        },
      },
    ],
  });
}

export interface ReceiverRow {
  kind: Kind;
  /** One entry per round, in the order measured. */
  rounds: {
    rate: number;
    p50: number;
    p99: number;
    loopDelayP99Ms?: number;
    loopUtilisation?: number;
    /** Event-loop busy time per acknowledged delivery (µs), and the process's CPU (all threads) per one. */
    loopUsPerReq?: number;
    cpuUsPerReq?: number;
  }[];
  non2xx: number;
  errors: number;
  acknowledged?: number;
  stored?: number;
}

export interface ReceiverResults {
  rows: ReceiverRow[];
  jobsRun: number;
  backlogAtEnd: number;
}

export async function benchReceiver(): Promise<ReceiverResults> {
  // The machine's speed drifts by tens of percent from one minute to the next (shared cores), so
  // the servers are measured in interleaved rounds and each figure is the median round.
  const seconds = Number(process.env.BENCH_SECONDS ?? 4);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const children = new Map<Kind, { child: ChildProcess; port: number }>();
  const sandbox = await startSandboxChild();
  const bodies = workingBodies(sandbox.iids);
  const rows = new Map<Kind, ReceiverRow>(kinds.map((kind) => [kind, { kind, rounds: [], non2xx: 0, errors: 0 }]));
  const working: Record<string, number> = {};
  try {
    for (const kind of kinds) children.set(kind, await startChild(kind, { RHYTHM_BENCH_SANDBOX: sandbox.url }));
    for (const kind of kinds) await load(kind, children.get(kind)!.port, 1, bodies); // warm up: JIT, page cache, connections
    for (let round = 0; round < rounds; round += 1) {
      // Rotate the order so no server always runs first or last in a round.
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]!);
      for (const kind of order) {
        const { child, port } = children.get(kind)!;
        const before = await ask(child);
        const r = await load(kind, port, seconds, bodies);
        const after = await ask(child);
        const acked = Object.entries(r.statusCodeStats)
          .filter(([code]) => code.startsWith('2'))
          .reduce((n, [, s]) => n + Number(s.count), 0);
        const row = rows.get(kind)!;
        row.rounds.push({
          rate: acked / r.duration,
          p50: r.latency.p50,
          p99: r.latency.p99,
          ...(after.loopDelayP99Ms !== undefined
            ? {
                loopDelayP99Ms: after.loopDelayP99Ms,
                loopUtilisation: after.loopUtilisation,
                loopUsPerReq: (1000 * after.loopActiveMs!) / Math.max(1, acked),
                cpuUsPerReq: (1000 * after.cpuMs!) / Math.max(1, acked),
              }
            : {}),
        });
        row.non2xx += r.non2xx;
        row.errors += r.errors + r.timeouts;
        if (after.stored !== undefined) {
          // At least every acknowledged delivery is stored (a few more were in flight at the end).
          row.acknowledged = (row.acknowledged ?? 0) + acked;
          row.stored = (row.stored ?? 0) + after.stored - (before.stored ?? 0);
        }
      }
    }
    if (children.has('rhythm_working')) Object.assign(working, await ask(children.get('rhythm_working')!.child));
  } finally {
    for (const { child } of children.values()) await stop(child);
    sandbox.child.kill();
  }
  return { rows: [...rows.values()], jobsRun: working.jobs ?? 0, backlogAtEnd: working.backlog ?? 0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const medianOf = (row: ReceiverRow | undefined, f: (r: ReceiverRow['rounds'][number]) => number | undefined): number =>
  median((row?.rounds ?? []).map(f).filter((x): x is number => x !== undefined));

/** What each row is, in the table. */
const described: Record<Kind, string> = {
  bare: 'node:http, token check + JSON.parse',
  express: 'Express + express.json(), token check',
  probot: 'Probot 14, HMAC check, no-op handler',
  rhythm: 'Rhythm receiver, SQLite (durable)',
  rhythm_in_memory: 'Rhythm receiver, in-memory (diagnostic)',
  rhythm_working: 'rhythm serve, worker busy (durable)',
  rhythm_working_normal: 'the same, synchronous=NORMAL (opt-in)',
};

/** The table `npm run bench -- receiver` prints: median round per row, then the ratios and the target. */
export function formatReceiver(results: ReceiverResults): string {
  const byKind = new Map(results.rows.map((r) => [r.kind, r]));
  const rate = (k: Kind) => medianOf(byKind.get(k), (r) => r.rate);
  const lines = [
    `${'row'.padEnd(18)} ${'what'.padEnd(40)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'loop p99'.padStart(9)} ${'loop use'.padStart(9)} ${'loop µs'.padStart(8)} ${'cpu µs'.padStart(7)}  per round (req/s)`,
  ];
  for (const row of results.rows) {
    const delay = medianOf(row, (r) => r.loopDelayP99Ms);
    const use = medianOf(row, (r) => r.loopUtilisation);
    const hasLoop = row.rounds.some((r) => r.loopDelayP99Ms !== undefined);
    lines.push(
      [
        row.kind.padEnd(18),
        described[row.kind].padEnd(40),
        String(Math.round(rate(row.kind))).padStart(7),
        String(medianOf(row, (r) => r.p50)).padStart(7),
        String(medianOf(row, (r) => r.p99)).padStart(7),
        (hasLoop ? delay.toFixed(1) : '-').padStart(9),
        (hasLoop ? use.toFixed(2) : '-').padStart(9),
        (hasLoop ? medianOf(row, (r) => r.loopUsPerReq).toFixed(0) : '-').padStart(8),
        (hasLoop ? medianOf(row, (r) => r.cpuUsPerReq).toFixed(0) : '-').padStart(7),
        ` ${row.rounds.map((r) => Math.round(r.rate)).join(' / ')}`,
      ].join(' '),
    );
  }
  const problems = results.rows
    .filter((r) => r.non2xx > 0 || r.errors > 0 || (r.stored !== undefined && r.stored < (r.acknowledged ?? 0)))
    .map(
      (r) =>
        `${r.kind}: ${r.non2xx} non-2xx, ${r.errors} errors${r.stored !== undefined ? `, ${r.stored} stored of ${r.acknowledged} acknowledged` : ''}`,
    );
  const stored = results.rows
    .filter((r) => r.stored !== undefined)
    .map((r) => `${r.kind} ${r.stored} stored ≥ ${r.acknowledged} acknowledged`);
  const ratio = (a: Kind, b: Kind) => (rate(a) / rate(b)).toFixed(2);
  const working = byKind.get('rhythm_working');
  const workingP99 = medianOf(working, (r) => r.p99);
  const met = rate('rhythm_working') >= rate('probot') && workingP99 <= 15;
  lines.push(
    '',
    `durability: ${stored.join('; ')}`,
    `worker while loaded: ${results.jobsRun} jobs run, ${results.backlogAtEnd} deliveries still unprocessed at the end`,
    ...(problems.length > 0 ? [`PROBLEMS: ${problems.join('; ')}`] : []),
    `ratios: rhythm/bare ${ratio('rhythm', 'bare')}, rhythm/express ${ratio('rhythm', 'express')}, rhythm/probot ${ratio('rhythm', 'probot')}, ` +
      `working/receiver alone ${ratio('rhythm_working', 'rhythm')}, working/probot ${ratio('rhythm_working', 'probot')}, working/bare ${ratio('rhythm_working', 'bare')}, ` +
      `working at NORMAL/probot ${ratio('rhythm_working_normal', 'probot')} (p99 ${medianOf(byKind.get('rhythm_working_normal'), (r) => r.p99)} ms)`,
    `target (issue 13: working >= probot in this run, working p99 <= 15 ms): ${met ? 'met' : 'NOT met'}`,
  );
  return lines.join('\n');
}

const serveAt = process.argv.indexOf('--serve');
if (process.argv.includes('--sandbox')) {
  void sandboxMain();
} else if (serveAt !== -1) {
  void childMain(process.argv[serveAt + 1] as Kind);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(
    `cpus: ${cpus().length}; load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(formatReceiver(await benchReceiver()));
}
