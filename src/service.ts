// `rhythm serve`: the receiver, the worker and the timers, wired to one store and one door.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { RhythmConfig } from './config/types.js';
import { createDoor, type CountingDoor } from './gitlab/door.js';
import { gitlabUnavailable, Transport, type TransportOptions } from './gitlab/transport.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { deliveryLog, type Logger } from './observability/log.js';
import type { ClaimedJob, Store } from './queue/contract.js';
import { openStore } from './queue/open.js';
import { createReceiver, listen } from './webhook/receiver.js';
import { ColumnCache } from './engine/column-cache.js';
import { runJob, type JobOutcome } from './engine/run-job.js';
import { sweepKeys } from './engine/sweep.js';
import { Worker } from './engine/worker.js';

export interface ServiceOptions {
  config: RhythmConfig;
  configDir: string;
  log: Logger;
  secret: string | undefined;
  databaseUrl: string | undefined;
  port: number;
  host?: string;
  cwd?: string;
  workerId?: string;
  concurrency?: number;
  /** Sweep once at start (default true) — catches what happened while Rhythm was down. */
  sweepOnStart?: boolean;
  /** Worker lease (default 60 s): how long a dead replica's work waits before another takes it. */
  leaseMs?: number;
  pollMs?: number;
  /** First retry delay of a failed job (doubles each time, with jitter). */
  backoffBaseMs?: number;
  /** Longest retry delay (default 5 min): while GitLab is down, each card is retried this often. */
  backoffMaxMs?: number;
  /** Failures other than GitLab being unavailable before a job is parked dead (default 8). */
  maxAttempts?: number;
  /** The transport's own per-call retries (tests shorten them). */
  transport?: Pick<TransportOptions, 'retries' | 'minBackoffMs' | 'maxBackoffMs' | 'timeoutMs'>;
  /** The clock rules judge by ("today" for due dates and reminders); tests move it. */
  clock?: () => Date;
  /** Called after each job, for tests and benchmarks. */
  onJob?: (outcome: JobOutcome | { key: string; error: string }, job: ClaimedJob) => void;
}

export interface Service {
  url: string;
  port: number;
  server: Server;
  store: Store;
  metrics: Metrics;
  door: CountingDoor;
  worker: Worker;
  /** Put every open card's key on the queue (the timer does this when this replica leads). */
  sweep(): Promise<number>;
  /** Stop accepting, finish or give back work in hand, close the store. */
  stop(graceMs?: number): Promise<void>;
}

const LEADER_TTL_MS = 30_000;

