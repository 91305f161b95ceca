// Takes due keys from the store and runs them, a few at a time. The store guarantees a key is
// never leased twice at once (across processes too); the worker renews leases of long jobs,
// retries failures with exponential backoff and jitter, parks a job as dead after maxAttempts
// strikes, and on stop finishes what it has in hand within the grace, then aborts the rest and
// gives them back to the store, so another replica can take them at once instead of after the lease.
//
// Two kinds of failure. One that `unavailable` recognizes (GitLab down, unreachable or rate
// limiting: nothing about this key) is an attempt but not a strike: the job backs off, capped at
// backoffMaxMs, and keeps retrying for as long as the outage lasts, so an outage never parks a
// card as dead. Every other failure is a strike; maxAttempts strikes park the job as dead, until
// the key's next delivery or wake revives it (the store does that) or `rhythm queue retry-dead`.
import type { ClaimedJob, Store } from '../queue/contract.js';
import type { Logger } from '../observability/log.js';

/**
 * How a job ended: 'released' = given back unfinished on stop, due again at once; 'unavailable'
 * = failed because GitLab was unavailable, retried later and never parked for it.
 */
export type JobResult = 'done' | 'retry' | 'unavailable' | 'dead' | 'released';

/** A failure that is the outside world being unavailable; `waitMs`: how long it asked us to wait. */
export interface Unavailable {
  waitMs: number;
}

/** Calls `fn` after `ms`; the returned function cancels it. Injectable so tests need not wait. */
export type Schedule = (ms: number, fn: () => void) => () => void;

export interface WorkerOptions {
  store: Store;
  workerId: string;
  log: Logger;
  /** Runs one job. `signal` is aborted when stop's grace is over: end soon, GitLab calls too. */
  run: (job: ClaimedJob, signal: AbortSignal) => Promise<unknown>;
  concurrency?: number;
  /**
   * True while the process has more urgent work (rhythm serve: the receiver in a burst of
   * deliveries). The worker then holds one job at a time: the work is durable and waits, and a
   * key's deliveries that pile up meanwhile are reconciled in one run, not one run each.
   */
  yieldTo?: () => boolean;
  leaseMs?: number;
  pollMs?: number;
  /** Strikes (failures other than unavailable ones) before a job is parked as dead. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** The longest wait between two retries, whatever the number of attempts or Retry-After. */
  backoffMaxMs?: number;
  /**
   * Recognizes failures that mean "unavailable, not broken" (see the file's head). Absent: every
   * failure is a strike, as the one-shot commands want (they must end while GitLab is down).
   */
  unavailable?: (err: unknown) => Unavailable | null;
  /** After stop aborts a job, how long it may take to end before it is given back anyway. */
  abortWaitMs?: number;
  onResult?: (result: JobResult, ms: number, job: ClaimedJob) => void;
  now?: () => number;
  random?: () => number;
  schedule?: Schedule;
}

/** Delay before retry n (0-based): exponential, capped, with "equal jitter" so retries spread out. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** While claims keep failing, how often that is logged again. */
const CLAIM_ERROR_EVERY_MS = 60_000;

const scheduleReal: Schedule = (ms, fn) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/** A job this worker holds. */
interface InHand {
  job: ClaimedJob;
  controller: AbortController;
  /** Settles when the job's outcome is written (or it was given back). Never rejects. */
  settled: Promise<void>;
  /** run() has returned or thrown; only the store write is left. */
  ran: boolean;
  /** stop gave it back while run() was still going: whatever run() does later is ignored. */
  givenBack: boolean;
  stopRenewing: () => void;
}

type Options = Required<Omit<WorkerOptions, 'onResult' | 'unavailable' | 'yieldTo'>> &
  Pick<WorkerOptions, 'onResult' | 'unavailable' | 'yieldTo'>;

export class Worker {
  private running = false;
  private readonly inHand = new Map<string, InHand>();
  // A wake() while the loop is busy claiming is dropped on purpose: the loop looks again when a
  // job ends or at the next poll (pollMs), and work that arrives meanwhile coalesces into fewer
  // runs — measured: keeping such wakes made ~10% more runs, and as many more GitLab calls.
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private readonly o: Options;

  constructor(options: WorkerOptions) {
    this.o = {
      concurrency: 4,
      leaseMs: 60_000,
      pollMs: 250,
      maxAttempts: 8,
      backoffBaseMs: 1000,
      backoffMaxMs: 5 * 60_000,
      abortWaitMs: 2000,
      now: Date.now,
      random: Math.random,
      schedule: scheduleReal,
      ...options,
    };
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.loop = this.claimLoop();
  }

