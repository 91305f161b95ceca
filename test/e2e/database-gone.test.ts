// The database going away (#12 item 5), with a real `rhythm serve` on a SQLite file. Deleted
// while serving: no webhook is acknowledged any more (503: nothing durable was stored), /readyz
// says 503 and why, and the logs say so. Read-only at start: a clear line naming the file, on
// stderr and in the JSON log, and exit code 1 (not a crash by signal).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/queue/open.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { deliver, issueHook } from '../support/serve-process.js';
import { logLine, startServeChild, type ServeChild } from '../support/serve-child.js';

const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

let sandbox: Sandbox;
let dir: string;
let issue: { id: number; iid: number; project_id: number };
const children: ServeChild[] = [];
const immutable: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-db-gone-'));
  const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(PROJECT)}/issues`, {
    method: 'POST',
    headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Card', description: 'please' }),
  });
  issue = (await res.json()) as typeof issue;
});
afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  for (const f of immutable) execFileSync('chattr', ['-i', f], { stdio: 'ignore' });
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const hook = (n: number) => issueHook({ id: issue.project_id, path: PROJECT }, issue, n);

/** A migrated, closed database at `path`, as a previous run would leave it. */
async function existingDatabase(path: string): Promise<void> {
  const store = await openStore(`sqlite:${path}`, dir);
  await store.close();
}

describe('the database file deleted while rhythm serves', () => {
  it('acknowledges no more webhooks, is not ready and says why, and logs it', async () => {
    const path = join(dir, 'deleted', 'rhythm.db');
    const serve = startServeChild({ gitlabUrl: sandbox.url, databaseUrl: `sqlite:${path}` });
    children.push(serve);
    const url = await serve.serving;
    expect(await deliver(url, hook(1), 'gone-1')).toBe(202);

    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });

    const status = await deliver(url, hook(2), 'gone-2');
    expect(status).toBe(503);
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Record<string, boolean>; reasons?: Record<string, string> };
    expect(body.checks.database).toBe(false);
    expect(body.reasons?.database).toContain(`database file ${path} is gone`);

    const refused = await logLine(
      serve,
      (l) => l.level === 'error' && l.deliveryId === 'gone-2' && JSON.stringify(l.err ?? '').includes(`${path} is gone`),
      'refusing the delivery, naming the file',
    );
    expect(refused.msg).toBe('could not store the webhook delivery');
    await logLine(serve, (l) => l.level === 'error' && l.msg === 'not ready', 'saying it is not ready');
    // Still refused on a resend: a delivery is acknowledged only once it is stored.
    expect(await deliver(url, hook(2), 'gone-2')).toBe(503);

    const exit = await serve.kill('SIGTERM');
    expect(exit.signal).toBeNull();
  }, 60_000);
});

describe('a read-only database file at start', () => {
  /** Starts serve on `path` and waits for it to give up. */
  async function refusedStart(path: string, who: { uid?: number; gid?: number } = {}) {
    const serve = startServeChild({ gitlabUrl: sandbox.url, databaseUrl: `sqlite:${path}`, ...who });
    children.push(serve);
    const exit = await serve.exited;
    return { serve, exit };
  }

  function expectRefusal(serve: ServeChild, exit: { code: number | null; signal: NodeJS.Signals | null }, path: string) {
    expect(exit, serve.stderr()).toEqual(expect.objectContaining({ code: 1, signal: null }));
    expect(serve.stderr()).toContain(`database file ${path} is read-only`);
    const line = serve.lines.find((l) => l.level === 'error' && String(l.msg).includes(`database file ${path} is read-only`));
    expect(line, JSON.stringify(serve.lines)).toBeDefined();
    expect(serve.lines.some((l) => l.msg === 'rhythm is serving')).toBe(false);
  }

  it('mode 444 (served by an unprivileged user, as root ignores mode bits): exits 1 naming the file', async () => {
    const folder = join(dir, 'mode-444');
    const path = join(folder, 'rhythm.db');
    mkdirSync(folder, { recursive: true });
    await existingDatabase(path);
    // As root, the server runs as nobody, who owns the folder (so only the file refuses writes).
    if (isRoot) {
      chmodSync(dir, 0o755);
      chownSync(folder, NOBODY, NOBODY);
      chownSync(path, NOBODY, NOBODY);
    }
    chmodSync(path, 0o444);
    const { serve, exit } = await refusedStart(path, isRoot ? { uid: NOBODY, gid: NOBODY } : {});
    expectRefusal(serve, exit, path);
  }, 60_000);

  it('immutable (chattr +i, which stops root too): exits 1 naming the file', async (ctx) => {
    const folder = join(dir, 'immutable');
    const path = join(folder, 'rhythm.db');
    mkdirSync(folder, { recursive: true });
    await existingDatabase(path);
    try {
      execFileSync('chattr', ['+i', path], { stdio: 'ignore' });
      immutable.push(path);
    } catch {
      ctx.skip('chattr +i is not available here (needs root and a file system that has it)');
      return;
    }
    // Verified, not assumed: the file really refuses to be opened for writing.
    expect(() => closeSync(openSync(path, 'r+'))).toThrow();
    const { serve, exit } = await refusedStart(path);
    expectRefusal(serve, exit, path);
  }, 60_000);
});
