// The card memory (card-memory.ts) in the SQLite store's own file: read on a connection of its own,
// written through the store's writes (sqlite-writes.mjs). A table dropped by hand is made again on
// the next call: the memory is a cache, and losing it must cost calls, not errors.
import type Database from 'better-sqlite3';
import type { CardMemory, CardMemoryRow, SweepMark } from './card-memory.js';
import { SQLITE_CARD_MEMORY_TABLES, type WriteName, type WriteOps } from './sqlite-writes.mjs';

/** Migration 3 (sqlite-schema.ts), and what re-creates the tables when someone dropped them. */
export { SQLITE_CARD_MEMORY_TABLES };

/**
 * The store's writes: committed on the writer thread with the queue's (sqlite.ts), so a memory
 * write neither waits for SQLite's write lock on the event loop nor commits on its own.
 */
export type MemoryWrite = <K extends WriteName>(op: K, args: WriteOps[K]['args']) => Promise<WriteOps[K]['value']>;

interface Row {
  key: string;
  project: string;
  updated_at: string;
  fingerprint: string;
  self_written: number;
  recheck_at: number | null;
  record: string;
}

const COLUMNS = 'key, project, updated_at, fingerprint, self_written, recheck_at, record';

const toRow = (r: Row): CardMemoryRow => ({
  key: r.key,
  project: r.project,
  updatedAt: r.updated_at,
  fingerprint: r.fingerprint,
  selfWritten: r.self_written === 1,
  recheckAt: r.recheck_at,
  record: r.record,
});

export class SqliteCardMemory implements CardMemory {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly write: MemoryWrite,
  ) {}

  async get(key: string): Promise<CardMemoryRow | null> {
    const row = this.run(() => this.sql(`SELECT ${COLUMNS} FROM rhythm_card_memory WHERE key = ? AND dirty = 0`).get(key)) as
      Row | undefined;
    return row ? toRow(row) : null;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, CardMemoryRow>> {
    const found = new Map<string, CardMemoryRow>();
    if (keys.length === 0) return found;
    const rows = this.run(() =>
      this.sql(`SELECT ${COLUMNS} FROM rhythm_card_memory WHERE dirty = 0 AND key IN (SELECT value FROM json_each(?))`).all(
        JSON.stringify(keys),
      ),
    ) as Row[];
    for (const row of rows) found.set(row.key, toRow(row));
    return found;
  }

  async put(row: CardMemoryRow): Promise<void> {
    await this.write('memoryPut', {
      key: row.key,
      project: row.project,
      updatedAt: row.updatedAt,
      fingerprint: row.fingerprint,
      selfWritten: row.selfWritten ? 1 : 0,
      recheckAt: row.recheckAt,
      record: row.record,
    });
  }

  async dirty(key: string): Promise<void> {
    await this.write('memoryDirty', { key, dirty: 1 });
  }

  async clean(key: string): Promise<void> {
    await this.write('memoryDirty', { key, dirty: 0 });
  }

  async adopt(key: string, from: string, fingerprint: string, to: string): Promise<boolean> {
    return this.write('memoryAdopt', { key, from, fingerprint, to });
  }

  async forget(key: string): Promise<void> {
    await this.write('memoryForget', { key });
  }

  async due(project: string, now: number): Promise<string[]> {
    const rows = this.run(() =>
      this.sql(
        'SELECT key FROM rhythm_card_memory WHERE project = ? AND dirty = 0 AND recheck_at IS NOT NULL AND recheck_at <= ? ORDER BY key',
      ).all(project, now),
    ) as { key: string }[];
    return rows.map((r) => r.key);
  }

  async keys(project: string): Promise<string[]> {
    const rows = this.run(() => this.sql('SELECT key FROM rhythm_card_memory WHERE project = ? ORDER BY key').all(project)) as {
      key: string;
    }[];
    return rows.map((r) => r.key);
  }

  async count(project: string): Promise<number> {
    const row = this.run(() => this.sql('SELECT count(*) AS n FROM rhythm_card_memory WHERE project = ?').get(project)) as { n: number };
    return row.n;
  }

  async mark(project: string): Promise<SweepMark | null> {
    const row = this.run(() =>
      this.sql('SELECT project, swept_at, full_at, cards, forgotten FROM rhythm_card_sweeps WHERE project = ?').get(project),
    ) as { project: string; swept_at: number; full_at: number | null; cards: number; forgotten: number } | undefined;
    return row ? { project: row.project, sweptAt: row.swept_at, fullAt: row.full_at, cards: row.cards, forgotten: row.forgotten } : null;
  }

  async setMark(project: string, sweptAt: number, full: boolean): Promise<void> {
    await this.write('memorySetMark', { project, sweptAt, fullAt: full ? sweptAt : null });
  }

  async clear(): Promise<void> {
    await this.write('memoryClear', {});
  }

  /** Runs a read; when the tables are gone (dropped by hand), makes them again and runs it once more. */
  private run<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      if (!/no such table: rhythm_card_(memory|sweeps)/.test((err as Error).message)) throw err;
      this.statements.clear();
      this.db.exec(SQLITE_CARD_MEMORY_TABLES);
      return work();
    }
  }

  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }
}
