// SQLite schema, as migrations: entry i upgrades version i to i+1. Append, never edit a shipped one.
// Times are epoch ms. A job's due_at means "a run is wanted at this time": for a pending job that is
// when it becomes claimable; for a running job, non-null means it was woken while it ran.
import { SQLITE_CARD_MEMORY_TABLES } from './sqlite-card-memory.js';
import { SQLITE_BASELINES_TABLE } from './baselines.js';
import { SQLITE_CHAT_LEDGER_TABLE } from './sqlite-chat-ledger.js';

export const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE rhythm_deliveries (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    event_uuid   TEXT,
    event        TEXT NOT NULL,
    key          TEXT,
    payload      TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER
  );
  CREATE INDEX rhythm_deliveries_unprocessed ON rhythm_deliveries (key, received_at, seq)
    WHERE processed_at IS NULL;
  CREATE INDEX rhythm_deliveries_processed ON rhythm_deliveries (processed_at)
    WHERE processed_at IS NOT NULL;

  CREATE TABLE rhythm_jobs (
    key         TEXT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'running', 'dead', 'done')),
    due_at      INTEGER,
    lease_until INTEGER,
    leased_by   TEXT,
    claim       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    failed_at   INTEGER
  );
  CREATE INDEX rhythm_jobs_due ON rhythm_jobs (due_at) WHERE state = 'pending';
  CREATE INDEX rhythm_jobs_lease ON rhythm_jobs (lease_until) WHERE state = 'running';
  CREATE INDEX rhythm_jobs_dead ON rhythm_jobs (failed_at) WHERE state = 'dead';

  CREATE TABLE rhythm_leaders (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  INTEGER NOT NULL
  );
  `,
  // 2: strikes, the failed attempts that count toward dead (GitLab being unavailable does not).
  `
  ALTER TABLE rhythm_jobs ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0;
  `,
  // 3: the card memory, a cache of what each card's last decision was made on (queue/card-memory.ts).
  SQLITE_CARD_MEMORY_TABLES,
  // 4: when Rhythm first met each board, its baseline (queue/baselines.ts); not a cache.
  SQLITE_BASELINES_TABLE,
  // 5: the chat notices sent, so each goes out once (queue/chat-ledger.ts).
  SQLITE_CHAT_LEDGER_TABLE,
];
