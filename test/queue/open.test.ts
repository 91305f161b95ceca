import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, sqliteSynchronous, storeLocation, storeOptions } from '../../src/queue/open.js';
import { dropTestDatabases, testDatabase, testServerUrl } from '../support/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'rhythm-open-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

describe('storeLocation', () => {
  it.each([
    [undefined, { kind: 'sqlite', path: '/srv/bot/.rhythm/rhythm.db' }],
    ['', { kind: 'sqlite', path: '/srv/bot/.rhythm/rhythm.db' }],
    ['data/q.db', { kind: 'sqlite', path: '/srv/bot/data/q.db' }],
    ['/var/lib/rhythm.db', { kind: 'sqlite', path: '/var/lib/rhythm.db' }],
    ['sqlite:data/q.db', { kind: 'sqlite', path: '/srv/bot/data/q.db' }],
    ['sqlite:/var/lib/rhythm.db', { kind: 'sqlite', path: '/var/lib/rhythm.db' }],
    ['sqlite:///var/lib/rhythm.db', { kind: 'sqlite', path: '/var/lib/rhythm.db' }],
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
    ['postgres://rhythm@db:5432/rhythm', { kind: 'postgres', url: 'postgres://rhythm@db:5432/rhythm' }],
    ['postgresql://rhythm@db/rhythm', { kind: 'postgres', url: 'postgresql://rhythm@db/rhythm' }],
  ])('reads %j', (url, expected) => {
    expect(storeLocation(url, '/srv/bot')).toEqual(expected);
  });

  it('refuses other URL schemes without echoing credentials', () => {
    expect(() => storeLocation('mysql://root:hunter2@db/rhythm', '/srv/bot')).toThrow(/got a mysql: URL/);
    expect(() => storeLocation('mysql://root:hunter2@db/rhythm', '/srv/bot')).not.toThrow(/hunter2/);
  });
});

describe('RHYTHM_SQLITE_SYNCHRONOUS', () => {
  it('is full unless set to normal, in any case', () => {
    expect([undefined, '', ' ', 'full', 'FULL'].map(sqliteSynchronous)).toEqual(['full', 'full', 'full', 'full', 'full']);
    expect(['normal', 'Normal '].map(sqliteSynchronous)).toEqual(['normal', 'normal']);
  });

  it('refuses anything else by name, before a store is opened', async () => {
    expect(() => sqliteSynchronous('off')).toThrow(/RHYTHM_SQLITE_SYNCHRONOUS must be full or normal \(got "off"\)/);
    expect(() => storeOptions({ RHYTHM_SQLITE_SYNCHRONOUS: 'off' })).toThrow(/RHYTHM_SQLITE_SYNCHRONOUS/);
    expect(storeOptions({})).toEqual({ synchronous: 'full' });
  });

  it('is what SQLite runs the commits at, read back from the connections (writer thread and the store’s own)', async () => {
    for (const [synchronous, level] of [
      ['normal', 'NORMAL'],
      ['full', 'FULL'],
    ] as const) {
      const store = await openStore(undefined, join(dir, `level-${synchronous}`), { synchronous });
      try {
        expect(await store.sqliteSynchronous!()).toEqual({ commits: level, connection: level });
      } finally {
        await store.close();
      }
    }
  });
});

describe('openStore', () => {
  it('opens the default SQLite file under .rhythm/, creating the folder, migrated and ready', async () => {
    const cwd = join(dir, 'default');
    const store = await openStore(undefined, cwd);
    try {
      expect(store.kind).toBe('sqlite');
      expect(existsSync(join(cwd, '.rhythm', 'rhythm.db'))).toBe(true);
      await store.ping();
      await store.enqueue('issue:g/p#1', 1000);
      expect((await store.stats(1000)).pending).toBe(1);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!testServerUrl())('opens PostgreSQL for a postgres:// URL, migrated and ready', async () => {
    const url = (await testDatabase()) as string;
    const store = await openStore(url, dir);
    try {
      expect(store.kind).toBe('postgres');
      await store.ping();
      await store.enqueue('issue:g/p#1', 1000);
      expect((await store.stats(1000)).pending).toBe(1);
    } finally {
      await store.close();
    }
  });
});
