// `rhythm hooks install|status|uninstall` as a person runs them (node bin/rhythm.js), against the
// sandbox GitLab with auto-disabling at low thresholds, and a receiver whose answers the test picks.
import { runRhythm } from '../support/rhythm-child.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startReceiver, type Receiver } from '../sandbox/receiver.js';
import { shippedProjects } from '../support/shipped-projects.js';
import { SECRET } from '../support/world.js';

let sandbox: Sandbox;
let receiver: Receiver;
let hookUrl: string;
let dir: string;
/** How far the sandbox's clock runs ahead: moved past a hook's disabled_until instead of waiting. */
let ahead = 0;
/** Each test runs the command several times as a child process (about 3-5 s each on a busy machine). */
const SLOW = 150_000;
const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
/** Every project of the shipped rhythm.yml: each gets one Rhythm hook. */
const PROJECTS = shippedProjects();

beforeAll(async () => {
  // Temporarily disabled from the 2nd failure in a row, for good at the 4th.
  sandbox = await startSandbox({ now: () => Date.now() + ahead, webhookAutoDisabling: { temporaryAfter: 2, permanentAfter: 4 } });
  receiver = await startReceiver();
  hookUrl = receiver.url.replace(/\/hook$/, '/webhooks/gitlab');
  dir = mkdtempSync(join(tmpdir(), 'rhythm-hooks-'));
});
afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  receiver.respondWith(200);
  for (const project of PROJECTS) {
    for (const h of await api<{ id: number }[]>('GET', project, '/hooks')) await api('DELETE', project, `/hooks/${h.id}`);
  }
});

function rhythm(args: string[], env: Record<string, string | undefined> = {}) {
  return runRhythm(args, {
    gitlabUrl: sandbox.url,
    cwd: dir,
    env: {
      RHYTHM_WEBHOOK_SECRET: SECRET,
      RHYTHM_WEBHOOK_SECRET_PREVIOUS: undefined,
      ...env,
    },
  });
}

