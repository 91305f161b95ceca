// `rhythm sweep --dry-run` as a pipeline runs it (a real child process, the default log level):
// every write it would make is printed in full — the whole note, the labels of a revert — and
// nothing is sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runRhythm } from '../support/rhythm-child.js';
import { fullRequest } from '../support/world.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-sweep-dry-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

function sweepDryRun() {
  return runRhythm(['sweep', '--dry-run', '--only', 'issues'], {
    gitlabUrl: sandbox.url,
    cwd: dir,
    env: { RHYTHM_DATABASE_URL: undefined, RHYTHM_LOG_LEVEL: undefined },
  });
}

describe('rhythm sweep --dry-run', () => {
  it('prints the full content of every write it would make, and sends none', async () => {
    const quiet = createLogger({ level: 'silent' });
    const dave = createDoor({ url: sandbox.url, token: 'sandbox-dave-token', log: quiet, transport: new Transport({ log: quiet }) });
    const bare = await dave.createIssue(SKILLS, { title: 'Bare request', description: 'please' });
    const skipper = await dave.createIssue(SKILLS, { title: 'Skipper', description: fullRequest('Skipping.', 'dave') });
    await dave.editIssue(SKILLS, skipper.iid, { addLabels: ['status:scheduled'] });
    sandbox.resetCalls();

    const r = await sweepDryRun();
    expect(r.code).toBe(0);
    // The bare request's note, whole: its marker, the opening line and the list under it.
    const bareNote = new RegExp(
      `dry-run: would post a note on ${SKILLS}#${bare.iid} \\(<!-- rhythm:status -->\\):\\n +\\| <!-- rhythm:status -->\\n +\\| #### :wave: Rhythm checked this card`,
    );
    expect(r.out).toMatch(bareNote);
    expect(r.out).toContain('| :warning: **One thing to fix** on this card in the backlog');
    expect(r.out).toContain('**Topic** (missing)');
    // The revert of the skipped column: which labels, and why.
    expect(r.out).toMatch(
      new RegExp(
        `dry-run: would edit issue ${SKILLS}#${skipper.iid} \\(because: transition\\)\\n +add labels: status:plan\\n +remove labels: status:scheduled`,
      ),
    );
    expect(r.out).toContain('Moved the card back to `status:plan`: it skipped planning.');
    expect(sandbox.calls().filter((c) => c.user === 'rhythm-bot' && c.method !== 'GET')).toEqual([]);
  }, 60_000);
});
