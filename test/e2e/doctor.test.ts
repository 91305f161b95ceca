// `rhythm doctor` as a person runs it (node bin/rhythm.js) against the sandbox as `rhythm sandbox`
// seeds it: it passes, and each broken setup the sandbox can play fails with its own line and a
// fix. Then the commands that write refuse a token that is not the bot's before writing anything.
import { runRhythm } from '../support/rhythm-child.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_LABELS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startServeChild } from '../support/serve-child.js';
import { REPO, SECRET } from '../support/world.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const CONTENT = 'gitlab-com/customer-success/customer-success-engineering/content';

let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ labels: SEED_LABELS });
  dir = mkdtempSync(join(tmpdir(), 'rhythm-doctor-'));
  // The hook `rhythm hooks install` makes, on both projects.
  for (const project of [SKILLS, CONTENT]) {
    const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(project)}/hooks`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': 'sandbox-rhythm-bot-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/webhooks/gitlab', issues_events: true, note_events: true, token: SECRET }),
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

function rhythm(args: string[], env: Record<string, string | undefined> = {}) {
  return runRhythm(args, {
    gitlabUrl: sandbox.url,
    cwd: dir,
    env: {
      RHYTHM_WEBHOOK_SECRET: SECRET,
      RHYTHM_DATABASE_URL: `sqlite:${join(dir, 'doctor.db')}`,
      ...env,
    },
  });
}

/** The shipped rhythm.yml with one text replaced, written to the test's directory. */
function configWith(name: string, from: string, to: string): string {
  const text = readFileSync(join(REPO, 'rhythm.yml'), 'utf8');
  expect(text).toContain(from);
  const path = join(dir, name);
  writeFileSync(path, text.replace(from, to));
  return path;
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The doctor's lines for one check. */
const linesOf = (out: string, check: string) => out.split('\n').filter((l) => new RegExp(`^(ok|WARN|FAIL|skip)\\s+${check}\\b`).test(l));

describe('rhythm doctor', () => {
  it('passes against the sandbox as `rhythm sandbox` seeds it, one line per check', async () => {
    const r = await rhythm(['doctor']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const check of ['reachable', 'token', 'identity', 'role', 'labels', 'hook', 'assignees', 'calendars']) {
      expect(linesOf(r.out, check).length, check).toBeGreaterThan(0);
      for (const line of linesOf(r.out, check)) expect(line, check).toMatch(/^ok /);
    }
    expect(r.out).toMatch(/^ok\s+token\s+token ".*" has the api scope and never expires$/m);
    expect(r.out).toMatch(/^ok\s+role\s+rhythm-bot is Maintainer on gitlab-com\/sales-team\/cs-skills-exchange/m);
    expect(r.out).toMatch(/all checks passed/);
  });

  it('says GitLab cannot be reached, with the host and the cause, and skips what needs it', async () => {
    const port = await closedPort();
    const r = await rhythm(['doctor'], { GITLAB_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(linesOf(r.out, 'reachable')).toEqual([
      `FAIL  reachable  cannot reach GitLab at 127.0.0.1:${port}: connection refused: nothing listens there (ECONNREFUSED)`,
    ]);
    expect(r.out).toContain(`fix: check gitlab.url (GITLAB_URL, now http://127.0.0.1:${port})`);
    expect(linesOf(r.out, 'token')[0]).toMatch(/^skip/);
    expect(r.err).toMatch(/check\(s\) failed: reachable/);
  });

  it('tells a URL that is not the API root from an unreachable one', async () => {
    const r = await rhythm(['doctor'], { GITLAB_URL: `${sandbox.url}/gitlab` });
    expect(r.code).toBe(1);
    expect(linesOf(r.out, 'reachable')[0]).toMatch(/^FAIL\s+reachable\s+127\.0\.0\.1:\d+ answers 404, but not as GitLab's API/);
    expect(r.out).toMatch(/fix: set gitlab\.url \(GITLAB_URL\) to the instance's root/);
  });

  it('fails a wrong token, a token without the api scope, and one about to expire, saying in how many days', async () => {
    const wrong = await rhythm(['doctor'], { GITLAB_TOKEN: 'not-a-token' });
    expect(wrong.code).toBe(1);
    expect(linesOf(wrong.out, 'token')[0]).toMatch(/FAIL\s+token\s+GitLab refused the token \(401\)/);

    const reader = sandbox.addToken('rhythm-bot', { scopes: ['read_api'], name: 'reader' });
    const scoped = await rhythm(['doctor'], { GITLAB_TOKEN: reader });
    expect(scoped.code).toBe(1);
    expect(linesOf(scoped.out, 'token')[0]).toMatch(/FAIL\s+token\s+token "reader" has the scopes read_api; .* needs the api scope/);

    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const expiring = sandbox.addToken('rhythm-bot', { expiresAt: soon, name: 'short' });
    const r = await rhythm(['doctor'], { GITLAB_TOKEN: expiring });
    expect(r.code).toBe(1);
    expect(linesOf(r.out, 'token')[0]).toMatch(new RegExp(`FAIL\\s+token\\s+token "short" expires in [23] day\\(s\\), on ${soon}`));
    expect(r.out).toMatch(new RegExp(`fix: rotate it before ${soon}`));
  });

  it("fails when the token is not the bot user's", async () => {
    const r = await rhythm(['doctor'], { GITLAB_TOKEN: 'sandbox-carol-token' });
    expect(r.code).toBe(1);
    expect(linesOf(r.out, 'identity')).toEqual(['FAIL  identity   the token belongs to "carol", but gitlab.botUsername is "rhythm-bot"']);
    expect(r.out).toMatch(/fix: set gitlab\.botUsername: carol in .*rhythm\.yml, or give Rhythm the token of "rhythm-bot"/);
  });

  it('fails a bot that is only a Developer: the hook needs Maintainer (and its hooks cannot be read)', async () => {
    sandbox.setRole(SKILLS, 'rhythm-bot', 'developer');
    try {
      const r = await rhythm(['doctor']);
      expect(r.code).toBe(1);
      expect(linesOf(r.out, 'role')).toContain(
        `FAIL  role       rhythm-bot is Developer on ${SKILLS}: enough for notes and labels, but the project hook needs Maintainer`,
      );
      expect(r.out).toMatch(/fix: make rhythm-bot a Maintainer of gitlab-com\/sales-team\/cs-skills-exchange/);
      expect(linesOf(r.out, 'hook').join('\n')).toMatch(/FAIL\s+hook\s+could not read the hooks of .*needs at least the Maintainer role/);
      expect(r.err).not.toMatch(/"level"/);
      // And `hooks install` is refused as on GitLab, saying which role is missing.
      const install = await rhythm(['hooks', 'install', '--url', 'http://127.0.0.1:9/webhooks/gitlab']);
      expect(install.code).toBe(1);
      expect(install.err).toMatch(
        /403 Forbidden to GET \/projects\/:id\/hooks: the bot needs at least the Maintainer role on gitlab-com\/sales-team\/cs-skills-exchange/,
      );
    } finally {
      sandbox.setRole(SKILLS, 'rhythm-bot', 'maintainer');
    }
  });

  it('fails a Guest bot: notes and labels need Reporter', async () => {
    sandbox.setRole(CONTENT, 'rhythm-bot', 'guest');
    try {
      const r = await rhythm(['doctor']);
      expect(r.code).toBe(1);
      expect(linesOf(r.out, 'role')).toContain(
        `FAIL  role       rhythm-bot is Guest on ${CONTENT}: notes and labels need Reporter, the project hook Maintainer`,
      );
    } finally {
      sandbox.setRole(CONTENT, 'rhythm-bot', 'maintainer');
    }
  });

  it('fails a configured label the project does not have', async () => {
    const config = configWith('labels.yml', 'scheduled: status:scheduled', 'scheduled: status::scheduled');
    const r = await rhythm(['doctor', '--config', config]);
    expect(r.code).toBe(1);
    expect(linesOf(r.out, 'labels')).toContain(`FAIL  labels     ${SKILLS} has no label "status::scheduled"`);
  });

  it('fails a hook GitLab disabled after failed deliveries', async () => {
    // Four deliveries to a port where nothing listens: GitLab disables the hook for a while.
    for (let i = 0; i < 4; i += 1) {
      await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(CONTENT)}/issues`, {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: `noise ${i}` }),
      });
      await sandbox.idle();
    }
    const r = await rhythm(['doctor']);
    expect(r.code).toBe(1);
    const line = linesOf(r.out, 'hook').find((l) => l.includes(CONTENT))!;
    expect(line).toMatch(/^FAIL\s+hook\s+hook \d+ on .* is temporarily disabled until \d{4}-\d\d-\d\dT.* after failed deliveries$/);
  });

  it("fails a hook whose latest delivery failed, from GitLab's hook log, while the hook is still enabled", async () => {
    // One delivery to a port where nothing listens: not yet enough for GitLab to disable the hook.
    await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(SKILLS)}/issues`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'one noisy card' }),
    });
    await sandbox.idle();
    const r = await rhythm(['doctor']);
    expect(r.code).toBe(1);
    expect(linesOf(r.out, 'hook').find((l) => l.includes(SKILLS))).toMatch(/^ok\s+hook\s+hook \d+ on .* is installed and enabled$/);
    const delivery = r.out.split('\n').find((l) => l.startsWith('FAIL  delivered') && l.includes(SKILLS));
    expect(delivery).toMatch(
      /^FAIL\s+delivered\s+hook \d+ on .*: the latest delivery \(.*\) failed with internal error; 1 of the latest 1 failed$/,
    );
  });

  it('on GitLab Free fails the moderator rule in fix mode and passes it in comment mode', async () => {
    const free = await startSandbox({ labels: SEED_LABELS, tier: 'free' });
    try {
      const r = await rhythm(['doctor'], { GITLAB_URL: free.url });
      expect(r.code).toBe(1);
      expect(linesOf(r.out, 'assignees')).toEqual([
        `FAIL  assignees  issues in ${SKILLS} have one assignee only (the namespace's plan is free), so the moderator cannot be assigned beside the speaker (rules.moderator.mode: fix)`,
      ]);
      expect(r.out).toMatch(/fix: set boards\[0\]\.rules\.moderator\.mode: comment/);
      const comment = configWith('free.yml', 'moderator:\n        mode: fix', 'moderator:\n        mode: comment');
      const ok = await rhythm(['doctor', '--config', comment], { GITLAB_URL: free.url });
      expect(linesOf(ok.out, 'assignees')[0]).toMatch(/^ok\s+assignees\s+issues in .* have one assignee only .*does not assign/);
    } finally {
      await free.close();
    }
  });
});

