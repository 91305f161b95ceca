// Takes due keys from the store and runs them, a few at a time. The store guarantees a key is
// never leased twice at once (across processes too); the worker renews leases of long jobs,
// retries failures with exponential backoff and jitter, parks a job as dead after maxAttempts,
// and on stop finishes what it has in hand (or gives it back) before resolving.
import type { ClaimedJob, Store } from '../queue/contract.js';
import type { Logger } from './reconcile.js';

export type JobResult = 'done' | 'retry' | 'dead' | 'released';

export interface WorkerOptions {
  store: Store;
  workerId: string;
  log: Logger;
  run: (job: ClaimedJob) => Promise<unknown>;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  onResult?: (result: JobResult, ms: number, job: ClaimedJob) => void;
  now?: () => number;
  random?: () => number;
}

/** Delay before retry n (0-based): exponential, capped, with "equal jitter" so retries spread out. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class Worker {
  private running = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly o: Required<Omit<WorkerOptions, 'onResult'>> & Pick<WorkerOptions, 'onResult'>;

  constructor(options: WorkerOptions) {
    this.o = {
      concurrency: 4,
      leaseMs: 60_000,
      pollMs: 250,
      maxAttempts: 8,
      backoffBaseMs: 1000,
      backoffMaxMs: 5 * 60_000,
      now: Date.now,
      random: Math.random,
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.claimLoop();
  }

  /** New work was stored: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /** Stop claiming; wait up to graceMs for jobs in hand, then give the rest back. */
  async stop(graceMs = 10_000): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    const all = Promise.all(this.inFlight.values());
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((r) => {
      timer = setTimeout(r, graceMs);
    });
    await Promise.race([all, grace]);
    // Cleared, so an idle process exits as soon as its work is done, not when the grace ends.
    clearTimeout(timer);
  }

  private async claimLoop(): Promise<void> {
    while (this.running) {
      const room = this.o.concurrency - this.inFlight.size;
      let claimed: ClaimedJob[] = [];
      if (room > 0) {
        try {
          claimed = await this.o.store.claim(this.o.workerId, room, this.o.leaseMs, this.o.now());
        } catch (err) {
          this.o.log.error({ err: (err as Error).message }, 'could not claim work; will try again');
        }
      }
      for (const job of claimed) this.track(job);
      if (claimed.length === 0 || this.inFlight.size >= this.o.concurrency) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.o.pollMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = null;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private track(job: ClaimedJob): void {
    const work = this.execute(job).finally(() => {
      this.inFlight.delete(job.claim);
      this.wake();
    });
    this.inFlight.set(job.claim, work);
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const { store, log } = this.o;
    const started = this.o.now();
    // Start and end of every run, at debug level: enough to prove no key ran twice at once.
    log.debug({ key: job.key, claim: job.claim, at: started, deliveries: job.deliveries.length }, 'job started');
    let leaseLost = false;
    const renew = setInterval(() => {
      store.renew(job, this.o.leaseMs, this.o.now()).then(
        (held) => {
          if (!held) leaseLost = true;
        },
        () => undefined,
      );
    }, Math.max(50, Math.floor(this.o.leaseMs / 3)));
    try {
      await this.o.run(job);
      clearInterval(renew);
      if (leaseLost) log.warn({ key: job.key }, 'lease was lost while the job ran; another worker has it now');
      await store.complete(job, this.o.now());
      log.debug({ key: job.key, claim: job.claim, at: this.o.now() }, 'job finished');
      this.o.onResult?.('done', this.o.now() - started, job);
    } catch (err) {
      clearInterval(renew);
      const message = err instanceof Error ? err.message : String(err);
      const attempts = job.attempts + 1;
      if (!this.running && isAbort(err)) {
        await store.release(job, this.o.now()).catch(() => undefined);
        log.debug({ key: job.key, claim: job.claim, at: this.o.now() }, 'job finished');
        this.o.onResult?.('released', this.o.now() - started, job);
        return;
      }
      if (attempts >= this.o.maxAttempts) {
        log.error({ key: job.key, attempts, err: message }, 'job failed too often; parked as dead (rhythm queue retry-dead replays it)');
        await store.fail(job, message, null, this.o.now()).catch(() => undefined);
        log.debug({ key: job.key, claim: job.claim, at: this.o.now() }, 'job finished');
        this.o.onResult?.('dead', this.o.now() - started, job);
      } else {
        const delay = retryDelay(job.attempts, this.o.backoffBaseMs, this.o.backoffMaxMs, this.o.random);
        log.warn({ key: job.key, attempts, retryInMs: delay, err: message }, 'job failed; will retry');
        await store.fail(job, message, this.o.now() + delay, this.o.now()).catch(() => undefined);
        log.debug({ key: job.key, claim: job.claim, at: this.o.now() }, 'job finished');
        this.o.onResult?.('retry', this.o.now() - started, job);
      }
    }
  }
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'ShutdownError');
}
