import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/queue/contract.js';
import { openPostgresStore } from '../../src/queue/postgres.js';
import { dropTestDatabases, testDatabase, testServerUrl } from '../support/postgres.js';
import { describeStoreContract } from './contract.js';
import { describeCrashSafety } from './crash.js';

if (testServerUrl()) {
  const urls = new WeakMap<Store, string>();

  async function openAt(url: string): Promise<Store> {
    const store = await openPostgresStore(url, { poolSize: 4 });
    urls.set(store, url);
    return store;
  }

  afterAll(() => dropTestDatabases());

  describeStoreContract(
    'postgres',
    async () => openAt((await testDatabase()) as string),
    (store) => openAt(urls.get(store) as string),
  );
  describeCrashSafety('postgres', async () => (await testDatabase()) as string);

  // The card memory is a cache: someone may drop its tables to clear it, and that costs nothing but calls.
  describe('the card memory in PostgreSQL', () => {
    it('makes its tables again when someone dropped them, and answers as if empty', async () => {
      const url = (await testDatabase()) as string;
      const store = await openAt(url);
      try {
        await store.migrate();
        const row = {
          key: 'issue:g/p#1',
          project: 'g/p',
          updatedAt: 'u',
          fingerprint: 'f',
          selfWritten: false,
          recheckAt: null,
          record: '{}',
        };
        await store.memory.put(row);
        await store.memory.setMark('g/p', 1, true);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query('DROP TABLE rhythm_card_memory; DROP TABLE rhythm_card_sweeps;');
        await client.end();
        expect(await store.memory.get('issue:g/p#1')).toBeNull();
        expect(await store.memory.mark('g/p')).toBeNull();
        await store.memory.put(row);
        expect(await store.memory.get('issue:g/p#1')).toEqual(row);
      } finally {
        await store.close();
      }
    });
  });
} else {
  describe.skip('postgres store (set RHYTHM_TEST_DATABASE_URL to run)', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
}
