import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/queue/contract.js';
import { openSqliteStore } from '../../src/queue/sqlite.js';
import { sqliteMigrations } from '../../src/queue/sqlite-schema.js';
import { delivery, describeStoreContract } from './contract.js';
import { describeCrashSafety } from './crash.js';

const dir = mkdtempSync(join(tmpdir(), 'rhythm-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const paths = new WeakMap<Store, string>();
let n = 0;

async function openAt(path: string): Promise<Store> {
  const store = await openSqliteStore(path);
  paths.set(store, path);
  return store;
}

describeStoreContract(
  'sqlite',
  () => openAt(join(dir, `store-${++n}`, 'rhythm.db')),
  (store) => openAt(paths.get(store) as string),
);

describeCrashSafety('sqlite', async () => `sqlite:${join(dir, `crash-${++n}`, 'rhythm.db')}`);

// The same contract and crash safety at synchronous=NORMAL (RHYTHM_SQLITE_SYNCHRONOUS=normal): in
// WAL mode a SIGKILLed Rhythm still keeps everything it acknowledged (a power cut may not).
async function openNormal(path: string): Promise<Store> {
  const store = await openSqliteStore(path, { synchronous: 'normal' });
  paths.set(store, path);
  return store;
}

describeStoreContract(
  'sqlite at synchronous=NORMAL',
  () => openNormal(join(dir, `normal-${++n}`, 'rhythm.db')),
  (store) => openNormal(paths.get(store) as string),
);

describeCrashSafety('sqlite at synchronous=NORMAL', async () => `sqlite:${join(dir, `crash-normal-${++n}`, 'rhythm.db')}`, {
  RHYTHM_SQLITE_SYNCHRONOUS: 'normal',
});

// The same contract with accepts committed on the event loop's own thread (writerThread: false).
async function openInline(path: string): Promise<Store> {
  const store = await openSqliteStore(path, { writerThread: false });
  paths.set(store, path);
  return store;
}

describeStoreContract(
  'sqlite without the writer thread',
  () => openInline(join(dir, `inline-${++n}`, 'rhythm.db')),
  (store) => openInline(paths.get(store) as string),
);

// rhythm serve runs its worker beside the receiver: a write of the worker that waits for SQLite's
// lock (held by the writer thread, or by a CLI command on the same file) must not hold the event
// loop that answers GitLab (#13, the receiver while working).
describe('a SQLite store with its writer thread', () => {
  it("waits for another connection's write lock without blocking the event loop", async () => {
    const path = join(dir, `locked-${++n}`, 'rhythm.db');
    const store = await openSqliteStore(path, { busyTimeoutMs: 10_000 });
    const other = new Database(path);
    try {
      await store.migrate();
      other.exec('BEGIN IMMEDIATE');
      const order: string[] = [];
      const first = delivery('issue:g/p#2', { receivedAt: 1 });
      const writes = Promise.all([
        store.enqueue('issue:g/p#1', 1).then(() => order.push('enqueued')),
        store.claim('w', 1, 1000, 1).then(() => order.push('claimed')),
        store.accept(first).then(() => order.push('accepted')),
      ]);
      // Before the writes moved to the thread, enqueue() and claim() busy-waited right here, on
      // this thread, for a lock only this thread could release: nothing below ran for 10 s.
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('timer');
      // Later batches, handed over while the first still waits: the thread commits them with it,
      // and each write still gets its own answer.
      const again = store.accept(first);
      await new Promise((resolve) => setImmediate(resolve));
      const fresh = store.accept(delivery('issue:g/p#3', { receivedAt: 1, deliveryId: 'fresh' }));
      await new Promise((resolve) => setImmediate(resolve));
      other.exec('COMMIT');
      await writes;
      expect([await again, await fresh]).toEqual(['duplicate', 'stored']);
      expect(order[0]).toBe('timer');
      expect(order.slice(1).sort()).toEqual(['accepted', 'claimed', 'enqueued']);
      // In order, in one transaction: #1 woken then leased; #2's delivery stored and its key woken.
      const stats = await store.stats(2);
      expect([stats.running, stats.pending, stats.deliveries]).toEqual([1, 2, 2]);
    } finally {
      other.close();
      await store.close();
    }
  });
});

// What only a file has: it can go away, or refuse writes, under the store (#12 item 5).
describe('a SQLite store whose file goes away or is read-only', () => {
  it('stores nothing more, and says why, once its file is deleted', async () => {
    for (const writerThread of [true, false]) {
      const path = join(dir, `gone-${++n}`, 'rhythm.db');
      const store = await openSqliteStore(path, { writerThread });
      try {
        await store.migrate();
        expect(await store.accept(delivery('issue:g/p#1'))).toBe('stored');
        await store.ping();
        for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });

        const refused = new RegExp(`database file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is gone`);
        await expect(store.accept(delivery('issue:g/p#1'))).rejects.toThrow(refused);
        await expect(store.ping()).rejects.toThrow(refused);
        await expect(store.enqueue('issue:g/p#2', Date.now())).rejects.toThrow(refused);
        await expect(store.claim('w', 1, 1000, Date.now())).rejects.toThrow(refused);
      } finally {
        await store.close();
      }
    }
  });

  it('stores nothing into a file that another one replaced', async () => {
    const path = join(dir, `replaced-${++n}`, 'rhythm.db');
    const store = await openSqliteStore(path, { writerThread: false });
    try {
      await store.migrate();
      renameSync(path, `${path}.old`);
      writeFileSync(path, '');
      await expect(store.accept(delivery('issue:g/p#1'))).rejects.toThrow(/was replaced by another file/);
      await expect(store.ping()).rejects.toThrow(/was replaced by another file/);
    } finally {
      await store.close();
    }
  });

  // As root, mode bits do not stop writes; an immutable file does (chattr +i, where the file system has it).
  const immutable = (path: string): boolean => {
    if (process.getuid?.() !== 0) {
      chmodSync(path, 0o444);
      return true;
    }
    try {
      execFileSync('chattr', ['+i', path], { stdio: 'ignore' });
    } catch {
      return false;
    }
    return true;
  };
  const mutable = (path: string) => {
    if (process.getuid?.() === 0) execFileSync('chattr', ['-i', path], { stdio: 'ignore' });
    else chmodSync(path, 0o644);
  };

  it('refuses to open a read-only database file, naming it', async (ctx) => {
    const path = join(dir, `readonly-${++n}`, 'rhythm.db');
    const store = await openSqliteStore(path);
    await store.migrate();
    await store.close();
    if (!immutable(path)) {
      ctx.skip('running as root without chattr +i here: no way to make the file refuse writes');
      return;
    }
    try {
      await expect(openSqliteStore(path)).rejects.toThrow(`database file ${path} is read-only`);
    } finally {
      mutable(path);
    }
  });

  it('brings a database made before strikes existed up to date, its dead jobs intact', async () => {
    const path = join(dir, `v1-${++n}`, 'rhythm.db');
    mkdirSync(dirname(path), { recursive: true });
    const old = new Database(path);
    old.exec(sqliteMigrations[0] as string);
    old.exec(
      "CREATE TABLE rhythm_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO rhythm_meta VALUES ('schema_version', '1')",
    );
    old.exec(
      "INSERT INTO rhythm_jobs (key, state, attempts, last_error, failed_at) VALUES ('issue:g/p#9', 'dead', 8, 'GitLab answered 503', 5)",
    );
    old.close();

    const store = await openSqliteStore(path);
    try {
      await store.migrate();
      expect(await store.dead()).toEqual([{ key: 'issue:g/p#9', attempts: 8, lastError: 'GitLab answered 503', failedAt: 5 }]);
      // The next delivery for it revives it (accepted by the writer thread, after the migration).
      expect(await store.accept(delivery('issue:g/p#9', { receivedAt: 10 }))).toBe('stored');
      const [job] = await store.claim('w', 1, 1000, 10);
      expect([job?.key, job?.attempts, job?.strikes]).toEqual(['issue:g/p#9', 0, 0]);
    } finally {
      await store.close();
    }
  });
});

