// The chat ledger (chat-ledger.ts) in the shared PostgreSQL database: every replica sees what any
// of them sent.
import type pg from 'pg';
import type { ChatLedger } from './chat-ledger.js';

/** Migration 4 (postgres-schema.ts). Only ever changed through a new migration. */
export const POSTGRES_CHAT_LEDGER_TABLE = `
  CREATE TABLE rhythm_chat_sent (
    board   text NOT NULL,
    notice  text NOT NULL,
    sent_at bigint NOT NULL,
    PRIMARY KEY (board, notice)
  );
`;

export class PostgresChatLedger implements ChatLedger {
  constructor(private readonly pool: pg.Pool) {}

  async sent(board: string): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ notice: string; sent_at: string }>(
      'SELECT notice, sent_at FROM rhythm_chat_sent WHERE board = $1',
      [board],
    );
    // bigint comes back as text; a millisecond time fits a double exactly.
    return new Map(rows.map((r) => [r.notice, Number(r.sent_at)]));
  }

  async record(board: string, notices: readonly string[], at: number): Promise<void> {
    if (notices.length === 0) return;
    await this.pool.query(
      `INSERT INTO rhythm_chat_sent (board, notice, sent_at) SELECT $1, n, $3 FROM unnest($2::text[]) AS n ON CONFLICT DO NOTHING`,
      [board, [...notices], at],
    );
  }

  async forget(board: string, notices: readonly string[]): Promise<number> {
    if (notices.length === 0) return 0;
    const { rowCount } = await this.pool.query('DELETE FROM rhythm_chat_sent WHERE board = $1 AND notice = ANY($2::text[])', [
      board,
      [...notices],
    ]);
    return rowCount ?? 0;
  }
}
