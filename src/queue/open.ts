// Which store RHYTHM_DATABASE_URL names, opened and migrated.
import { isAbsolute, join, resolve } from 'node:path';
import type { Store } from './contract.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore, type SqliteSynchronous } from './sqlite.js';

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * Where a database URL points: unset or '' → `<cwd>/.rhythm/rhythm.db`; `sqlite:PATH` or a plain
 * path → that SQLite file (relative to cwd); `postgres://` or `postgresql://` → PostgreSQL.
 */
export function storeLocation(databaseUrl: string | undefined, cwd: string): StoreLocation {
  const value = (databaseUrl ?? '').trim();
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  let path = value.replace(/^sqlite:(\/\/)?/i, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new Error(`RHYTHM_DATABASE_URL must be a file path, sqlite:PATH or postgres://… (got a ${path.split(':')[0]}: URL)`);
  }
  if (path === '') path = join('.rhythm', 'rhythm.db');
  if (path === ':memory:') return { kind: 'sqlite', path };
  return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
}

/** RHYTHM_SQLITE_SYNCHRONOUS: `full` (unset or empty: the default) or `normal`; anything else is refused. */
export function sqliteSynchronous(value: string | undefined): SqliteSynchronous {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'full') return 'full';
  if (v === 'normal') return 'normal';
  throw new Error(`RHYTHM_SQLITE_SYNCHRONOUS must be full or normal (got ${JSON.stringify(value)})`);
}

export interface OpenOptions {
  /** SQLite's synchronous level for the store's commits (default 'full'). */
  synchronous?: SqliteSynchronous;
}

/** The store's options from the environment a command runs in (its edge): refused by name when bad. */
export function storeOptions(env: NodeJS.ProcessEnv): OpenOptions {
  return { synchronous: sqliteSynchronous(env.RHYTHM_SQLITE_SYNCHRONOUS) };
}

/** Opens the store `databaseUrl` names (see storeLocation) and brings its schema up to date. */
export async function openStore(databaseUrl: string | undefined, cwd: string, options: OpenOptions = {}): Promise<Store> {
  const where = storeLocation(databaseUrl, cwd);
  const store =
    where.kind === 'postgres'
      ? await openPostgresStore(where.url)
      : await openSqliteStore(where.path, { synchronous: options.synchronous ?? 'full' });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
