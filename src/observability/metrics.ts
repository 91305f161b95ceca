// Prometheus metrics for the whole service, one registry per process (tests make their own).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const deliveryResults = [
  'stored',
  'duplicate',
  'ignored',
  'unauthorized',
  'invalid',
  'unsupported_media',
  'too_large',
  'bad_json',
  'error',
] as const;
export type DeliveryResult = (typeof deliveryResults)[number];

export const jobOutcomes = ['done', 'retry', 'unavailable', 'dead', 'released'] as const;
export type JobOutcome = (typeof jobOutcomes)[number];

export type QueueState = 'pending' | 'running' | 'dead';

/** What brought a dead key back to the queue (the store's RevivedBy). */
export const reviveCauses = ['delivery', 'wake'] as const;

/** What the queue gauges need at scrape time; `Store.stats(now)` returns a superset. */
export interface QueueSnapshot {
  pending: number;
  running: number;
  dead: number;
  /** Pending jobs that failed before, waiting out their retry or due for it (absent: not tracked). */
  retrying?: number;
  oldestPendingAgeMs: number;
}

export interface Metrics {
  registry: Registry;
  deliveries: Counter<'result'>;
  queueDepth: Gauge<'state'>;
  queueOldestAge: Gauge<'state'>;
  /** Pending jobs that failed before: during a GitLab outage, every card it touched. */
  queueRetrying: Gauge<string>;
  /** Dead keys made pending again by a new delivery or a wake (sweep, timer). */
  revived: Counter<'by'>;
  jobs: Counter<'outcome'>;
  gitlabCalls: Counter<'method' | 'route' | 'status'>;
  reconcileSeconds: Histogram<string>;
  /** Hand the gauges a source for queue figures, read on every scrape. */
  watchQueue(read: () => Promise<QueueSnapshot> | QueueSnapshot): void;
}

export function createMetrics(opts: { prefix?: string; defaultMetrics?: boolean } = {}): Metrics {
  const prefix = opts.prefix ?? 'rhythm_';
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });

  let readQueue: (() => Promise<QueueSnapshot> | QueueSnapshot) | null = null;

  const deliveries = new Counter({
    name: `${prefix}webhook_deliveries_total`,
    help: 'Webhook deliveries received, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  // Zero every result up front so dashboards and rate() see the series before the first event.
  for (const result of deliveryResults) deliveries.inc({ result }, 0);

  // Both gauges come from one stats read per scrape: the registry collects metrics in
  // parallel, so the first collect starts the read and the other joins it.
  let inflight: Promise<QueueSnapshot | null> | null = null;
  const readOnce = (): Promise<QueueSnapshot | null> => {
    inflight ??= (async () => (readQueue ? await readQueue() : null))()
      // A failing database must not break the scrape; the last figures stay, /readyz reports it.
      .catch(() => null)
      .finally(() => {
        inflight = null;
      });
    return inflight;
  };

  const queueDepth = new Gauge({
    name: `${prefix}queue_jobs`,
    help: 'Jobs in the work queue, by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const s = await readOnce();
      if (!s) return;
      this.set({ state: 'pending' }, s.pending);
      this.set({ state: 'running' }, s.running);
      this.set({ state: 'dead' }, s.dead);
    },
  });
  const queueOldestAge = new Gauge({
    name: `${prefix}queue_oldest_age_seconds`,
    help: 'Age of the oldest job in a state (only pending is tracked by the store)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const s = await readOnce();
      if (s) this.set({ state: 'pending' }, s.oldestPendingAgeMs / 1000);
    },
  });

  const queueRetrying = new Gauge({
    name: `${prefix}queue_retrying_jobs`,
    help: 'Pending jobs that failed before and wait out (or are due for) their retry; an outage keeps them here, never dead',
    registers: [registry],
    async collect() {
      const s = await readOnce();
      if (s?.retrying !== undefined) this.set(s.retrying);
    },
  });

  const revived = new Counter({
    name: `${prefix}queue_revived_total`,
    help: 'Dead keys made pending again by a new delivery or a wake (sweep, timer, follow-up), by cause',
    labelNames: ['by'] as const,
    registers: [registry],
  });
  for (const by of reviveCauses) revived.inc({ by }, 0);

  const jobs = new Counter({
    name: `${prefix}jobs_total`,
    help: 'Finished job runs, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of jobOutcomes) jobs.inc({ outcome }, 0);

  const gitlabCalls = new Counter({
    name: `${prefix}gitlab_calls_total`,
    help: 'Calls made to the GitLab API, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });

  const reconcileSeconds = new Histogram({
    name: `${prefix}reconcile_seconds`,
    help: 'Time to reconcile one key',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  return {
    registry,
    deliveries,
    queueDepth,
    queueOldestAge,
    queueRetrying,
    revived,
    jobs,
    gitlabCalls,
    reconcileSeconds,
    watchQueue(read) {
      readQueue = read;
    },
  };
}