// The card memory is a cache: someone may drop its tables to clear it, and that costs nothing but calls.
describe('the card memory in a SQLite file', () => {
  it('makes its tables again when someone dropped them, and answers as if empty', async () => {
    const path = join(dir, `dropped-${++n}`, 'rhythm.db');
    const store = await openSqliteStore(path);
    try {
      await store.migrate();
      const row = {
        key: 'issue:g/p#1',
        project: 'g/p',
        updatedAt: 'u',
        fingerprint: 'f',
        selfWritten: false,
        recheckAt: null,
        record: '{}',
      };
      await store.memory.put(row);
      await store.memory.setMark('g/p', 1, true);
      const raw = new Database(path);
      raw.exec('DROP TABLE rhythm_card_memory; DROP TABLE rhythm_card_sweeps;');
      raw.close();
      expect(await store.memory.get('issue:g/p#1')).toBeNull();
      expect(await store.memory.mark('g/p')).toBeNull();
      await store.memory.put(row);
      expect(await store.memory.get('issue:g/p#1')).toEqual(row);
      // Dropped again, and this time the next call is a write: the writer makes them again.
      const again = new Database(path);
      again.exec('DROP TABLE rhythm_card_memory; DROP TABLE rhythm_card_sweeps;');
      again.close();
      await store.memory.put(row);
      await store.memory.setMark('g/p', 2, false);
      expect(await store.memory.get('issue:g/p#1')).toEqual(row);
      expect(await store.memory.mark('g/p')).toMatchObject({ sweptAt: 2, cards: 1 });
    } finally {
      await store.close();
    }
  });

  // In `rhythm serve` the receiver shares the event loop with the worker: a memory write that
  // waited for SQLite's write lock there (held through every fsync) would hold up every webhook.
  it('writes off the event loop: while another connection holds the write lock, timers still run', async () => {
    const path = join(dir, `locked-${++n}`, 'rhythm.db');
    const store = await openSqliteStore(path, { busyTimeoutMs: 3000 });
    const raw = new Database(path);
    try {
      await store.migrate();
      const row = { key: 'issue:g/p#2', project: 'g/p', updatedAt: 'u', fingerprint: 'f', selfWritten: true, recheckAt: 5, record: '{}' };
      raw.exec('BEGIN IMMEDIATE');
      let settled = false;
      const put = store.memory.put(row).finally(() => void (settled = true));
      const dirty = store.memory.dirty(row.key);
      // A timer fires only if the event loop is free while the lock is held.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(settled).toBe(false);
      raw.exec('COMMIT');
      await put;
      await dirty;
      expect(await store.memory.get(row.key)).toBeNull(); // dirty, in order after the put
      await store.memory.clean(row.key);
      expect(await store.memory.get(row.key)).toEqual(row);
    } finally {
      raw.close();
      await store.close();
    }
  });
});
