// Rotating the webhook secret the README's way, with a real `rhythm serve` taking GitLab's
// deliveries all along: no delivery is refused at any step, and the old secret is refused at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startServeChild, type ServeChild } from '../support/serve-child.js';
import { REPO } from '../support/world.js';

const OLD = 'old-webhook-secret-0123456789';
const NEW = 'new-webhook-secret-9876543210';
const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';

let sandbox: Sandbox;
let dir: string;
const serves: ServeChild[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'rhythm-rotate-'));
});
afterAll(async () => {
  for (const s of serves) await s.kill('SIGKILL');
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function rhythm(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/rhythm.js'), ...args], {
      cwd: dir,
      env: {
        ...process.env,
        GITLAB_URL: sandbox.url,
        GITLAB_TOKEN: 'sandbox-rhythm-bot-token',
        RHYTHM_CONFIG: join(REPO, 'rhythm.yml'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function serveWith(port: number, env: Record<string, string>): Promise<ServeChild> {
  const serve = startServeChild({
    gitlabUrl: sandbox.url,
    databaseUrl: `sqlite:${join(dir, 'rhythm.db')}`,
    args: ['--port', String(port)],
    env: { RHYTHM_WEBHOOK_SECRET_PREVIOUS: '', ...env },
  });
  serves.push(serve);
  await serve.serving;
  return serve;
}

/** Every delivery sent and every job it caused finished (so a restart drops nothing). */
async function settle(serve: ServeChild): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 400 && quiet < 3; i++) {
    await sandbox.idle();
    const started = serve.lines.filter((l) => l.msg === 'job started').length;
    const finished = serve.lines.filter((l) => l.msg === 'job finished').length;
    quiet = started === finished ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let iid = 0;
async function aliceEdits(what: string): Promise<void> {
  const headers = { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' };
  const base = `${sandbox.url}/api/v4/projects/${encodeURIComponent(SKILLS)}/issues`;
  if (iid === 0) {
    const created = await fetch(base, { method: 'POST', headers, body: JSON.stringify({ title: 'Rotation card' }) });
    iid = ((await created.json()) as { iid: number }).iid;
  } else {
    await fetch(`${base}/${iid}`, { method: 'PUT', headers, body: JSON.stringify({ title: what }) });
  }
}

it('rotates the secret with a running service and no delivery is refused', async () => {
  const port = await freePort();
  const hookUrl = `http://127.0.0.1:${port}/webhooks/gitlab`;

  // Before: the service and the hooks share the old secret.
  let serve = await serveWith(port, { RHYTHM_WEBHOOK_SECRET: OLD });
  const installed = await rhythm(['hooks', 'install', '--url', hookUrl], { RHYTHM_WEBHOOK_SECRET: OLD });
  expect(installed.code).toBe(0);
  await aliceEdits('before');
  await settle(serve);

  // 1. The service restarts with the new secret, and the old one as the previous.
  await serve.kill();
  serve = await serveWith(port, { RHYTHM_WEBHOOK_SECRET: NEW, RHYTHM_WEBHOOK_SECRET_PREVIOUS: OLD });
  await aliceEdits('during, old secret');
  await settle(serve);
  expect(serve.lines.some((l) => String(l.msg).includes('still sends the previous secret'))).toBe(true);

  // 2. The hooks get the new secret; a test request proves the service takes it.
  const rotated = await rhythm(['hooks', 'install', '--url', hookUrl, '--rotate-secret'], {
    RHYTHM_WEBHOOK_SECRET: NEW,
    RHYTHM_WEBHOOK_SECRET_PREVIOUS: OLD,
  });
  expect(rotated.code).toBe(0);
  expect(rotated.out).toMatch(/cs-skills-exchange: sent the secret token to hook \d+[^\n]*\n {2}test request delivered/);
  // The content project has no issue yet, which GitLab's test request is built from.
  expect(rotated.out).toMatch(/content: sent the secret token to hook \d+[^\n]*\n {2}no test request/);
  expect(rotated.out).toMatch(/restart the service without RHYTHM_WEBHOOK_SECRET_PREVIOUS/);
  expect(rotated.out + rotated.err).not.toMatch(new RegExp(`${OLD}|${NEW}`));
  await aliceEdits('during, new secret');
  await settle(serve);

  // 3. The service restarts with the new secret alone.
  await serve.kill();
  serve = await serveWith(port, { RHYTHM_WEBHOOK_SECRET: NEW });
  await aliceEdits('after');
  await settle(serve);

  const sent = sandbox.deliveries().filter((d) => d.outcome === 'delivered' || d.outcome === 'failed');
  expect(sent.filter((d) => d.url === hookUrl && !d.test).length).toBeGreaterThanOrEqual(4);
  expect(sent.filter((d) => d.test)).toHaveLength(1);
  expect(sent.filter((d) => d.outcome !== 'delivered').map((d) => `${d.event} ${d.responseStatus ?? d.error}`)).toEqual([]);

  // The old secret no longer opens the door.
  const old = await fetch(hookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Issue Hook', 'x-gitlab-token': OLD },
    body: '{}',
  });
  expect(old.status).toBe(401);
  await serve.kill();
}, 180_000);
