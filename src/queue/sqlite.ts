// The embedded store: one SQLite file in WAL mode. Every write transaction is IMMEDIATE, so two
// processes on the same file (`rhythm serve` and a CLI command) serialize on SQLite's write lock;
// that lock is what makes "a key is never leased twice" hold across processes.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ClaimedJob, DeadJob, FailureKind, IncomingDelivery, QueueStats, RevivedBy, Store } from './contract.js';
import { GroupCommit } from './group-commit.js';
import { sqliteMigrations } from './sqlite-schema.js';
import { SqliteCardMemory } from './sqlite-card-memory.js';
import type { CardMemory } from './card-memory.js';
import { SqliteChatLedger } from './sqlite-chat-ledger.js';
import type { ChatLedger } from './chat-ledger.js';
import { toQueueStats, toStoredDelivery, type DeliveryRow, type StatsRow } from './rows.js';

export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /** Most deliveries handed out with one claim; the rest wait for the next run. Default 500. */
  maxDeliveriesPerClaim?: number;
  /** Commit accepted deliveries on a writer thread (default true for a file). */
  writerThread?: boolean;
}

/** Longest error text kept for a failed job; the rest is cut (stack traces can be huge). */
const MAX_ERROR_CHARS = 4000;

export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<Store> {
  const file = path === ':memory:' ? null : path;
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    // Before SQLite maps anything of it: a file Rhythm cannot write is refused here, by name.
    assertWritable(file);
  }
  const busyTimeoutMs = Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000));
  let db: Database.Database | null = null;
  try {
    db = new Database(path);
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    // FULL: a commit is fsynced before accept() resolves, so an acknowledged delivery survives power loss.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Reads go through read(2), never a mapping of the database file (a mapped file that shrinks
    // or fails under us kills the process with SIGBUS instead of returning an error).
    db.pragma('mmap_size = 0');
  } catch (err) {
    db?.close();
    throw new Error(`could not open the SQLite database ${path}: ${(err as Error).message}`, { cause: err });
  }
  const identity = file ? new FileIdentity(file) : null;
  // Accepts are committed on a writer thread (a file database only: ':memory:' is per connection).
  const writer = file && opts.writerThread !== false ? new AcceptWriter(file, busyTimeoutMs) : null;
  // With the helper threads, checkpoints are theirs: none inside this connection's commits either.
  if (writer) db.pragma('wal_autocheckpoint = 0');
  return new SqliteStore(
    db,
    opts.maxDeliveriesPerClaim ?? 500,
    writer,
    identity,
    file ? memoryConnection(file, busyTimeoutMs, !!writer) : null,
  );
}

/**
 * The card memory's own connection to the file, with synchronous=NORMAL: a commit of the memory
 * does not wait for the disk (the queue's next commit, moments later, takes it there; what a
 * power cut loses of a cache costs calls). The memory is marked dirty before the bot writes to a
 * card, so even then no copy older than GitLab's is decided from, unless the cut also took the
 * queue's own last commit.
 */
function memoryConnection(file: string, busyTimeoutMs: number, checkpointsElsewhere: boolean): Database.Database {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('mmap_size = 0');
    if (checkpointsElsewhere) db.pragma('wal_autocheckpoint = 0');
  } catch (err) {
    db.close();
    throw new Error(`could not open the SQLite database ${file}: ${(err as Error).message}`, { cause: err });
  }
  return db;
}

/**
 * Refuses a database Rhythm could not write to, naming the file: the file itself, its -wal and
 * -shm when present, or the folder they would be created in. Opening for writing is the test
 * (not the mode bits), so it also holds for root, for an immutable file and a read-only mount.
 */
function assertWritable(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(f)) continue;
    try {
      closeSync(openSync(f, 'r+'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new Error(
        `database file ${f} is read-only (${code}): Rhythm stores every delivery there, so it must be able to write to it; ` +
          'fix its permissions, or point RHYTHM_DATABASE_URL at a writable file',
        { cause: err },
      );
    }
  }
  const dir = dirname(file);
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `database folder ${dir} is read-only (${code}): SQLite creates ${file}-wal and -shm beside the database; make the folder writable`,
      { cause: err },
    );
  }
}

