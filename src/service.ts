// `rhythm serve`: the receiver, the worker and the timers, wired to one store and one door.
import { chatUnavailable } from './chat/send.js';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { RhythmConfig } from './config/types.js';
import { CREATES_PER_MINUTE } from './config/schema-source.js';
import { createDoor, type AssigneeFacts, type CountingDoor } from './gitlab/door.js';
import { gitlabUnavailable, Transport, type TransportOptions } from './gitlab/transport.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { deliveryLog, type Logger } from './observability/log.js';
import type { ClaimedJob, Store } from './queue/contract.js';
import { openStore } from './queue/open.js';
import type { SqliteSynchronous } from './queue/sqlite.js';
import { createReceiver, listen, type ReadyReport } from './webhook/receiver.js';
import { ColumnCache } from './engine/column-cache.js';
import type { ListedIssues } from './engine/handler.js';
import { runJob, type JobOutcome } from './engine/run-job.js';
import { cardKeys, planSweep, seedColumns, servedColumnKeepsMs } from './engine/sweep.js';
import { Worker } from './engine/worker.js';
import { HookMonitor } from './hooks/monitor.js';
import { RememberedBaselines } from './queue/baselines.js';
import { meetBoards } from './handlers/onboarding/baseline.js';
import { withCalendarFeeds } from './handlers/calendar/route.js';

export interface ServiceOptions {
  config: RhythmConfig;
  configDir: string;
  log: Logger;
  secret: string | undefined;
  /** During a secret rotation, the old secret (RHYTHM_WEBHOOK_SECRET_PREVIOUS): accepted too. */
  previousSecret?: string;
  /** How often the hooks' state is read from GitLab (default 0: never; `rhythm serve` reads it every 5 min, RHYTHM_HOOK_CHECK_MS). */
  hookCheckMs?: number;
  databaseUrl: string | undefined;
  /** SQLite's synchronous level for the store's commits (RHYTHM_SQLITE_SYNCHRONOUS; default 'full'). */
  sqliteSynchronous?: SqliteSynchronous;
  port: number;
  host?: string;
  cwd?: string;
  workerId?: string;
  concurrency?: number;
  /** Sweep once at start (default true) — catches what happened while Rhythm was down. */
  sweepOnStart?: boolean;
  /** What the start checks learned of each project's assignees (GitLab Free keeps one). */
  assignees?: AssigneeFacts;
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
  transport?: Pick<TransportOptions, 'retries' | 'minBackoffMs' | 'maxBackoffMs' | 'timeoutMs' | 'createLimits' | 'createWindowMs'>;
  /** The clock rules judge by ("today" for due dates and reminders); tests move it. */
  clock?: () => Date;
  /** How long stop() may take in all (default 10 s): see Service.stop. */
  shutdownGraceMs?: number;
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
  /**
   * Put on the queue the cards that changed since the last sweep, those whose date has come and
   * the dead ones (every open card when `full`, or when the memory cannot tell); the timer does
   * this when this replica leads. Resolves to the number of keys.
   */
  sweep(opts?: { full?: boolean }): Promise<number>;
  /**
   * Whether a timer pass (the start sweep, a timed sweep, the prune) is running now: its sweep
   * has not put its cards on the queue yet, so an empty queue does not mean the work is done.
   */
  timerBusy(): boolean;
  /**
   * Stop accepting, finish or give back work in hand, close the store: all within about graceMs
   * (default: shutdownGraceMs), whatever is waiting (a job stuck behind a long Retry-After, a
   * client that never finishes its request, a sweep in progress).
   */
  stop(graceMs?: number): Promise<void>;
}

const LEADER_TTL_MS = 30_000;
/** After a burst of deliveries, how long the worker keeps to one job at a time. */
const BURST_HOLD_MS = 1000;
/** Longest a readiness check waits for GitLab or the database before it answers anyway. */
const READY_TIMEOUT_MS = 2000;