  /** New work was stored: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  get busy(): number {
    return this.inHand.size;
  }

  /**
   * Stop claiming; wait up to graceMs for jobs in hand; abort those still running, give them up
   * to abortWaitMs (default: the option) to end, then give them back to the store. Resolves
   * within about graceMs + 2 × abortWaitMs whatever a job does (one that ignores its signal too).
   */
  stop(graceMs = 10_000, abortWaitMs = this.o.abortWaitMs): Promise<void> {
    return (this.stopping ??= this.shutDown(graceMs, abortWaitMs));
  }

  private async shutDown(graceMs: number, abortWaitMs: number): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    if (!(await this.settledWithin(graceMs))) {
      const late = [...this.inHand.values()].filter((h) => !h.ran);
      this.o.log.warn(
        { keys: late.map((h) => h.job.key), graceMs },
        'jobs still running after the grace; aborting them and giving them back',
      );
      for (const hand of late) hand.controller.abort();
      if (!(await this.settledWithin(abortWaitMs))) {
        // Still running: their signal is ignored, or they are slow to notice. Give them back now.
        await Promise.all([...this.inHand.values()].filter((h) => !h.ran).map((h) => this.giveBack(h)));
        // What is left ran to its end and is writing its outcome: bounded, but do not hang on it.
        await this.settledWithin(abortWaitMs);
      }
    }
  }

  /** True when every job in hand settled within `ms`. */
  private async settledWithin(ms: number): Promise<boolean> {
    if (this.inHand.size === 0) return true;
    let cancel = () => {};
    const timeout = new Promise<false>((resolve) => {
      cancel = this.o.schedule(ms, () => resolve(false));
    });
    const all = Promise.all([...this.inHand.values()].map((h) => h.settled)).then(() => true as const);
    const result = await Promise.race([all, timeout]);
    // Cancelled, so an idle process exits as soon as its work is done, not when the timer ends.
    cancel();
    return result;
  }

  private async giveBack(hand: InHand): Promise<void> {
    const { job } = hand;
    hand.givenBack = true;
    hand.stopRenewing();
    this.inHand.delete(job.claim);
    await this.release(job, this.o.now(), 'job ignored its abort; given back while still running');
  }

  private async release(job: ClaimedJob, started: number, msg: string): Promise<void> {
    await this.o.store.release(job, this.o.now()).catch((err: unknown) => {
      this.o.log.error({ key: job.key, err: errorMessage(err) }, 'could not give the job back; its lease will expire');
    });
    this.o.log.info({ key: job.key }, msg);
    // The lease ends here, even if a job that ignored its abort is still going.
    this.o.log.debug({ key: job.key, claim: job.claim, at: this.o.now(), released: true }, 'job finished');
    this.o.onResult?.('released', this.o.now() - started, job);
  }

  private async claimLoop(): Promise<void> {
    // A store that keeps failing (its database gone) is said once a minute, not once a poll.
    let failing: { since: number; failures: number; toldAt: number } | null = null;
    while (this.running) {
      const room = this.limit() - this.inHand.size;
      let claimed: ClaimedJob[] = [];
      if (room > 0) {
        try {
          claimed = await this.o.store.claim(this.o.workerId, room, this.o.leaseMs, this.o.now());
          if (failing) this.o.log.info({ failures: failing.failures }, 'claiming work again');
          failing = null;
        } catch (err) {
          const now = this.o.now();
          if (!failing) {
            failing = { since: now, failures: 1, toldAt: now };
            this.o.log.error({ err: errorMessage(err) }, 'could not claim work; will try again');
          } else {
            failing.failures += 1;
            if (now - failing.toldAt >= CLAIM_ERROR_EVERY_MS) {
              failing.toldAt = now;
              this.o.log.error(
                { err: errorMessage(err), failures: failing.failures, sinceMs: now - failing.since },
                'still cannot claim work; will keep trying',
              );
            }
          }
        }
      }
      for (const job of claimed) this.track(job);
      if (claimed.length === 0 || this.inHand.size >= this.limit()) await this.idle();
    }
  }

  /** How many jobs to hold now: one while yielding to more urgent work, else the concurrency. */
  private limit(): number {
    return this.o.yieldTo?.() ? Math.min(1, this.o.concurrency) : this.o.concurrency;
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.o.schedule(this.o.pollMs, () => done());
      const done = () => {
        cancel();
        this.wakeUp = null;
        resolve();
      };
      this.wakeUp = done;
    });
  }

  private track(job: ClaimedJob): void {
    const hand: InHand = {
      job,
      controller: new AbortController(),
      settled: Promise.resolve(),
      ran: false,
      givenBack: false,
      stopRenewing: this.renewWhileRunning(job),
    };
    hand.settled = this.execute(hand)
      .catch((err: unknown) => {
        this.o.log.error(
          { key: job.key, err: errorMessage(err) },
          "could not write the job's outcome; it runs again once its lease expires",
        );
      })
      .finally(() => {
        if (this.inHand.get(job.claim) === hand) this.inHand.delete(job.claim);
        this.wake();
      });
    this.inHand.set(job.claim, hand);
  }

  /** Renews the lease every third of it; the returned function stops renewing. */
  private renewWhileRunning(job: ClaimedJob): () => void {
    const every = Math.max(50, Math.floor(this.o.leaseMs / 3));
    let cancel = () => {};
    let stopped = false;
    const tick = () => {
      this.o.store.renew(job, this.o.leaseMs, this.o.now()).then(
        (held) => {
          if (!held && !stopped) {
            this.o.log.warn({ key: job.key }, 'lease was lost while the job ran; another worker has it now');
            return;
          }
          if (!stopped) cancel = this.o.schedule(every, tick);
        },
        (err: unknown) => {
          this.o.log.warn({ key: job.key, err: errorMessage(err) }, 'could not renew the lease; will try again');
          if (!stopped) cancel = this.o.schedule(every, tick);
        },
      );
    };
    cancel = this.o.schedule(every, tick);
    return () => {
      stopped = true;
      cancel();
    };
  }

  private async execute(hand: InHand): Promise<void> {
    const { job, controller } = hand;
    const { store, log } = this.o;
    const started = this.o.now();
    // Start and end of every run, at debug level: enough to prove no key ran twice at once.
    log.debug({ key: job.key, claim: job.claim, at: started, deliveries: job.deliveries.length }, 'job started');
    let failure: { err: unknown } | null = null;
    try {
      await this.o.run(job, controller.signal);
    } catch (err) {
      failure = { err };
    } finally {
      hand.ran = true;
      hand.stopRenewing();
    }
    if (hand.givenBack) {
      log.warn({ key: job.key, claim: job.claim }, 'a job given back on stop ended only now; its outcome is dropped');
      return;
    }
    if (!failure) {
      await store.complete(job, this.o.now());
      log.debug({ key: job.key, claim: job.claim, at: this.o.now() }, 'job finished');
      this.o.onResult?.('done', this.o.now() - started, job);
      return;
    }
    if (controller.signal.aborted) {
      // Stopped by us, not failed by itself: no attempt is counted.
      await this.release(job, started, 'job aborted on stop; given back');
      return;
    }
    const message = errorMessage(failure.err);
    const attempts = job.attempts + 1;
    const outage = this.o.unavailable?.(failure.err) ?? null;
    if (outage) {
      // The backoff keeps growing with the attempts, up to its cap; a longer Retry-After is waited
      // out too, but never past the cap, so a card is looked at again at least every backoffMaxMs.
      const backoff = retryDelay(job.attempts, this.o.backoffBaseMs, this.o.backoffMaxMs, this.o.random);
      const delay = Math.min(this.o.backoffMaxMs, Math.max(backoff, outage.waitMs));
      log.warn(
        { key: job.key, attempts, retryInMs: delay, err: message },
        'GitLab is unavailable; the job will retry (an outage never parks it as dead)',
      );
      await store.fail(job, message, this.o.now() + delay, this.o.now(), 'unavailable');
      log.debug({ key: job.key, claim: job.claim, at: this.o.now() }, 'job finished');
      this.o.onResult?.('unavailable', this.o.now() - started, job);
      return;
    }
    const strikes = job.strikes + 1;
    if (strikes >= this.o.maxAttempts) {
      log.error(
        { key: job.key, attempts, strikes, err: message },
        "job failed too often; parked as dead until the key's next delivery or sweep (or rhythm queue retry-dead)",
      );
      await store.fail(job, message, null, this.o.now());
      log.debug({ key: job.key, claim: job.claim, at: this.o.now() }, 'job finished');
      this.o.onResult?.('dead', this.o.now() - started, job);
    } else {
      const delay = retryDelay(job.attempts, this.o.backoffBaseMs, this.o.backoffMaxMs, this.o.random);
      log.warn({ key: job.key, attempts, strikes, retryInMs: delay, err: message }, 'job failed; will retry');
      await store.fail(job, message, this.o.now() + delay, this.o.now());
      log.debug({ key: job.key, claim: job.claim, at: this.o.now() }, 'job finished');
      this.o.onResult?.('retry', this.o.now() - started, job);
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
