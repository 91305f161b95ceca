// PostgreSQL schema, as migrations: entry i upgrades version i to i+1. Append, never edit a shipped
// one. Same tables and meanings as sqlite-schema.ts; times are epoch ms in bigint columns.
import { POSTGRES_CARD_MEMORY_TABLES } from './postgres-card-memory.js';
import { POSTGRES_BASELINES_TABLE } from './baselines.js';
import { POSTGRES_CHAT_LEDGER_TABLE } from './postgres-chat-ledger.js';

export const postgresMigrations: readonly string[] = [
  `
  CREATE TABLE rhythm_deliveries (
    seq          bigserial PRIMARY KEY,
    id           text NOT NULL UNIQUE,
    event_uuid   text,
    event        text NOT NULL,
    key          text,
    payload      text NOT NULL,
    received_at  bigint NOT NULL,
    processed_at bigint
  );
  CREATE INDEX rhythm_deliveries_unprocessed ON rhythm_deliveries (key, received_at, seq)
    WHERE processed_at IS NULL;
  CREATE INDEX rhythm_deliveries_processed ON rhythm_deliveries (processed_at)
    WHERE processed_at IS NOT NULL;

  CREATE TABLE rhythm_jobs (
    key         text PRIMARY KEY,
    state       text NOT NULL CHECK (state IN ('pending', 'running', 'dead', 'done')),
    due_at      bigint,
    lease_until bigint,
    leased_by   text,
    claim       text,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text,
    failed_at   bigint
  );
  CREATE INDEX rhythm_jobs_due ON rhythm_jobs (due_at) WHERE state = 'pending';
  CREATE INDEX rhythm_jobs_lease ON rhythm_jobs (lease_until) WHERE state = 'running';
  CREATE INDEX rhythm_jobs_dead ON rhythm_jobs (failed_at) WHERE state = 'dead';

  CREATE TABLE rhythm_leaders (
    name   text PRIMARY KEY,
    holder text NOT NULL,
    until  bigint NOT NULL
  );
  `,
  // 2: strikes, the failed attempts that count toward dead (GitLab being unavailable does not).
  `
  ALTER TABLE rhythm_jobs ADD COLUMN strikes integer NOT NULL DEFAULT 0;
  `,
  // 3: the card memory, a cache of what each card's last decision was made on (queue/card-memory.ts).
  POSTGRES_CARD_MEMORY_TABLES,
  // 4: when Rhythm first met each board, its baseline (queue/baselines.ts); not a cache.
  POSTGRES_BASELINES_TABLE,
  // 5: the chat notices sent, so each goes out once (queue/chat-ledger.ts).
  POSTGRES_CHAT_LEDGER_TABLE,
];
