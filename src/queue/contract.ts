// The durable inbox and keyed work queue, as one contract. Adapters: sqlite.ts (embedded default)
// and postgres.ts (several replicas). test/queue/contract.ts is the one suite both must pass.

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
  /** The raw JSON body, exactly as received. */
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
  /** Failed attempts so far (0 on the first run). */
  attempts: number;
  leaseUntil: number;
  /** Deliveries for this key not yet processed, oldest first (may be empty: a sweep or timer). */
  deliveries: StoredDelivery[];
}

export interface QueueStats {
  pending: number;
  running: number;
  dead: number;
  /** Age in ms of the oldest pending job (0 when none). */
  oldestPendingAgeMs: number;
  deliveries: number;
}

export interface DeadJob {
  key: string;
  attempts: number;
  lastError: string;
  failedAt: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Create or upgrade the schema. Safe when several processes call it at once. */
  migrate(): Promise<void>;
  /**
   * Store a delivery durably and wake its key. Resolves only once the delivery is on disk.
   * Concurrent calls may be committed together (group commit). 'duplicate' when the
   * deliveryId was already stored (nothing changes then).
   */
  accept(delivery: IncomingDelivery): Promise<'stored' | 'duplicate'>;
  /**
   * Wake a key without a delivery (sweep, timers, follow-up work). Coalesces: a key that is
   * already pending stays one job. The job becomes due after `delayMs` unless it is already due
   * sooner.
   */
  enqueue(key: string, now: number, delayMs?: number): Promise<void>;
  /**
   * Lease up to `max` due jobs to `workerId` for `leaseMs`. A key is never leased twice at once;
   * a job whose lease has expired (its worker died) is due again.
   */
  claim(workerId: string, max: number, leaseMs: number, now: number): Promise<ClaimedJob[]>;
  /** Extend a lease that is still held. False when it was lost (expired and taken). */
  renew(job: ClaimedJob, leaseMs: number, now: number): Promise<boolean>;
  /**
   * Done: the job's deliveries are marked processed. If the key was woken again while it ran,
   * it stays pending (one more run), otherwise it is finished.
   */
  complete(job: ClaimedJob, now: number): Promise<void>;
  /**
   * Failed: retried at `retryAt` (epoch ms), or parked as dead when `retryAt` is null.
   */
  fail(job: ClaimedJob, error: string, retryAt: number | null, now: number): Promise<void>;
  /** Give the job back unfinished (shutdown): due again at once, attempts unchanged. */
  release(job: ClaimedJob, now: number): Promise<void>;
  /** Dead jobs, newest first. */
  dead(): Promise<DeadJob[]>;
  /** Make dead jobs pending again (all, or those keys). Returns how many. */
  retryDead(keys?: string[], now?: number): Promise<number>;
  stats(now: number): Promise<QueueStats>;
  /** Is a delivery stored (for tests and dedup checks)? */
  hasDelivery(deliveryId: string): Promise<boolean>;
  /** Leadership lease for timers: true while `holderId` holds `name`. Renews when held. */
  lead(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean>;
  /** Cheap write+read probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
