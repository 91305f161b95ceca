// `rhythm program open` as a person runs it: a real child process against the sandbox GitLab.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDocument } from '../../src/markdown/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runRhythm } from '../support/rhythm-child.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-program-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const PROJECT = 'gitlab-com/customer-success/csm-programs';
const rhythm = (args: string[]) => runRhythm(args, { gitlabUrl: sandbox.url, cwd: dir });
const issues = async () =>
  (await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(PROJECT)}/issues?per_page=100`, {
    headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' },
  }).then((r) => r.json())) as { iid: number; title: string; description: string; labels: string[] }[];

describe('rhythm program open', () => {
  it('opens the internship plan once: the checklist before the start and twelve dated weeks', async () => {
    const args = ['program', 'open', 'internship', '--intern', '@alice', '--mentor', '@bob', '--start', '2027-01-04'];
    const first = await rhythm(args);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^internship: opened #(\d+) http/);
    const [plan] = (await issues()).filter((i) => i.labels.includes('program::internship'));
    expect(plan!.title).toBe('CSM internship: @alice with @bob from 2027-01-04');
    const doc = readDocument(plan!.description);
    const weeks = doc.headings.filter((h) => h.text.startsWith('Week '));
    expect(weeks).toHaveLength(12);
    expect(weeks[0]!.text).toMatch(/^Week 1 \(2027-01-04 to 2027-01-10\)/);
    expect(weeks[11]!.text).toMatch(/^Week 12 \(2027-03-22 to 2027-03-28\)/);
    expect(doc.headings.some((h) => h.text === 'Before the internship')).toBe(true);
    expect(doc.taskItems.length).toBeGreaterThan(40);
    expect(doc.taskItems.every((t) => !t.checked)).toBe(true);

    const again = await rhythm(args);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^internship: already open: #\d+/);
    expect(again.out).toMatch(/GitLab calls: \d+ reads, 0 writes/);
    expect((await issues()).filter((i) => i.labels.includes('program::internship'))).toHaveLength(1);
  });

  it('opens the accreditation tracking issue: five courses, each with its exam and practical assessment boxes', async () => {
    const r = await rhythm(['program', 'open', 'accreditation', '--member', 'carol']);
    expect(r.code).toBe(0);
    const [plan] = (await issues()).filter((i) => i.labels.includes('program::accreditation'));
    const doc = readDocument(plan!.description);
    expect(doc.headings.filter((h) => h.text.startsWith('Course ')).map((h) => h.text.replace(/\[|\]\(.*\)/g, ''))).toEqual([
      'Course 1: Building Success Plans',
      'Course 2: Success Plans in Gainsight',
      'Course 3: Executive Business Reviews',
      'Course 4: SALSA-CSM Meeting',
      'Course 5: Pre- to Post-Sales Handoff',
    ]);
    expect(doc.taskItems.map((t) => t.raw.replace(/^- \[ \] /, '')).filter((t) => t.includes('Executive Business Reviews'))).toEqual([
      'Written exam passed: Executive Business Reviews',
      'Practical assessment passed: Executive Business Reviews',
    ]);
    expect(doc.taskItems).toHaveLength(10);
  });

  it('prints the plan with --dry-run and opens nothing', async () => {
    const before = (await issues()).length;
    const r = await rhythm(['program', 'open', 'accreditation', '--member', '@dave', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^--- dry run: would open "CSM accreditation: @dave" \(nothing is sent\) ---\n<!-- rhythm:program:accreditation member=dave -->/,
    );
    expect(r.out).toMatch(/GitLab calls: 2 reads, 0 writes/);
    expect((await issues()).length).toBe(before);
  });

  it('is a usage error (exit 2), before any call, for a missing person, a bad date or an unknown program', async () => {
    const before = (await issues()).length;
    const missing = await rhythm(['program', 'open', 'internship', '--intern', '@alice', '--start', '2027-01-04']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('program internship needs --mentor @username');
    const date = await rhythm(['program', 'open', 'internship', '--intern', '@alice', '--mentor', '@bob', '--start', '2027-02-30']);
    expect(date.code).toBe(2);
    expect(date.err).toContain('--start must be a date such as 2027-01-04 (got "2027-02-30")');
    const unknown = await rhythm(['program', 'open', 'bootcamp', '--member', '@dave']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no program "bootcamp"');
    expect((await issues()).length).toBe(before);
  });
});