describe('`rhythm sandbox --tier free` as a child process', () => {
  it('keeps one assignee per issue, has the shipped labels, and the doctor names the moderator rule to change', async () => {
    const child = spawn(process.execPath, [join(REPO, 'bin/rhythm.js'), 'sandbox', '--port', '0', '--tier', 'free'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          const first = /^(http:\/\/\S+)\n/.exec(out);
          if (first) resolve(first[1]!);
        });
        child.once('exit', (code) => reject(new Error(`rhythm sandbox exited with ${code}`)));
      });
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${url}/api/v4${path}`, {
          ...init,
          headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' },
        }).then((r) => r.json() as Promise<Record<string, unknown> & Array<Record<string, unknown>>>);
      const ids = (await Promise.all(['bob', 'carol'].map((u) => api(`/users?username=${u}`)))).map((l) => l[0]!['id']);
      const issue = await api(`/projects/${encodeURIComponent(SKILLS)}/issues`, {
        method: 'POST',
        body: JSON.stringify({ title: 'two people', assignee_ids: ids }),
      });
      expect((issue['assignees'] as unknown[]).length).toBe(1);
      const install = await rhythm(['hooks', 'install', '--url', 'http://127.0.0.1:9/webhooks/gitlab'], { GITLAB_URL: url });
      expect(install.code).toBe(0);
      const r = await rhythm(['doctor'], { GITLAB_URL: url });
      expect(r.code).toBe(1);
      expect(r.out.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([
        expect.stringMatching(/^FAIL\s+assignees\s+issues in .* have one assignee only/),
      ]);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('a botUsername that is not the token user’s', () => {
  it('makes sweep refuse before it writes anything (it used to post a second note on every card)', async () => {
    const config = configWith('other-bot.yml', 'botUsername: rhythm-bot', 'botUsername: rhythm-robot');
    sandbox.seedIssues(SKILLS, [{ title: 'A card', labels: ['status:plan'] }]);
    sandbox.resetCalls();
    const r = await rhythm(['sweep', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /the token belongs to GitLab user "rhythm-bot", but gitlab\.botUsername in .*other-bot\.yml is "rhythm-robot".*nothing was written/,
    );
    expect(sandbox.calls().map((c) => c.route)).toEqual(['GET /user']);
  });

  it('makes serve refuse to start, saying which check failed, before it writes anything', async () => {
    const config = configWith('other-bot-serve.yml', 'botUsername: rhythm-bot', 'botUsername: rhythm-robot');
    sandbox.resetCalls();
    const serve = startServeChild({
      gitlabUrl: sandbox.url,
      databaseUrl: `sqlite:${join(dir, 'serve.db')}`,
      env: { RHYTHM_CONFIG: config },
    });
    const exit = await serve.exited;
    expect(exit.code).toBe(1);
    expect(serve.stderr()).toMatch(
      /essential check\(s\) failed[\s\S]*FAIL\s+identity\s+the token belongs to "rhythm-bot", but gitlab\.botUsername is "rhythm-robot"/,
    );
    expect(sandbox.calls().filter((c) => c.method !== 'GET')).toEqual([]);
  });
});
