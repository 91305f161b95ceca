// `rhythm explain` as a person runs it (node bin/rhythm.js) against the sandbox GitLab: what the
// bot sees of one issue and what it would write, with nothing written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runRhythm } from '../support/rhythm-child.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const CONTENT = 'gitlab-com/customer-success/customer-success-engineering/content';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-explain-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const quiet = createLogger({ level: 'silent' });
const doorAs = (who: string) =>
  createDoor({ url: sandbox.url, token: `sandbox-${who}-token`, log: quiet, transport: new Transport({ log: quiet }) });

function rhythm(args: string[], env: Record<string, string | undefined> = {}) {
  // No service database unless the test names one.
  return runRhythm(args, { gitlabUrl: sandbox.url, cwd: dir, env: { RHYTHM_DATABASE_URL: undefined, ...env } });
}

const botWrites = () => sandbox.calls().filter((c) => c.user === 'rhythm-bot' && c.method !== 'GET');

describe('rhythm explain', () => {
  it('dave moves an unready card to status:scheduled: explain shows what the bot sees and the revert it would make, in full, and writes nothing', async () => {
    const dave = doorAs('dave');
    const issue = await dave.createIssue(SKILLS, {
      title: 'Advanced CI caching',
      description: '## Topic\nCaches.\n\n## Why is this valuable\nSpeed.\n\n## Speaker\n@dave\n\nModerator: @alice',
      labels: ['status:plan'],
    });
    await dave.editIssue(SKILLS, issue.iid, { assigneeIds: [await dave.findUser('dave').then((u) => u!.id)] });
    await dave.editIssue(SKILLS, issue.iid, { addLabels: ['status:scheduled'], removeLabels: ['status:plan'] });
    sandbox.resetCalls();

    const r = await rhythm(['explain', `${SKILLS}#${issue.iid}`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // What the bot sees.
    expect(r.out).toMatch(/column: +status:scheduled/);
    expect(r.out).toMatch(/assignees: +@dave/);
    expect(r.out).toMatch(/due date: +\(none\)/);
    expect(r.out).toMatch(/moderator: +"Moderator: @alice" → @alice \(user \d+\)/);
    expect(r.out).toMatch(/last move: +status:plan → status:scheduled by @dave at .*judged now/);
    expect(r.out).toMatch(/What the card memory says: no database here/);
    // What it decides: the findings, and the plan with every write's content.
    expect(r.out).toMatch(/problem +dueDate +The card has no due date\./);
    expect(r.out).toMatch(/problem +transition .*\[the bot fixes it: Moved the card back/);
    expect(r.out).toMatch(
      /edit issue .*#\d+ \(because: transition, moderator\)\n +add labels: status:plan\n +remove labels: status:scheduled/,
    );
    expect(r.out).toMatch(/post a note on .*\(<!-- rhythm:status -->\):\n +\| <!-- rhythm:status -->/);
    expect(r.out).toContain('| **What I fixed myself**');
    expect(r.out).toMatch(/GitLab calls: \d+ reads, 0 writes/);

    // Nothing was written, and the card is as dave left it.
    expect(botWrites()).toEqual([]);
    expect(sandbox.calls().some((c) => c.user === 'rhythm-bot' && c.route.includes('label_events'))).toBe(true);
    const now = await dave.getIssue(SKILLS, issue.iid);
    expect(now.labels).toEqual(['status:scheduled']);
    expect(await dave.listNotes(SKILLS, issue.iid).then((ns) => ns.filter((n) => !n.system))).toEqual([]);
  }, 60_000);

  it('takes the issue URL GitLab shows, and says "nothing to write" for a card that is fine', async () => {
    const dave = doorAs('dave');
    const issue = await dave.createIssue(SKILLS, {
      title: 'Runner fleets',
      description: '## Topic\nRunners.\n\n## Why is this valuable\nScale.\n\n## Speaker\n@dave',
    });
    const r = await rhythm(['explain', issue.web_url]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/column: +backlog/);
    expect(r.out).toMatch(/findings: +none/);
    expect(r.out).toMatch(/plan: +nothing to write/);
  }, 60_000);

  it('explains a sign-up issue: its sessions and DRIs, and the summary note it would post', async () => {
    const gen = await rhythm(['generate', '--month', '2027-02', '--only', 'labs']);
    expect(gen.code).toBe(0);
    const iid = Number(/#(\d+)/.exec(gen.out)![1]);
    const r = await rhythm(['explain', `${CONTENT}#${iid}`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`the labs sign-up issue for 2027-02`);
    expect(r.out).toMatch(/sessions:\n +\S+: 2027-02-\d\d \d\d:\d\d \S+; DRI open/);
    expect(r.out).toMatch(/plan: +1 write\(s\)/);
    expect(r.out).toMatch(/post a note on .*#\d+ \(<!-- rhythm:signup-status -->\):\n +\| <!-- rhythm:signup-status -->/);
  }, 60_000);

  it('shows what the card memory of the service database says, after a sweep remembered the card', async () => {
    const dave = doorAs('dave');
    const db = { RHYTHM_DATABASE_URL: `sqlite:${join(dir, 'rhythm.db')}` };
    // The first sweep on the database meets the board (its baseline): a card made before that is
    // the board's past and gets no note (onboarding), so the card is made after it.
    expect((await rhythm(['sweep', '--only', 'issues'], db)).code).toBe(0);
    const issue = await dave.createIssue(SKILLS, { title: 'Remembered', description: 'please' });
    const swept = await rhythm(['sweep', '--only', 'issues'], db);
    expect(swept.code).toBe(0);
    const r = await rhythm(['explain', `${SKILLS}#${issue.iid}`], db);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/What the card memory says\n +as of: +GitLab's updated_at \S+/);
    expect(r.out).toMatch(/bot notes: +<!-- rhythm:status -->/);
    // The note the sweep posted is seen, and nothing more is to be written.
    expect(r.out).toMatch(/status note: note \d+/);
    expect(r.out).toMatch(/plan: +nothing to write/);
  }, 60_000);

  it('says a card from before the board’s baseline is held, as the sweep that met the board decided: no note planned', async () => {
    const dave = doorAs('dave');
    const issue = await dave.createIssue(SKILLS, { title: 'From the past', description: 'please' });
    const db = { RHYTHM_DATABASE_URL: `sqlite:${join(dir, 'past.db')}` };
    expect((await rhythm(['sweep', '--only', 'issues'], db)).code).toBe(0);
    expect(await dave.listNotes(SKILLS, issue.iid).then((ns) => ns.filter((n) => !n.system))).toEqual([]);
    const r = await rhythm(['explain', `${SKILLS}#${issue.iid}`], db);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/held: +nobody changed the card since the board's baseline/);
    expect(r.out).not.toContain('post a note');
    // Without the database there is no baseline: the card is judged as any other.
    const bare = await rhythm(['explain', `${SKILLS}#${issue.iid}`]);
    expect(bare.out).not.toMatch(/held:/);
    expect(bare.out).toContain('post a note');
  }, 60_000);

  it('an issue nobody has, or a project not configured: a clear error and exit 1', async () => {
    const missing = await rhythm(['explain', `${SKILLS}#9999`]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`GitLab has no issue ${SKILLS}#9999`);
    const other = await rhythm(['explain', 'someone/else#1']);
    expect(other.code).toBe(1);
    expect(other.err).toContain('someone/else is not a project of');
    const elsewhere = await rhythm(['explain', 'https://gitlab.example.com/someone/else/-/issues/1']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toMatch(/is on https:\/\/gitlab\.example\.com, but this configuration's GitLab is http:\/\/127\.0\.0\.1/);
  }, 60_000);

  it('an argument that is neither form: exit 2 before the configuration or GitLab is touched', async () => {
    sandbox.resetCalls();
    for (const arg of ['group/project', 'https://gitlab.example.com/group/project']) {
      const r = await rhythm(['explain', arg], { RHYTHM_CONFIG: join(dir, 'no-such.yml') });
      expect(r.code, arg).toBe(2);
      expect(r.err).toMatch(/explain takes an issue as group\/project#12 or as its URL/);
    }
    expect(sandbox.calls()).toEqual([]);
  }, 60_000);
});
