// A store that lives only as long as the process: plain Maps, no database. For the one-shot
// commands (`rhythm sweep`, `rhythm generate`), whose private queue dies with the command anyway,
// so they need not load a native SQLite module. The semantics are sqlite.ts's, statement for
// statement; where this file and sqlite.ts disagree, sqlite.ts is right.
import { MapChatLedger, type ChatLedger } from './chat-ledger.js';
import { randomUUID } from 'node:crypto';
import type { ClaimedJob, DeadJob, FailureKind, IncomingDelivery, QueueStats, RevivedBy, Store } from './contract.js';
import { toQueueStats, toStoredDelivery, type DeliveryRow } from './rows.js';
import { MapCardMemory, type CardMemory } from './card-memory.js';
import { MapBaselines, type Baselines } from './baselines.js';

export interface MemoryStoreOptions {
  /** Most deliveries handed out with one claim; the rest wait for the next run. Default 500. */
  maxDeliveriesPerClaim?: number;
}

// The same limits as sqlite.ts, repeated here because importing them from there would load
// better-sqlite3, which is what this adapter exists to avoid.
const DEFAULT_MAX_DELIVERIES_PER_CLAIM = 500;
/** Longest error text kept for a failed job; the rest is cut (stack traces can be huge). */
const MAX_ERROR_CHARS = 4000;

export async function openMemoryStore(opts: MemoryStoreOptions = {}): Promise<Store> {
  return new MemoryStore(opts.maxDeliveriesPerClaim ?? DEFAULT_MAX_DELIVERIES_PER_CLAIM);
}

/** A rhythm_deliveries row, kept in the shape rows.ts reads. */
interface DeliveryRecord extends DeliveryRow {
  key: string | null;
  processed_at: number | null;
}

/** A rhythm_jobs row (leased_by is left out: sqlite writes it for people, never reads it). */
interface JobRecord {
  key: string;
  state: 'pending' | 'running' | 'dead' | 'done';
  dueAt: number | null;
  claim: string | null;
  leaseUntil: number | null;
  attempts: number;
  strikes: number;
  lastError: string | null;
  failedAt: number | null;
}

/** A typed Object.assign: several columns of one row change together, as in one UPDATE. */
function update(job: JobRecord, change: Partial<JobRecord>): void {
  Object.assign(job, change);
}

