// The container image (Dockerfile), built and run with Debian's podman as root: `rhythm serve` in
// the container against the sandbox GitLab on loopback (--network=host), its SQLite file on a
// mounted /data, as a non-root user; /healthz, /readyz, the image's HEALTHCHECK, a signed delivery,
// and a graceful stop on SIGTERM. Where no registry is reachable, the base image
// (node:20-bookworm-slim) is a local stand-in made by scripts/image-base.sh.
//
// Skipped, with the reason, where podman is missing or cannot run containers (not root, say). In CI
// it must run: .ci/run installs podman, and only when that install failed does it say so in
// RHYTHM_IMAGE_TEST_SKIP, the one way to skip it there.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { deliver, issueHook } from '../support/serve-process.js';
import { REPO, SECRET } from '../support/world.js';

const BASE = 'docker.io/library/node:20-bookworm-slim';
const IMAGE = 'localhost/rhythm:image-test';
const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';
/** The image runs as the official image's `node` user. */
const UID = 1000;
// Bounded well under 10 minutes in all. Measured here, cold: the stand-in base about 1 min, the
// build 3-4 min on 2 busy cores (better-sqlite3 compiles from source when its prebuilt binary cannot
// be fetched); warm, seconds. Base and build share one budget; running the container is bounded apart.
const PREPARE_BUDGET_MS = 480_000;
const BASE_TIMEOUT_MS = 150_000;
const GRACE_MS = 10_000; // serve's default RHYTHM_SHUTDOWN_GRACE_MS

/** Why this machine cannot run the image test, or null when it can. */
function whyNot(): string | null {
  if (process.env.RHYTHM_IMAGE_TEST_SKIP) return process.env.RHYTHM_IMAGE_TEST_SKIP;
  const missing = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0;
  if (missing('podman')) return 'podman is not installed (Debian: apt-get install podman runc mmdebstrap)';
  if (process.getuid?.() !== 0) return 'it needs root (rootful podman)';
  if (missing('runc')) return 'runc is not installed (podman here needs --runtime runc)';
  const info = spawnSync('podman', ['--runtime', 'runc', 'info'], { encoding: 'utf8', timeout: 60_000 });
  if (info.status !== 0) return `podman cannot run here: ${(info.stderr || String(info.error)).trim().split('\n').pop()}`;
  const base = spawnSync('podman', ['image', 'exists', BASE]);
  if (base.status !== 0 && missing('mmdebstrap')) return `${BASE} is not here and mmdebstrap (to make a stand-in) is not installed`;
  return null;
}

const skip = whyNot();
if (skip && process.env.CI && !process.env.RHYTHM_IMAGE_TEST_SKIP) {
  throw new Error(`in CI the image test must run, but ${skip}; .ci/run installs podman, runc and mmdebstrap`);
}
if (skip) console.warn(`image test skipped: ${skip}`);

interface Result {
  code: number | null;
  out: string;
  err: string;
}

let containersConf = '';

