// Two `rhythm generate` runs at once once made two sign-up issues for one month (issue #12, item
// 12). Two real child processes against one sandbox, issue creation slowed so that both look
// before either has created: GitLab itself is the guarantee (the later issue is closed with a note
// pointing to the older), and with a shared database a lease keeps the second from creating at all.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { REPO } from '../support/world.js';

const CONTENT = 'gitlab-com/customer-success/customer-success-engineering/content';
const KINDS = ['webinars', 'labs'] as const;

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-race-'));
});
afterEach(async () => {
  await fetch(`${sandbox.url}/-/sandbox/faults`, { method: 'DELETE' });
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

function rhythm(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/rhythm.js'), ...args], {
      cwd: dir,
      env: {
        ...process.env,
        GITLAB_URL: sandbox.url,
        GITLAB_TOKEN: 'sandbox-rhythm-bot-token',
        RHYTHM_CONFIG: join(REPO, 'rhythm.yml'),
        RHYTHM_DATABASE_URL: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/**
 * Both runs list the sign-up issues before either has created one: GitLab takes a while to create
 * an issue (the sandbox waits, then creates), longer than the two processes' start differs by.
 */
async function slowCreation(ms: number): Promise<void> {
  const res = await fetch(`${sandbox.url}/-/sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'latency', ms, path: 'POST /projects/:id/issues', method: 'POST' }),
  });
  expect(res.status).toBe(201);
}

interface RestIssue {
  iid: number;
  state: string;
  description: string | null;
  author: { username: string };
}
interface RestNote {
  body: string;
  system: boolean;
  author: { username: string };
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${sandbox.url}/api/v4${path}`, { headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** The bot's sign-up issues for the month and kind, oldest first, as a person's script reads them. */
async function signupIssues(month: string, kind: string): Promise<RestIssue[]> {
  const all = await api<RestIssue[]>(`/projects/${encodeURIComponent(CONTENT)}/issues?state=all&per_page=100&order_by=created_at&sort=asc`);
  return all
    .filter((i) => i.author.username === 'rhythm-bot' && (i.description ?? '').includes(`<!-- rhythm:signup:${kind}:${month} -->`))
    .sort((a, b) => a.iid - b.iid);
}

const botNotes = async (iid: number) =>
  (await api<RestNote[]>(`/projects/${encodeURIComponent(CONTENT)}/issues/${iid}/notes`)).filter(
    (n) => !n.system && n.author.username === 'rhythm-bot',
  );

describe('two rhythm generate runs started at once', () => {
  it(
    'with no database: one open sign-up issue per kind, and a second one closed with a note pointing to the first',
    { timeout: 120_000 },
    async () => {
      const month = '2027-08';
      await slowCreation(4000);
      const runs = await Promise.all([rhythm(['generate', '--month', month], {}), rhythm(['generate', '--month', month], {})]);
      for (const r of runs) expect(r.code, r.err).toBe(0);
      let duplicates = 0;
      for (const kind of KINDS) {
        const issues = await signupIssues(month, kind);
        const [kept, ...others] = issues;
        expect(kept, kind).toBeDefined();
        expect(issues.filter((i) => i.state === 'opened').map((i) => i.iid)).toEqual([kept!.iid]);
        for (const second of others) {
          duplicates += 1;
          expect(second.state).toBe('closed');
          const notes = await botNotes(second.iid);
          expect(notes).toHaveLength(1);
          expect(notes[0]!.body).toContain('<!-- rhythm:signup-duplicate -->');
          expect(notes[0]!.body).toContain(`Please sign up on #${kept!.iid}.`);
          expect(runs.map((r) => r.out).join('\n')).toContain(`${kind} ${month}: created #${second.iid}`);
        }
        // The kept issue gets no such note.
        expect((await botNotes(kept!.iid)).filter((n) => n.body.includes('rhythm:signup-duplicate'))).toEqual([]);
      }
      // Creation was slowed so that both runs looked before either had created: both did create.
      expect(duplicates).toBe(2);
      expect(runs.map((r) => r.out).join('\n')).toMatch(/then closed it: another run opened #\d+ for the month at the same time/);

      // A later run finds the month in order and writes nothing.
      const again = await rhythm(['generate', '--month', month], {});
      expect(again.code, again.err).toBe(0);
      expect(again.out).toMatch(/webinars 2027-08: unchanged/);
      expect(again.out).toMatch(/labs 2027-08: unchanged/);
      expect(again.out).toMatch(/GitLab calls: \d+ reads, 0 writes/);
    },
  );

  it('with a shared database: the second run waits for the first and creates nothing', { timeout: 120_000 }, async () => {
    const month = '2027-09';
    const shared = { RHYTHM_DATABASE_URL: `sqlite:${join(dir, 'shared.db')}` };
    await slowCreation(4000);
    const runs = await Promise.all([rhythm(['generate', '--month', month], shared), rhythm(['generate', '--month', month], shared)]);
    for (const r of runs) expect(r.code, r.err).toBe(0);
    for (const kind of KINDS) {
      const issues = await signupIssues(month, kind);
      expect(
        issues.map((i) => i.state),
        kind,
      ).toEqual(['opened']);
      const lines = runs.map((r) => r.out.split('\n').find((l) => l.startsWith(`${kind} ${month}:`)) ?? '');
      expect(
        lines.filter((l) => l.includes(': created')),
        kind,
      ).toHaveLength(1);
      expect(
        lines.filter((l) => l.includes(': unchanged')),
        kind,
      ).toHaveLength(1);
    }
    expect(runs.map((r) => r.err).join('\n')).toMatch(
      /another rhythm generate is working on the (webinars|labs) sign-up issue for 2027-09; waiting/,
    );
  });
});
