// The chat ledger in each store: what was recorded as sent stays recorded, once, per board, and
// survives the store being opened again (a restart) on SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/queue/open.js';
import { openMemoryStore } from '../../src/queue/memory.js';
import type { Store } from '../../src/queue/contract.js';
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
      expect(await store.chat.sent('skills-exchange')).toEqual(new Map());
      await store.chat.record('skills-exchange', ['scheduled:4:2026-12-15', 'digest:2026-W49'], 1);
      await store.chat.record('skills-exchange', ['scheduled:4:2026-12-15'], 2);
      await store.chat.record('content', ['no-dri:x'], 3);
    } finally {
      await store.close();
    }
    const again = await openStore(url, dir);
    try {
      // Recorded again, a notice keeps the time it was first recorded.
      expect(await again.chat.sent('skills-exchange')).toEqual(
        new Map([
          ['scheduled:4:2026-12-15', 1],
          ['digest:2026-W49', 1],
        ]),
      );
      expect(await again.chat.sent('content')).toEqual(new Map([['no-dri:x', 3]]));
    } finally {
      await again.close();
    }
  });
});

describe('the chat ledger in memory', () => {
  it('records per board', async () => {
    const store = await openMemoryStore();
    await store.chat.record('a', ['x', 'x', 'y'], 1);
    expect(await store.chat.sent('a')).toEqual(
      new Map([
        ['x', 1],
        ['y', 1],
      ]),
    );
    expect(await store.chat.sent('b')).toEqual(new Map());
    await store.close();
  });
});

// Forgetting, on all three stores: only the named notices of the named board go, and they stay gone.
const stores: Array<[string, () => Promise<{ open: () => Promise<Store>; reopens: boolean } | null>]> = [
  ['sqlite', async () => ({ open: () => openStore(`sqlite:${join(dir, 'forget.db')}`, dir), reopens: true })],
  [
    'postgres',
    async () => {
      const url = testServerUrl() ? await testDatabase() : null;
      return url ? { open: () => openStore(url, dir), reopens: true } : null;
    },
  ],
  [
    'memory',
    async () => {
      const store = await openMemoryStore();
      return { open: async () => store, reopens: false };
    },
  ],
];

describe.each(stores)('forgetting lapsed chat notices on %s', (_name, where) => {
  it('forgets only the notices named, of the board named, for good', async () => {
    const place = await where();
    if (!place) return; // no PostgreSQL test server: said once by support/postgres.ts
    const store = await place.open();
    try {
      await store.chat.record('skills-exchange', ['digest:2020-W01', 'scheduled:4:2020-01-06', 'digest:2026-W49'], 10);
      await store.chat.record('content', ['digest:2020-W01'], 20);
      expect(await store.chat.forget('skills-exchange', ['digest:2020-W01', 'scheduled:4:2020-01-06', 'never-recorded'])).toBe(2);
      expect(await store.chat.forget('skills-exchange', [])).toBe(0);
    } finally {
      if (place.reopens) await store.close();
    }
    const again = place.reopens ? await place.open() : store;
    try {
      expect(await again.chat.sent('skills-exchange')).toEqual(new Map([['digest:2026-W49', 10]]));
      expect(await again.chat.sent('content')).toEqual(new Map([['digest:2020-W01', 20]]));
    } finally {
      await again.close();
    }
  });
});
