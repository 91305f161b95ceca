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
import { SqliteBaselines } from './sqlite-baselines.js';
import type { Baselines } from './baselines.js';
import { toQueueStats, type StatsRow } from './rows.js';
import { createWrites, type DeliveryParams, type WriteItem, type WriteName, type WriteOps, type WriteResult } from './sqlite-writes.mjs';
import { SqliteChatLedger } from './sqlite-chat-ledger.js';
import type { ChatLedger } from './chat-ledger.js';

export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /** Most deliveries handed out with one claim; the rest wait for the next run. Default 500. */
  maxDeliveriesPerClaim?: number;
  /** Commit accepted deliveries on a writer thread (default true for a file). */
  writerThread?: boolean;
  /**
   * SQLite's `synchronous` for the writes (RHYTHM_SQLITE_SYNCHRONOUS). 'full' (default): every
   * commit is fsynced before anything is acknowledged, so an acknowledged delivery survives power
   * loss. 'normal': in WAL mode a commit survives a crash of Rhythm but not of the machine; the
   * last moment's deliveries lost that way are found again by the next sweep.
   */
  synchronous?: SqliteSynchronous;
}

export type SqliteSynchronous = 'full' | 'normal';

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
  const synchronous = opts.synchronous ?? 'full';
  let db: Database.Database | null = null;
  try {
    db = new Database(path);
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    // FULL: a commit is fsynced before accept() resolves, so an acknowledged delivery survives power loss.
    db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    // Reads go through read(2), never a mapping of the database file (a mapped file that shrinks
    // or fails under us kills the process with SIGBUS instead of returning an error).
    db.pragma('mmap_size = 0');
  } catch (err) {
    db?.close();
    throw new Error(`could not open the SQLite database ${path}: ${(err as Error).message}`, { cause: err });
  }
  const identity = file ? new FileIdentity(file) : null;
  // Writes are committed on a writer thread (a file database only: ':memory:' is per connection).
  const writer = file && opts.writerThread !== false ? new WriterThread(file, busyTimeoutMs, synchronous) : null;
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
 * The card memory's own connection to the file, for its reads. Its writes go with the queue's (on
 * the writer thread when there is one): a write here would wait for SQLite's write lock, held by
 * the writer through each fsync, on the event loop that answers GitLab. The memory is marked dirty
 * (committed) before the bot writes to a card, so no copy older than GitLab's is decided from.
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

interface DeadRow {
  key: string;
  attempts: number;
  last_error: string | null;
  failed_at: number | null;
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
 * The store's writes on their own thread (sqlite-accept-worker.mjs), so neither fsync nor SQLite's
 * write lock ever stalls the event loop: while one batch is on its way to disk, the receiver keeps
 * reading the next webhooks and the worker's writes wait their turn without blocking anyone.
 */
class WriterThread {
  private readonly worker: Worker;
  private readonly checkpointer: Worker;
  private nextId = 0;
  private broken: Error | null = null;
  private readonly waiting = new Map<number, { resolve: (r: WriteResult[]) => void; reject: (e: Error) => void }>();

  constructor(path: string, busyTimeoutMs: number, synchronous: SqliteSynchronous) {
    const script = new URL('./sqlite-accept-worker.mjs', import.meta.url);
    this.worker = new Worker(script, { workerData: { role: 'writer', path, busyTimeoutMs, synchronous } });
    this.checkpointer = new Worker(script, { workerData: { role: 'checkpointer', path, busyTimeoutMs, checkpointEveryMs: 200 } });
    this.worker.unref();
    this.checkpointer.unref();
    this.worker.on('message', (m: { id: number; results?: WriteResult[]; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.results ?? []);
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`the SQLite writer thread stopped (${code})`)));
    this.checkpointer.on('error', () => undefined); // a missed checkpoint only lets the WAL grow a little
  }

