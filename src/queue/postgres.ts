// The shared store for several `rhythm serve` replicas: PostgreSQL through a pg Pool.
// Per-key serialization across replicas comes from the jobs row: a claim locks due rows with
// FOR UPDATE SKIP LOCKED and leases them, so two replicas never lease one key and never wait on
// each other. Every state change is a single statement (its own transaction), checked against the
// claim token, so a replica whose lease was taken over cannot overwrite the new holder's state.
import { PostgresChatLedger } from './postgres-chat-ledger.js';
import type { ChatLedger } from './chat-ledger.js';
import { toQueueStats, toStoredDelivery, type DeliveryRow } from './rows.js';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ClaimedJob, DeadJob, FailureKind, IncomingDelivery, QueueStats, RevivedBy, Store } from './contract.js';
import { GroupCommit } from './group-commit.js';
import { postgresMigrations } from './postgres-schema.js';
import { PostgresCardMemory } from './postgres-card-memory.js';
import type { CardMemory } from './card-memory.js';
import { PostgresBaselines } from './postgres-baselines.js';
import type { Baselines } from './baselines.js';

export interface PostgresStoreOptions {
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Most deliveries handed out with one claim; the rest wait for the next run. Default 500. */
  maxDeliveriesPerClaim?: number;
  /** Told about errors of idle pooled connections (e.g. the server restarted). */
  onIdleError?: (error: Error) => void;
}

/** Longest error text kept for a failed job; the rest is cut (stack traces can be huge). */
const MAX_ERROR_CHARS = 4000;
/** Advisory lock id serializing migrations across replicas ("rhythm" in ASCII). */
const MIGRATION_LOCK = 0x72_68_79_74_68_6d;
const INT8_OID = 20;

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    // bigint columns hold epoch ms and counts, all far below 2^53: read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener an idle connection's error (server restart) would crash the process; the
  // next query reports the problem instead.
  pool.on('error', (error) => opts.onIdleError?.(error));
  return new PostgresStore(pool, opts.maxDeliveriesPerClaim ?? 500);
}

// Wake a key; the same rules as the SQLite adapter (see WAKE_SQL there): done → pending; pending
// keeps the sooner due time unless it waits out a retry; running records the wake; dead is revived
// (pending, due like a new job, attempts, strikes and error cleared).
const WAKE_ON_CONFLICT = `
  ON CONFLICT (key) DO UPDATE SET
    state = CASE WHEN j.state IN ('done', 'dead') THEN 'pending' ELSE j.state END,
    due_at = CASE
      WHEN j.state = 'dead' THEN EXCLUDED.due_at
      WHEN j.state = 'pending' AND j.attempts > 0 THEN j.due_at
      WHEN j.due_at IS NULL THEN EXCLUDED.due_at
      ELSE LEAST(j.due_at, EXCLUDED.due_at)
    END,
    attempts = CASE WHEN j.state = 'dead' THEN 0 ELSE j.attempts END,
    strikes = CASE WHEN j.state = 'dead' THEN 0 ELSE j.strikes END,
    last_error = CASE WHEN j.state = 'dead' THEN NULL ELSE j.last_error END`;

