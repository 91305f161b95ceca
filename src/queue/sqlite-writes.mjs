// Every write of the SQLite queue, in one place, for the two connections that run them: the writer
// thread's (sqlite-accept-worker.mjs, the default for a file) and the store's own (':memory:', or
// writerThread: false). Plain JavaScript, so the thread loads it the same under node, tsx and
// vitest; its types are in sqlite-writes.d.mts.
//
// Writes come in batches (see group-commit.ts): one IMMEDIATE transaction, so one fsync, for all
// the writes that arrived in the same turn of the event loop — accepted webhooks, and the worker's
// claims, completions, failures and wakes alike. A write that fails (its own error) fails alone,
// and the others still commit: the batch is run again with a savepoint per write (see `batch`).
import { randomUUID } from 'node:crypto';

// Wake a key. A done key becomes pending; a pending key keeps the sooner due time, except while it
// waits out a retry (the backoff holds); a running key records that it was woken (due_at set), so
// complete() leaves it pending for exactly one more run; a dead key is revived: pending, due like a
// new job, with a clean slate (attempts, strikes, error). Every SET reads the row as it was.
const WAKE_SQL = `
  INSERT INTO rhythm_jobs (key, state, due_at) VALUES (@key, 'pending', @due)
  ON CONFLICT (key) DO UPDATE SET
    state = CASE WHEN state IN ('done', 'dead') THEN 'pending' ELSE state END,
    due_at = CASE
      WHEN state = 'dead' THEN excluded.due_at
      WHEN state = 'pending' AND attempts > 0 THEN due_at
      WHEN due_at IS NULL THEN excluded.due_at
      ELSE min(due_at, excluded.due_at)
    END,
    attempts = CASE WHEN state = 'dead' THEN 0 ELSE attempts END,
    strikes = CASE WHEN state = 'dead' THEN 0 ELSE strikes END,
    last_error = CASE WHEN state = 'dead' THEN NULL ELSE last_error END`;

/** Run just before WAKE_SQL in the same transaction: is the key dead (so this wake revives it)? */
const IS_DEAD_SQL = "SELECT 1 FROM rhythm_jobs WHERE key = ? AND state = 'dead'";

const INSERT_DELIVERY_SQL = `
  INSERT INTO rhythm_deliveries (id, event_uuid, event, key, payload, received_at, processed_at)
  VALUES (@id, @eventUuid, @event, @key, @payload, @receivedAt, @processedAt)
  ON CONFLICT (id) DO NOTHING`;

const PICK_SQL = `
  SELECT key, attempts, strikes FROM (
    SELECT key, attempts, strikes, due_at AS ready FROM rhythm_jobs WHERE state = 'pending' AND due_at <= @now
    UNION ALL
    SELECT key, attempts, strikes, lease_until AS ready FROM rhythm_jobs WHERE state = 'running' AND lease_until <= @now
  ) ORDER BY ready, key LIMIT @max`;

const LEASE_SQL = `
  UPDATE rhythm_jobs SET state = 'running', claim = @claim, leased_by = @workerId,
    lease_until = @leaseUntil, due_at = NULL
  WHERE key = @key`;

const UNPROCESSED_SQL = `
  SELECT id, event_uuid, event, payload, received_at FROM rhythm_deliveries
  WHERE key = @key AND processed_at IS NULL
  ORDER BY received_at, seq LIMIT @limit`;

const RENEW_SQL = `
  UPDATE rhythm_jobs SET lease_until = @leaseUntil
  WHERE key = @key AND claim = @claim AND state = 'running'`;

const MARK_PROCESSED_SQL = 'UPDATE rhythm_deliveries SET processed_at = @now WHERE id = @id AND processed_at IS NULL';
const ANY_UNPROCESSED_SQL = 'SELECT 1 FROM rhythm_deliveries WHERE key = @key AND processed_at IS NULL LIMIT 1';
const HELD_SQL = "SELECT due_at FROM rhythm_jobs WHERE key = ? AND claim = ? AND state = 'running'";
const FINISH_SQL = `
  UPDATE rhythm_jobs SET state = @state, due_at = @due, attempts = 0, strikes = 0, last_error = NULL,
    failed_at = NULL, claim = NULL, leased_by = NULL, lease_until = NULL
  WHERE key = @key`;

