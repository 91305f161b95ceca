// How fast does Rhythm acknowledge a webhook, durable storage included, against two baselines:
//   (a) bare node:http: check the token, parse the JSON, answer 202 — the ceiling;
//   (b) Express with express.json(), same work, nothing stored — the usual way to write it;
//   (c) Rhythm's receiver, storing every delivery in SQLite (WAL, synchronous=FULL, temp file);
//   and, to tell the receiver's own cost from the disk's, (c0) the same receiver with a store
//   that keeps deliveries in memory (not durable; a diagnostic, not a way to run Rhythm);
//   (d) all of `rhythm serve` — receiver, worker and timers in one process — while its worker
//   reconciles the cards the deliveries name against the sandbox (its own process), which
//   answers with 50 ms of added latency as a remote GitLab would: ingest while working.
// Each server runs in its own child process and autocannon drives it from this one, so load
// generation and serving don't share an event loop. Every request carries a fresh
// Idempotency-Key, so (c) really stores each one. Run alone: npx tsx bench/receiver.ts
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import { pino } from 'pino';
import type { IncomingDelivery, Store } from '../src/queue/contract.js';

const SECRET = 'bench-hook-secret';
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const docsExample = join(repoRoot, '../shared/fixtures/gitlab-docs/issue-hook.json');
const ownFixture = join(repoRoot, 'test/fixtures/issue-hook-update-labels.json');
const bodyFile = existsSync(docsExample) ? docsExample : ownFixture;

type Kind = 'bare' | 'express' | 'rhythm' | 'rhythm_in_memory' | 'rhythm_working';
const kinds: Kind[] = ['bare', 'express', 'rhythm', 'rhythm_in_memory', 'rhythm_working'];
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

