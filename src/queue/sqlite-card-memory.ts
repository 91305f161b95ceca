// The card memory (card-memory.ts) in the SQLite store's own file, on its main connection. A table
// dropped by hand is made again on the next call: the memory is a cache, and losing it must cost
// calls, not errors.
import type Database from 'better-sqlite3';
import type { CardMemory, CardMemoryRow, SweepMark } from './card-memory.js';

/**
 * Migration 3 (sqlite-schema.ts), and what re-creates the tables when someone dropped them. Only
 * ever changed through a new migration.
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

  constructor(private readonly db: Database.Database) {}

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
    this.run(() =>
      this.sql(
        `INSERT INTO rhythm_card_memory (${COLUMNS}, dirty)
         VALUES (@key, @project, @updatedAt, @fingerprint, @selfWritten, @recheckAt, @record, 0)
         ON CONFLICT (key) DO UPDATE SET project = excluded.project, updated_at = excluded.updated_at,
           fingerprint = excluded.fingerprint, self_written = excluded.self_written, recheck_at = excluded.recheck_at,
           record = excluded.record, dirty = 0`,
      ).run({ ...row, selfWritten: row.selfWritten ? 1 : 0 }),
    );
  }

  async dirty(key: string): Promise<void> {
    this.run(() => this.sql('UPDATE rhythm_card_memory SET dirty = 1 WHERE key = ?').run(key));
  }

  async clean(key: string): Promise<void> {
    this.run(() => this.sql('UPDATE rhythm_card_memory SET dirty = 0 WHERE key = ?').run(key));
  }

  async adopt(key: string, from: string, fingerprint: string, to: string): Promise<boolean> {
    const { changes } = this.run(() =>
      this.sql(
        `UPDATE rhythm_card_memory SET updated_at = @to, self_written = 0
         WHERE key = @key AND dirty = 0 AND updated_at = @from AND fingerprint = @fingerprint`,
      ).run({ key, from, fingerprint, to }),
    );
    return changes > 0;
  }

  async forget(key: string): Promise<void> {
    const forget = this.db.transaction(() => {
      const row = this.sql('DELETE FROM rhythm_card_memory WHERE key = ? RETURNING project').get(key) as { project: string } | undefined;
      if (row) this.sql('UPDATE rhythm_card_sweeps SET forgotten = forgotten + 1 WHERE project = ?').run(row.project);
    });
    this.run(() => forget.immediate());
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
    this.run(() =>
      this.sql(
        `INSERT INTO rhythm_card_sweeps (project, swept_at, full_at, cards, forgotten)
         VALUES (@project, @sweptAt, @fullAt, (SELECT count(*) FROM rhythm_card_memory WHERE project = @project), 0)
         ON CONFLICT (project) DO UPDATE SET swept_at = excluded.swept_at,
           full_at = coalesce(excluded.full_at, rhythm_card_sweeps.full_at), cards = excluded.cards, forgotten = 0`,
      ).run({ project, sweptAt, fullAt: full ? sweptAt : null }),
    );
  }

  async clear(): Promise<void> {
    this.run(() => this.db.exec('DELETE FROM rhythm_card_memory; DELETE FROM rhythm_card_sweeps;'));
  }

  /** Runs `work`; when the tables are gone (dropped by hand), makes them again and runs it once more. */
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