const FAIL_SQL = `
  UPDATE rhythm_jobs SET state = @state, due_at = @retryAt, attempts = attempts + 1,
    strikes = strikes + @strike, last_error = @error, failed_at = @now, claim = NULL, leased_by = NULL, lease_until = NULL
  WHERE key = @key AND claim = @claim AND state = 'running'`;

const RELEASE_SQL = `
  UPDATE rhythm_jobs SET state = 'pending', due_at = min(coalesce(due_at, @now), @now),
    claim = NULL, leased_by = NULL, lease_until = NULL
  WHERE key = @key AND claim = @claim AND state = 'running'`;

const RETRY_DEAD_SQL = `
  UPDATE rhythm_jobs SET state = 'pending', due_at = coalesce(@now, failed_at, 0), attempts = 0,
    strikes = 0, last_error = NULL
  WHERE state = 'dead' AND (@all = 1 OR key = @key)`;

const PRUNE_DELIVERIES_SQL = 'DELETE FROM rhythm_deliveries WHERE processed_at IS NOT NULL AND processed_at < ?';
const PRUNE_JOBS_SQL = "DELETE FROM rhythm_jobs WHERE state = 'done'";

// The upsert only writes when the caller already holds the name or the last term has ended;
// RETURNING yields a row exactly when it wrote.
const LEAD_SQL = `
  INSERT INTO rhythm_leaders (name, holder, until) VALUES (@name, @holder, @until)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
  WHERE holder = excluded.holder OR until <= @now
  RETURNING holder`;

const PING_WRITE_SQL = `
  INSERT INTO rhythm_meta (name, value) VALUES ('ping', ?)
  ON CONFLICT (name) DO UPDATE SET value = excluded.value`;
const PING_READ_SQL = "SELECT value FROM rhythm_meta WHERE name = 'ping'";

/**
 * The card memory's tables (migration 3, sqlite-schema.ts), and what re-creates them when someone
 * dropped them: the memory is a cache, and losing it must cost calls, not errors. Only ever changed
 * through a new migration.
 */
export const SQLITE_CARD_MEMORY_TABLES = `
  CREATE TABLE IF NOT EXISTS rhythm_card_memory (
    key          TEXT PRIMARY KEY,
    project      TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    self_written INTEGER NOT NULL,
    recheck_at   INTEGER,
    dirty        INTEGER NOT NULL DEFAULT 0,
    record       TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS rhythm_card_memory_project ON rhythm_card_memory (project, recheck_at);
  CREATE TABLE IF NOT EXISTS rhythm_card_sweeps (
    project   TEXT PRIMARY KEY,
    swept_at  INTEGER NOT NULL,
    full_at   INTEGER,
    cards     INTEGER NOT NULL,
    forgotten INTEGER NOT NULL DEFAULT 0
  );
`;

const MEMORY_PUT_SQL = `
  INSERT INTO rhythm_card_memory (key, project, updated_at, fingerprint, self_written, recheck_at, record, dirty)
  VALUES (@key, @project, @updatedAt, @fingerprint, @selfWritten, @recheckAt, @record, 0)
  ON CONFLICT (key) DO UPDATE SET project = excluded.project, updated_at = excluded.updated_at,
    fingerprint = excluded.fingerprint, self_written = excluded.self_written, recheck_at = excluded.recheck_at,
    record = excluded.record, dirty = 0`;
const MEMORY_DIRTY_SQL = 'UPDATE rhythm_card_memory SET dirty = ? WHERE key = ?';
const MEMORY_ADOPT_SQL = `
  UPDATE rhythm_card_memory SET updated_at = @to, self_written = 0
  WHERE key = @key AND dirty = 0 AND updated_at = @from AND fingerprint = @fingerprint`;
const MEMORY_FORGET_SQL = 'DELETE FROM rhythm_card_memory WHERE key = ? RETURNING project';
const MEMORY_FORGOTTEN_SQL = 'UPDATE rhythm_card_sweeps SET forgotten = forgotten + 1 WHERE project = ?';
const MEMORY_MARK_SQL = `
  INSERT INTO rhythm_card_sweeps (project, swept_at, full_at, cards, forgotten)
  VALUES (@project, @sweptAt, @fullAt, (SELECT count(*) FROM rhythm_card_memory WHERE project = @project), 0)
  ON CONFLICT (project) DO UPDATE SET swept_at = excluded.swept_at,
    full_at = coalesce(excluded.full_at, rhythm_card_sweeps.full_at), cards = excluded.cards, forgotten = 0`;

