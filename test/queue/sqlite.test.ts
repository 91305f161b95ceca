import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { Store } from '../../src/queue/contract.js';
import { openSqliteStore } from '../../src/queue/sqlite.js';
import { describeStoreContract } from './contract.js';
import { describeCrashSafety } from './crash.js';

const dir = mkdtempSync(join(tmpdir(), 'rhythm-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const paths = new WeakMap<Store, string>();
let n = 0;

async function openAt(path: string): Promise<Store> {
  const store = await openSqliteStore(path);
  paths.set(store, path);
  return store;
}

describeStoreContract(
  'sqlite',
  () => openAt(join(dir, `store-${++n}`, 'rhythm.db')),
  (store) => openAt(paths.get(store) as string),
);

describeCrashSafety('sqlite', async () => `sqlite:${join(dir, `crash-${++n}`, 'rhythm.db')}`);

// The same contract with accepts committed on the event loop's own thread (writerThread: false).
async function openInline(path: string): Promise<Store> {
  const store = await openSqliteStore(path, { writerThread: false });
  paths.set(store, path);
  return store;
}

describeStoreContract(
  'sqlite without the writer thread',
  () => openInline(join(dir, `inline-${++n}`, 'rhythm.db')),
  (store) => openInline(paths.get(store) as string),
);
