// The durable inbox and keyed work queue, as one contract. Adapters: sqlite.ts (embedded default),
// postgres.ts (several replicas) and memory.ts (one-shot commands). test/queue/contract.ts is the
// one suite all three must pass.
import type { CardMemory } from './card-memory.js';
import type { Baselines } from './baselines.js';
import type { ChatLedger } from './chat-ledger.js';
//
// No key is ever silenced for good: a dead job is parked only until the next delivery or wake for
// its key (accept() or enqueue(): a new event, the sweep, a timer, a restart's sweep), which makes
// it pending again with a clean slate; `rhythm queue retry-dead` replays dead jobs at once.

/** A webhook delivery as received, before it is acknowledged. */
export interface IncomingDelivery {
  /** Idempotency-Key (or a hash of the body when absent): the dedup key. */
  deliveryId: string;
  /** X-Gitlab-Event-UUID, echoed on API calls made while handling it (recursion guard). */
  eventUuid: string | null;
  /** X-Gitlab-Event, e.g. "Issue Hook". */
  event: string;
  /** Work key this delivery wakes, e.g. "issue:group/project#12"; null = store only, no work. */
  key: string | null;
  /** The event read from the body at the receiver (webhook/event.ts), as JSON. */
  payload: string;
  /** Epoch ms. */
  receivedAt: number;
}

export interface StoredDelivery {
  deliveryId: string;
  eventUuid: string | null;
  event: string;
  payload: string;
  receivedAt: number;
}

/** A job handed to one worker: the key is leased to it until `leaseUntil` (epoch ms). */
export interface ClaimedJob {
  key: string;
  /** Opaque claim token; pass it back to complete/fail/release. */
  claim: string;
  /** Failed attempts so far, of either kind (0 on the first run): what the backoff grows with. */
  attempts: number;
  /**
   * Failed attempts that count toward dead: those failed with kind 'error'. A failure of kind
   * 'unavailable' (GitLab down, unreachable or rate limiting) counts as an attempt, not a strike.
   */
  strikes: number;
  leaseUntil: number;
  /** Deliveries for this key not yet processed, oldest first (may be empty: a sweep or timer). */
  deliveries: StoredDelivery[];
}

/**
 * Why a run failed. 'error': something about this key (a refusal, a bug, a bad answer); it counts
 * toward dead. 'unavailable': GitLab itself could not be reached or asked to wait (5xx, network
 * errors, 429); the job only backs off, for as long as the outage lasts.
 */
export type FailureKind = 'error' | 'unavailable';

/** What brought a dead key back: a new delivery (accept) or a wake (enqueue: sweep, timer, follow-up). */
export type RevivedBy = 'delivery' | 'wake';

export interface QueueStats {
  pending: number;
  running: number;
  dead: number;
  /** Pending jobs that failed before (attempts > 0): waiting out their retry, or due for it. */
  retrying: number;
  /**
   * How long in ms the longest-waiting due job has been due (0 when none). A job that is not due
   * yet (delayed, or waiting out a retry) is pending but not waiting.
   */
  oldestPendingAgeMs: number;
  /** Stored deliveries not yet processed (the inbox backlog, dead jobs' deliveries included). */
  deliveries: number;
}

