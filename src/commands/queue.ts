// `rhythm queue stats` and `rhythm queue retry-dead`: look at the work queue, replay dead jobs.
import { openStore } from '../queue/open.js';

export async function queueStats(): Promise<void> {
  const store = await openStore(process.env.RHYTHM_DATABASE_URL, process.cwd());
  try {
    process.stdout.write(`${JSON.stringify(await store.stats(Date.now()))}\n`);
  } finally {
    await store.close();
  }
}

export async function queueRetryDead(keys: string[]): Promise<void> {
  const store = await openStore(process.env.RHYTHM_DATABASE_URL, process.cwd());
  try {
    const dead = await store.dead();
    for (const d of dead) process.stdout.write(`dead: ${d.key} after ${d.attempts} attempts: ${d.lastError}\n`);
    const n = await store.retryDead(keys.length ? keys : undefined, Date.now());
    process.stdout.write(`${n} job(s) back on the queue\n`);
  } finally {
    await store.close();
  }
}
