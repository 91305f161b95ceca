// The card memory (card-memory.ts) in the shared PostgreSQL database, one statement per call. A
// table dropped by hand is made again on the next call: the memory is a cache, and losing it
// must cost calls, not errors.
import type pg from 'pg';
import type { CardMemory, CardMemoryRow, SweepMark } from './card-memory.js';

/**
 * Migration 3 (postgres-schema.ts), and what re-creates the tables when someone dropped them.
 * Only ever changed through a new migration.
 */
export const POSTGRES_CARD_MEMORY_TABLES = `
  CREATE TABLE IF NOT EXISTS rhythm_card_memory (
    key          text PRIMARY KEY,
    project      text NOT NULL,
    updated_at   text NOT NULL,
    fingerprint  text NOT NULL,
    self_written boolean NOT NULL,
    recheck_at   bigint,
    dirty        boolean NOT NULL DEFAULT false,
    record       text NOT NULL
  );
  CREATE INDEX IF NOT EXISTS rhythm_card_memory_project ON rhythm_card_memory (project, recheck_at);
  CREATE TABLE IF NOT EXISTS rhythm_card_sweeps (
    project   text PRIMARY KEY,
    swept_at  bigint NOT NULL,
    full_at   bigint,
    cards     integer NOT NULL,
    forgotten integer NOT NULL DEFAULT 0
  );
`;

/** PostgreSQL's "relation does not exist". */
const UNDEFINED_TABLE = '42P01';

interface Row {
  key: string;
  project: string;
  updated_at: string;
  fingerprint: string;
  self_written: boolean;
  recheck_at: number | null;
  record: string;
}

const COLUMNS = 'key, project, updated_at, fingerprint, self_written, recheck_at, record';

const toRow = (r: Row): CardMemoryRow => ({
  key: r.key,
  project: r.project,
  updatedAt: r.updated_at,
  fingerprint: r.fingerprint,
  selfWritten: r.self_written,
  recheckAt: r.recheck_at,
  record: r.record,
});

export class PostgresCardMemory implements CardMemory {
  constructor(private readonly pool: pg.Pool) {}

  async get(key: string): Promise<CardMemoryRow | null> {
    const { rows } = await this.query<Row>(`SELECT ${COLUMNS} FROM rhythm_card_memory WHERE key = $1 AND NOT dirty`, [key]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, CardMemoryRow>> {
    const found = new Map<string, CardMemoryRow>();
    if (keys.length === 0) return found;
    const { rows } = await this.query<Row>(`SELECT ${COLUMNS} FROM rhythm_card_memory WHERE key = ANY($1::text[]) AND NOT dirty`, [
      [...keys],
    ]);
    for (const row of rows) found.set(row.key, toRow(row));
    return found;
  }

  async put(row: CardMemoryRow): Promise<void> {
    await this.query(
      `INSERT INTO rhythm_card_memory (${COLUMNS}, dirty) VALUES ($1, $2, $3, $4, $5, $6, $7, false)
       ON CONFLICT (key) DO UPDATE SET project = EXCLUDED.project, updated_at = EXCLUDED.updated_at,
         fingerprint = EXCLUDED.fingerprint, self_written = EXCLUDED.self_written, recheck_at = EXCLUDED.recheck_at,
         record = EXCLUDED.record, dirty = false`,
      [row.key, row.project, row.updatedAt, row.fingerprint, row.selfWritten, row.recheckAt, row.record],
    );
  }

  async dirty(key: string): Promise<void> {
    await this.query('UPDATE rhythm_card_memory SET dirty = true WHERE key = $1', [key]);
  }

  async clean(key: string): Promise<void> {
    await this.query('UPDATE rhythm_card_memory SET dirty = false WHERE key = $1', [key]);
  }

  async adopt(key: string, from: string, fingerprint: string, to: string): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE rhythm_card_memory SET updated_at = $4, self_written = false
       WHERE key = $1 AND NOT dirty AND updated_at = $2 AND fingerprint = $3`,
      [key, from, fingerprint, to],
    );
    return (rowCount ?? 0) > 0;
  }

  async forget(key: string): Promise<void> {
    await this.query(
      `WITH gone AS (DELETE FROM rhythm_card_memory WHERE key = $1 RETURNING project)
       UPDATE rhythm_card_sweeps s SET forgotten = s.forgotten + 1 FROM gone WHERE s.project = gone.project`,
      [key],
    );
  }

  async due(project: string, now: number): Promise<string[]> {
    const { rows } = await this.query<{ key: string }>(
      `SELECT key FROM rhythm_card_memory
       WHERE project = $1 AND NOT dirty AND recheck_at IS NOT NULL AND recheck_at <= $2 ORDER BY key`,
      [project, now],
    );
    return rows.map((r) => r.key);
  }

  async keys(project: string): Promise<string[]> {
    const { rows } = await this.query<{ key: string }>('SELECT key FROM rhythm_card_memory WHERE project = $1 ORDER BY key', [project]);
    return rows.map((r) => r.key);
  }

  async count(project: string): Promise<number> {
    const { rows } = await this.query<{ n: number }>('SELECT count(*)::int AS n FROM rhythm_card_memory WHERE project = $1', [project]);
    return rows[0]?.n ?? 0;
  }

  async mark(project: string): Promise<SweepMark | null> {
    const { rows } = await this.query<{ project: string; swept_at: number; full_at: number | null; cards: number; forgotten: number }>(
      'SELECT project, swept_at, full_at, cards, forgotten FROM rhythm_card_sweeps WHERE project = $1',
      [project],
    );
    const row = rows[0];
    return row ? { project: row.project, sweptAt: row.swept_at, fullAt: row.full_at, cards: row.cards, forgotten: row.forgotten } : null;
  }

  async setMark(project: string, sweptAt: number, full: boolean): Promise<void> {
    await this.query(
      `INSERT INTO rhythm_card_sweeps AS s (project, swept_at, full_at, cards, forgotten)
       VALUES ($1, $2, $3, (SELECT count(*) FROM rhythm_card_memory WHERE project = $1), 0)
       ON CONFLICT (project) DO UPDATE SET swept_at = EXCLUDED.swept_at,
         full_at = COALESCE(EXCLUDED.full_at, s.full_at), cards = EXCLUDED.cards, forgotten = 0`,
      [project, sweptAt, full ? sweptAt : null],
    );
  }

  async clear(): Promise<void> {
    await this.query('DELETE FROM rhythm_card_memory');
    await this.query('DELETE FROM rhythm_card_sweeps');
  }

  /** One statement; when the tables are gone (dropped by hand), makes them again and runs it once more. */
  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      if ((err as { code?: string }).code !== UNDEFINED_TABLE) throw err;
      await this.pool.query(POSTGRES_CARD_MEMORY_TABLES);
      return this.pool.query<R>(text, values);
    }
  }
}
