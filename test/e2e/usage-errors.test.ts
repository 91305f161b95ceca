// Usage errors exit 2 before anything else runs: no configuration read, no token checked, no
// database looked for, no GitLab called. Each run here has no token and a configuration file
// that does not exist, so anything that ran past the arguments would fail otherwise (exit 1).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/world.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rhythm-usage-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function rhythm(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, RHYTHM_CONFIG: join(dir, 'absent.yml'), GITLAB_URL: 'http://127.0.0.1:9' };
  delete env.GITLAB_TOKEN;
  delete env.RHYTHM_DATABASE_URL;
  return new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/rhythm.js'), ...args], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => resolve({ code, err }));
  });
}

const CASES: Array<[string[], RegExp]> = [
  [['generate', '--month', '2027-13'], /a month looks like 2026-12 \(got "2027-13"\)/],
  [['generate', '--month', '27-01'], /a month looks like 2026-12/],
  [['generate', '--only', 'talks'], /Allowed choices are webinars, labs/],
  [['sweep', '--only', 'cards'], /Allowed choices are issues, order, reminders/],
  [['hooks', 'install', '--url', 'rhythm.example.com/webhooks/gitlab'], /an http\(s\) URL is needed/],
  [['hooks', 'install'], /required option '--url <url>' not specified/],
  [['hooks', 'status', '--url', 'ftp://rhythm.example.com/webhooks/gitlab'], /an http\(s\) URL is needed/],
  [['hooks', 'uninstall', '--url', 'webhooks/gitlab'], /an http\(s\) URL is needed/],
  [['queue', 'retry-dead', 'issue:group/project#0'], /not a work key: "issue:group\/project#0"/],
  [['explain', 'group/project'], /explain takes an issue as group\/project#12 or as its URL/],
  [['explain'], /missing required argument 'issue'/],
  [['sweep', '--fast'], /unknown option '--fast'/],
];

describe('usage errors', () => {
  it('every command refuses bad arguments with exit 2 and a line saying what was expected, before reading anything', async () => {
    const results = [];
    // Three at a time: each is a node process compiling the sources.
    for (let i = 0; i < CASES.length; i += 3) {
      results.push(...(await Promise.all(CASES.slice(i, i + 3).map(([args]) => rhythm(args)))));
    }
    results.forEach((r, i) => {
      const [args, message] = CASES[i]!;
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err, args.join(' ')).toMatch(message);
      // Nothing past the arguments ran: no word of the configuration or the token.
      expect(r.err, args.join(' ')).not.toMatch(/absent\.yml|GITLAB_TOKEN/);
    });
    // And nothing was created where they ran (no database, no .rhythm folder).
    expect(existsSync(join(dir, '.rhythm'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);
});
