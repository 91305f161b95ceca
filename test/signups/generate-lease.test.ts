// With a database, `rhythm generate` takes a lease per month and kind before creating (issue #12,
// item 12): a run that finds the lease held waits for it, and skips the kind, saying why, if the
// holder does not finish in time. A real SQLite store and the sandbox, over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RhythmConfig } from '../../src/config/types.js';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { generateSignups, leaseName, type GenerateLease } from '../../src/handlers/signup-month/generate.js';
import type { Store } from '../../src/queue/contract.js';
import { openStore } from '../../src/queue/open.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { recordingLog } from '../support/run-key.js';
import { LABS, REMINDERS, WEBINARS } from './calendars.js';

const PROJECT = 'gitlab-com/customer-success/customer-success-engineering/content';
const MONTH = '2027-05';

let sandbox: Sandbox;
let store: Store;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-lease-'));
  store = await openStore(`sqlite:${join(dir, 'rhythm.db')}`, dir);
});
afterAll(async () => {
  await store?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (): RhythmConfig => ({
  source: 'rhythm.yml',
  gitlab: { url: sandbox.url, token: 'sandbox-rhythm-bot-token', botUsername: 'rhythm-bot' },
  timezone: 'America/Los_Angeles',
  dryRun: false,
  sweep: { intervalMinutes: 0, fullEveryHours: 24 },
  boards: [],
  signups: { project: PROJECT, webinars: WEBINARS, labs: LABS, reminders: REMINDERS },
});

function generate(lease: Omit<GenerateLease, 'store'>, log = recordingLog()) {
  const door = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport: new Transport({ log, retries: 0 }) });
  return generateSignups({ config: config(), configDir: '.', door, log, lease: { store, ...lease } }, { month: MONTH });
}

const withMarker = (kind: string) =>
  sandbox
    .issues(PROJECT)
    .filter((i) => typeof i.description === 'string' && i.description.includes(`<!-- rhythm:signup:${kind}:${MONTH} -->`));

describe('the generate lease', () => {
  it('skips a kind whose lease another run holds past the wait, says why, and does the other kind', async () => {
    expect(await store.lead(leaseName(MONTH, 'webinars'), 'the other run', 60_000, Date.now())).toBe(true);
    const log = recordingLog();
    const report = await generate({ holder: 'this run', waitMs: 300, pollMs: 50 }, log);
    expect(report.results.map((r) => [r.kind, r.action])).toEqual([
      ['webinars', 'skipped'],
      ['labs', 'created'],
    ]);
    expect(report.results[0]!.reason).toMatch(/another rhythm generate held the lease generate:2027-05:webinars/);
    expect(
      log.lines.some((l) => l.level === 'warn' && /working on the webinars sign-up issue for 2027-05; waiting/.test(l.msg ?? '')),
    ).toBe(true);
    expect(withMarker('webinars')).toHaveLength(0);
    expect(withMarker('labs')).toHaveLength(1);
    // The labs lease was given back when the run ended: anyone may take it now.
    expect(await store.lead(leaseName(MONTH, 'labs'), 'someone else', 60_000, Date.now())).toBe(true);
    await store.lead(leaseName(MONTH, 'labs'), 'someone else', 0, Date.now());
  });

  it('waits while another run holds the lease, then finds what it made instead of making a second', async () => {
    const other = 'the other run';
    // The other run is still working on webinars; it gives its lease back a moment later.
    setTimeout(() => void store.lead(leaseName(MONTH, 'webinars'), other, 0, Date.now()), 400);
    const report = await generate({ holder: 'this run', waitMs: 30_000, pollMs: 50 });
    expect(report.results.map((r) => [r.kind, r.action])).toEqual([
      ['webinars', 'created'],
      ['labs', 'unchanged'],
    ]);
    const again = await generate({ holder: 'a third run', waitMs: 1000, pollMs: 50 });
    expect(again.results.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
    expect(withMarker('webinars')).toHaveLength(1);
    expect(withMarker('labs')).toHaveLength(1);
  });
});
