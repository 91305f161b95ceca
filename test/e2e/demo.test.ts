// `npm run demo -- --exit` from a clean checkout: the README's first command, as a newcomer runs it.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/world.js';

let checkout: string | null = null;
afterAll(() => {
  if (checkout) rmSync(checkout, { recursive: true, force: true });
});

/** The files git would check out (tracked, plus new ones not ignored), in a fresh directory. */
function cleanCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rhythm-demo-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(REPO, file), join(dir, file));
    } catch {
      // listed but deleted in the work tree
    }
  }
  // `npm ci` is the README's first half; the installed packages are the same, so link them.
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('npm run demo -- --exit', () => {
  it('tells the story, ends with the board in order, and exits 0', async () => {
    checkout = cleanCheckout();
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('npm', ['run', 'demo', '--', '--exit', '--port', '0'], {
        cwd: checkout!,
        env: { ...process.env, GITLAB_URL: '', GITLAB_TOKEN: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += String(d)));
      child.stderr.on('data', (d) => (text += String(d)));
      child.on('exit', (c) => resolve({ code: c, out: text }));
    });
    expect(code, out).toBe(0);

    // Key lines of the transcript, one per step.
    expect(out).toMatch(/sandbox GitLab is up at http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/webhooks registered/);
    expect(out).toMatch(/alice opens a request[\s\S]*?Some sections of the request are missing/);
    expect(out).toMatch(/assigns no speaker[\s\S]*?No one is assigned/);
    expect(out).toMatch(/no moderator and no date[\s\S]*?Moderator: @username[\s\S]*?no due date/);
    expect(out).toMatch(
      /moves the card to status:scheduled again[\s\S]*?assignees \[bob, carol\][\s\S]*?All checks pass[\s\S]*?posted the checklist/,
    );
    expect(out).toMatch(/straight to status:scheduled[\s\S]*?labels \[status:plan\][\s\S]*?Moved the card back/);
    expect(out).toMatch(/ordered the status:scheduled column by date/);
    expect(out).toMatch(/webinars sign-up issue created[\s\S]*?labs sign-up issue created[\s\S]*?a second run changes nothing/);
    expect(out).toMatch(/chat: New session scheduled: Secure your supply chain \(http:\/\/127\.0\.0\.1:\d+\/\S+\) on /);
    expect(out).toMatch(/keeps the dashboard issue #\d+: http:\/\/127\.0\.0\.1:\d+\/\S+\/-\/issues\/\d+/);
    expect(out).toMatch(/done\. Watch the board at http:\/\/127\.0\.0\.1:\d+\/-\/boards\//);
    expect(out).toMatch(/calendar feed: http:\/\/127\.0\.0\.1:\d+\/calendar\/skills-exchange\.ics \([1-9]\d* events/);

    // The sandbox's final state: the scheduled column in date order, the reverted card in plan.
    const board = JSON.parse(readFileSync(join(checkout, '.rhythm/demo-board.json'), 'utf8')) as {
      columns: { label: string | null; cards: { iid: number; title: string; due_date: string | null }[] }[];
    };
    const scheduled = board.columns.find((c) => c.label === 'status:scheduled')!;
    expect(scheduled.cards.length).toBe(6);
    const dates = scheduled.cards.map((c) => c.due_date);
    expect(dates).toEqual([...dates].sort());
    const plan = board.columns.find((c) => c.label === 'status:plan')!;
    expect(plan.cards.map((c) => c.title)).toContain('Advanced CI/CD caching');
  }, 120_000);
});
