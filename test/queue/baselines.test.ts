// The baseline of each board lives in the queue's database, SQLite or PostgreSQL, beside (not in)
// the card memory: dropping the memory, or restarting on the same file, keeps it; the first
// process to record it wins and every other reads that one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/queue/open.js';
import { openMemoryStore } from '../../src/queue/memory.js';
import { RememberedBaselines } from '../../src/queue/baselines.js';
import type { Store } from '../../src/queue/contract.js';
import { dropTestDatabases, testDatabase } from '../support/postgres.js';

const PROJECT = 'Group/Board';
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

async function behaves(open: () => Promise<Store>) {
  const first = await open();
  const second = await open();
  try {
    expect(await first.baselines.get(PROJECT)).toBeNull();
    // Two processes meet the board at once: one baseline, the first to commit.
    const [a, b] = await Promise.all([first.baselines.ensure(PROJECT, 1000), second.baselines.ensure(PROJECT, 2000)]);
    expect(a).toBe(b);
    expect([1000, 2000]).toContain(a);
    // Recorded once: a later meeting does not move it; the project's spelling does not matter.
    expect(await first.baselines.ensure('group/board', 5000)).toBe(a);
    // The card memory is a cache: dropping it keeps the baseline.
    await first.memory.clear();
    expect(await second.baselines.get(PROJECT)).toBe(a);
    expect(await first.baselines.get('other/board')).toBeNull();
  } finally {
    await first.close();
    await second.close();
  }
  // A restart on the same database finds it.
  const again = await open();
  try {
    return await again.baselines.get(PROJECT);
  } finally {
    await again.close();
  }
}

describe('the baselines', () => {
  it('on a SQLite file: recorded once, kept across a restart and a dropped memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rhythm-baselines-'));
    dirs.push(dir);
    const url = `sqlite:${join(dir, 'rhythm.db')}`;
    expect(await behaves(() => openStore(url, dir))).not.toBeNull();
  });

  it('on PostgreSQL: the same', async (ctx) => {
    const url = await testDatabase();
    if (!url) return ctx.skip();
    expect(await behaves(() => openStore(url, process.cwd()))).not.toBeNull();
  });

  it('in a process’s memory (the one-shot commands), and read once per process', async () => {
    const store = await openMemoryStore();
    const remembered = new RememberedBaselines(store.baselines);
    expect(await remembered.ensure(PROJECT, 1000)).toBe(1000);
    expect(await remembered.ensure(PROJECT, 2000)).toBe(1000);
    expect(await store.baselines.get('group/board')).toBe(1000);
    await store.close();
  });
});
