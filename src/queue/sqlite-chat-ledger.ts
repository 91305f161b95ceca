// The chat ledger (chat-ledger.ts) in the SQLite store's file, on its main connection: at the default
// synchronous=FULL a notice recorded is on disk; at NORMAL a power cut can forget one, sent again.
import type Database from 'better-sqlite3';
import type { ChatLedger } from './chat-ledger.js';

/** Migration 4 (sqlite-schema.ts). Only ever changed through a new migration. */
export const SQLITE_CHAT_LEDGER_TABLE = `
  CREATE TABLE rhythm_chat_sent (
    board   TEXT NOT NULL,
    notice  TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (board, notice)
  );
`;

export class SqliteChatLedger implements ChatLedger {
  constructor(private readonly db: Database.Database) {}

  async sent(board: string): Promise<Map<string, number>> {
    const rows = this.db.prepare('SELECT notice, sent_at FROM rhythm_chat_sent WHERE board = ?').all(board) as Array<{
      notice: string;
      sent_at: number;
    }>;
    return new Map(rows.map((r) => [r.notice, r.sent_at]));
  }

  async record(board: string, notices: readonly string[], at: number): Promise<void> {
    const insert = this.db.prepare('INSERT INTO rhythm_chat_sent (board, notice, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.db.transaction(() => {
      for (const n of notices) insert.run(board, n, at);
    })();
  }

  async forget(board: string, notices: readonly string[]): Promise<number> {
    const remove = this.db.prepare('DELETE FROM rhythm_chat_sent WHERE board = ? AND notice = ?');
    return this.db.transaction(() => notices.reduce((n, notice) => n + remove.run(board, notice).changes, 0))();
  }
}
