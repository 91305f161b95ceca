// `rhythm generate --dry-run` as a person runs it (a real child process) against the sandbox: it
// reads GitLab and says, per month and kind, create, update (with what changes) or unchanged,
// and sends nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runRhythm } from '../support/rhythm-child.js';
import { REPO } from '../support/world.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-generate-dry-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

function generate(args: string[], config = join(REPO, 'rhythm.yml')) {
  return runRhythm(['generate', '--month', '2027-03', '--only', 'webinars', ...args], {
    gitlabUrl: sandbox.url,
    cwd: dir,
    env: { RHYTHM_CONFIG: config, RHYTHM_DATABASE_URL: undefined },
  });
}

const botWrites = () => sandbox.calls().filter((c) => c.user === 'rhythm-bot' && c.method !== 'GET');

describe('rhythm generate --dry-run', () => {
  it('says create, then unchanged after a real run, then update with what changes when the calendar moves; never writes', async () => {
    sandbox.resetCalls();
    const first = await generate(['--dry-run']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^webinars 2027-03: would create \(dry run: nothing sent\)$/m);
    expect(first.out).toContain('<!-- rhythm:signup:webinars:2027-03 -->');
    // It read GitLab to know: the month's issues were listed.
    expect(sandbox.calls().some((c) => c.user === 'rhythm-bot' && c.method === 'GET' && c.route.includes('/issues'))).toBe(true);
    expect(botWrites()).toEqual([]);

    const real = await generate([]);
    expect(real.code).toBe(0);
    const iid = Number(/^webinars 2027-03: created #(\d+)/m.exec(real.out)![1]);
    sandbox.resetCalls();

    const again = await generate(['--dry-run']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(new RegExp(`^webinars 2027-03: unchanged #${iid} `, 'm'));
    expect(again.out).not.toContain('--- dry run');

    // The AMER webinar moves from 09:00 to 10:30: one row changes.
    const moved = join(dir, 'moved.yml');
    writeFileSync(moved, readFileSync(join(REPO, 'rhythm.yml'), 'utf8').replace('time: "09:00"', 'time: "10:30"'));
    const update = await generate(['--dry-run'], moved);
    expect(update.err).not.toMatch(/error/i);
    expect(update.code).toBe(0);
    expect(update.out).toMatch(
      new RegExp(
        `^webinars 2027-03: would update #${iid} \\S+: description: [1-9]\\d* line\\(s\\) added, [1-9]\\d* removed .*\\(dry run: nothing sent\\)$`,
        'm',
      ),
    );
    expect(update.out).toMatch(/^What changes:$/m);
    expect(update.out).toMatch(/^- .*09:00/m);
    expect(update.out).toMatch(/^\+ .*10:30/m);
    expect(botWrites()).toEqual([]);
  }, 120_000);
});