async function api<T = Record<string, unknown>>(
  method: string,
  project: string,
  path: string,
  body?: unknown,
  token = 'sandbox-rhythm-bot-token',
) {
  const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(project)}${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** alice edits a card: one Issue Hook delivery to the project's hook. */
let edits = 0;
async function aliceEdits(project = SKILLS, times = 1): Promise<void> {
  let iid = (await api<{ iid: number }[]>('GET', project, '/issues?per_page=1', undefined, 'sandbox-alice-token'))[0]?.iid;
  iid ??= (await api<{ iid: number }>('POST', project, '/issues', { title: 'a card' }, 'sandbox-alice-token')).iid;
  await sandbox.idle();
  for (let i = 0; i < times; i++) {
    await api('PUT', project, `/issues/${iid}`, { title: `edit ${edits++}` }, 'sandbox-alice-token');
    await sandbox.idle();
  }
}

/** Moves the sandbox's clock past every backoff (a day at most). */
const pastBackoff = () => (ahead += 25 * 3600_000);

describe('rhythm hooks install', () => {
  it(
    'sends the secret on every run and says so, never printing it: a rotated secret reaches the hook',
    async () => {
      const first = await rhythm(['hooks', 'install', '--url', hookUrl]);
      expect(first.code).toBe(0);
      expect(first.out.match(/: created hook \d+ .*\(secret token sent\)/g)).toHaveLength(PROJECTS.length);

      // The operator changed RHYTHM_WEBHOOK_SECRET; GitLab cannot say which token a hook holds.
      const again = await rhythm(['hooks', 'install', '--url', hookUrl], { RHYTHM_WEBHOOK_SECRET: 'a-new-secret-9876543210' });
      expect(again.code).toBe(0);
      expect(again.out.match(/: sent the secret token to hook \d+/g)).toHaveLength(PROJECTS.length);
      expect(again.out).toMatch(/GitLab never returns a hook's token/);
      for (const r of [first, again]) expect(r.out + r.err).not.toMatch(new RegExp(`${SECRET}|a-new-secret`));

      await aliceEdits();
      expect(receiver.received.at(-1)!.headers['x-gitlab-token']).toBe('a-new-secret-9876543210');
    },
    SLOW,
  );

  it(
    're-enables a hook GitLab disabled with a test request, and fails when the test request fails',
    async () => {
      expect((await rhythm(['hooks', 'install', '--url', hookUrl])).code).toBe(0);
      receiver.respondWith(401);
      await aliceEdits(SKILLS, 2);
      pastBackoff();
      await aliceEdits(SKILLS, 1);
      pastBackoff();
      await aliceEdits(SKILLS, 1);
      const [hook] = await api<{ id: number; alert_status: string }[]>('GET', SKILLS, '/hooks');
      expect(hook!.alert_status).toBe('disabled');

      const refused = await rhythm(['hooks', 'install', '--url', hookUrl]);
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(/it was permanently disabled .*; an edit does not re-enable it/);
      expect(refused.out).toMatch(/test request failed/);
      expect(refused.err).toMatch(/still disabled on gitlab-com\/sales-team\/cs-skills-exchange/);

      receiver.respondWith(200);
      const fixed = await rhythm(['hooks', 'install', '--url', hookUrl]);
      expect(fixed.code).toBe(0);
      expect(fixed.out).toMatch(/test request delivered: the hook is enabled/);
      expect((await api<{ alert_status: string }[]>('GET', SKILLS, '/hooks'))[0]!.alert_status).toBe('executable');
    },
    SLOW,
  );

  it(
    '--rotate-secret refuses without RHYTHM_WEBHOOK_SECRET_PREVIOUS, or with the same secret twice; a bad --url is a usage error',
    async () => {
      const none = await rhythm(['hooks', 'install', '--url', hookUrl, '--rotate-secret']);
      expect(none.code).toBe(1);
      expect(none.err).toMatch(/RHYTHM_WEBHOOK_SECRET_PREVIOUS/);
      const same = await rhythm(['hooks', 'install', '--url', hookUrl, '--rotate-secret'], { RHYTHM_WEBHOOK_SECRET_PREVIOUS: SECRET });
      expect(same.code).toBe(1);
      expect(same.err).toMatch(/nothing to rotate/);
      const usage = await rhythm(['hooks', 'install', '--url', 'rhythm.example.com/webhooks/gitlab']);
      expect(usage.code).toBe(2);
      expect(usage.err).toMatch(/option '--url <url>' argument .* is invalid\. an http\(s\) URL is needed/);
      expect(await api<unknown[]>('GET', SKILLS, '/hooks')).toHaveLength(0);
    },
    SLOW,
  );
});

describe('rhythm hooks status', () => {
  it(
    'says installed or not, URL, events, enabled / temporarily disabled until / permanently disabled, and recent failures',
    async () => {
      const missing = await rhythm(['hooks', 'status']);
      expect(missing.code).toBe(1);
      expect(missing.out).toMatch(/cs-skills-exchange: not installed/);

      expect((await rhythm(['hooks', 'install', '--url', hookUrl])).code).toBe(0);
      const fine = await rhythm(['hooks', 'status']);
      expect(fine.code).toBe(0);
      expect(fine.out).toContain(`cs-skills-exchange: hook`);
      expect(fine.out).toContain(`-> ${hookUrl}`);
      expect(fine.out).toMatch(/events: issues, confidential issues, comments, confidential comments\n/);
      expect(fine.out).toMatch(/state: enabled/);

      receiver.respondWith(500);
      await aliceEdits(SKILLS, 2);
      const failing = await rhythm(['hooks', 'status']);
      expect(failing.code).toBe(1);
      expect(failing.out).toMatch(/state: temporarily disabled until \d{4}-\d\d-\d\dT[\d:.]+Z/);
      expect(failing.out).toMatch(/recent deliveries: 2 of the last \d+ failed, the latest 2 in a row; latest failure 500 at /);
      // The other project's hook is untouched and enabled.
      expect(failing.out).toMatch(/content: hook \d+ [^\n]*\n[^\n]*\n {2}state: enabled/);
    },
    SLOW,
  );
});

describe('rhythm hooks uninstall', () => {
  it(
    "removes Rhythm's hooks and no other; --dry-run removes nothing",
    async () => {
      expect((await rhythm(['hooks', 'install', '--url', hookUrl])).code).toBe(0);
      await api('POST', SKILLS, '/hooks', { url: 'http://127.0.0.1:9/ci-notifier', token: 'theirs', push_events: true });

      const dry = await rhythm(['hooks', 'uninstall', '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.out.match(/: would remove hook \d+ -> /g)).toHaveLength(PROJECTS.length);
      expect(await api<unknown[]>('GET', SKILLS, '/hooks')).toHaveLength(2);

      const other = await rhythm(['hooks', 'uninstall', '--url', 'http://127.0.0.1:1/webhooks/gitlab']);
      expect(other.out.match(/: no Rhythm hook/g)).toHaveLength(PROJECTS.length);

      const gone = await rhythm(['hooks', 'uninstall']);
      expect(gone.code).toBe(0);
      expect(gone.out.match(/: removed hook \d+ -> /g)).toHaveLength(PROJECTS.length);
      expect((await api<{ url: string }[]>('GET', SKILLS, '/hooks')).map((h) => h.url)).toEqual(['http://127.0.0.1:9/ci-notifier']);
      for (const project of PROJECTS.filter((p) => p !== SKILLS)) expect(await api<unknown[]>('GET', project, '/hooks')).toHaveLength(0);
    },
    SLOW,
  );
});
