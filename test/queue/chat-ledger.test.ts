// The chat ledger in each store: what was recorded as sent stays recorded, once, per board, and
// survives the store being opened again (a restart) on SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/queue/open.js';
import { openMemoryStore } from '../../src/queue/memory.js';
import { dropTestDatabases, testDatabase, testServerUrl } from '../support/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'rhythm-ledger-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

const places: Array<[string, () => Promise<string | null>]> = [
  ['sqlite', async () => `sqlite:${join(dir, 'ledger.db')}`],
  ['postgres', async () => (testServerUrl() ? testDatabase() : null)],
];

describe.each(places)('the chat ledger on %s', (_name, where) => {
  it('records each notice once per board, and remembers it after a restart', async () => {
    const url = await where();
    if (!url) return; // no PostgreSQL test server: said once by support/postgres.ts
    const store = await openStore(url, dir);
    try {
      expect(await store.chat.sent('skills-exchange')).toEqual(new Set());
      await store.chat.record('skills-exchange', ['scheduled:4:2026-12-15', 'digest:2026-W49'], 1);
      await store.chat.record('skills-exchange', ['scheduled:4:2026-12-15'], 2);
      await store.chat.record('content', ['no-dri:x'], 3);
    } finally {
      await store.close();
    }
    const again = await openStore(url, dir);
    try {
      expect(await again.chat.sent('skills-exchange')).toEqual(new Set(['scheduled:4:2026-12-15', 'digest:2026-W49']));
      expect(await again.chat.sent('content')).toEqual(new Set(['no-dri:x']));
    } finally {
      await again.close();
    }
  });
});

describe('the chat ledger in memory', () => {
  it('records per board', async () => {
    const store = await openMemoryStore();
    await store.chat.record('a', ['x', 'x', 'y'], 1);
    expect(await store.chat.sent('a')).toEqual(new Set(['x', 'y']));
    expect(await store.chat.sent('b')).toEqual(new Set());
    await store.close();
  });
});
