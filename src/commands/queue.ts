// `rhythm queue stats` and `rhythm queue retry-dead`: look at the work queue, replay dead jobs.
import { existsSync } from 'node:fs';
import type { Store } from '../queue/contract.js';
import { openStore, storeLocation, storeOptions } from '../queue/open.js';
import { Failure } from './failure.js';

/**
 * The database serve uses, opened only if it is there: looking at the queue never creates one
 * (a mistyped path would otherwise answer "all empty" from a new, empty database).
 */
async function openExisting(): Promise<Store> {
  const url = process.env.RHYTHM_DATABASE_URL;
  const where = storeLocation(url, process.cwd());
  if (where.kind === 'sqlite' && where.path !== ':memory:' && !existsSync(where.path)) {
    const named = url ? `RHYTHM_DATABASE_URL names ${where.path}` : `the default database ${where.path}`;
    throw new Failure(`no database: ${named}, and there is no such file (rhythm serve creates it; nothing was created here)`);
  }
  return openStore(url, process.cwd(), storeOptions(process.env));
}

export async function queueStats(): Promise<void> {
  const store = await openExisting();
  try {
    process.stdout.write(`${JSON.stringify(await store.stats(Date.now()))}\n`);
  } finally {
    await store.close();
  }
}

export async function queueRetryDead(keys: string[]): Promise<void> {
  const store = await openExisting();
  try {
    const dead = await store.dead();
    for (const d of dead) process.stdout.write(`dead: ${d.key} after ${d.attempts} attempts: ${d.lastError}\n`);
    const n = await store.retryDead(keys.length ? keys : undefined, Date.now());
    process.stdout.write(`${n} job(s) back on the queue\n`);
  } finally {
    await store.close();
  }
}