export async function startService(opts: ServiceOptions): Promise<Service> {
  const { config, log } = opts;
  if (!opts.secret) {
    throw new Error('RHYTHM_WEBHOOK_SECRET is not set: Rhythm will not accept webhooks without a secret token');
  }
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const store = await openStore(opts.databaseUrl, opts.cwd ?? process.cwd());
  const metrics = createMetrics();
  metrics.watchQueue(() => store.stats(Date.now()));
  // A dead key never stays silent: its next delivery or wake revives it. Say so, and count it.
  store.onRevive((key, by) => {
    metrics.revived.inc({ by });
    log.info({ key, by }, 'a dead job is back on the queue');
  });

  const transport = new Transport({
    ...opts.transport,
    log,
    onCall: ({ method, route, status }) => metrics.gitlabCalls.inc({ method, route, status: String(status) }),
  });
  const door = createDoor({ url: config.gitlab.url, token: config.gitlab.token, log, transport });
  const columns = new ColumnCache();

  let gitlabOkUntil = 0;
  const ready = async () => {
    const checks = { database: false, gitlab: false };
    try {
      await store.ping();
      checks.database = true;
    } catch {
      /* reported below */
    }
    try {
      // One cheap call at most every 15 s: /readyz may be polled often.
      if (Date.now() > gitlabOkUntil) {
        await door.currentUser();
        gitlabOkUntil = Date.now() + 15_000;
      }
      checks.gitlab = true;
    } catch {
      gitlabOkUntil = 0;
    }
    return { ok: checks.database && checks.gitlab, checks };
  };

  const projects = new Set<string>(config.boards.map((b) => b.project));
  if (config.signups) projects.add(config.signups.project);

  const run = async (job: ClaimedJob, signal: AbortSignal) => {
    const last = job.deliveries[job.deliveries.length - 1];
    const jobLog = deliveryLog(log, last?.deliveryId ?? null).child({ key: job.key });
    const stopTimer = metrics.reconcileSeconds.startTimer();
    try {
      const outcome = await runJob(job.key, job.deliveries, {
        config,
        configDir: opts.configDir,
        door,
        log: jobLog,
        now: opts.clock ? opts.clock() : new Date(),
        columns,
        enqueue: (key, delayMs) => store.enqueue(key, Date.now(), delayMs),
        signal,
      });
      opts.onJob?.(outcome, job);
      return outcome;
    } catch (err) {
      opts.onJob?.({ key: job.key, error: (err as Error).message }, job);
      throw err;
    } finally {
      stopTimer();
    }
  };

  const worker = new Worker({
    store,
    workerId,
    log,
    run,
    concurrency: opts.concurrency ?? 4,
    leaseMs: opts.leaseMs ?? 60_000,
    pollMs: opts.pollMs ?? 250,
    backoffBaseMs: opts.backoffBaseMs ?? 1000,
    backoffMaxMs: opts.backoffMaxMs ?? 5 * 60_000,
    maxAttempts: opts.maxAttempts ?? 8,
    // GitLab down, unreachable or rate limiting: retried for as long as it lasts, never dead.
    unavailable: gitlabUnavailable,
    onResult: (result) => metrics.jobs.inc({ outcome: result }),
  });

  const receiver = createReceiver({
    store,
    secret: opts.secret,
    projects,
    botUsername: config.gitlab.botUsername,
    log,
    metrics,
    ready,
    onStored: () => worker.wake(),
  });

  const sweep = async () => {
    const keys = await sweepKeys(door, config);
    const now = Date.now();
    for (const key of keys) await store.enqueue(key, now);
    worker.wake();
    log.info({ keys: keys.length }, 'sweep: every open card is on the queue');
    return keys.length;
  };

  // Timers run on one replica only: the one holding the leadership lease.
  let nextSweep = opts.sweepOnStart === false ? Date.now() + config.sweep.intervalMinutes * 60_000 : 0;
  let nextPrune = 0;
  let timerBusy = false;
  const tick = async () => {
    if (timerBusy) return;
    timerBusy = true;
    try {
      const leading = await store.lead('timers', workerId, LEADER_TTL_MS, Date.now());
      if (leading && Date.now() >= nextPrune) {
        // Processed deliveries are kept a week for dedup (GitLab's "Resend request" reuses the key).
        nextPrune = Date.now() + 6 * 3600_000;
        const pruned = await store.prune(Date.now() - 7 * 24 * 3600_000);
        if (pruned > 0) log.info({ pruned }, 'pruned old processed deliveries');
      }
      if (leading && Date.now() >= nextSweep && (nextSweep === 0 || config.sweep.intervalMinutes > 0)) {
        nextSweep = Date.now() + Math.max(1, config.sweep.intervalMinutes) * 60_000;
        await sweep();
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'timer pass failed; will try again');
    } finally {
      timerBusy = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.min(10_000, LEADER_TTL_MS / 3));
  timer.unref();

  const server = await listen(receiver.handler, opts.port, opts.host ?? '0.0.0.0');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  worker.start();
  void tick();
  log.info({ port, workerId, store: store.kind, dryRun: config.dryRun }, 'rhythm is serving');

  let stopped: Promise<void> | null = null;
  const stop = (graceMs = 10_000) =>
    (stopped ??= (async () => {
      clearInterval(timer);
      // Stop accepting first: GitLab's deliveries from now on fail fast and are covered by the
      // next sweep; nothing acknowledged is lost because acknowledged means stored.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections?.();
      });
      await worker.stop(graceMs);
      // Hand the timers over at once instead of making the next replica wait out the lease.
      await store.lead('timers', workerId, 0, Date.now()).catch(() => undefined);
      await store.close();
      log.info({}, 'rhythm stopped');
    })());

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    store,
    metrics,
    door,
    worker,
    sweep,
    stop,
  };
}