async function serve(kind: Kind): Promise<{ port: number; stats: () => Promise<Record<string, number>>; close: () => Promise<void> }> {
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

  if (kind === 'rhythm_working') return serveWorking();

  const { openSqliteStore } = await import('../src/queue/sqlite.js');
  const { createReceiver, listen } = await import('../src/webhook/receiver.js');
  const { createLogger } = await import('../src/observability/log.js');
  const { createMetrics } = await import('../src/observability/metrics.js');
  const dir = mkdtempSync(join(tmpdir(), 'rhythm-bench-'));
  const store = kind === 'rhythm_in_memory' ? inMemoryInbox() : await openSqliteStore(join(dir, 'rhythm.db'));
  await store.migrate();
  const payload = JSON.parse(readFileSync(bodyFile, 'utf8')) as { project: { path_with_namespace: string } };
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
  return {
    port: (server.address() as AddressInfo).port,
    stats: async () => ({ stored: (await store.stats(Date.now())).deliveries }),
    close: async () => {
      server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `rhythm serve` as it runs, against the sandbox whose URL the parent passed (RHYTHM_BENCH_SANDBOX). */
async function serveWorking(): Promise<{ port: number; stats: () => Promise<Record<string, number>>; close: () => Promise<void> }> {
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
  return {
    port: service.port,
    // Deliveries still waiting for the worker (it marks the rest processed), and jobs run so far.
    stats: async () => ({ backlog: (await service.store.stats(Date.now())).deliveries, jobs }),
    close: async () => {
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
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
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

async function load(port: number, seconds: number, body: string | string[]): Promise<CannonResult> {
  const bodies = Array.isArray(body) ? body : [body];
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}/webhooks/gitlab`,
    connections: 50,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Issue Hook', 'x-gitlab-token': SECRET },
    body: bodies[0]!,
    requests: [
      {
        // A fresh Idempotency-Key per request, as GitLab sends one per event (and, for the
        // working service, the next card's delivery, so the worker has cards to reconcile).
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, 'idempotency-key': randomUUID() },
          ...(bodies.length > 1 ? { body: bodies[next++ % bodies.length]! } : {}),
        }),
      },
    ],
  });
}

export async function benchReceiver(): Promise<Record<string, number>> {
  // The machine's speed drifts by tens of percent from one minute to the next (shared cores), so
  // the four servers are measured in interleaved rounds and each figure is the median round.
  const seconds = Number(process.env.BENCH_SECONDS ?? 4);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const body = readFileSync(bodyFile, 'utf8');
  const out: Record<string, number> = {};
  const children = new Map<Kind, { child: ChildProcess; port: number }>();
  const sandbox = await startSandboxChild();
  const bodies = new Map<Kind, string | string[]>(kinds.map((k) => [k, k === 'rhythm_working' ? workingBodies(sandbox.iids) : body]));
  for (const kind of kinds) children.set(kind, await startChild(kind, { RHYTHM_BENCH_SANDBOX: sandbox.url }));
  const samples = new Map<Kind, { rate: number; p50: number; p99: number; non2xx: number; errors: number }[]>();
  const stored = new Map<Kind, { acked: number; stored: number }>();
  try {
    for (const kind of kinds) await load(children.get(kind)!.port, 1, bodies.get(kind)!); // warm up: JIT, page cache, connections
    for (let round = 0; round < rounds; round += 1) {
      // Rotate the order so no server always runs first or last in a round.
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]!);
      for (const kind of order) {
        const { child, port } = children.get(kind)!;
        const before = await ask(child);
        const r = await load(port, seconds, bodies.get(kind)!);
        const after = await ask(child);
        const acked = Object.entries(r.statusCodeStats)
          .filter(([code]) => code.startsWith('2'))
          .reduce((n, [, s]) => n + Number(s.count), 0);
        const list = samples.get(kind) ?? [];
        list.push({ rate: acked / r.duration, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts });
        samples.set(kind, list);
        if (after.stored !== undefined) {
          const total = stored.get(kind) ?? { acked: 0, stored: 0 };
          // At least every acknowledged delivery is stored (a few more were in flight at the end).
          stored.set(kind, { acked: total.acked + acked, stored: total.stored + after.stored - (before.stored ?? 0) });
        }
      }
    }
    const working = await ask(children.get('rhythm_working')!.child);
    out['rhythm_working.jobs_run'] = working.jobs ?? 0;
    out['rhythm_working.backlog_at_end'] = working.backlog ?? 0;
  } finally {
    for (const { child } of children.values()) await stop(child);
    sandbox.child.kill();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  for (const kind of kinds) {
    const list = samples.get(kind) ?? [];
    out[`${kind}.deliveries_per_s`] = Math.round(median(list.map((x) => x.rate)));
    out[`${kind}.p50_ms`] = median(list.map((x) => x.p50));
    out[`${kind}.p99_ms`] = median(list.map((x) => x.p99));
    out[`${kind}.non2xx`] = list.reduce((n, x) => n + x.non2xx, 0);
    out[`${kind}.errors`] = list.reduce((n, x) => n + x.errors, 0);
    const s = stored.get(kind);
    if (s) {
      out[`${kind}.acknowledged`] = s.acked;
      out[`${kind}.stored`] = s.stored;
    }
  }
  const rate = (k: Kind): number => out[`${k}.deliveries_per_s`] ?? 0;
  out['ratio.rhythm_over_bare'] = Number((rate('rhythm') / rate('bare')).toFixed(2));
  out['ratio.rhythm_over_express'] = Number((rate('rhythm') / rate('express')).toFixed(2));
  out['ratio.working_over_receiver_alone'] = Number((rate('rhythm_working') / rate('rhythm')).toFixed(2));
  return out;
}

const serveAt = process.argv.indexOf('--serve');
if (process.argv.includes('--sandbox')) {
  void sandboxMain();
} else if (serveAt !== -1) {
  void childMain(process.argv[serveAt + 1] as Kind);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(
    `body: ${bodyFile}; cpus: ${cpus().length}; load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const results = await benchReceiver();
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(32)} ${v}`);
  const ok =
    (results['ratio.rhythm_over_bare'] ?? 0) >= 0.5 &&
    (results['ratio.rhythm_over_express'] ?? 0) >= 1 &&
    (results['rhythm.p99_ms'] ?? Infinity) <= 15;
  console.log(`targets (c/a >= 0.5, c/b >= 1.0, p99 <= 15 ms): ${ok ? 'met' : 'NOT met'}`);
}