/** A command, its output, ended (SIGKILL to the one child started) when it overruns `timeoutMs`. */
function run(command: string, args: string[], timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: REPO,
      env: { ...process.env, CONTAINERS_CONF: containersConf },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    const timer = setTimeout(() => {
      err += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
const podman = (args: string[], timeoutMs?: number) => run('podman', ['--runtime', 'runc', ...args], timeoutMs);
const show = (r: Result) => `exit ${r.code}\n${r.out.slice(-4000)}\n${r.err.slice(-4000)}`;

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

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Containers an earlier run of this file left behind when it was killed (its process is gone). */
async function removeLeftovers(): Promise<void> {
  const listed = await podman(['ps', '--all', '--filter', 'name=^rhythm-image-test-', '--format', '{{.Names}}']);
  for (const leftover of listed.out.split('\n').filter(Boolean)) {
    const pid = Number(/^rhythm-image-test-(\d+)-/.exec(leftover)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue; // that run is still going
    } catch {
      await podman(['rm', '--force', '--time', '0', leftover]);
    }
  }
}

const status = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).status;

describe.skipIf(skip !== null)('the container image', () => {
  const name = `rhythm-image-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  let scratch = '';
  let data = '';
  let sandbox: Sandbox | undefined;
  let previousImage = '';
  let started = false;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'rhythm-image-'));
    // Podman's default ulimits are refused on this machine kind; no default ulimits at all.
    containersConf = join(scratch, 'containers.conf');
    writeFileSync(containersConf, '[containers]\ndefault_ulimits = []\n');
    // The mounted /data belongs to the service's user, as the image's own /data does.
    data = join(scratch, 'data');
    mkdirSync(data);
    chownSync(data, UID, UID);

    const deadline = Date.now() + PREPARE_BUDGET_MS;
    await removeLeftovers();
    if ((await podman(['image', 'exists', BASE])).code !== 0) {
      const made = await run('bash', [join(REPO, 'scripts/image-base.sh')], BASE_TIMEOUT_MS);
      expect(made.code, `scripts/image-base.sh: ${show(made)}`).toBe(0);
    }
    const before = await podman(['image', 'inspect', '--format', '{{.Id}}', IMAGE]);
    previousImage = before.code === 0 ? before.out.trim() : '';

    const secret = process.env.NODE_EXTRA_CA_CERTS;
    const t0 = Date.now();
    const build = await podman(
      [
        'build',
        '--pull=never',
        '--network=host',
        '--format=docker', // keeps the HEALTHCHECK
        '--jobs=2', // the dependency and build stages side by side
        // This machine reaches the npm registry through a proxy that re-signs TLS: npm in the
        // build trusts the same CA bundle the host's Node does (a build secret, not in the image).
        ...(secret && existsSync(secret) ? [`--secret=id=ca,src=${secret}`] : []),
        '-t',
        IMAGE,
        REPO,
      ],
      deadline - Date.now(),
    );
    expect(build.code, `podman build: ${show(build)}`).toBe(0);
    console.log(`image test: podman build took ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    sandbox = await startSandbox();
  }, PREPARE_BUDGET_MS + 20_000);

  afterAll(async () => {
    if (started) {
      const rm = await podman(['rm', '--force', '--time', '0', name]);
      if (rm.code !== 0 && !/no such container/i.test(rm.err)) console.warn(`image test: podman rm ${name}: ${show(rm)}`);
    }
    await sandbox?.close();
    // An image this build replaced under the same tag is dropped (its layers stay as build cache).
    const now = await podman(['image', 'inspect', '--format', '{{.Id}}', IMAGE]);
    if (previousImage && now.code === 0 && now.out.trim() !== previousImage) await podman(['rmi', previousImage]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('says how big it is', async () => {
    const size = await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE]);
    expect(size.code, show(size)).toBe(0);
    const bytes = Number(size.out.trim());
    expect(bytes).toBeGreaterThan(0);
    const base = await podman(['image', 'inspect', '--format', '{{.Size}}', BASE]);
    const baseBytes = Number(base.out.trim());
    const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
    console.log(
      `image test: ${IMAGE} is ${mb(bytes)} (${bytes} bytes; the base ${BASE} is ${mb(baseBytes)}, Rhythm adds ${mb(bytes - baseBytes)})`,
    );
  });

  it('serves as a non-root user with its database on /data, takes a signed delivery, and stops on SIGTERM', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const runResult = await podman([
      'run',
      '--detach',
      '--name',
      name,
      '--network=host',
      '--volume',
      `${data}:/data`,
      '--env',
      `GITLAB_URL=${sandbox!.url}`,
      '--env',
      'GITLAB_TOKEN=sandbox-rhythm-bot-token',
      '--env',
      `RHYTHM_WEBHOOK_SECRET=${SECRET}`,
      '--env',
      `PORT=${port}`,
      IMAGE,
    ]);
    started = true;
    expect(runResult.code, `podman run: ${show(runResult)}`).toBe(0);
    const url = `http://127.0.0.1:${port}`;
    const logs = async () => show(await podman(['logs', name]));

    try {
      const healthyMs = await until('/healthz 200', 60_000, async () =>
        (await status(`${url}/healthz`)) === 200 ? Date.now() - t0 : undefined,
      );
      const readyMs = await until('/readyz 200', 30_000, async () =>
        (await status(`${url}/readyz`)) === 200 ? Date.now() - t0 : undefined,
      );
      console.log(
        `image test: start to /healthz 200 in ${(healthyMs / 1000).toFixed(2)} s, to /readyz 200 in ${(readyMs / 1000).toFixed(2)} s`,
      );

      // The image's own HEALTHCHECK (node -e fetch, no curl in the slim image) says healthy.
      const health = await podman(['healthcheck', 'run', name]);
      expect(health.code, `podman healthcheck run: ${show(health)}`).toBe(0);

      // Not root: the process itself (PID 1), and what `exec` runs as.
      const proc = await podman(['exec', name, 'cat', '/proc/1/status']);
      expect(proc.code, show(proc)).toBe(0);
      const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(proc.out);
      expect(uids?.slice(1, 3)).toEqual([String(UID), String(UID)]);
      const id = await podman(['exec', name, 'id', '-u']);
      expect(id.out.trim()).not.toBe('0');

      expect(existsSync(join(data, 'rhythm.db')), `no rhythm.db in the mounted /data\n${await logs()}`).toBe(true);

      // A signed delivery is stored (202), and the worker in the container reaches GitLab: the
      // card gets the bot's note.
      const created = await fetch(`${sandbox!.url}/api/v4/projects/${encodeURIComponent(PROJECT)}/issues`, {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Container card', description: 'bare' }),
      });
      const issue = (await created.json()) as { id: number; iid: number; project_id: number };
      expect(await deliver(url, issueHook({ id: issue.project_id, path: PROJECT }, issue, 1), `image-${name}`)).toBe(202);
      await until('the bot note on the card', 30_000, async () => {
        const res = await fetch(`${sandbox!.url}/api/v4/projects/${issue.project_id}/issues/${issue.iid}/notes`, {
          headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' },
        });
        const notes = (await res.json()) as { author: { username: string } }[];
        return notes.some((n) => n.author.username === 'rhythm-bot') ? true : undefined;
      });

      // SIGTERM (podman stop; SIGKILL only after 30 s): a graceful stop within the grace, exit 0.
      const s0 = Date.now();
      const stop = await podman(['stop', '--time', '30', name], 45_000);
      const stopMs = Date.now() - s0;
      expect(stop.code, show(stop)).toBe(0);
      const exit = await podman(['inspect', '--format', '{{.State.ExitCode}}', name]);
      expect(exit.out.trim(), await logs()).toBe('0');
      expect(stopMs).toBeLessThan(GRACE_MS + 2000);
      console.log(`image test: stopped on SIGTERM in ${(stopMs / 1000).toFixed(2)} s, exit 0`);
      expect((await podman(['logs', name])).out).toContain('rhythm stopped');
    } catch (error) {
      console.error(`image test: container logs\n${await logs()}`);
      throw error;
    }
  }, 180_000);
});