/** `work`'s outcome, or a rejection with `message` once `ms` have passed (the work goes on, unobserved). */
function within<T>(ms: number, work: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Resolves true when `done` settles within `ms`, false otherwise. */
function settlesWithin(ms: number, done: Promise<unknown>): Promise<boolean> {
  return within(
    ms,
    done.then(
      () => true,
      () => true,
    ),
    'late',
  ).catch(() => false);
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function startService(opts: ServiceOptions): Promise<Service> {
  const { config, log } = opts;
  if (!opts.secret) {
    throw new Error('RHYTHM_WEBHOOK_SECRET is not set: Rhythm will not accept webhooks without a secret token');
  }
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const store = await openStore(opts.databaseUrl, opts.cwd ?? process.cwd(), { synchronous: opts.sqliteSynchronous ?? 'full' });
  // What the commits really run at, read back from SQLite: a power cut loses nothing only at FULL.
  if (store.sqliteSynchronous) log.info({ synchronous: await store.sqliteSynchronous() }, 'SQLite store opened');
  const metrics = createMetrics();
  metrics.watchQueue(() => store.stats(Date.now()));
  // A dead key never stays silent: its next delivery or wake revives it. Say so, and count it.
  store.onRevive((key, by) => {
    metrics.revived.inc({ by });
    log.info({ key, by }, 'a dead job is back on the queue');
  });

  const transport = new Transport({
    // Creates are paced below GitLab's application limits (their 429s carry no RateLimit-*).
    createLimits: config.gitlab.createsPerMinute ?? CREATES_PER_MINUTE,
    ...opts.transport,
    log,
    onCall: ({ method, route, status }) => metrics.gitlabCalls.inc({ method, route, status: String(status) }),
  });
  const door = createDoor({
    url: config.gitlab.url,
    token: config.gitlab.token,
    log,
    transport,
    ...(opts.assignees ? { assignees: opts.assignees } : {}),
  });
  const columns = new ColumnCache();
  // The cards the last sweep listed, until their jobs read them (a job with no delivery needs no GET).
  const listed: ListedIssues = new Map();
  // Cards a full sweep named: read in full whatever the memory says.
  const fullReads = new Set<string>();

  // Readiness answers within READY_TIMEOUT_MS whatever GitLab or the database do, and says why
  // it is not ready. A Retry-After in force is reported at once, without a call: no call may be
  // sent before it ends, and waiting it out (up to the transport's 5 minutes) would hang /readyz.
  const blockedReason = (): string | null => {
    const wait = transport.blockedUntil - Date.now();
    if (wait <= 0) return null;
    return `GitLab asked Rhythm to wait ${Math.ceil(wait / 1000)} s (Retry-After, until ${new Date(transport.blockedUntil).toISOString()}); no call is sent before then`;
  };
  const checkGitlab = async (): Promise<void> => {
    const blocked = blockedReason();
    if (blocked) throw new Error(blocked);
    const call = new AbortController();
    // Polled while the call runs: the call itself may be the one that meets the 429.
    const watch = setInterval(() => {
      if (blockedReason()) call.abort(new Error(blockedReason() ?? ''));
    }, 25);
    const timer = setTimeout(
      () => call.abort(new Error(`GitLab did not answer GET /user within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
    try {
      await door.forEvent({ signal: call.signal }).currentUser();
    } finally {
      clearInterval(watch);
      clearTimeout(timer);
    }
  };
  let gitlabOkUntil = 0;
  let hookMonitor: HookMonitor | null = null;
  let lastReady: { ok: boolean; reasons: string } | null = null;
  const ready = async (): Promise<ReadyReport> => {
    const checks = { database: false, gitlab: false };
    const reasons: Record<string, string> = {};
    const [database, gitlab] = await Promise.allSettled([
      within(READY_TIMEOUT_MS, store.ping(), `the database did not answer within ${READY_TIMEOUT_MS / 1000} s`),
      // One cheap call at most every 15 s: /readyz may be polled often.
      Date.now() <= gitlabOkUntil && !blockedReason() ? Promise.resolve() : checkGitlab(),
    ]);
    if (database.status === 'fulfilled') checks.database = true;
    else reasons.database = errorText(database.reason);
    if (gitlab.status === 'fulfilled') {
      checks.gitlab = true;
      if (Date.now() > gitlabOkUntil) gitlabOkUntil = Date.now() + 15_000;
    } else {
      gitlabOkUntil = 0;
      reasons.gitlab = errorText(gitlab.reason);
    }
    const ok = checks.database && checks.gitlab;
    // A disabled hook is said, but does not make the replica unready (see README, "Webhooks").
    const hooks = hookMonitor?.reason();
    if (hooks) reasons.hooks = hooks;
    // One line when readiness changes (or its reasons do), not one per probe.
    const said = JSON.stringify(reasons);
    if (!lastReady || lastReady.ok !== ok || lastReady.reasons !== said) {
      if (ok) log.info({ checks }, 'ready');
      else log.error({ checks, reasons }, 'not ready');
    }
    lastReady = { ok, reasons: said };
    return Object.keys(reasons).length === 0 ? { ok, checks } : { ok, checks, reasons };
  };

  const projects = new Set<string>(config.boards.map((b) => b.project));
  if (config.signups) projects.add(config.signups.project);
  if (config.programs) projects.add(config.programs.project);

  // Read once per board and process: a recorded baseline never changes.
  const baselines = new RememberedBaselines(store.baselines);
  await meetBoards(config, baselines, store.memory);
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
        memory: store.memory,
        baselines,
        chat: store.chat,
        listed,
        fullRead: fullReads.delete(job.key),
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
    unavailable: (err) => gitlabUnavailable(err) ?? chatUnavailable(err),
    onResult: (result) => metrics.jobs.inc({ outcome: result }),
    // In a burst of deliveries, and for a while after it, one job at a time (#13). The number in
    // flight alone flickers under load (requests still in the socket's buffer are not counted), so
    // the worker took its full concurrency between two requests; the burst's last moment does not.
    yieldTo: () => Date.now() - receiver.lastBurstAt() < BURST_HOLD_MS,
  });

  const receiver = createReceiver({
    store,
    secret: opts.secret,
    ...(opts.previousSecret && opts.previousSecret !== opts.secret ? { previousSecret: opts.previousSecret } : {}),
    projects,
    botUsername: config.gitlab.botUsername,
    log,
    metrics,
    ready,
    onStored: () => worker.wake(),
  });

  // Aborted when stop() begins: a sweep's GitLab calls (which may wait out a Retry-After) end at
  // once; the keys it had not put on the queue yet are the next sweep's.
  const stopping = new AbortController();
  // The sweep's mark is set once its keys are on the queue: they are durable there, and a card
  // whose job fails for good is parked dead, which the next sweep revives.
  const sweep = async (o: { full?: boolean } = {}) => {
    const plan = await planSweep(door.forEvent({ signal: stopping.signal }), config, {
      memory: store.memory,
      full: o.full === true,
      now: opts.clock ? opts.clock() : new Date(),
    });
    const dead = cardKeys(
      (await store.dead()).map((d) => d.key),
      config,
    );
    const keys = [...new Set([...plan.keys, ...dead])];
    // What the previous sweep listed is older than this one's listing.
    listed.clear();
    fullReads.clear();
    seedColumns(plan, columns, opts.clock ? opts.clock() : new Date(), servedColumnKeepsMs(config.sweep.intervalMinutes, store.kind));
    for (const [key, entry] of plan.listed) listed.set(key, entry);
    for (const key of plan.fullRead) fullReads.add(key);
    const now = Date.now();
    for (const key of keys) await store.enqueue(key, now);
    await plan.complete();
    worker.wake();
    log.info({ keys: keys.length, boards: plan.boards }, 'sweep: the cards that changed, are due or were dead are on the queue');
    return keys.length;
  };

  // Timers run on one replica only: the one holding the leadership lease.
  let nextSweep = opts.sweepOnStart === false ? Date.now() + config.sweep.intervalMinutes * 60_000 : 0;
  let nextPrune = 0;
  let timerBusy = false;
  let ticking: Promise<void> = Promise.resolve();
  const tick = async () => {
    if (timerBusy || stopping.signal.aborted) return;
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
      if (!stopping.signal.aborted) log.warn({ err: (err as Error).message }, 'timer pass failed; will try again');
    } finally {
      timerBusy = false;
    }
  };
  const runTick = () => {
    ticking = tick();
  };
  const timer = setInterval(runTick, Math.min(10_000, LEADER_TTL_MS / 3));
  timer.unref();

  // Every replica watches the hooks (its own /readyz and /metrics say it); the leader's sweep
  // picks up what a hook that came back had missed.
  const hookCheckMs = opts.hookCheckMs ?? 0;
  hookMonitor = new HookMonitor({
    door: door.forEvent({ signal: stopping.signal }),
    projects: [...projects],
    log,
    registry: metrics.registry,
    onRecovered: () => {
      nextSweep = 0;
      runTick();
    },
  });
  const checkHooks = () => void hookMonitor?.check().catch(() => undefined);
  const hookTimer = hookCheckMs > 0 ? setInterval(checkHooks, hookCheckMs) : null;
  hookTimer?.unref();

  // GET /calendar/<board id>.ics: the boards' feeds, read-only (handlers/calendar/route.ts).
  const feeds = withCalendarFeeds(
    { config, configDir: opts.configDir, gitlab: door, log, now: () => opts.clock?.() ?? new Date() },
    receiver.handler,
  );
  const server = await listen(feeds, opts.port, opts.host ?? '0.0.0.0');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  worker.start();
  runTick();
  if (hookTimer) checkHooks();
  log.info({ port, workerId, store: store.kind, dryRun: config.dryRun }, 'rhythm is serving');

  let stopped: Promise<void> | null = null;
  const stop = (graceMs = opts.shutdownGraceMs ?? 10_000) =>
    (stopped ??= (async () => {
      // The grace is the whole budget. Jobs get most of it; aborting the late ones and waiting for
      // them to end gets two short slices; closing the store gets the last one.
      const abortWaitMs = Math.min(2000, Math.max(100, graceMs / 10));
      const reserveMs = Math.min(1000, Math.max(100, graceMs / 10));
      const jobsMs = Math.max(0, graceMs - 2 * abortWaitMs - reserveMs);
      clearInterval(timer);
      if (hookTimer) clearInterval(hookTimer);
      stopping.abort(new Error('rhythm is stopping'));
      // Stop accepting first: GitLab's deliveries from now on fail fast and are covered by the
      // next sweep; nothing acknowledged is lost because acknowledged means stored. Requests in
      // flight may finish while jobs do; a client still sending after that is cut off.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const serverDone = (async () => {
        if (await settlesWithin(jobsMs + 2 * abortWaitMs, closed)) return;
        log.warn({ graceMs }, 'requests still open at the end of the grace; closing their connections');
        server.closeAllConnections();
        await settlesWithin(reserveMs / 2, closed);
      })();
      await Promise.all([worker.stop(jobsMs, abortWaitMs), serverDone]);
      if (!(await settlesWithin(reserveMs / 2, ticking))) log.warn({}, 'a timer pass was still running; left to end on its own');
      // Hand the timers over at once instead of making the next replica wait out the lease.
      await settlesWithin(reserveMs / 2, store.lead('timers', workerId, 0, Date.now()));
      if (!(await settlesWithin(reserveMs, store.close()))) log.error({}, 'the store did not close within the grace');
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
    timerBusy: () => timerBusy,
    stop,
  };
}
