// The writer's batches (sqlite-writes.mjs): one transaction for many writes, run without a savepoint
// each unless one fails, and repeated wakes of a key skipped. Whatever the batching, the outcome
// must be the one of running each write alone.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteMigrations } from '../../src/queue/sqlite-schema.js';
import { createWrites, type WriteItem } from '../../src/queue/sqlite-writes.mjs';

const dir = mkdtempSync(join(tmpdir(), 'rhythm-writes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function database(): Database.Database {
  const db = new Database(join(dir, `w-${++n}.db`));
  db.pragma('journal_mode = WAL');
  for (const m of sqliteMigrations) db.exec(m);
  // Every state a wake meets: done, dead, pending in backoff, pending, and no row at all.
  db.exec(`
    INSERT INTO rhythm_jobs (key, state, due_at, attempts, strikes, last_error, failed_at) VALUES
      ('k:done', 'done', NULL, 0, 0, NULL, NULL),
      ('k:dead', 'dead', NULL, 8, 8, 'boom', 50),
      ('k:backoff', 'pending', 900, 2, 1, 'later', 40),
      ('k:pending', 'pending', 300, 0, 0, NULL, NULL);`);
  return db;
}

const accept = (id: string, key: string | null, receivedAt: number): WriteItem => ({
  op: 'accept',
  args: { id, eventUuid: null, event: 'Issue Hook', key, payload: '{}', receivedAt, processedAt: key === null ? receivedAt : null },
});
const jobs = (db: Database.Database) =>
  db.prepare('SELECT key, state, due_at, attempts, strikes, last_error FROM rhythm_jobs ORDER BY key').all();
const deliveries = (db: Database.Database) => db.prepare('SELECT id, key, received_at FROM rhythm_deliveries ORDER BY id').all();
// A claim's own id is random; what it took is compared.
const comparable = (r: unknown) => JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === 'claim' ? '(claim)' : v))) as unknown;

describe('a batch of writes on the writer thread', () => {
  it('ends as the same writes run one at a time, wakes of the same keys and claims between them included', () => {
    let seed = 11;
    const random = (m: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % m);
    const keys = ['k:done', 'k:dead', 'k:backoff', 'k:pending', 'k:new'];
    for (let round = 0; round < 40; round++) {
      const items: WriteItem[] = [];
      for (let i = 0; i < 30; i++) {
        const key = keys[random(keys.length)]!;
        const r = random(10);
        if (r < 6) items.push(accept(`d-${round}-${random(25)}`, key, 100 + random(1000)));
        else if (r < 8) items.push({ op: 'enqueue', args: { key, due: 100 + random(1000) } });
        else if (r < 9)
          items.push({ op: 'claim', args: { workerId: 'w', max: 1 + random(2), leaseMs: 1000, now: 500 + random(600), limit: 10 } });
        else items.push({ op: 'retryDead', args: { keys: null, now: 700 } });
      }
      const together = database();
      const alone = database();
      const batched = createWrites(together).run(items);
      const single = items.map((item) => createWrites(alone).run([item])[0]);
      expect(comparable(batched)).toEqual(comparable(single));
      expect(jobs(together)).toEqual(jobs(alone));
      expect(deliveries(together)).toEqual(deliveries(alone));
      together.close();
      alone.close();
    }
  });

  it('fails one write alone: the others are stored once, and nothing of the failed one is', () => {
    const db = database();
    const broken = accept('d-broken', 'k:new', 5);
    (broken.args as { payload: unknown }).payload = null; // NOT NULL: this write throws
    const results = createWrites(db).run([accept('d-1', 'k:pending', 1), broken, accept('d-2', 'k:dead', 2)]);
    expect(results[0]).toEqual({ value: { result: 'stored', revived: false } });
    expect((results[1] as { error?: string }).error).toMatch(/NOT NULL/);
    expect(results[2]).toEqual({ value: { result: 'stored', revived: true } });
    expect(deliveries(db).map((d) => (d as { id: string }).id)).toEqual(['d-1', 'd-2']);
    expect(db.prepare("SELECT count(*) AS n FROM rhythm_jobs WHERE key = 'k:new'").get()).toEqual({ n: 0 });
    db.close();
  });
});
