// The one-shot commands (`rhythm sweep`, `rhythm generate`) run their keys through the same
// worker, runner and executor as `rhythm serve`, on a private in-memory queue (queue/memory.ts:
// no database, no native module, for a pipeline job): keys are serialized and retried alike, and
// the command ends when the queue is empty.
import { openMemoryStore } from '../queue/memory.js';
import type { ClaimedJob } from '../queue/contract.js';
import type { GIssue } from '../gitlab/types.js';
import { runJob, type JobDeps, type JobOutcome } from './run-job.js';
import { Worker } from './worker.js';

export interface OnceOptions {
  /** Attempts per key before it counts as failed (GitLab refusals fail fast this way). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** Each finished key, as it finishes. */
  onOutcome?(outcome: JobOutcome): void;
  onFailure?(key: string, error: string): void;
}

export interface OnceReport {
  outcomes: JobOutcome[];
  failed: { key: string; error: string }[];
}

export async function runOnce(
  keys: readonly string[],
  deps: Omit<JobDeps, 'enqueue' | 'now'> & { clock?: () => Date },
  opts: OnceOptions = {},
): Promise<OnceReport> {
  const store = await openMemoryStore();
  const report: OnceReport = { outcomes: [], failed: [] };
  // Keys still waiting for their turn: a follow-up for one of them is done then, once.
  const waiting = new Set(keys);
  const lastError = new Map<string, string>();
  const listings = new Map<string, Promise<GIssue[]>>();
  const run = async (job: ClaimedJob, signal: AbortSignal) => {
    waiting.delete(job.key);
    let outcome: JobOutcome;
    try {
      outcome = await runJob(job.key, job.deliveries, {
        ...deps,
        listings,
        now: deps.clock ? deps.clock() : new Date(),
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
      throw err;
    }
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
