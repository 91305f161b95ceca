// The `rhythm` command as a person runs it (node bin/rhythm.js), against the sandbox GitLab.
import { runRhythm } from '../support/rhythm-child.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { shippedProjects } from '../support/shipped-projects.js';
import { REPO, SECRET } from '../support/world.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-cli-'));
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
      RHYTHM_DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`,
      ...env,
    },
  });
}

const api = async (path: string) =>
  (await fetch(`${sandbox.url}/api/v4${path}`, { headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' } })).json() as Promise<
    { id: number; url: string; description?: string }[]
  >;
const SKILLS = encodeURIComponent('gitlab-com/sales-team/cs-skills-exchange');
const CONTENT = encodeURIComponent('gitlab-com/customer-success/customer-success-engineering/content');
/** Every project of the shipped rhythm.yml: each gets one Rhythm hook. */
const PROJECTS = shippedProjects();

describe('rhythm check-config', () => {
  it('says OK for the shipped file and exits 0', async () => {
    const r = await rhythm(['check-config']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/OK/);
    expect(r.out).not.toContain('warning');
  });

  it('names file:line:col of each problem and exits 1', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      [
        'gitlab:',
        '  url: http://127.0.0.1:1',
        '  token: ${GITLAB_TOKEN}',
        '  botUsername: rhythm-bot',
        'timezone: Mars/Olympus',
        'boards: []',
        '',
      ].join('\n'),
    );
    const r = await rhythm(['check-config', bad]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/bad\.yml:5:\d+ .*timezone/);
  });

  it('warns, and still exits 0, when a board sets needsInfoLabel under mode: comment', async () => {
    const shipped = readFileSync(join(REPO, 'rhythm.yml'), 'utf8');
    const commented = '        # needsInfoLabel: needs-info';
    expect(shipped).toContain(commented);
    const file = join(dir, 'needs-info.yml');
    writeFileSync(file, shipped.replace(commented, '        needsInfoLabel: needs-info'));
    const line = shipped.split('\n').findIndex((l) => l === commented) + 1;
    const r = await rhythm(['check-config', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`needs-info.yml:${line}:9 warning: boards[0].rules.template.needsInfoLabel`);
    expect(r.out).toMatch(/OK/);
  });

  it('prints the same warning on stderr when another command starts on that file, and still runs', async () => {
    const shipped = readFileSync(join(REPO, 'rhythm.yml'), 'utf8');
    const file = join(dir, 'needs-info-sweep.yml');
    writeFileSync(file, shipped.replace('        # needsInfoLabel: needs-info', '        needsInfoLabel: needs-info'));
    const r = await rhythm(['sweep', '--dry-run', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/needs-info-sweep\.yml:\d+:9 warning: boards\[0\]\.rules\.template\.needsInfoLabel/);
  });

  it('serve refuses a RHYTHM_SQLITE_SYNCHRONOUS it does not know, by name, before it calls GitLab', async () => {
    const from = sandbox.calls().length;
    const r = await rhythm(['serve', '--port', '0', '--config', join(REPO, 'rhythm.yml')], { RHYTHM_SQLITE_SYNCHRONOUS: 'off' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/RHYTHM_SQLITE_SYNCHRONOUS must be full or normal \(got "off"\)/);
    expect(
      sandbox
        .calls()
        .slice(from)
        .filter((c) => c.user === 'rhythm-bot'),
    ).toEqual([]);
  });

  it('refuses a token written literally, without echoing it', async () => {
    const bad = join(dir, 'literal.yml');
    writeFileSync(
      bad,
      ['gitlab:', '  url: http://127.0.0.1:1', '  token: glpat-very-secret-value', '  botUsername: rhythm-bot', 'boards: []', ''].join(
        '\n',
      ),
    );
    const r = await rhythm(['check-config', bad]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/literal\.yml:3:\d+/);
    expect(r.out + r.err).not.toContain('glpat-very-secret-value');
  });
});

describe('rhythm --version and --help', () => {
  it('prints the version from package.json, and the command table, and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const v = await rhythm(['--version']);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe(version);
    const help = await rhythm(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'generate', 'sweep', 'check-config', 'hooks', 'queue', 'sandbox', 'demo'])
      expect(help.out).toContain(command);
  });
});

describe('usage errors', () => {
  it('exit 2 for an unknown command or a bad option value', async () => {
    expect((await rhythm(['frobnicate'])).code).toBe(2);
    expect((await rhythm(['generate', '--only', 'parties'])).code).toBe(2);
    expect((await rhythm(['generate', '--month', 'December'])).code).toBe(2);
  });

  it('a bad port is a usage error named as such, before the configuration is read (exit 2)', async () => {
    // No token: were the configuration read first, this would fail on it with exit 1.
    const flag = await rhythm(['serve', '--port', 'abc'], { GITLAB_TOKEN: undefined });
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/a port is a whole number from 0 to 65535 \(got "abc"\)/);
    expect(flag.err).not.toMatch(/ERR_SOCKET|RangeError|at .*\.js:\d+/);
    const env = await rhythm(['serve'], { GITLAB_TOKEN: undefined, PORT: '70000' });
    expect(env.code).toBe(2);
    expect(env.err).toMatch(/PORT must be a whole number/);
    expect((await rhythm(['sandbox', '--port', '-1'])).code).toBe(2);
  });
});

describe('rhythm hooks install', () => {
  it('creates once, sends only the secret the second time, updates (never duplicates) when the URL moves; --dry-run writes nothing', async () => {
    const dry = await rhythm(['hooks', 'install', '--url', 'http://127.0.0.1:3999/webhooks/gitlab', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/would create a hook/);
    expect(await api(`/projects/${SKILLS}/hooks`)).toHaveLength(0);

    const first = await rhythm(['hooks', 'install', '--url', 'http://127.0.0.1:3999/webhooks/gitlab']);
    expect(first.code).toBe(0);
    expect(first.out.match(/: created hook/g)).toHaveLength(PROJECTS.length);
    const second = await rhythm(['hooks', 'install', '--url', 'http://127.0.0.1:3999/webhooks/gitlab']);
    expect(second.out.match(/: sent the secret token to hook/g)).toHaveLength(PROJECTS.length);
    const moved = await rhythm(['hooks', 'install', '--url', 'http://127.0.0.1:4001/webhooks/gitlab']);
    expect(moved.out.match(/: updated hook \d+ \(url\)/g)).toHaveLength(PROJECTS.length);
    for (const project of PROJECTS.map(encodeURIComponent)) {
      const hooks = await api(`/projects/${project}/hooks`);
      expect(hooks).toHaveLength(1);
      expect(hooks[0]!.url).toBe('http://127.0.0.1:4001/webhooks/gitlab');
      expect(hooks[0]).toMatchObject({
        issues_events: true,
        confidential_issues_events: true,
        note_events: true,
        confidential_note_events: true,
        push_events: false,
      });
    }
  });

  it('refuses to register a hook without the secret', async () => {
    const r = await rhythm(['hooks', 'install', '--url', 'http://127.0.0.1:3999/webhooks/gitlab'], { RHYTHM_WEBHOOK_SECRET: '' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/RHYTHM_WEBHOOK_SECRET/);
  });
});

describe('rhythm generate', () => {
  it('--dry-run prints the rendered issues and writes nothing', async () => {
    sandbox.resetCalls();
    const r = await rhythm(['generate', '--month', '2026-12', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rhythm:signup:webinars:2026-12/);
    expect(r.out).toMatch(/rhythm:signup:labs:2026-12/);
    expect(sandbox.calls().filter((c) => c.method !== 'GET')).toHaveLength(0);
  });

  it("exits 1 with GitLab's reason when GitLab refuses the issue (spam check)", async () => {
    const fault = sandbox.faults.add({
      method: 'POST',
      path: 'POST /projects/:id/issues',
      kind: 'status',
      status: 400,
      message: 'Your issue has been recognized as spam.',
    });
    const r = await rhythm(['generate', '--month', '2027-01', '--only', 'webinars']);
    sandbox.faults.remove(fault);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/spam/);
    const issues = await api(`/projects/${CONTENT}/issues?labels=cse-events::sign-up`);
    expect(issues.filter((i) => i.description?.includes('rhythm:signup:webinars:2027-01'))).toHaveLength(0);
  });

  it('creates the two issues once; a rerun makes no writes', async () => {
    const first = await rhythm(['generate', '--month', '2027-02']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/webinars 2027-02: created/);
    expect(first.out).toMatch(/labs 2027-02: created/);
    sandbox.resetCalls();
    const again = await rhythm(['generate', '--month', '2027-02']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/0 writes/);
    expect(sandbox.calls().filter((c) => c.method !== 'GET')).toHaveLength(0);
  });
});

describe('rhythm sweep', () => {
  it('--dry-run reconciles every open card and writes nothing', async () => {
    await fetch(`${sandbox.url}/api/v4/projects/${SKILLS}/issues`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Needs a note', description: 'bare' }),
    });
    sandbox.resetCalls();
    const r = await rhythm(['sweep', '--dry-run'], { RHYTHM_LOG_LEVEL: 'info' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/issue:gitlab-com\/sales-team\/cs-skills-exchange#\d+: card \(createNote\), dry-run/);
    expect(r.err).toMatch(/"dryRun":true/);
    expect(sandbox.calls().filter((c) => c.method !== 'GET')).toHaveLength(0);
  });

  it('counts in its summary the reads and writes it really made (issue 12, item 17)', async () => {
    sandbox.resetCalls();
    const r = await rhythm(['sweep', '--only', 'issues']);
    expect(r.code).toBe(0);
    const summary = /GitLab calls: (\d+) reads, (\d+) writes/.exec(r.out);
    const bot = sandbox.calls().filter((c) => c.user === 'rhythm-bot');
    const writes = bot.filter((c) => c.method !== 'GET').length;
    expect(writes).toBeGreaterThan(0); // the card from the dry run got its note now
    expect(summary?.slice(1).map(Number)).toEqual([bot.length - writes, writes]);
  });

  it('then lists only what changed since its last sweep, and reads every card again with --full (issue 13)', async () => {
    const botCalls = () => sandbox.calls().filter((c) => c.user === 'rhythm-bot');
    const perCard = (route: string) => /:issue_iid/.test(route);
    sandbox.resetCalls();
    const again = await rhythm(['sweep', '--only', 'issues']);
    expect(again.code).toBe(0);
    // The board's listings, not the column's (listed once a sweep, by its label).
    const listings = botCalls().filter((c) => c.route === 'GET /projects/:id/issues' && !new URLSearchParams(c.query).has('labels'));
    expect(listings.some((c) => c.query.includes('updated_after='))).toBe(true);
    expect(listings.some((c) => c.query.includes('state=opened'))).toBe(false);
    expect(botCalls().filter((c) => perCard(c.route))).toEqual([]);

    sandbox.resetCalls();
    const full = await rhythm(['sweep', '--only', 'issues', '--full']);
    expect(full.code).toBe(0);
    expect(botCalls().some((c) => c.route === 'GET /projects/:id/issues' && c.query.includes('state=opened'))).toBe(true);
    expect(botCalls().some((c) => c.route === 'GET /projects/:id/issues/:issue_iid/notes')).toBe(true);
  });
});

describe('rhythm sandbox', () => {
  it("prints its base URL on the first line, serves GitLab's API with the seeded tokens, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [join(REPO, 'bin/rhythm.js'), 'sandbox', '--port', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const first = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d) => {
        text += String(d);
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await fetch(`${first}/api/v4/user`, { headers: { Authorization: 'Bearer sandbox-carol-token' } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('carol');
    expect((await fetch(`${first}/api/v4/user`)).status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('rhythm queue', () => {
  it('on a mistyped database path says so and creates nothing (exit 1)', async () => {
    const missing = join(dir, 'no-such-dir', 'rhythm.db');
    const stats = await rhythm(['queue', 'stats'], { RHYTHM_DATABASE_URL: `sqlite:${missing}` });
    expect(stats.code).toBe(1);
    expect(stats.err).toMatch(/no database: RHYTHM_DATABASE_URL names .*no-such-dir.*nothing was created/);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    expect((await rhythm(['queue', 'retry-dead'], { RHYTHM_DATABASE_URL: missing })).code).toBe(1);
    expect(existsSync(missing)).toBe(false);
  });

  it('shows dead jobs and puts them back on the queue', async () => {
    const { openStore } = await import('../../src/queue/open.js');
    const url = `sqlite:${join(dir, 'queue.db')}`;
    const store = await openStore(url, dir);
    const now = Date.now();
    await store.enqueue('issue:g/p#1', now);
    const [job] = await store.claim('test', 1, 60_000, now);
    await store.fail(job!, 'GitLab said no', null, now);
    await store.close();

    const stats = await rhythm(['queue', 'stats'], { RHYTHM_DATABASE_URL: url });
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.out)).toMatchObject({ dead: 1, pending: 0 });
    const retry = await rhythm(['queue', 'retry-dead'], { RHYTHM_DATABASE_URL: url });
    expect(retry.code).toBe(0);
    expect(retry.out).toMatch(/dead: issue:g\/p#1 after 1 attempts: GitLab said no/);
    expect(retry.out).toMatch(/1 job\(s\) back on the queue/);
    expect(JSON.parse((await rhythm(['queue', 'stats'], { RHYTHM_DATABASE_URL: url })).out)).toMatchObject({ dead: 0, pending: 1 });
  });
});

describe('npm run bench', () => {
  it('runs (the planner part here; figures are printed, never asserted)', async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn('npm', ['run', 'bench', '--', 'board'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += String(d)));
      child.stderr.on('data', (d) => (text += String(d)));
      child.on('exit', (code) => resolve({ code, text }));
    });
    expect(out.code).toBe(0);
    expect(out.text).toMatch(/board\.plan_10k_cards_median_ms\s+\d/);
    expect(out.text).toMatch(/board\.n200_verdict\s+optimal/);
  });
});
