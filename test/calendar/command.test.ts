// `rhythm calendar --board ID --out FILE` as a scheduled pipeline runs it: a real child process
// against the sandbox GitLab, the file parsed back with ical.js.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runRhythm } from '../support/rhythm-child.js';
import { readIcs } from './read-ics.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-calendar-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rhythm = (args: string[]) => runRhythm(args, { gitlabUrl: sandbox.url, cwd: dir });

describe('rhythm calendar', () => {
  it("writes the board's feed to the file, reading only", async () => {
    const log = createLogger({ level: 'silent' });
    const alice = createDoor({ url: sandbox.url, token: 'sandbox-alice-token', log, transport: new Transport({ log }) });
    const project = 'gitlab-com/sales-team/cs-skills-exchange';
    const card = await alice.createIssue(project, {
      title: 'Pipelines in practice',
      description: 'Moderator: @bob',
      labels: ['status:scheduled'],
      dueDate: '2027-02-10',
    });
    const out = join(dir, 'skills-exchange.ics');
    const r = await rhythm(['calendar', '--board', 'skills-exchange', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote \d+ events of board skills-exchange to /);
    expect(r.out).toMatch(/GitLab calls: \d+ reads, 0 writes/);
    const events = readIcs(readFileSync(out, 'utf8'));
    const event = events.find((e) => e.url === card.web_url)!;
    // The shipped board sets no session time: an all-day event on the due date.
    expect(event).toMatchObject({ summary: 'Pipelines in practice', allDay: true, date: '2027-02-10', status: 'CONFIRMED' });
    expect(event.description).toContain('Moderator: @bob');
  });

  it('is a usage error (exit 2) for a board it does not have, and writes nothing', async () => {
    const out = join(dir, 'nope.ics');
    const r = await rhythm(['calendar', '--board', 'nope', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no board with id "nope" (the boards are: skills-exchange, content)');
    expect(existsSync(out)).toBe(false);
    expect((await rhythm(['calendar', '--board', 'content'])).code).toBe(2);
  });
});