// One statement per batch: store the new deliveries, then wake their keys. Rows are written in
// sorted order (ids, then keys) so two replicas' batches lock in the same order and cannot deadlock.
// `revived` reads the jobs as the statement's snapshot shows them, i.e. before this wake: the keys
// that were dead. The answer is one row per stored id, then one per revived key.
const ACCEPT_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
      AS t(id, event_uuid, event, key, payload, received_at)
  ), stored AS (
    INSERT INTO rhythm_deliveries (id, event_uuid, event, key, payload, received_at, processed_at)
    SELECT id, event_uuid, event, key, payload, received_at, CASE WHEN key IS NULL THEN received_at END
    FROM input ORDER BY id
    ON CONFLICT (id) DO NOTHING
    RETURNING id, key, received_at
  ), woken AS (
    INSERT INTO rhythm_jobs AS j (key, state, due_at)
    SELECT key, 'pending', min(received_at) FROM stored WHERE key IS NOT NULL GROUP BY key ORDER BY key
    ${WAKE_ON_CONFLICT}
  ), revived AS (
    SELECT key FROM rhythm_jobs WHERE state = 'dead' AND key IN (SELECT key FROM stored WHERE key IS NOT NULL)
  )
  SELECT id, NULL::text AS revived FROM stored
  UNION ALL
  SELECT NULL, key FROM revived`;

// A wake, answering whether the key was dead before it (the CTE reads the statement's snapshot).
const ENQUEUE_SQL = `
  WITH was AS (
    SELECT state FROM rhythm_jobs WHERE key = $1
  ), woken AS (
    INSERT INTO rhythm_jobs AS j (key, state, due_at) VALUES ($1, 'pending', $2) ${WAKE_ON_CONFLICT}
  )
  SELECT state FROM was`;

const CLAIM_SQL = `
  WITH picked AS (
    SELECT key, CASE WHEN state = 'pending' THEN due_at ELSE lease_until END AS ready
    FROM rhythm_jobs
    WHERE (state = 'pending' AND due_at <= $1) OR (state = 'running' AND lease_until <= $1)
    ORDER BY ready, key
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  UPDATE rhythm_jobs j
  SET state = 'running', claim = gen_random_uuid()::text, leased_by = $3, lease_until = $4, due_at = NULL
  FROM picked WHERE j.key = picked.key
  RETURNING j.key, j.claim, j.attempts, j.strikes, j.lease_until, picked.ready`;

const CLAIMED_DELIVERIES_SQL = `
  SELECT key, id, event_uuid, event, payload, received_at FROM (
    SELECT d.*, row_number() OVER (PARTITION BY key ORDER BY received_at, seq) AS n
    FROM rhythm_deliveries d WHERE key = ANY($1::text[]) AND processed_at IS NULL
  ) x WHERE n <= $2
  ORDER BY key, received_at, seq`;

// The EXISTS runs on the statement's snapshot, which still shows this job's deliveries as
// unprocessed, hence `<> ALL`. A delivery committed after the snapshot woke the row (due_at), and
// the UPDATE re-reads a row that changed under it, so that wake is never missed.
const COMPLETE_SQL = `
  WITH done AS (
    UPDATE rhythm_deliveries SET processed_at = $3
    WHERE id = ANY($4::text[]) AND processed_at IS NULL
  ), more AS (
    SELECT EXISTS (
      SELECT 1 FROM rhythm_deliveries
      WHERE key = $1 AND processed_at IS NULL AND id <> ALL($4::text[])
    ) AS more
  )
  UPDATE rhythm_jobs j SET
    state = CASE WHEN j.due_at IS NOT NULL OR more.more THEN 'pending' ELSE 'done' END,
    due_at = CASE WHEN j.due_at IS NOT NULL THEN j.due_at WHEN more.more THEN $3 END,
    attempts = 0, strikes = 0, last_error = NULL, failed_at = NULL, claim = NULL, leased_by = NULL, lease_until = NULL
  FROM more
  WHERE j.key = $1 AND j.claim = $2 AND j.state = 'running'`;

interface ClaimRow {
  key: string;
  claim: string;
  attempts: number;
  strikes: number;
  lease_until: number;
  ready: number;
}

interface KeyedDeliveryRow extends DeliveryRow {
  key: string;
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly memory: CardMemory;
  readonly baselines: Baselines;
  readonly chat: ChatLedger;
  private readonly accepts: GroupCommit<IncomingDelivery, 'stored' | 'duplicate'>;
  private closed = false;
  private revived: (key: string, by: RevivedBy) => void = () => undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxDeliveriesPerClaim: number,
  ) {
    this.accepts = new GroupCommit((batch) => this.commitAccepts(batch), 500);
    this.memory = new PostgresCardMemory(pool);
    this.baselines = new PostgresBaselines(pool);
    this.chat = new PostgresChatLedger(pool);
  }

  onRevive(listener: (key: string, by: RevivedBy) => void): void {
    this.revived = listener;
  }

  private tellRevived(keys: Iterable<string>, by: RevivedBy): void {
    for (const key of keys) {
      try {
        this.revived(key, by);
      } catch {
        // a listener's failure is not the store's
      }
    }
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Replicas starting together queue here; each then sees the version the previous one left.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS rhythm_meta (name text PRIMARY KEY, value text NOT NULL)');
      const { rows } = await client.query<{ value: string }>("SELECT value FROM rhythm_meta WHERE name = 'schema_version'");
      const current = rows[0] ? Number(rows[0].value) : 0;
      if (current > postgresMigrations.length) {
        throw new Error(
          `database schema version ${current} is newer than this Rhythm knows (${postgresMigrations.length}); upgrade Rhythm`,
        );
      }
      for (let v = current; v < postgresMigrations.length; v++) await client.query(postgresMigrations[v] as string);
      await client.query(
        `INSERT INTO rhythm_meta (name, value) VALUES ('schema_version', $1)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
        [String(postgresMigrations.length)],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  accept(delivery: IncomingDelivery): Promise<'stored' | 'duplicate'> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return this.accepts.add(delivery);
  }

  private async commitAccepts(batch: IncomingDelivery[]): Promise<('stored' | 'duplicate')[]> {
    // Copies of one delivery within a batch: the first one speaks for all, the others are duplicates.
    const unique = [...new Map(batch.map((d) => [d.deliveryId, d])).values()];
    const { rows } = await this.pool.query<{ id: string | null; revived: string | null }>(ACCEPT_SQL, [
      unique.map((d) => d.deliveryId),
      unique.map((d) => d.eventUuid),
      unique.map((d) => d.event),
      unique.map((d) => d.key),
      unique.map((d) => d.payload),
      unique.map((d) => d.receivedAt),
    ]);
    const stored = new Set(rows.flatMap((r) => (r.id === null ? [] : [r.id])));
    this.tellRevived(
      rows.flatMap((r) => (r.revived === null ? [] : [r.revived])),
      'delivery',
    );
    const answered = new Set<string>();
    return batch.map((d) => {
      const first = !answered.has(d.deliveryId);
      answered.add(d.deliveryId);
      return first && stored.has(d.deliveryId) ? 'stored' : 'duplicate';
    });
  }

  async enqueue(key: string, now: number, delayMs = 0): Promise<void> {
    const { rows } = await this.pool.query<{ state: string }>(ENQUEUE_SQL, [key, now + Math.max(0, delayMs)]);
    if (rows[0]?.state === 'dead') this.tellRevived([key], 'wake');
  }

  async claim(workerId: string, max: number, leaseMs: number, now: number): Promise<ClaimedJob[]> {
    if (max <= 0) return [];
    const { rows } = await this.pool.query<ClaimRow>(CLAIM_SQL, [now, max, workerId, now + leaseMs]);
    if (rows.length === 0) return [];
    rows.sort((a, b) => a.ready - b.ready || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const jobs = rows.map((r): ClaimedJob => ({
      key: r.key,
      claim: r.claim,
      attempts: r.attempts,
      strikes: r.strikes,
      leaseUntil: r.lease_until,
      deliveries: [],
    }));
    const byKey = new Map(jobs.map((j) => [j.key, j]));
    try {
      const deliveries = await this.pool.query<KeyedDeliveryRow>(CLAIMED_DELIVERIES_SQL, [
        jobs.map((j) => j.key),
        this.maxDeliveriesPerClaim,
      ]);
      for (const d of deliveries.rows) byKey.get(d.key)?.deliveries.push(toStoredDelivery(d));
    } catch (error) {
      // Hand the keys back rather than leave them leased to a worker that never saw them.
      await Promise.allSettled(jobs.map((j) => this.release(j, now)));
      throw error;
    }
    return jobs;
  }

  async renew(job: ClaimedJob, leaseMs: number, now: number): Promise<boolean> {
    const leaseUntil = now + leaseMs;
    const { rowCount } = await this.pool.query(
      "UPDATE rhythm_jobs SET lease_until = $1 WHERE key = $2 AND claim = $3 AND state = 'running'",
      [leaseUntil, job.key, job.claim],
    );
    if (!rowCount) return false;
    job.leaseUntil = leaseUntil;
    return true;
  }

  async complete(job: ClaimedJob, now: number): Promise<void> {
    // Sorted ids: two completions touching the same deliveries lock them in the same order.
    const ids = job.deliveries.map((d) => d.deliveryId).sort();
    await this.pool.query(COMPLETE_SQL, [job.key, job.claim, now, ids]);
  }

  async fail(job: ClaimedJob, error: string, retryAt: number | null, now: number, kind: FailureKind = 'error'): Promise<void> {
    await this.pool.query(
      `UPDATE rhythm_jobs SET state = $3, due_at = $4, attempts = attempts + 1, strikes = strikes + $7,
         last_error = $5, failed_at = $6, claim = NULL, leased_by = NULL, lease_until = NULL
       WHERE key = $1 AND claim = $2 AND state = 'running'`,
      [
        job.key,
        job.claim,
        retryAt === null ? 'dead' : 'pending',
        retryAt,
        error.slice(0, MAX_ERROR_CHARS),
        now,
        kind === 'unavailable' ? 0 : 1,
      ],
    );
  }

  async release(job: ClaimedJob, now: number): Promise<void> {
    await this.pool.query(
      `UPDATE rhythm_jobs SET state = 'pending', due_at = LEAST(COALESCE(due_at, $3), $3),
         claim = NULL, leased_by = NULL, lease_until = NULL
       WHERE key = $1 AND claim = $2 AND state = 'running'`,
      [job.key, job.claim, now],
    );
  }

  async dead(): Promise<DeadJob[]> {
    const { rows } = await this.pool.query<{
      key: string;
      attempts: number;
      last_error: string | null;
      failed_at: number | null;
    }>("SELECT key, attempts, last_error, failed_at FROM rhythm_jobs WHERE state = 'dead' ORDER BY failed_at DESC, key");
    return rows.map((r) => ({
      key: r.key,
      attempts: r.attempts,
      lastError: r.last_error ?? '',
      failedAt: r.failed_at ?? 0,
    }));
  }

  async retryDead(keys?: string[], now?: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE rhythm_jobs SET state = 'pending', due_at = COALESCE($2::bigint, failed_at, 0), attempts = 0,
         strikes = 0, last_error = NULL
       WHERE state = 'dead' AND ($1::text[] IS NULL OR key = ANY($1::text[]))`,
      [keys ?? null, now ?? null],
    );
    return rowCount ?? 0;
  }

  async stats(now: number): Promise<QueueStats> {
    const { rows } = await this.pool.query<{
      pending: number;
      running: number;
      dead: number;
      retrying: number;
      oldest: number | null;
      deliveries: number;
    }>(
      `SELECT
         count(*) FILTER (WHERE state = 'pending' OR (state = 'running' AND lease_until <= $1)) AS pending,
         count(*) FILTER (WHERE state = 'running' AND lease_until > $1) AS running,
         count(*) FILTER (WHERE state = 'dead') AS dead,
         count(*) FILTER (WHERE state = 'pending' AND attempts > 0) AS retrying,
         min(CASE WHEN state = 'pending' AND due_at <= $1 THEN due_at
                  WHEN state = 'running' AND lease_until <= $1 THEN lease_until END) AS oldest,
         (SELECT count(*) FROM rhythm_deliveries WHERE processed_at IS NULL) AS deliveries
       FROM rhythm_jobs WHERE state <> 'done'`,
      [now],
    );
    const r = rows[0];
    if (!r) throw new Error('stats query returned no row');
    return toQueueStats(r, now);
  }

  async hasDelivery(deliveryId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM rhythm_deliveries WHERE id = $1', [deliveryId]);
    return (rowCount ?? 0) > 0;
  }

  async prune(before: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM rhythm_deliveries WHERE processed_at IS NOT NULL AND processed_at < $1 RETURNING 1
       ), idle AS (
         DELETE FROM rhythm_jobs WHERE state = 'done'
       )
       SELECT count(*) AS n FROM gone`,
      [before],
    );
    return rows[0]?.n ?? 0;
  }

  // Leadership is a row with a term end, not a session advisory lock: it follows the `now` callers
  // pass (testable, same as SQLite), needs no pinned connection, and works behind a transaction
  // pooler. A dead leader stops renewing and the row is free once its term ends. Replicas' clocks
  // must agree to well within the TTL.
  async lead(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO rhythm_leaders AS l (name, holder, until) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
       WHERE l.holder = EXCLUDED.holder OR l.until <= $4`,
      [name, holderId, now + ttlMs, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async ping(): Promise<void> {
    const token = randomUUID();
    const { rows } = await this.pool.query<{ value: string }>(
      `INSERT INTO rhythm_meta (name, value) VALUES ('ping', $1)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value RETURNING value`,
      [token],
    );
    if (rows[0]?.value !== token) throw new Error('store ping read back a different value');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.accepts.drain();
    await this.pool.end();
  }
}
