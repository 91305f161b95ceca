// The one-shot commands (`rhythm sweep`, `rhythm generate`) run their keys through the same
// worker, runner and executor as `rhythm serve`, on a private in-memory queue (queue/memory.ts:
// no database, no native module, for a pipeline job): keys are serialized and retried alike, and
// the command ends when the queue is empty. Given the service's own store (`shared`), each key is
// also leased there for its run, exactly as a worker of `rhythm serve` leases it, so a key is
// never worked by the command and the service at once; a key the service holds is left to it.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { openMemoryStore } from '../queue/memory.js';
import type { ClaimedJob, Store, StoredDelivery } from '../queue/contract.js';
import type { GIssue } from '../gitlab/types.js';
import type { Logger } from '../observability/log.js';
import { runJob, type JobDeps, type JobOutcome } from './run-job.js';
import { Worker } from './worker.js';

export interface OnceOptions {
  /** Attempts per key before it counts as failed (GitLab refusals fail fast this way). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** Each finished key, as it finishes. */
  onOutcome?(outcome: JobOutcome): void;
  onFailure?(key: string, error: string): void;
  /**
   * The service's store (the configured database): each key is leased there while it runs, so
   * the service never works it at the same time. Absent: the private queue alone.
   */
  shared?: Store;
  /** Lease on the shared store (default 60 s, renewed while the key runs). */
  leaseMs?: number;
  /** A key left to the process that holds it in the shared store. */
  onLeftToHolder?(key: string): void;
  /** Keys to re-read in full whatever the memory says (a board's full sweep). */
  fullRead?: ReadonlySet<string>;
}

export interface OnceReport {
  outcomes: JobOutcome[];
  failed: { key: string; error: string }[];
  /** Keys another process held in the shared store: woken there, so it runs them again. */
  leftToHolder: string[];
}

export async function runOnce(
  keys: readonly string[],
  deps: Omit<JobDeps, 'enqueue' | 'now'> & { clock?: () => Date },
  opts: OnceOptions = {},
): Promise<OnceReport> {
  const store = await openMemoryStore();
  const report: OnceReport = { outcomes: [], failed: [], leftToHolder: [] };
  const leases = opts.shared ? new SharedLeases(opts.shared, opts.leaseMs ?? 60_000, deps.log) : null;
  // Keys still waiting for their turn: a follow-up for one of them is done then, once.
  const waiting = new Set(keys);
  const lastError = new Map<string, string>();
  const listings = new Map<string, Promise<GIssue[]>>();
  const run = async (job: ClaimedJob, signal: AbortSignal) => {
    waiting.delete(job.key);
    const lease = leases ? await leases.take(job.key) : null;
    if (lease === 'held') {
      report.leftToHolder.push(job.key);
      opts.onLeftToHolder?.(job.key);
      return;
    }
    let outcome: JobOutcome;
    try {
      outcome = await runJob(job.key, lease ? lease.deliveries : job.deliveries, {
        ...deps,
        listings,
        now: deps.clock ? deps.clock() : new Date(),
        fullRead: deps.fullRead === true || opts.fullRead?.has(job.key) === true,
        // Follow-ups run at once rather than after a debounce: the command is the whole burst.
        enqueue: async (key) => {
          if (!waiting.has(key)) await store.enqueue(key, Date.now());
        },
        signal,
      });
    } catch (err) {
      // A retry reads GitLab afresh: what failed may have been written after all.
      listings.clear();
      lastError.set(job.key, (err as Error).message);
      // Given back to the shared store as it was: this command retries it, or the service does.
      if (lease) await leases!.giveBack(lease);
      throw err;
    }
    if (lease) await leases!.done(lease);
    report.outcomes.push(outcome);
  };
  const worker = new Worker({
    store,
    workerId: 'once',
    log: deps.log,
    run,
    concurrency: 1,
    pollMs: 10,
    maxAttempts: opts.maxAttempts ?? 3,
    backoffBaseMs: opts.backoffBaseMs ?? 250,
    onResult: (result, _ms, job) => {
      if (result === 'done') {
        const outcome = report.outcomes.findLast((o) => o.key === job.key);
        if (outcome) opts.onOutcome?.(outcome);
      }
      if (result !== 'dead') return;
      const error = lastError.get(job.key) ?? 'failed';
      report.failed.push({ key: job.key, error });
      opts.onFailure?.(job.key, error);
    },
  });
  try {
    // Spread by a millisecond each, so they run in the order given (earliest due first).
    const start = Date.now();
    for (const [i, key] of keys.entries()) await store.enqueue(key, start + i - keys.length);
    worker.start();
    for (;;) {
      await new Promise((r) => setTimeout(r, 10));
      const stats = await store.stats(Date.now());
      if (stats.pending === 0 && stats.running === 0 && worker.busy === 0) break;
    }
  } finally {
    await worker.stop();
    await store.close();
  }
  return report;
}

/** A key leased in the shared store for one run: its claim, and the lease kept alive meanwhile. */
interface SharedLease {
  job: ClaimedJob;
  /** The deliveries the service stored for the key and not yet processed: this run handles them. */
  deliveries: StoredDelivery[];
  stopRenewing: () => void;
}

/**
 * Leases keys one at a time in the service's store, through the same claim a worker of
 * `rhythm serve` makes, so the store's guarantee (one lease per key, across processes) covers
 * the command too. The key is woken due before every other due job and claimed; a claim that
 * returns another key gives it straight back. When the key cannot be claimed, another process
 * holds it (running, or waiting out its retry): the wake made it run once more after, there.
 */
class SharedLeases {
  private readonly workerId = `${hostname()}:${process.pid}:once:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly store: Store,
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {}

  async take(key: string): Promise<SharedLease | 'held' | null> {
    // Twice at most: a second look covers a tie with a key woken the same way at the same instant;
    // more would only take and give back the service's own due work while it holds this key.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const now = Date.now();
      // Due just before the longest-waiting job, so the claim below picks this key first without
      // making the queue look older than it is.
      const { oldestPendingAgeMs } = await this.store.stats(now);
      await this.store.enqueue(key, now - oldestPendingAgeMs - 1);
      const [job] = await this.store.claim(this.workerId, 1, this.leaseMs, Date.now());
      if (!job) break;
      if (job.key === key) return { job, deliveries: job.deliveries, stopRenewing: this.renew(job) };
      // Another key came first (it was woken at the same instant): not ours to run.
      await this.store.release(job, Date.now());
    }
    // A dead key is parked: nobody runs it, so running it here races no one.
    if ((await this.store.dead()).some((d) => d.key === key)) return null;
    this.log.info({ key }, 'another process holds this key in the shared store; it runs it again after its current run');
    return 'held';
  }

  async done(lease: SharedLease): Promise<void> {
    lease.stopRenewing();
    await this.store.complete(lease.job, Date.now());
  }

  async giveBack(lease: SharedLease): Promise<void> {
    lease.stopRenewing();
    await this.store.release(lease.job, Date.now()).catch((err: unknown) => {
      this.log.warn({ key: lease.job.key, err: (err as Error).message }, 'could not give the key back; its lease will expire');
    });
  }

  /** Renews every third of the lease until stopped, as the service's worker does. */
  private renew(job: ClaimedJob): () => void {
    const timer = setInterval(
      () => {
        this.store.renew(job, this.leaseMs, Date.now()).then(
          (held) => {
            if (!held) this.log.warn({ key: job.key }, 'lost the lease on the shared store while the key ran');
          },
          (err: unknown) => this.log.warn({ key: job.key, err: (err as Error).message }, 'could not renew the lease; will try again'),
        );
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    return () => clearInterval(timer);
  }
}