/** SQLite's ORDER BY on text: by code unit, not by locale. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly memory: CardMemory = new MapCardMemory();
  readonly baselines: Baselines = new MapBaselines();
  readonly chat: ChatLedger = new MapChatLedger();
  private closed = false;
  /** Every stored delivery by id, processed or not: the dedup window, until prune(). */
  private readonly deliveries = new Map<string, DeliveryRecord>();
  /** Each key's unprocessed deliveries in arrival order (sqlite's seq), so claims need not scan all. */
  private readonly inbox = new Map<string, DeliveryRecord[]>();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly leaders = new Map<string, { holder: string; until: number }>();
  private pingValue: string | null = null;
  private revived: (key: string, by: RevivedBy) => void = () => undefined;

  constructor(private readonly maxDeliveriesPerClaim: number) {}

  onRevive(listener: (key: string, by: RevivedBy) => void): void {
    this.revived = listener;
  }

  /** Nothing to create: the Maps are the schema. */
  async migrate(): Promise<void> {
    this.ensureOpen();
  }

  async accept(d: IncomingDelivery): Promise<'stored' | 'duplicate'> {
    this.ensureOpen();
    if (this.deliveries.has(d.deliveryId)) return 'duplicate';
    const record: DeliveryRecord = {
      id: d.deliveryId,
      event_uuid: d.eventUuid,
      event: d.event,
      payload: d.payload,
      received_at: d.receivedAt,
      key: d.key,
      // A delivery that wakes no work has nothing left to do once stored.
      processed_at: d.key === null ? d.receivedAt : null,
    };
    this.deliveries.set(record.id, record);
    if (d.key !== null) {
      this.inboxOf(d.key).push(record);
      this.wake(d.key, d.receivedAt, 'delivery');
    }
    return 'stored';
  }

  async enqueue(key: string, now: number, delayMs = 0): Promise<void> {
    this.ensureOpen();
    this.wake(key, now + Math.max(0, delayMs), 'wake');
  }

  async claim(_workerId: string, max: number, leaseMs: number, now: number): Promise<ClaimedJob[]> {
    this.ensureOpen();
    if (max <= 0) return [];
    // Due pending jobs by due time, and running jobs whose worker let the lease run out by its end.
    // The `max` earliest, kept sorted as they are found: a claim costs one pass over the jobs, not
    // a sort of every due one (a sweep puts 10,000 keys on this queue, claimed one at a time).
    const ready: { job: JobRecord; at: number }[] = [];
    const before = (a: { job: JobRecord; at: number }, b: { job: JobRecord; at: number }) =>
      a.at < b.at || (a.at === b.at && byText(a.job.key, b.job.key) < 0);
    for (const job of this.jobs.values()) {
      let at: number;
      if (job.state === 'pending' && job.dueAt !== null && job.dueAt <= now) at = job.dueAt;
      else if (job.state === 'running' && job.leaseUntil !== null && job.leaseUntil <= now) at = job.leaseUntil;
      else continue;
      const entry = { job, at };
      if (ready.length === max && !before(entry, ready[max - 1]!)) continue;
      let i = ready.length;
      while (i > 0 && before(entry, ready[i - 1]!)) i -= 1;
      ready.splice(i, 0, entry);
      if (ready.length > max) ready.pop();
    }
    return ready.map(({ job }): ClaimedJob => {
      const claim = randomUUID();
      update(job, { state: 'running', claim, leaseUntil: now + leaseMs, dueAt: null });
      // Stable sort: equal receivedAt keeps arrival order, like sqlite's ORDER BY received_at, seq.
      const waiting = [...(this.inbox.get(job.key) ?? [])].sort((a, b) => a.received_at - b.received_at);
      return {
        key: job.key,
        claim,
        attempts: job.attempts,
        strikes: job.strikes,
        leaseUntil: now + leaseMs,
        deliveries: waiting.slice(0, this.maxDeliveriesPerClaim).map(toStoredDelivery),
      };
    });
  }

  async renew(job: ClaimedJob, leaseMs: number, now: number): Promise<boolean> {
    this.ensureOpen();
    const row = this.heldJob(job);
    if (!row) return false;
    row.leaseUntil = job.leaseUntil = now + leaseMs;
    return true;
  }

  async complete(job: ClaimedJob, now: number): Promise<void> {
    this.ensureOpen();
    // The work was done even if the lease was lost meanwhile, so its deliveries count as processed.
    const touched = new Set<string>();
    for (const d of job.deliveries) {
      const record = this.deliveries.get(d.deliveryId);
      if (!record || record.processed_at !== null) continue;
      record.processed_at = now;
      if (record.key !== null) touched.add(record.key);
    }
    for (const key of touched) this.dropProcessed(key);
    const row = this.heldJob(job);
    if (!row) return;
    // Woken while running, or deliveries left beyond those handed out: one more run.
    const again = row.dueAt !== null || this.inbox.has(job.key);
    update(row, {
      state: again ? 'pending' : 'done',
      dueAt: again ? (row.dueAt ?? now) : null,
      attempts: 0,
      strikes: 0,
      lastError: null,
      failedAt: null,
      claim: null,
      leaseUntil: null,
    });
  }

  async fail(job: ClaimedJob, error: string, retryAt: number | null, now: number, kind: FailureKind = 'error'): Promise<void> {
    this.ensureOpen();
    const row = this.heldJob(job);
    if (!row) return;
    update(row, {
      state: retryAt === null ? 'dead' : 'pending',
      dueAt: retryAt,
      attempts: row.attempts + 1,
      strikes: row.strikes + (kind === 'unavailable' ? 0 : 1),
      lastError: error.slice(0, MAX_ERROR_CHARS),
      failedAt: now,
      claim: null,
      leaseUntil: null,
    });
  }

  async release(job: ClaimedJob, now: number): Promise<void> {
    this.ensureOpen();
    const row = this.heldJob(job);
    if (!row) return;
    update(row, { state: 'pending', dueAt: Math.min(row.dueAt ?? now, now), claim: null, leaseUntil: null });
  }

  async dead(): Promise<DeadJob[]> {
    this.ensureOpen();
    return [...this.jobs.values()]
      .filter((j) => j.state === 'dead')
      .sort((a, b) => (b.failedAt ?? -Infinity) - (a.failedAt ?? -Infinity) || byText(a.key, b.key))
      .map((j) => ({ key: j.key, attempts: j.attempts, lastError: j.lastError ?? '', failedAt: j.failedAt ?? 0 }));
  }

  async retryDead(keys?: string[], now?: number): Promise<number> {
    this.ensureOpen();
    const only = keys === undefined ? null : new Set(keys);
    let n = 0;
    for (const job of this.jobs.values()) {
      if (job.state !== 'dead' || (only && !only.has(job.key))) continue;
      // failedAt stays, as in sqlite: only the attempt count and the error are reset.
      update(job, { state: 'pending', dueAt: now ?? job.failedAt ?? 0, attempts: 0, strikes: 0, lastError: null });
      n += 1;
    }
    return n;
  }

  async stats(now: number): Promise<QueueStats> {
    this.ensureOpen();
    let pending = 0;
    let running = 0;
    let dead = 0;
    let retrying = 0;
    let oldest: number | null = null;
    for (const job of this.jobs.values()) {
      // A running job whose lease ran out is waiting to be taken again: it counts as pending.
      const expired = job.state === 'running' && job.leaseUntil !== null && job.leaseUntil <= now;
      if (job.state === 'pending' || expired) pending += 1;
      else if (job.state === 'running') running += 1;
      else if (job.state === 'dead') dead += 1;
      if (job.state === 'pending' && job.attempts > 0) retrying += 1;
      // Only a job that is due is waiting; one delayed or backing off is pending but not late yet.
      const waitingSince = expired ? job.leaseUntil : job.state === 'pending' && job.dueAt !== null && job.dueAt <= now ? job.dueAt : null;
      if (waitingSince !== null && (oldest === null || waitingSince < oldest)) oldest = waitingSince;
    }
    let deliveries = 0;
    for (const list of this.inbox.values()) deliveries += list.length;
    return toQueueStats({ pending, running, dead, retrying, oldest, deliveries }, now);
  }

  async hasDelivery(deliveryId: string): Promise<boolean> {
    this.ensureOpen();
    return this.deliveries.has(deliveryId);
  }

  async prune(before: number): Promise<number> {
    this.ensureOpen();
    let n = 0;
    for (const [id, record] of this.deliveries) {
      if (record.processed_at !== null && record.processed_at < before) {
        this.deliveries.delete(id);
        n += 1;
      }
    }
    for (const [key, job] of this.jobs) if (job.state === 'done') this.jobs.delete(key);
    return n;
  }

  async lead(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean> {
    this.ensureOpen();
    // Taken when free, renewed by its holder, or taken over once the last term has ended.
    const term = this.leaders.get(name);
    if (term && term.holder !== holderId && term.until > now) return false;
    this.leaders.set(name, { holder: holderId, until: now + ttlMs });
    return true;
  }

  async ping(): Promise<void> {
    this.ensureOpen();
    const token = randomUUID();
    this.pingValue = token;
    if (this.pingValue !== token) throw new Error('store ping read back a different value');
  }

  async close(): Promise<void> {
    // Accepts commit synchronously, so there is nothing in flight to drain.
    this.closed = true;
  }

  /** Like a closed database: every call after close() fails, accept() first (nothing acknowledged is then lost). */
  private ensureOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  // Wake a key (sqlite.ts's WAKE_SQL). A done key becomes pending; a pending key keeps the sooner
  // due time, except while it waits out a retry (the backoff holds); a running key records that it
  // was woken (dueAt set), so complete() leaves it pending for exactly one more run; a dead key is
  // revived: pending, due like a new job, with a clean slate.
  private wake(key: string, due: number, by: RevivedBy): void {
    const job = this.jobs.get(key);
    if (!job) {
      this.jobs.set(key, {
        key,
        state: 'pending',
        dueAt: due,
        claim: null,
        leaseUntil: null,
        attempts: 0,
        strikes: 0,
        lastError: null,
        failedAt: null,
      });
      return;
    }
    if (job.state === 'dead') {
      // failedAt stays, as in sqlite.
      update(job, { state: 'pending', dueAt: due, attempts: 0, strikes: 0, lastError: null });
      try {
        this.revived(key, by);
      } catch {
        // a listener's failure is not the store's
      }
      return;
    }
    const keepDue = job.state === 'pending' && job.attempts > 0;
    if (!keepDue) job.dueAt = job.dueAt === null ? due : Math.min(job.dueAt, due);
    if (job.state === 'done') job.state = 'pending';
  }

  /** The job, when `job`'s claim still holds it. */
  private heldJob(job: ClaimedJob): JobRecord | undefined {
    const row = this.jobs.get(job.key);
    return row && row.state === 'running' && row.claim === job.claim ? row : undefined;
  }

  private inboxOf(key: string): DeliveryRecord[] {
    let list = this.inbox.get(key);
    if (!list) this.inbox.set(key, (list = []));
    return list;
  }

  /** Takes processed deliveries out of a key's inbox; an empty one goes, so inbox.has(key) means work is left. */
  private dropProcessed(key: string): void {
    const left = this.inbox.get(key)?.filter((r) => r.processed_at === null) ?? [];
    if (left.length === 0) this.inbox.delete(key);
    else this.inbox.set(key, left);
  }
}