export interface DeadJob {
  key: string;
  attempts: number;
  lastError: string;
  failedAt: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres' | 'memory';
  /** What the bot remembers of each card, in the same database (a cache: see card-memory.ts). */
  readonly memory: CardMemory;
  /** When Rhythm first met each board (not a cache: see baselines.ts). */
  readonly baselines: Baselines;
  /** The chat notices sent (queue/chat-ledger.ts), in the same database. */
  readonly chat: ChatLedger;
  /** Create or upgrade the schema. Safe when several processes call it at once. */
  migrate(): Promise<void>;
  /**
   * Store a delivery durably and wake its key (see enqueue() for what a wake does; the delivery
   * is due at its receivedAt). Resolves only once the delivery is on disk; rejects when it could
   * not be stored (the database is gone, read-only, closed…), and then nothing was stored.
   * Concurrent calls may be committed together (group commit). 'duplicate' when the deliveryId
   * was already stored (nothing changes then: a duplicate wakes nothing).
   */
  accept(delivery: IncomingDelivery): Promise<'stored' | 'duplicate'>;
  /**
   * Wake a key without a delivery (sweep, timers, follow-up work). Coalesces: a key that is
   * already pending stays one job. The job becomes due after `delayMs` unless it is already due
   * sooner, with two rules alike for accept():
   * - a job waiting out a retry keeps its retryAt (the backoff holds);
   * - a dead job is revived: pending again, due after `delayMs` like a new job, its attempts and
   *   strikes reset to 0 and its last error cleared (its deliveries, kept while it was dead, are
   *   handed out with the next claim). The revive listener hears of it.
   */
  enqueue(key: string, now: number, delayMs?: number): Promise<void>;
  /**
   * Be told of every dead key this instance's accept() or enqueue() revives (for metrics and
   * logs). One listener; a later call replaces it. Under a race between two instances a revive
   * may be told twice.
   */
  onRevive(listener: (key: string, by: RevivedBy) => void): void;
  /**
   * Lease up to `max` due jobs to `workerId` for `leaseMs`, earliest due first. A key is never
   * leased twice at once; a job whose lease has expired (its worker died) is due again, with its
   * attempts unchanged and the same unprocessed deliveries (so a delivery may be handled twice
   * after a crash, never lost: reconciles are level-triggered).
   */
  claim(workerId: string, max: number, leaseMs: number, now: number): Promise<ClaimedJob[]>;
  /**
   * Extend a lease that is still held (also updates `job.leaseUntil`). False when it was lost
   * (taken by another claimer after expiry, or the job was already finished).
   */
  renew(job: ClaimedJob, leaseMs: number, now: number): Promise<boolean>;
  /**
   * Done: the job's deliveries are marked processed. If the key was woken again while it ran
   * (or deliveries remain beyond those handed out), it stays pending for one more run, otherwise
   * it is finished; either way its attempts and strikes are reset. With a lost lease only the
   * deliveries are marked; the new holder's run stands.
   */
  complete(job: ClaimedJob, now: number): Promise<void>;
  /**
   * Failed: retried at `retryAt` (epoch ms), or parked as dead when `retryAt` is null (until the
   * key's next delivery or wake, or retryDead()). Counts an attempt, and a strike unless `kind` is
   * 'unavailable' (default 'error'). The caller decides when to park: the worker parks after
   * maxAttempts strikes and never for 'unavailable'. No effect when the lease was lost.
   */
  fail(job: ClaimedJob, error: string, retryAt: number | null, now: number, kind?: FailureKind): Promise<void>;
  /** Give the job back unfinished (shutdown): due again at once, attempts unchanged. */
  release(job: ClaimedJob, now: number): Promise<void>;
  /** Dead jobs, newest first. */
  dead(): Promise<DeadJob[]>;
  /**
   * Make dead jobs pending again (all, or those keys), due at `now` (default: when they failed),
   * with attempts and strikes reset. Returns how many. Not told to the revive listener (an
   * operator's replay, counted by the command itself).
   */
  retryDead(keys?: string[], now?: number): Promise<number>;
  stats(now: number): Promise<QueueStats>;
  /** Is a delivery stored (for tests and dedup checks)? */
  hasDelivery(deliveryId: string): Promise<boolean>;
  /**
   * Forget deliveries processed before `before` (epoch ms; keep the dedup window) and
   * finished jobs. Returns how many deliveries went.
   */
  prune(before: number): Promise<number>;
  /**
   * Leadership lease for timers: true while `holderId` holds `name`, until now + ttlMs. Renews
   * when held; taken by another holder once a term ends without renewal.
   */
  lead(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean>;
  /**
   * Cheap write+read probe for /readyz. Rejects, with an error a person can act on, when a
   * delivery could not be stored now (e.g. the SQLite file was deleted or replaced since it was
   * opened, or became read-only).
   */
  ping(): Promise<void>;
  /**
   * SQLite only: the `synchronous` level (FULL or NORMAL) its commits run at, read back from the
   * connection that commits and from the store's own; logged at start (RHYTHM_SQLITE_SYNCHRONOUS).
   */
  sqliteSynchronous?(): Promise<{ commits: string; connection: string }>;
  close(): Promise<void>;
}
