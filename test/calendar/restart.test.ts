// The feed from `rhythm serve` as a real child process: the same bytes after a restart (UIDs,
// SEQUENCE and DTSTAMP come from GitLab's data, not from the process).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { spawnServe } from '../support/serve-process.js';
import { readIcs } from './read-ics.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-feed-restart-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the calendar feed of rhythm serve', () => {
  it('answers the same calendar after a restart', async () => {
    const log = createLogger({ level: 'silent' });
    const alice = createDoor({ url: sandbox.url, token: 'sandbox-alice-token', log, transport: new Transport({ log }) });
    await alice.createIssue('gitlab-com/sales-team/cs-skills-exchange', {
      title: 'Feeds that survive restarts',
      description: 'Moderator: @bob',
      labels: ['status:scheduled'],
      dueDate: '2027-03-03',
    });
    const opts = { gitlabUrl: sandbox.url, databaseUrl: `sqlite:${join(dir, 'rhythm.db')}` };
    const read = async (url: string) => {
      const res = await fetch(`${url}/calendar/skills-exchange.ics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const first = await spawnServe(opts);
    const before = await read(first.url);
    expect(await first.kill()).toBe(0);
    const second = await spawnServe(opts);
    try {
      expect(await read(second.url)).toBe(before);
      expect(readIcs(before).map((e) => e.summary)).toContain('Feeds that survive restarts');
    } finally {
      await second.kill();
    }
  });
});
