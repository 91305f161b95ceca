import { afterAll, describe, it } from 'vitest';
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
} else {
  describe.skip('postgres store (set RHYTHM_TEST_DATABASE_URL to run)', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
}