  run(items: WriteItem[]): Promise<WriteResult[]> {
    // A writer that died stores nothing more: say so at once (the receiver answers 503).
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<WriteResult[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref(); // keep the process alive while a commit is in flight
      this.worker.postMessage({ id, items });
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
  readonly baselines: Baselines;
  readonly chat: ChatLedger;
  /** Every write, grouped: the writes of one event-loop turn share one transaction and one fsync. */
  private readonly writes: GroupCommit<WriteItem, WriteResult>;
  private readonly writer: WriterThread | null;
  private readonly inline: ReturnType<typeof createWrites> | null;
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();
  private revived: (key: string, by: RevivedBy) => void = () => undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly maxDeliveriesPerClaim: number,
    writer: WriterThread | null = null,
    private readonly identity: FileIdentity | null = null,
    private readonly memoryDb: Database.Database | null = null,
  ) {
    this.writer = writer;
    // Without the thread (':memory:', or writerThread: false) the same writes run on this
    // connection: accepts still grouped, the rest at once (each its own transaction), as callers
    // on a synchronous store expect.
    this.inline = writer ? null : createWrites(db);
    // Batches are handed to the thread as they form, without waiting for the last commit: the
    // thread commits all it has been handed meanwhile as one, as soon as the last is on disk.
    this.writes = new GroupCommit((items) => this.commitWrites(items), 1000, 16);
    this.memory = new SqliteCardMemory(memoryDb ?? db, (op, args) => this.write(op, args));
    this.baselines = new SqliteBaselines(db);
    this.chat = new SqliteChatLedger(db);
  }

  /** One write, committed (with the others of its batch) before this resolves. */
  private async write<K extends WriteName>(op: K, args: WriteOps[K]['args']): Promise<WriteOps[K]['value']> {
    if (this.closed) throw new Error('store is closed');
    const item = { op, args } as WriteItem;
    const result = this.inline && op !== 'accept' ? this.inline.run([item])[0]! : await this.writes.add(item);
    if ('error' in result) throw new Error(result.error);
    return result.value as WriteOps[K]['value'];
  }

  private async commitWrites(items: WriteItem[]): Promise<WriteResult[]> {
    // Checked before (nothing written into a deleted file) and after the commit (a file deleted
    // meanwhile may have taken the batch with it): only a batch that is in the file is
    // acknowledged. Once a batch, not once a delivery: each check is a stat of the file.
    this.identity?.check();
    const results = this.writer ? await this.writer.run(items) : this.inline!.run(items);
    this.identity?.check();
    return results;
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

  async accept(delivery: IncomingDelivery): Promise<'stored' | 'duplicate'> {
    const { result, revived } = await this.write('accept', deliveryParams(delivery));
    if (revived && delivery.key !== null) this.tellRevived([delivery.key], 'delivery');
    return result;
  }

  async enqueue(key: string, now: number, delayMs = 0): Promise<void> {
    this.identity?.check();
    if (await this.write('enqueue', { key, due: now + Math.max(0, delayMs) })) this.tellRevived([key], 'wake');
  }

  async claim(workerId: string, max: number, leaseMs: number, now: number): Promise<ClaimedJob[]> {
    if (max <= 0) return [];
    // No work from a deleted file: what it would record (done, failed) is lost on restart anyway.
    this.identity?.check();
    return this.write('claim', { workerId, max, leaseMs, now, limit: this.maxDeliveriesPerClaim });
  }

  async renew(job: ClaimedJob, leaseMs: number, now: number): Promise<boolean> {
    const leaseUntil = now + leaseMs;
    if (!(await this.write('renew', { key: job.key, claim: job.claim, leaseUntil }))) return false;
    job.leaseUntil = leaseUntil;
    return true;
  }

  async complete(job: ClaimedJob, now: number): Promise<void> {
    await this.write('complete', { key: job.key, claim: job.claim, deliveryIds: job.deliveries.map((d) => d.deliveryId), now });
  }

  async fail(job: ClaimedJob, error: string, retryAt: number | null, now: number, kind: FailureKind = 'error'): Promise<void> {
    await this.write('fail', {
      key: job.key,
      claim: job.claim,
      error: error.slice(0, MAX_ERROR_CHARS),
      retryAt,
      now,
      strike: kind === 'unavailable' ? 0 : 1,
    });
  }

  async release(job: ClaimedJob, now: number): Promise<void> {
    await this.write('release', { key: job.key, claim: job.claim, now });
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
    return this.write('retryDead', { keys: keys ?? null, now: now ?? null });
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
    return this.write('prune', { before });
  }

  async lead(name: string, holderId: string, ttlMs: number, now: number): Promise<boolean> {
    return this.write('lead', { name, holder: holderId, ttlMs, now });
  }

  async ping(): Promise<void> {
    this.identity?.check(true);
    const token = randomUUID();
    // Through the connection that commits deliveries: that is the one that must be able to write.
    if ((await this.write('ping', { token })) !== token) throw new Error('store ping read back a different value');
  }

  async sqliteSynchronous(): Promise<{ commits: string; connection: string }> {
    const name = (level: number) => ['OFF', 'NORMAL', 'FULL', 'EXTRA'][level] ?? String(level);
    return {
      commits: name(await this.write('synchronous', {})),
      connection: name(this.db.pragma('synchronous', { simple: true }) as number),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.drain();
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
}