/**
 * The database file as it was when the store opened it. Open connections keep writing into a
 * file that was deleted (or replaced by another) after they opened it, where nothing survives a
 * restart; check() says so instead, so nothing is acknowledged into it.
 */
class FileIdentity {
  private readonly dev: number;
  private readonly ino: number;

  constructor(private readonly path: string) {
    const st = statSync(path);
    this.dev = st.dev;
    this.ino = st.ino;
  }

  /** Throws, naming the file and what happened, when it is gone, replaced or read-only. */
  check(write = false): void {
    let st;
    try {
      st = statSync(this.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT'
          ? `the database file ${this.path} is gone (deleted while Rhythm had it open): nothing written now would survive a restart, so nothing is stored; restart Rhythm on a database file`
          : `the database file ${this.path} cannot be checked (${code ?? 'error'}): nothing is stored`,
        { cause: err },
      );
    }
    if (st.ino !== this.ino || st.dev !== this.dev) {
      throw new Error(
        `the database file ${this.path} was replaced by another file while Rhythm had it open: nothing is stored into the old one; restart Rhythm`,
      );
    }
    if (write) {
      try {
        accessSync(this.path, constants.W_OK);
      } catch (err) {
        throw new Error(`the database file ${this.path} became read-only: Rhythm could not start on it again`, { cause: err });
      }
    }
  }
}

interface JobRow {
  key: string;
  state: 'pending' | 'running' | 'dead' | 'done';
  due_at: number | null;
  claim: string | null;
  attempts: number;
  strikes: number;
}

interface DeadRow {
  key: string;
  attempts: number;
  last_error: string | null;
  failed_at: number | null;
}

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

interface DeliveryParams {
  id: string;
  eventUuid: string | null;
  event: string;
  key: string | null;
  payload: string;
  receivedAt: number;
  processedAt: number | null;
}

function deliveryParams(d: IncomingDelivery): DeliveryParams {
  return {
    id: d.deliveryId,
    eventUuid: d.eventUuid,
    event: d.event,
    key: d.key,
    payload: d.payload,
    receivedAt: d.receivedAt,
    // A delivery that wakes no work has nothing left to do once stored.
    processedAt: d.key === null ? d.receivedAt : null,
  };
}

/**
 * The accept commits on their own thread (sqlite-accept-worker.mjs), so fsync never stalls the
 * event loop: while one batch is on its way to disk, the receiver keeps reading the next ones.
 */
class AcceptWriter {
  private readonly worker: Worker;
  private readonly checkpointer: Worker;
  private nextId = 0;
  private broken: Error | null = null;
  private readonly waiting = new Map<number, { resolve: (r: AcceptCommit) => void; reject: (e: Error) => void }>();

  constructor(path: string, busyTimeoutMs: number) {
    const script = new URL('./sqlite-accept-worker.mjs', import.meta.url);
    this.worker = new Worker(script, {
      workerData: { role: 'writer', path, busyTimeoutMs, insertSql: INSERT_DELIVERY_SQL, wakeSql: WAKE_SQL, isDeadSql: IS_DEAD_SQL },
    });
    this.checkpointer = new Worker(script, { workerData: { role: 'checkpointer', path, busyTimeoutMs, checkpointEveryMs: 200 } });
    this.worker.unref();
    this.checkpointer.unref();
    this.worker.on('message', (m: { id: number; results?: ('stored' | 'duplicate')[]; revived?: string[]; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve({ results: m.results ?? [], revived: m.revived ?? [] });
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`the SQLite writer thread stopped (${code})`)));
    this.checkpointer.on('error', () => undefined); // a missed checkpoint only lets the WAL grow a little
  }

