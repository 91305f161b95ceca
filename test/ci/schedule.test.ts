// The schedule-only `generate` job of .gitlab-ci.yml, run by gitlab-ci-local against the sandbox
// GitLab: it opens the month's two sign-up issues, and a second scheduled run opens nothing new.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ciLocalUnavailable, cloneWorkTree, QUICK_NPM_CI, REPO_ROOT, type CiClone } from '../support/ci-local.js';

const MONTH = '2026-12';
const SIGN_UP_LABEL = 'cse-events::sign-up';
/** Where rhythm.yml opens the sign-up issues. */
const contentProject = (parse(readFileSync(join(REPO_ROOT, 'rhythm.yml'), 'utf8')) as { signups: { project: string } }).signups.project;

interface RestIssue {
  iid: number;
  title: string;
  description: string | null;
  labels: string[];
  author: { username: string };
}

const unavailable = ciLocalUnavailable();
if (unavailable) console.warn(`test/ci/schedule.test.ts skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)(
  unavailable ? `the scheduled generate job (skipped: ${unavailable})` : 'the scheduled generate job',
  () => {
    let sandbox: Sandbox;
    let clone: CiClone;
    beforeAll(async () => {
      [sandbox, clone] = await Promise.all([startSandbox(), cloneWorkTree()]);
    });
    afterAll(async () => {
      await Promise.all([sandbox?.close(), clone?.remove()]);
    });

    const schedule = () => ({
      CI_PIPELINE_SOURCE: 'schedule',
      RHYTHM_JOB: 'generate',
      GITLAB_URL: sandbox.url,
      GITLAB_TOKEN: 'sandbox-rhythm-bot-token',
      RHYTHM_GENERATE_ARGS: `--month=${MONTH}`,
      ...QUICK_NPM_CI,
    });

    /** The sign-up issues of the content project, read the way a person's script would: REST, as alice. */
    async function signUpIssues(): Promise<RestIssue[]> {
      const url = `${sandbox.url}/api/v4/projects/${encodeURIComponent(contentProject)}/issues?labels=${encodeURIComponent(SIGN_UP_LABEL)}&per_page=100`;
      const res = await fetch(url, { headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' } });
      expect(res.status).toBe(200);
      return (await res.json()) as RestIssue[];
    }
    const withMarker = (issues: RestIssue[], kind: 'webinars' | 'labs') =>
      issues.filter((i) => (i.description ?? '').includes(`<!-- rhythm:signup:${kind}:${MONTH} -->`));

    async function runGenerate(): Promise<string[]> {
      const run = await clone.runJob('generate', schedule(), 4 * 60_000);
      expect(run.exitCode, run.transcript).toBe(0);
      return run.log;
    }

    it('is not in a push pipeline, even with RHYTHM_JOB=generate', async () => {
      // Asked by name, gitlab-ci-local runs a job whatever its rules say, so ask for the pipeline instead.
      const jobs = await clone.list({ ...schedule(), CI_PIPELINE_SOURCE: 'push' });
      expect(jobs.find((j) => j.name === 'generate')?.when).toBe('never');
      // Against a false pass: the same listing for a schedule does include it.
      expect((await clone.list(schedule())).find((j) => j.name === 'generate')?.when).toBe('on_success');
    });

    it('opens one webinar and one lab sign-up issue for the month, then a second run opens nothing', { timeout: 8 * 60_000 }, async () => {
      expect(await signUpIssues()).toEqual([]);

      const firstLog = await runGenerate();
      expect(firstLog).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^webinars ${MONTH}: created #\\d+`))]));
      expect(firstLog).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^labs ${MONTH}: created #\\d+`))]));

      const first = await signUpIssues();
      expect(first).toHaveLength(2);
      const webinars = withMarker(first, 'webinars');
      const labs = withMarker(first, 'labs');
      expect(webinars).toHaveLength(1);
      expect(labs).toHaveLength(1);
      for (const issue of first) {
        expect(issue.labels).toContain(SIGN_UP_LABEL);
        expect(issue.author.username).toBe('rhythm-bot');
      }

      const secondLog = await runGenerate();
      expect(secondLog, secondLog.join('\n')).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^webinars ${MONTH}: unchanged #\\d+`)),
          expect.stringMatching(new RegExp(`^labs ${MONTH}: unchanged #\\d+`)),
          expect.stringMatching(/^GitLab calls: \d+ reads, 0 writes$/),
        ]),
      );
      const second = await signUpIssues();
      expect(second.map((i) => i.iid).sort((a, b) => a - b)).toEqual(first.map((i) => i.iid).sort((a, b) => a - b));
      expect(withMarker(second, 'webinars')).toHaveLength(1);
      expect(withMarker(second, 'labs')).toHaveLength(1);
    });
  },
);
