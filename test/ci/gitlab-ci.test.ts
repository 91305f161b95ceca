// The project's own pipeline (.gitlab-ci.yml): valid against GitLab's CI schema, the right jobs for
// each kind of pipeline (as gitlab-ci-local evaluates the rules), and a `test` job that really runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciLocalUnavailable, cloneWorkTree, QUICK_NPM_CI, REPO_ROOT, type CiClone, type Listed } from '../support/ci-local.js';

const ciFile = readFileSync(join(REPO_ROOT, '.gitlab-ci.yml'), 'utf8');

/** GitLab's CI JSON Schema as gitlab-ci-local bundles it, checked the way gitlab-ci-local checks it. */
async function validatorForGitlabCi(): Promise<(doc: unknown) => ErrorObject[]> {
  const url = pathToFileURL(join(REPO_ROOT, 'node_modules/gitlab-ci-local/src/schema/index.js')).href;
  const schema = ((await import(url)) as { default: Record<string, unknown> }).default;
  const ajv = new Ajv({
    allErrors: true,
    allowUnionTypes: true,
    validateFormats: false,
    strictTypes: false,
    keywords: ['markdownDescription'],
  });
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}

describe(".gitlab-ci.yml against GitLab's CI schema", () => {
  it('parses and validates with no errors', async () => {
    const doc: unknown = parse(ciFile);
    const errors = (await validatorForGitlabCi())(doc);
    expect(errors.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  });

  it('runs one generate job at a time across pipelines (resource_group), so two never open the same issue (#12 item 12)', () => {
    const doc = parse(ciFile) as Record<string, { resource_group?: string }>;
    expect(doc['generate']?.resource_group).toBe('rhythm-generate');
  });

  it('the same check rejects a job whose rule says an impossible `when`', async () => {
    const doc = parse(ciFile) as { test: { rules: Array<Record<string, unknown>> } };
    doc.test.rules[0]!.when = 'sometimes';
    const errors = (await validatorForGitlabCi())(doc);
    expect(errors.some((e) => e.instancePath.startsWith('/test/rules/0'))).toBe(true);
  });
});

const unavailable = ciLocalUnavailable();
if (unavailable) console.warn(`test/ci/gitlab-ci.test.ts: gitlab-ci-local tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)(
  unavailable ? `the pipeline under gitlab-ci-local (skipped: ${unavailable})` : 'the pipeline under gitlab-ci-local',
  () => {
    let clone: CiClone;
    beforeAll(async () => {
      clone = await cloneWorkTree();
    });
    afterAll(async () => {
      await clone?.remove();
    });

    /** Job name → how it would appear in the pipeline these variables create. */
    async function pipeline(variables: Record<string, string>, unset: string[] = []): Promise<Map<string, Listed>> {
      const jobs = await clone.list(variables, unset);
      return new Map(jobs.map((j) => [j.name, j]));
    }
    const whenOf = (jobs: Map<string, Listed>) => Object.fromEntries([...jobs].map(([name, j]) => [name, j.when]));

    it('a push to the default branch: test runs, dry-run waits for a person, no scheduled job', async () => {
      const jobs = await pipeline({ CI_PIPELINE_SOURCE: 'push' });
      expect(whenOf(jobs)).toEqual({ test: 'on_success', 'dry-run': 'manual', generate: 'never', sweep: 'never' });
      expect(jobs.get('dry-run')?.allow_failure).toBe(true);
      expect(jobs.get('test')?.allow_failure).toBe(false);
    });

    it('a push to another branch: test runs, no dry-run', async () => {
      const jobs = await pipeline({ CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'feature/faster-sweep' });
      expect(whenOf(jobs)).toEqual({ test: 'on_success', 'dry-run': 'never', generate: 'never', sweep: 'never' });
    });

    it('a merge request: test runs, dry-run is manual and may fail without blocking', async () => {
      // GitLab leaves CI_COMMIT_BRANCH unset in merge request pipelines.
      const jobs = await pipeline({ CI_PIPELINE_SOURCE: 'merge_request_event' }, ['CI_COMMIT_BRANCH']);
      expect(whenOf(jobs)).toEqual({ test: 'on_success', 'dry-run': 'manual', generate: 'never', sweep: 'never' });
      expect(jobs.get('dry-run')?.allow_failure).toBe(true);
    });

    it('a schedule with RHYTHM_JOB=generate runs generate alone', async () => {
      const jobs = await pipeline({ CI_PIPELINE_SOURCE: 'schedule', RHYTHM_JOB: 'generate' });
      expect(whenOf(jobs)).toEqual({ test: 'never', 'dry-run': 'never', generate: 'on_success', sweep: 'never' });
    });

    it('a schedule with RHYTHM_JOB=sweep runs sweep alone', async () => {
      const jobs = await pipeline({ CI_PIPELINE_SOURCE: 'schedule', RHYTHM_JOB: 'sweep' });
      expect(whenOf(jobs)).toEqual({ test: 'never', 'dry-run': 'never', generate: 'never', sweep: 'on_success' });
    });

    it('a schedule without RHYTHM_JOB runs nothing, and RHYTHM_JOB alone does not make a push run a scheduled job', async () => {
      expect(whenOf(await pipeline({ CI_PIPELINE_SOURCE: 'schedule' }))).toEqual({
        test: 'never',
        'dry-run': 'never',
        generate: 'never',
        sweep: 'never',
      });
      const push = whenOf(await pipeline({ CI_PIPELINE_SOURCE: 'push', RHYTHM_JOB: 'sweep' }));
      expect(push.sweep).toBe('never');
      expect(push.generate).toBe('never');
    });

    it('the test job passes in shell mode and ends with the summary line CI reads', { timeout: 6 * 60_000 }, async () => {
      const run = await clone.runJob(
        'test',
        {
          // A small, fast subset, so the nested `npm test` does not run this file again.
          RHYTHM_TEST_ARGS: 'test/rules',
          ...QUICK_NPM_CI,
        },
        5 * 60_000,
      );
      expect(run.exitCode, run.transcript).toBe(0);
      expect(run.log.at(-1), run.log.join('\n')).toMatch(/^[1-9]\d* passed, 0 failed/);
      expect(run.log.some((l) => l.includes('test/rules/'))).toBe(true);
      expect(run.log.some((l) => l.includes('test/ci/'))).toBe(false);
    });
  },
);