  commit(rows: DeliveryParams[]): Promise<AcceptCommit> {
    // A writer that died stores nothing more: say so at once (the receiver answers 503).
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<AcceptCommit>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref(); // keep the process alive while a commit is in flight
      this.worker.postMessage({ id, rows });
    }).finally(() => {
      if (this.waiting.size === 0) this.worker.unref();
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.worker, this.checkpointer].map(stopThread));
  }

  private failAll(err: Error) {
    this.broken ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/** One committed batch of accepts: a result per delivery, and the dead keys it revived. */
interface AcceptCommit {
  results: ('stored' | 'duplicate')[];
  revived: string[];
}

function stopThread(thread: Worker): Promise<void> {
  if (thread.threadId === -1) return Promise.resolve(); // already gone
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  thread.ref(); // an unref'd thread would let the process end before it has closed
  thread.postMessage({ close: true });
  return exited;
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly memory: CardMemory;
  readonly chat: ChatLedger;
  private readonly accepts: GroupCommit<IncomingDelivery, 'stored' | 'duplicate'>;
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();
  private revived: (key: string, by: RevivedBy) => void = () => undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly maxDeliveriesPerClaim: number,
    private readonly writer: AcceptWriter | null = null,
    private readonly identity: FileIdentity | null = null,
    private readonly memoryDb: Database.Database | null = null,
  ) {
    this.accepts = new GroupCommit((batch) => this.commitAccepts(batch));
    this.memory = new SqliteCardMemory(memoryDb ?? db);
    this.chat = new SqliteChatLedger(db);
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
    const run = this.db.transaction(() => {
      this.db.exec('CREATE TABLE IF NOT EXISTS rhythm_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const row = this.db.prepare("SELECT value FROM rhythm_meta WHERE name = 'schema_version'").get() as { value: string } | undefined;
      const current = row ? Number(row.value) : 0;
      if (current > sqliteMigrations.length) {
        throw new Error(`database schema version ${current} is newer than this Rhythm knows (${sqliteMigrations.length}); upgrade Rhythm`);
      }
      for (let v = current; v < sqliteMigrations.length; v++) this.db.exec(sqliteMigrations[v] as string);
      this.db
        .prepare(
          `INSERT INTO rhythm_meta (name, value) VALUES ('schema_version', @v)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
        )
        .run({ v: String(sqliteMigrations.length) });
    });
    // IMMEDIATE takes the write lock first, so two processes migrating at once run one after the other.
    run.immediate();
  }

  accept(delivery: IncomingDelivery): Promise<'stored' | 'duplicate'> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return this.accepts.add(delivery);
  }

  private async commitAccepts(batch: IncomingDelivery[]): Promise<('stored' | 'duplicate')[]> {
    // Checked before (nothing written into a deleted file) and after the commit (a file deleted
    // meanwhile may have taken the batch with it): only a batch that is in the file is acknowledged.
    this.identity?.check();
    const rows = batch.map(deliveryParams);
    let commit: AcceptCommit;
    if (this.writer) {
      commit = await this.writer.commit(rows);
    } else {
      const insert = this.sql(INSERT_DELIVERY_SQL);
      const wake = this.sql(WAKE_SQL);
      const isDead = this.sql(IS_DEAD_SQL);
      const run = this.db.transaction((items: DeliveryParams[]): AcceptCommit => {
        const revived: string[] = [];
        const results = items.map((row) => {
          if (insert.run(row).changes === 0) return 'duplicate' as const;
          if (row.key !== null) {
            if (isDead.get(row.key) !== undefined) revived.push(row.key);
            wake.run({ key: row.key, due: row.receivedAt });
          }
          return 'stored' as const;
        });
        return { results, revived };
      });
      commit = run.immediate(rows);
    }
    this.identity?.check();
    this.tellRevived(commit.revived, 'delivery');
    return commit.results;
  }

  async enqueue(key: string, now: number, delayMs = 0): Promise<void> {
    this.identity?.check();
    const isDead = this.sql(IS_DEAD_SQL);
    const wake = this.sql(WAKE_SQL);
    const run = this.db.transaction(() => {
      const dead = isDead.get(key) !== undefined;
      wake.run({ key, due: now + Math.max(0, delayMs) });
      return dead;
    });
    if (run.immediate()) this.tellRevived([key], 'wake');
  }

  async claim(workerId: string, max: number, leaseMs: number, now: number): Promise<ClaimedJob[]> {
    if (max <= 0) return [];
    // No work from a deleted file: what it would record (done, failed) is lost on restart anyway.
    this.identity?.check();
    const pick = this.sql(`
      SELECT key, attempts, strikes FROM (
        SELECT key, attempts, strikes, due_at AS ready FROM rhythm_jobs WHERE state = 'pending' AND due_at <= @now
        UNION ALL
        SELECT key, attempts, strikes, lease_until AS ready FROM rhythm_jobs WHERE state = 'running' AND lease_until <= @now
      ) ORDER BY ready, key LIMIT @max`);
    const lease = this.sql(`
      UPDATE rhythm_jobs SET state = 'running', claim = @claim, leased_by = @workerId,
        lease_until = @leaseUntil, due_at = NULL
      WHERE key = @key`);
    const deliveries = this.sql(`
      SELECT id, event_uuid, event, payload, received_at FROM rhythm_deliveries
      WHERE key = @key AND processed_at IS NULL
      ORDER BY received_at, seq LIMIT @limit`);
    const run = this.db.transaction(() => {
      const picked = pick.all({ now, max }) as { key: string; attempts: number; strikes: number }[];
      return picked.map((row): ClaimedJob => {
        const job: ClaimedJob = {
          key: row.key,
          claim: randomUUID(),
          attempts: row.attempts,
          strikes: row.strikes,
          leaseUntil: now + leaseMs,
          deliveries: [],
        };
        lease.run({ claim: job.claim, workerId, leaseUntil: job.leaseUntil, key: job.key });
        const rows = deliveries.all({ key: job.key, limit: this.maxDeliveriesPerClaim }) as DeliveryRow[];
        job.deliveries = rows.map(toStoredDelivery);
        return job;
      });
    });
    return run.immediate();
  }

  async renew(job: ClaimedJob, leaseMs: number, now: number): Promise<boolean> {
    const leaseUntil = now + leaseMs;
    const { changes } = this.sql(
      `
      UPDATE rhythm_jobs SET lease_until = @leaseUntil
      WHERE key = @key AND claim = @claim AND state = 'running'`,
    ).run({ leaseUntil, key: job.key, claim: job.claim });
    if (changes === 0) return false;
    job.leaseUntil = leaseUntil;
    return true;
  }

  async complete(job: ClaimedJob, now: number): Promise<void> {
    const markProcessed = this.sql(`
      UPDATE rhythm_deliveries SET processed_at = @now WHERE id = @id AND processed_at IS NULL`);
    const unprocessed = this.sql(`
      SELECT 1 FROM rhythm_deliveries WHERE key = @key AND processed_at IS NULL LIMIT 1`);
    const finish = this.sql(`
      UPDATE rhythm_jobs SET state = @state, due_at = @due, attempts = 0, strikes = 0, last_error = NULL,
        failed_at = NULL, claim = NULL, leased_by = NULL, lease_until = NULL
      WHERE key = @key`);
    const run = this.db.transaction(() => {
      // The work was done even if the lease was lost meanwhile, so its deliveries count as processed.
      for (const d of job.deliveries) markProcessed.run({ now, id: d.deliveryId });
      const row = this.heldJob(job);
      if (!row) return;
      // Woken while running, or deliveries left beyond those handed out: one more run.
      const again = row.due_at !== null || unprocessed.get({ key: job.key }) !== undefined;
      finish.run({ state: again ? 'pending' : 'done', due: again ? (row.due_at ?? now) : null, key: job.key });
    });
    run.immediate();
  }

  async fail(job: ClaimedJob, error: string, retryAt: number | null, now: number, kind: FailureKind = 'error'): Promise<void> {
    const failed = this.sql(`
      UPDATE rhythm_jobs SET state = @state, due_at = @retryAt, attempts = attempts + 1,
        strikes = strikes + @strike, last_error = @error, failed_at = @now, claim = NULL, leased_by = NULL, lease_until = NULL
      WHERE key = @key AND claim = @claim AND state = 'running'`);
    failed.run({
      state: retryAt === null ? 'dead' : 'pending',
      retryAt,
      strike: kind === 'unavailable' ? 0 : 1,
      error: error.slice(0, MAX_ERROR_CHARS),
      now,
      key: job.key,
      claim: job.claim,
    });
  }

  async release(job: ClaimedJob, now: number): Promise<void> {
    const released = this.sql(`
      UPDATE rhythm_jobs SET state = 'pending', due_at = min(coalesce(due_at, @now), @now),
        claim = NULL, leased_by = NULL, lease_until = NULL
      WHERE key = @key AND claim = @claim AND state = 'running'`);
    released.run({ now, key: job.key, claim: job.claim });
  }

  async dead(): Promise<DeadJob[]> {
    const rows = this.sql(
      `
      SELECT key, attempts, last_error, failed_at FROM rhythm_jobs
      WHERE state = 'dead' ORDER BY failed_at DESC, key`,
    ).all() as DeadRow[];
    return rows.map((r) => ({
      key: r.key,
      attempts: r.attempts,
      lastError: r.last_error ?? '',
      failedAt: r.failed_at ?? 0,
    }));
  }

  async retryDead(keys?: string[], now?: number): Promise<number> {
    const revive = this.sql(`
      UPDATE rhythm_jobs SET state = 'pending', due_at = coalesce(@now, failed_at, 0), attempts = 0,
        strikes = 0, last_error = NULL
      WHERE state = 'dead' AND (@all = 1 OR key = @key)`);
    const run = this.db.transaction(() => {
      if (keys === undefined) return revive.run({ now: now ?? null, all: 1, key: null }).changes;
      let n = 0;
      for (const key of new Set(keys)) n += revive.run({ now: now ?? null, all: 0, key }).changes;
      return n;
    });
    return run.immediate();
  }

  async stats(now: number): Promise<QueueStats> {
    // A running job whose lease ran out is waiting to be taken again: it counts as pending.
    const jobs = this.sql(
      `
      SELECT
        coalesce(sum(state = 'pending' OR (state = 'running' AND lease_until <= @now)), 0) AS pending,
        coalesce(sum(state = 'running' AND lease_until > @now), 0) AS running,
        coalesce(sum(state = 'dead'), 0) AS dead,
        coalesce(sum(state = 'pending' AND attempts > 0), 0) AS retrying,
        min(CASE WHEN state = 'pending' AND due_at <= @now THEN due_at
                 WHEN state = 'running' AND lease_until <= @now THEN lease_until END) AS oldest
      FROM rhythm_jobs WHERE state <> 'done'`,
    ).get({ now }) as Omit<StatsRow, 'deliveries'>;
    const inbox = this.sql(
      `
      SELECT count(*) AS n FROM rhythm_deliveries WHERE processed_at IS NULL`,
    ).get() as { n: number };
    return toQueueStats({ ...jobs, deliveries: inbox.n }, now);
  }

  async hasDelivery(deliveryId: string): Promise<boolean> {
    return this.sql('SELECT 1 FROM rhythm_deliveries WHERE id = ?').get(deliveryId) !== undefined;
  }

  async prune(before: number): Promise<number> {
    const forget = this.sql(`
      DELETE FROM rhythm_deliveries WHERE processed_at IS NOT NULL AND processed_at < ?`);
    const finished = this.sql("DELETE FROM rhythm_jobs WHERE state = 'done'");
    const run = this.db.transaction(() => {
      const { changes } = forget.run(before);
      finished.run();
      return changes;
    });
    return run.immediate();
  }

  async lead(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean> {
    // The upsert only writes when the caller already holds the name or the last term has ended;
    // RETURNING yields a row exactly when it wrote.
    const row = this.sql(
      `
      INSERT INTO rhythm_leaders (name, holder, until) VALUES (@name, @holder, @until)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
      WHERE holder = excluded.holder OR until <= @now
      RETURNING holder`,
    ).get({ name, holder: holderId, until: now + ttlMs, now });
    return row !== undefined;
  }

  async ping(): Promise<void> {
    this.identity?.check(true);
    const token = randomUUID();
    const write = this.sql(`
      INSERT INTO rhythm_meta (name, value) VALUES ('ping', ?)
      ON CONFLICT (name) DO UPDATE SET value = excluded.value`);
    const read = this.sql("SELECT value FROM rhythm_meta WHERE name = 'ping'");
    const run = this.db.transaction(() => {
      write.run(token);
      return read.get() as { value: string } | undefined;
    });
    if (run.immediate()?.value !== token) throw new Error('store ping read back a different value');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.accepts.drain();
    await this.writer?.close();
    this.memoryDb?.close();
    this.db.close();
  }

  /** A prepared statement, prepared once per store (preparing costs more than running). */
  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  /** The job row, when `job`'s claim still holds it. */
  private heldJob(job: ClaimedJob): JobRow | undefined {
    return this.sql(
      `
      SELECT key, state, due_at, claim, attempts, strikes FROM rhythm_jobs
      WHERE key = ? AND claim = ? AND state = 'running'`,
    ).get(job.key, job.claim) as JobRow | undefined;
  }
}
