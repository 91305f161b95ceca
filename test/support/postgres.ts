// A fresh PostgreSQL database per caller, for tests. The server comes from
// RHYTHM_TEST_DATABASE_URL (scripts/pg-start.sh prints it). Without it the PostgreSQL tests skip,
// except in CI, where skipping would hide that they never ran.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const created = new Set<string>();
let toldSkip = false;

/** The server's URL, or null (with one message) when tests needing PostgreSQL should skip. */
export function testServerUrl(): string | null {
  const url = process.env.RHYTHM_TEST_DATABASE_URL;
  if (url) return url;
  if (process.env.CI) {
    throw new Error(
      'RHYTHM_TEST_DATABASE_URL is not set, and in CI the PostgreSQL tests must run: start PostgreSQL ' +
        '(scripts/pg-start.sh prints the variable) and export it',
    );
  }
  if (!toldSkip) {
    toldSkip = true;
    console.warn('PostgreSQL tests skipped: RHYTHM_TEST_DATABASE_URL is not set (run scripts/pg-start.sh and export the line it prints)');
  }
  return null;
}

/**
 * Creates an empty database `rhythm_test_<random>` on the test server and returns its URL; null
 * when there is no test server (see testServerUrl). Drop them with dropTestDatabases().
 */
export async function testDatabase(): Promise<string | null> {
  const server = testServerUrl();
  if (!server) return null;
  const url = await createDatabase(server, 'rhythm_test');
  created.add(new URL(url).pathname.slice(1));
  return url;
}

/** An empty database `<prefix>_<random>` on `server`; its URL. */
export async function createDatabase(server: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops every database testDatabase() created in this process (best effort). */
export async function dropTestDatabases(): Promise<void> {
  const server = process.env.RHYTHM_TEST_DATABASE_URL;
  if (!server || created.size === 0) return;
  const admin = new pg.Client({ connectionString: server });
  try {
    await admin.connect();
    for (const name of [...created]) {
      // FORCE ends connections a test left open (e.g. a killed child's).
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      created.delete(name);
    }
  } catch {
    // Best effort: a leftover rhythm_test_* database is harmless and the server is throwaway.
  } finally {
    await admin.end().catch(() => undefined);
  }
}
