// `npm run build` and the built `rhythm`: the compiled CLI finds package.json, schemas/ and the
// SQLite worker from its own folder. The build goes to a throwaway folder inside the repository
// (at the depth of dist/, which the built files' `../..` paths need), never over a real dist/.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/world.js';

const out = join(REPO, `.build-test-${process.pid}`);
const scratch = mkdtempSync(join(tmpdir(), 'rhythm-build-'));

function run(command: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}
const built = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [join(out, 'cli.js'), ...args], env);

beforeAll(async () => {
  const build = await run('npm', ['run', 'build', '--', '--out-dir', basename(out)]);
  expect(build.code, build.out + build.err).toBe(0);
}, 120_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('compiles every command and copies the SQLite worker beside its module', () => {
    for (const name of ['serve', 'generate', 'sweep', 'check-config', 'hooks', 'queue', 'sandbox', 'demo']) {
      expect(existsSync(join(out, 'commands', `${name}.js`)), name).toBe(true);
    }
    expect(existsSync(join(out, 'queue', 'sqlite-accept-worker.mjs'))).toBe(true);
  });

  it('the built rhythm --version prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await built(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(version);
  });

  it('the built rhythm check-config validates the shipped file against schemas/', async () => {
    const r = await built(['check-config', 'rhythm.yml'], { GITLAB_TOKEN: 'build-test-token' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^rhythm\.yml: OK — \d+ board\(s\)/);
  });

  it('the built SQLite store commits a delivery on its writer thread (the copied worker)', async () => {
    const { openStore } = (await import(pathToFileURL(join(out, 'queue', 'open.js')).href)) as typeof import('../../src/queue/open.js');
    const store = await openStore(`sqlite:${join(scratch, 'q.db')}`, scratch);
    try {
      const delivery = {
        deliveryId: 'build-test-1',
        eventUuid: null,
        event: 'Issue Hook',
        key: 'issue:g/p#1',
        payload: '{}',
        receivedAt: Date.now(),
      };
      expect(await store.accept(delivery)).toBe('stored');
      expect(await store.accept(delivery)).toBe('duplicate');
    } finally {
      await store.close();
    }
  });
});