const missingMemoryTable = /no such table: rhythm_card_(memory|sweeps)/;

/** The writes on `db`. Statements are prepared on first use: the schema may not be migrated yet. */
export function createWrites(db) {
  const statements = new Map();
  const sql = (text) => {
    let stmt = statements.get(text);
    if (!stmt) {
      stmt = db.prepare(text);
      statements.set(text, stmt);
    }
    return stmt;
  };
  // Keys this transaction has woken, and the soonest due time it gave each. A burst often names the
  // same cards again and again: once a key is woken here, a wake no sooner than that one changes
  // nothing (the row is pending or running with a due time at least as soon, whatever it was
  // before), so it is skipped, two statements fewer. Any other write to the jobs forgets them.
  let woken = new Map();
  const wake = (key, due) => {
    const earlier = woken.get(key);
    if (earlier !== undefined && earlier <= due) return false;
    const dead = sql(IS_DEAD_SQL).get(key) !== undefined;
    sql(WAKE_SQL).run({ key, due });
    woken.set(key, earlier === undefined ? due : Math.min(earlier, due));
    return dead;
  };
  /** Writes that leave the jobs as they are, but for wakes. */
  const wakesOnly = new Set([
    'accept',
    'enqueue',
    'memoryPut',
    'memoryDirty',
    'memoryAdopt',
    'memoryForget',
    'memorySetMark',
    'memoryClear',
  ]);

  /** A card memory write; when its tables are gone (dropped by hand), makes them again and runs it once more. */
  const memory = (work) => {
    try {
      return work();
    } catch (err) {
      if (!(err instanceof Error) || !missingMemoryTable.test(err.message)) throw err;
      db.exec(SQLITE_CARD_MEMORY_TABLES);
      return work();
    }
  };

  const ops = {
    /** One delivery; `revived` when its key was dead. */
    accept(row) {
      if (sql(INSERT_DELIVERY_SQL).run(row).changes === 0) return { result: 'duplicate', revived: false };
      return { result: 'stored', revived: row.key !== null && wake(row.key, row.receivedAt) };
    },
    /** True when the key was dead (this wake revives it). */
    enqueue({ key, due }) {
      return wake(key, due);
    },
    claim({ workerId, max, leaseMs, now, limit }) {
      const picked = sql(PICK_SQL).all({ now, max });
      return picked.map((row) => {
        const job = {
          key: row.key,
          claim: randomUUID(),
          attempts: row.attempts,
          strikes: row.strikes,
          leaseUntil: now + leaseMs,
          deliveries: [],
        };
        sql(LEASE_SQL).run({ claim: job.claim, workerId, leaseUntil: job.leaseUntil, key: job.key });
        job.deliveries = sql(UNPROCESSED_SQL)
          .all({ key: job.key, limit })
          .map((r) => ({ deliveryId: r.id, eventUuid: r.event_uuid, event: r.event, payload: r.payload, receivedAt: r.received_at }));
        return job;
      });
    },
    /** True when the claim still held the job. */
    renew({ key, claim, leaseUntil }) {
      return sql(RENEW_SQL).run({ leaseUntil, key, claim }).changes > 0;
    },
    complete({ key, claim, deliveryIds, now }) {
      // The work was done even if the lease was lost meanwhile, so its deliveries count as processed.
      for (const id of deliveryIds) sql(MARK_PROCESSED_SQL).run({ now, id });
      const row = sql(HELD_SQL).get(key, claim);
      if (!row) return null;
      // Woken while running, or deliveries left beyond those handed out: one more run.
      const again = row.due_at !== null || sql(ANY_UNPROCESSED_SQL).get({ key }) !== undefined;
      sql(FINISH_SQL).run({ state: again ? 'pending' : 'done', due: again ? (row.due_at ?? now) : null, key });
      return null;
    },
    fail({ key, claim, error, retryAt, now, strike }) {
      sql(FAIL_SQL).run({ state: retryAt === null ? 'dead' : 'pending', retryAt, strike, error, now, key, claim });
      return null;
    },
    release({ key, claim, now }) {
      sql(RELEASE_SQL).run({ now, key, claim });
      return null;
    },
    /** How many dead jobs were revived: all of them (`keys` null), or those named. */
    retryDead({ keys, now }) {
      if (keys === null) return sql(RETRY_DEAD_SQL).run({ now, all: 1, key: null }).changes;
      let n = 0;
      for (const key of new Set(keys)) n += sql(RETRY_DEAD_SQL).run({ now, all: 0, key }).changes;
      return n;
    },
    /** Processed deliveries older than `before` forgotten (their count), and finished jobs. */
    prune({ before }) {
      const { changes } = sql(PRUNE_DELIVERIES_SQL).run(before);
      sql(PRUNE_JOBS_SQL).run();
      return changes;
    },
    lead({ name, holder, ttlMs, now }) {
      return sql(LEAD_SQL).get({ name, holder, until: now + ttlMs, now }) !== undefined;
    },
    // The card memory (sqlite-card-memory.ts reads it on its own connection).
    memoryPut(row) {
      memory(() => sql(MEMORY_PUT_SQL).run(row));
      return null;
    },
    /** `dirty`: 1 before the bot writes to the card, 0 once the row as it was holds again. */
    memoryDirty({ key, dirty }) {
      memory(() => sql(MEMORY_DIRTY_SQL).run(dirty, key));
      return null;
    },
    /** True when the row was adopted. */
    memoryAdopt(args) {
      return memory(() => sql(MEMORY_ADOPT_SQL).run(args).changes > 0);
    },
    memoryForget({ key }) {
      memory(() => {
        const row = sql(MEMORY_FORGET_SQL).get(key);
        if (row) sql(MEMORY_FORGOTTEN_SQL).run(row.project);
      });
      return null;
    },
    memorySetMark(args) {
      memory(() => sql(MEMORY_MARK_SQL).run(args));
      return null;
    },
    memoryClear() {
      memory(() => db.exec('DELETE FROM rhythm_card_memory; DELETE FROM rhythm_card_sweeps;'));
      return null;
    },
    /** SQLite's `synchronous` on the connection that commits (2 FULL, 1 NORMAL): what the operator chose is what runs. */
    synchronous() {
      return db.pragma('synchronous', { simple: true });
    },
    /** Writes `token` and reads it back. */
    ping({ token }) {
      sql(PING_WRITE_SQL).run(token);
      return sql(PING_READ_SQL).get()?.value ?? null;
    },
  };

  // Each write in a savepoint of its own, so one that fails fails alone and the others still commit.
  const isolated = db.transaction((items) => {
    woken = new Map();
    return items.map(({ op, args }) => {
      const write = ops[op];
      if (!write) return { error: `unknown write: ${op}` };
      if (!wakesOnly.has(op)) woken = new Map();
      try {
        return { value: db.transaction(() => write(args))() };
      } catch (err) {
        // Its savepoint rolled back what it wrote, a wake too.
        woken = new Map();
        // An error SQLite answered by rolling back the whole transaction (disk full, I/O): the
        // rest of the batch must not run outside it; the batch fails as one.
        if (!db.inTransaction) throw err;
        return { error: err instanceof Error ? err.message : String(err) };
      }
    });
  });
  // A savepoint costs more than a delivery's own writes (~17 µs an item, measured), and a write
  // fails only rarely: the batch runs without them first, and a write that throws rolls the whole
  // transaction back, to be run again as above. Either way the outcome is the isolated one.
  const flat = db.transaction((items) => {
    woken = new Map();
    return items.map(({ op, args }) => {
      const write = ops[op];
      if (!write) return { error: `unknown write: ${op}` };
      if (!wakesOnly.has(op)) woken = new Map();
      return { value: write(args) };
    });
  });
  const batch = {
    immediate(items) {
      try {
        return flat.immediate(items);
      } catch {
        return isolated.immediate(items);
      }
    },
  };
  return {
    /** Runs the writes in one IMMEDIATE transaction: a result ({ value } or { error }) per write, in order. */
    run: (items) => batch.immediate(items),
  };
}
